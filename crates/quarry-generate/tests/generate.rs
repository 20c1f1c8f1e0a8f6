mod common;

use common::{Owned, collect, small};
use kql_syntax::ast::ScalarType;
use quarry_generate::{EnvelopeSink, GenerateConfig, NdjsonSink, generate, scenarios};
use std::collections::{HashMap, HashSet};

fn envelope_bytes(cfg: &GenerateConfig, per_line: usize) -> Vec<u8> {
    let mut sink = EnvelopeSink::new(Vec::new(), &cfg.tenant_id(), per_line, cfg.end_ticks);
    generate(cfg, &mut sink).expect("generate");
    sink.into_inner()
}

#[test]
fn same_seed_same_bytes() {
    let cfg = small();
    let a = envelope_bytes(&cfg, 100);
    let b = envelope_bytes(&cfg, 100);
    assert!(a.len() > 100_000, "output is too small: {}", a.len());
    assert!(a == b, "same configuration must give identical output");
    let mut other = cfg.clone();
    other.seed = 8;
    assert!(
        envelope_bytes(&other, 100) != a,
        "another seed gives other data"
    );
}

#[test]
fn envelope_is_valid_json_with_documented_properties() {
    let cfg = small();
    let bytes = envelope_bytes(&cfg, 50);
    let text = String::from_utf8(bytes).expect("utf-8");
    let tenant = cfg.tenant_id();
    let mut records = 0;
    let mut categories = HashSet::new();
    for line in text.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).expect("each line is one JSON object");
        let recs = v["records"].as_array().expect("records array");
        assert!(!recs.is_empty() && recs.len() <= 50);
        for r in recs {
            records += 1;
            assert_eq!(r["tenantId"].as_str(), Some(tenant.as_str()));
            assert_eq!(r["operationName"].as_str(), Some("Publish"));
            let time = r["time"].as_str().expect("time");
            assert!(
                kql_syntax::time::parse_datetime(time).is_some(),
                "time {time}"
            );
            let cat = r["category"].as_str().expect("category");
            let name = cat
                .strip_prefix("AdvancedHunting-")
                .expect("category prefix");
            let table = defender_schema::table(name).expect("a documented table");
            categories.insert(name.to_string());
            let props = r["properties"].as_object().expect("properties object");
            let keys: Vec<&str> = props.keys().map(|k| k.as_str()).collect();
            let documented: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
            assert_eq!(keys, documented, "properties of {name}");
            for c in table.columns {
                let val = &props[c.name];
                if val.is_null() {
                    continue;
                }
                match c.ty {
                    ScalarType::Long | ScalarType::Int => {
                        assert!(val.is_i64(), "{name}.{} = {val}", c.name)
                    }
                    ScalarType::Real => assert!(val.is_number(), "{name}.{}", c.name),
                    ScalarType::Bool => assert!(val.is_boolean(), "{name}.{}", c.name),
                    ScalarType::DateTime => {
                        let s = val.as_str().expect("datetime as string");
                        assert!(
                            kql_syntax::time::parse_datetime(s).is_some(),
                            "{name}.{} = {s}",
                            c.name
                        );
                    }
                    ScalarType::Dynamic => assert!(
                        val.is_array() || val.is_object(),
                        "{name}.{} = {val}",
                        c.name
                    ),
                    _ => assert!(val.is_string(), "{name}.{} = {val}", c.name),
                }
            }
        }
    }
    assert!(records > 10_000);
    assert_eq!(
        categories.len(),
        28,
        "every table has records: {categories:?}"
    );
}

#[test]
fn ndjson_holds_one_table() {
    let cfg = small();
    let table = defender_schema::table("DeviceNetworkEvents").expect("table");
    let mut sink = NdjsonSink::new(Vec::new(), table);
    let summary = generate(&cfg, &mut sink).expect("generate");
    let text = String::from_utf8(sink.into_inner()).expect("utf-8");
    let n = text.lines().count() as u64;
    let expected = summary
        .tables
        .iter()
        .find(|(t, _)| *t == "DeviceNetworkEvents")
        .map(|(_, n)| *n);
    assert_eq!(Some(n), expected);
    for line in text.lines().take(500) {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        assert!(v["ActionType"].is_string());
        assert!(v["RemotePort"].is_i64() || v["RemotePort"].is_null());
    }
}

