//! Everyday sensor events: AdditionalFields agree with the row's columns.

mod common;

use common::{collect, small};

#[test]
fn dns_answers_carry_the_answered_address() {
    let data = collect(&small());
    let (action, add, ip, dev) = (
        data.col("DeviceEvents", "ActionType"),
        data.col("DeviceEvents", "AdditionalFields"),
        data.col("DeviceEvents", "RemoteIP"),
        data.col("DeviceEvents", "DeviceId"),
    );
    let rows: Vec<_> = data
        .rows("DeviceEvents")
        .iter()
        .filter(|r| r[action].str() == "DnsQueryResponse")
        .collect();
    assert!(!rows.is_empty(), "no DNS answers");
    let info_dev = data.col("DeviceInfo", "DeviceId");
    for r in rows {
        let v: serde_json::Value = serde_json::from_str(r[add].str()).expect("json");
        assert!(
            v["DnsQueryString"]
                .as_str()
                .is_some_and(|s| s.contains('.'))
        );
        assert_eq!(
            v["DnsQueryResult"][0]["DnsQueryResult"].as_str(),
            Some(r[ip].str())
        );
        assert!(
            data.rows("DeviceInfo")
                .iter()
                .any(|d| d[info_dev] == r[dev]),
            "event from a device DeviceInfo does not know"
        );
    }
    let defs = data
        .rows("DeviceEvents")
        .iter()
        .filter(|r| r[action].str() == "AntivirusDefinitionsUpdated")
        .count();
    assert!(defs > 0, "no definition updates");
}
