//! Background mail threats and cloud administration: rows linked across tables.

mod common;

use common::{collect, small};

#[test]
fn blocked_mail_is_quarantined_and_clicks_link_to_their_message() {
    let data = collect(&small());
    let (id, action, location) = (
        data.col("EmailEvents", "NetworkMessageId"),
        data.col("EmailEvents", "DeliveryAction"),
        data.col("EmailEvents", "DeliveryLocation"),
    );
    let mail = data.rows("EmailEvents");
    let blocked: Vec<_> = mail
        .iter()
        .filter(|r| r[action].str() == "Blocked")
        .collect();
    assert!(!blocked.is_empty(), "no blocked mail");
    assert!(blocked.iter().all(|r| r[location].str() == "Quarantine"));
    // Every URL and attachment row belongs to a message.
    for table in ["EmailUrlInfo", "EmailAttachmentInfo", "UrlClickEvents"] {
        let c = data.col(table, "NetworkMessageId");
        for r in data.rows(table) {
            assert!(
                mail.iter().any(|m| m[id].str() == r[c].str()),
                "{table} row without its message"
            );
        }
    }
    let (ca, cc) = (
        data.col("UrlClickEvents", "ActionType"),
        data.col("UrlClickEvents", "IsClickedThrough"),
    );
    for r in data.rows("UrlClickEvents") {
        let through = r[cc] == common::Owned::Bool(true);
        assert_eq!(through, r[ca].str() == "ClickAllowed");
    }
}

#[test]
fn admin_operations_are_marked_and_name_their_operation() {
    let data = collect(&small());
    let (action, admin, raw) = (
        data.col("CloudAppEvents", "ActionType"),
        data.col("CloudAppEvents", "IsAdminOperation"),
        data.col("CloudAppEvents", "RawEventData"),
    );
    let rows: Vec<_> = data
        .rows("CloudAppEvents")
        .iter()
        .filter(|r| r[admin] == common::Owned::Bool(true))
        .collect();
    assert!(!rows.is_empty(), "no admin operations");
    for r in rows {
        let v: serde_json::Value = serde_json::from_str(r[raw].str()).expect("raw json");
        assert_eq!(v["Operation"].as_str(), Some(r[action].str()));
    }
}

#[test]
fn directory_changes_name_actor_device_and_target() {
    let data = collect(&small());
    let (action, add, target) = (
        data.col("IdentityDirectoryEvents", "ActionType"),
        data.col("IdentityDirectoryEvents", "AdditionalFields"),
        data.col("IdentityDirectoryEvents", "TargetAccountUpn"),
    );
    let upn = data.col("IdentityInfo", "AccountUpn");
    let known: std::collections::HashSet<&str> = data
        .rows("IdentityInfo")
        .iter()
        .map(|r| r[upn].str())
        .collect();
    let rows = data.rows("IdentityDirectoryEvents");
    assert!(
        rows.iter()
            .any(|r| r[action].str() == "Account Unlock changed"
                || r[action].str() == "Group Membership changed")
    );
    for r in rows {
        let v: serde_json::Value = serde_json::from_str(r[add].str()).expect("json");
        if r[action].str() != "Account Password changed" {
            assert!(v.get("ACTOR.DEVICE").is_some(), "{:?}", r[action]);
        }
        assert!(
            known.contains(r[target].str()),
            "unknown target {:?}",
            r[target]
        );
    }
}

#[test]
fn rdp_guessing_leaves_failed_public_logons_then_one_success() {
    let data = collect(&small());
    let (action, ltype, ip, dev, t) = (
        data.col("DeviceLogonEvents", "ActionType"),
        data.col("DeviceLogonEvents", "LogonType"),
        data.col("DeviceLogonEvents", "RemoteIP"),
        data.col("DeviceLogonEvents", "DeviceId"),
        data.col("DeviceLogonEvents", "Timestamp"),
    );
    let logons = data.rows("DeviceLogonEvents");
    let failed: Vec<_> = logons
        .iter()
        .filter(|r| r[action].str() == "LogonFailed" && r[ip].str() == "185.156.73.54")
        .collect();
    assert!(failed.len() >= 10, "{} guesses", failed.len());
    let (nact, nip, ndev, nport, nt) = (
        data.col("DeviceNetworkEvents", "ActionType"),
        data.col("DeviceNetworkEvents", "RemoteIP"),
        data.col("DeviceNetworkEvents", "DeviceId"),
        data.col("DeviceNetworkEvents", "LocalPort"),
        data.col("DeviceNetworkEvents", "Timestamp"),
    );
    let inbound: Vec<_> = data
        .rows("DeviceNetworkEvents")
        .iter()
        .filter(|n| n[nact].str() == "InboundConnectionAccepted" && n[nport].long() == Some(3389))
        .collect();
    for f in &failed {
        assert_eq!(f[ltype].str(), "Network");
        assert!(
            inbound.iter().any(|n| n[nip].str() == f[ip].str()
                && n[ndev].str() == f[dev].str()
                && n[nt].long() <= f[t].long()),
            "a failed guess without its inbound RDP connection"
        );
    }
    let scanners = [
        "185.156.73.54",
        "45.141.84.126",
        "193.142.146.212",
        "80.94.95.112",
    ];
    assert!(logons.iter().any(|r| r[action].str() == "LogonSuccess"
        && r[ltype].str() == "RemoteInteractive"
        && scanners.contains(&r[ip].str())));
}