#[test]
fn cells_match_column_types_and_window() {
    let cfg = small();
    let data = collect(&cfg);
    let start = cfg.start_ticks();
    for (name, (table, rows)) in &data.tables {
        let cols = table.all_columns();
        let ts = cols.iter().position(|c| c.name == "Timestamp");
        let tg = cols.iter().position(|c| c.name == "TimeGenerated");
        let ty = cols.iter().position(|c| c.name == "Type");
        for row in rows {
            assert_eq!(row.len(), cols.len());
            for (v, c) in row.iter().zip(&cols) {
                let ok = matches!(
                    (v, c.ty),
                    (Owned::Null, _)
                        | (Owned::Bool(_), ScalarType::Bool)
                        | (Owned::Int(_), ScalarType::Int)
                        | (Owned::Long(_), ScalarType::Long)
                        | (Owned::Real(_), ScalarType::Real)
                        | (Owned::DateTime(_), ScalarType::DateTime)
                        | (Owned::String(_), ScalarType::String)
                        | (Owned::Dynamic(_), ScalarType::Dynamic)
                );
                assert!(ok, "{name}.{} holds {v:?} for a {:?} column", c.name, c.ty);
            }
            if let Some(i) = ts {
                let t = row[i].long().expect("every record has a Timestamp");
                assert!(
                    t >= start - 400 * 86_400 * 10_000_000 && t <= cfg.end_ticks,
                    "{name} Timestamp out of the window"
                );
                if !name.starts_with("DeviceTvm") && *name != "DeviceFileCertificateInfo" {
                    assert!(t >= start, "{name} Timestamp before the window");
                }
                if let Some(g) = tg {
                    assert_eq!(row[g], row[i], "TimeGenerated = Timestamp");
                }
            }
            if let Some(i) = ty
                && *name != "IdentityInfo"
            {
                assert_eq!(row[i].str(), *name);
            }
        }
    }
}

#[test]
fn initiating_processes_exist_on_their_device() {
    let data = collect(&small());
    let key = |t: &str, row: &[Owned], id: &str, created: &str| -> (String, i64, i64) {
        let d = row[data.col(t, "DeviceId")].str().to_string();
        let pid = row[data.col(t, id)].long().unwrap_or(-1);
        let ct = row[data.col(t, created)].long().unwrap_or(-1);
        (d, pid, ct)
    };
    let created: HashSet<(String, i64, i64)> = data
        .rows("DeviceProcessEvents")
        .iter()
        .map(|r| key("DeviceProcessEvents", r, "ProcessId", "ProcessCreationTime"))
        .collect();
    assert!(created.len() > 1000);
    for table in [
        "DeviceNetworkEvents",
        "DeviceFileEvents",
        "DeviceRegistryEvents",
        "DeviceImageLoadEvents",
        "DeviceEvents",
        "DeviceLogonEvents",
    ] {
        let rows = data.rows(table);
        assert!(!rows.is_empty(), "{table} is empty");
        for r in rows {
            let k = key(
                table,
                r,
                "InitiatingProcessId",
                "InitiatingProcessCreationTime",
            );
            assert!(
                created.contains(&k),
                "{table}: initiating process {k:?} was never created"
            );
        }
    }
    // Parents of created processes were created too (except the System root, pid 4).
    let t = "DeviceProcessEvents";
    for r in data.rows(t) {
        let k = key(t, r, "InitiatingProcessId", "InitiatingProcessCreationTime");
        if k.1 != 4 && k.1 != 1 {
            assert!(created.contains(&k), "parent {k:?} missing");
        }
    }
}

#[test]
fn mail_tables_share_network_message_ids() {
    let data = collect(&small());
    let col = data.col("EmailEvents", "NetworkMessageId");
    let ids: HashSet<&str> = data
        .rows("EmailEvents")
        .iter()
        .map(|r| r[col].str())
        .collect();
    assert!(ids.len() > 100);
    for t in [
        "EmailUrlInfo",
        "EmailAttachmentInfo",
        "UrlClickEvents",
        "EmailPostDeliveryEvents",
    ] {
        let c = data.col(t, "NetworkMessageId");
        assert!(!data.rows(t).is_empty(), "{t} is empty");
        for r in data.rows(t) {
            assert!(ids.contains(r[c].str()), "{t} refers to an unknown message");
        }
    }
}

