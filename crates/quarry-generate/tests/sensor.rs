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

#[test]
fn discovered_devices_are_not_onboarded_and_do_not_collide_with_the_fleet() {
    let data = collect(&small());
    let (id, status, cat) = (
        data.col("DeviceInfo", "DeviceId"),
        data.col("DeviceInfo", "OnboardingStatus"),
        data.col("DeviceInfo", "DeviceCategory"),
    );
    let rows = data.rows("DeviceInfo");
    let onboarded: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|r| r[status].str() == "Onboarded")
        .map(|r| r[id].str())
        .collect();
    let found: Vec<_> = rows
        .iter()
        .filter(|r| r[status].str() != "Onboarded")
        .collect();
    assert!(!found.is_empty(), "no discovered devices");
    for r in &found {
        assert!(!onboarded.contains(r[id].str()));
        assert!(
            ["Can be onboarded", "Unsupported", "Insufficient info"].contains(&r[status].str())
        );
        assert!(["Endpoint", "NetworkDevice", "IoT"].contains(&r[cat].str()));
    }
    // Nothing else is reported for a device without a sensor.
    let ids: std::collections::HashSet<&str> = found.iter().map(|r| r[id].str()).collect();
    let pe = data.col("DeviceProcessEvents", "DeviceId");
    assert!(
        data.rows("DeviceProcessEvents")
            .iter()
            .all(|r| !ids.contains(r[pe].str()))
    );
}