#[test]
fn hashes_are_stable_per_binary() {
    let data = collect(&small());
    let mut seen: HashMap<String, String> = HashMap::new();
    let mut check = |path: &str, sha1: &str| {
        let path = path.to_ascii_lowercase();
        // Per-user paths differ only by profile: key on the file name and the folder shape.
        let prev = seen.entry(path.clone()).or_insert_with(|| sha1.to_string());
        assert_eq!(prev, sha1, "{path} has two SHA1s");
    };
    for t in [
        "DeviceProcessEvents",
        "DeviceNetworkEvents",
        "DeviceImageLoadEvents",
    ] {
        let (fp, sh) = if t == "DeviceNetworkEvents" {
            (
                data.col(t, "InitiatingProcessFolderPath"),
                data.col(t, "InitiatingProcessSHA1"),
            )
        } else {
            (data.col(t, "FolderPath"), data.col(t, "SHA1"))
        };
        for r in data.rows(t) {
            assert_eq!(r[sh].str().len(), 40);
            check(r[fp].str(), r[sh].str());
        }
    }
}

#[test]
fn every_scenario_is_present() {
    let data = collect(&small());
    let techniques = data.col("AlertInfo", "AttackTechniques");
    let all: String = data
        .rows("AlertInfo")
        .iter()
        .map(|r| r[techniques].str().to_string())
        .collect::<Vec<_>>()
        .join(" ");
    for s in scenarios() {
        assert!(
            all.contains(&format!("({})", s.technique)),
            "no alert for {} ({})",
            s.name,
            s.technique
        );
    }
    let ev = data.col("AlertEvidence", "AlertId");
    let info = data.col("AlertInfo", "AlertId");
    let ids: HashSet<&str> = data
        .rows("AlertInfo")
        .iter()
        .map(|r| r[info].str())
        .collect();
    for r in data.rows("AlertEvidence") {
        assert!(ids.contains(r[ev].str()));
    }
    let cmd = data.col("DeviceProcessEvents", "ProcessCommandLine");
    let lines: Vec<&str> = data
        .rows("DeviceProcessEvents")
        .iter()
        .map(|r| r[cmd].str())
        .collect();
    let has = |s: &str| lines.iter().any(|l| l.contains(s));
    for marker in [
        "-enc ",
        "certutil.exe -urlcache -split -f http",
        "comsvcs.dll, MiniDump",
        "schtasks.exe\" /create",
        "reg  add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
        "process call create",
        "scrobj.dll",
        "mshta.exe",
        "localgroup administrators",
        "AdFind.exe",
        "vssadmin.exe  delete shadows",
        "bitsadmin /transfer",
        "mstsc.exe",
    ] {
        assert!(has(marker), "no process with {marker}");
    }
    // The encoded command decodes to UTF-16LE PowerShell.
    let encoded: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split_once(" -enc ").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split([' ', '"']).next())
        .collect();
    assert!(encoded.iter().any(|e| e.len() > 40));
    assert!(encoded.iter().all(|e| e.len() % 4 == 0), "{encoded:?}");
    let logon_type = data.col("DeviceLogonEvents", "LogonType");
    assert!(
        data.rows("DeviceLogonEvents")
            .iter()
            .any(|r| r[logon_type].str() == "RemoteInteractive")
    );
    let action = data.col("DeviceFileEvents", "ActionType");
    let renamed = data
        .rows("DeviceFileEvents")
        .iter()
        .filter(|r| r[action].str() == "FileRenamed")
        .count();
    assert!(renamed > 150);
    let clicks = data.col("UrlClickEvents", "Url");
    assert!(
        data.rows("UrlClickEvents")
            .iter()
            .any(|r| r[clicks].str().contains("msoffice365-login-verify.com"))
    );
}

#[test]
fn fleet_shapes() {
    let data = collect(&small());
    let t = "DeviceInfo";
    let (id, name, os) = (
        data.col(t, "DeviceId"),
        data.col(t, "DeviceName"),
        data.col(t, "OSPlatform"),
    );
    let mut platforms = HashSet::new();
    for r in data.rows(t) {
        let d = r[id].str();
        assert_eq!(d.len(), 40);
        assert!(d.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!r[name].str().is_empty());
        platforms.insert(r[os].str().to_string());
    }
    assert!(platforms.contains("Windows10") || platforms.contains("Windows11"));
    assert!(platforms.contains("WindowsServer2022") || platforms.contains("WindowsServer2019"));
    let ip = data.col("DeviceNetworkInfo", "IPAddresses");
    for r in data.rows("DeviceNetworkInfo") {
        let v: serde_json::Value = serde_json::from_str(r[ip].str()).expect("IPAddresses is JSON");
        assert!(v.as_array().is_some_and(|a| a[0]["IPAddress"].is_string()));
    }
    let af = data.col("DeviceEvents", "AdditionalFields");
    for r in data.rows("DeviceEvents") {
        if !r[af].str().is_empty() {
            let _: serde_json::Value =
                serde_json::from_str(r[af].str()).expect("AdditionalFields is JSON");
        }
    }
}
