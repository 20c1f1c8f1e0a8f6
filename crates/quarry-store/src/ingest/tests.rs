//! Ingestion formats and bad input, on records written for these tests.

use std::path::Path;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{Int64Type, TimestampNanosecondType};

use super::*;

fn envelope(records: &[&str]) -> String {
    format!("{{\"records\":[{}]}}", records.join(","))
}

fn process_record(tenant: &str, file: &str, pid: i64) -> String {
    format!(
        r#"{{"time":"2026-11-20T10:00:01Z","tenantId":"{tenant}","operationName":"Publish","category":"AdvancedHunting-DeviceProcessEvents","properties":{{"Timestamp":"2026-11-20T10:00:00.1234567Z","DeviceId":"d1","DeviceName":"ws1.contoso.local","FileName":"{file}","ProcessId":{pid},"ProcessCommandLine":"{file} /c whoami","AdditionalFields":{{"k":1}}}}}}"#
    )
}

fn parse_str(input: &str, format: Format, routing: TenantRouting) -> (TenantBatches, IngestReport) {
    let parsed = parse(input, format, &routing).expect("parse");
    parsed.into_batches().expect("batches")
}

fn fixed(t: &str) -> TenantRouting {
    TenantRouting::Fixed(t.into())
}

#[test]
fn envelope_records_land_in_their_table_with_sentinel_columns() {
    let input = envelope(&[
        &process_record("t1", "cmd.exe", 42),
        &process_record("t1", "net.exe", 43),
    ]);
    let (by_tenant, report) = parse_str(&input, Format::Envelope, fixed("demo"));
    assert_eq!(report.accepted_total(), 2);
    assert_eq!(report.rejected_count, 0);
    let (table, batch) = &by_tenant["demo"][0];
    assert_eq!(table.name(), "DeviceProcessEvents");
    assert_eq!(batch.num_rows(), 2);
    let pid = batch
        .column(table.column_index("ProcessId").expect("pid"))
        .as_primitive::<Int64Type>();
    assert_eq!(pid.value(1), 43);
    let ts = batch
        .column(table.column_index("Timestamp").expect("ts"))
        .as_primitive::<TimestampNanosecondType>();
    let tg = batch
        .column(table.time_generated_index)
        .as_primitive::<TimestampNanosecondType>();
    assert_eq!(
        ts.value(0),
        tg.value(0),
        "TimeGenerated defaults to Timestamp"
    );
    let ty = batch
        .column(table.type_index.expect("Type"))
        .as_string::<i32>();
    assert_eq!(ty.value(0), "DeviceProcessEvents");
    let extra = batch
        .column(table.column_index("AdditionalFields").expect("af"))
        .as_string::<i32>();
    assert_eq!(extra.value(0), r#"{"k":1}"#);
}

#[test]
fn envelope_tenants_route_by_record_or_are_required() {
    let input = envelope(&[
        &process_record("a", "x.exe", 1),
        &process_record("b", "y.exe", 2),
    ]);
    let (by_tenant, _) = parse_str(
        &input,
        Format::Envelope,
        TenantRouting::FromEnvelope {
            default: "d".into(),
        },
    );
    assert_eq!(by_tenant.keys().cloned().collect::<Vec<_>>(), ["a", "b"]);
    let (by_tenant, report) =
        parse_str(&input, Format::Envelope, TenantRouting::Require("a".into()));
    assert_eq!(by_tenant.keys().cloned().collect::<Vec<_>>(), ["a"]);
    assert_eq!(report.rejected_count, 1);
    assert!(report.rejections[0].reason.contains("tenant 'b'"));
}

#[test]
fn messages_one_per_line_pretty_printed_or_in_an_array() {
    let one = envelope(&[&process_record("t", "a.exe", 1)]);
    let lines = format!("{one}\n\n{one}\n");
    assert_eq!(
        parse_str(&lines, Format::Envelope, fixed("t"))
            .1
            .accepted_total(),
        2
    );
    let pretty = serde_json::to_string_pretty(
        &serde_json::from_str::<serde_json::Value>(&one).expect("json"),
    )
    .expect("pretty");
    assert_eq!(
        parse_str(&pretty, Format::Envelope, fixed("t"))
            .1
            .accepted_total(),
        1
    );
    let array = format!("[{one},{one},{one}]");
    assert_eq!(
        parse_str(&array, Format::Envelope, fixed("t"))
            .1
            .accepted_total(),
        3
    );
}

#[test]
fn a_bad_record_is_rejected_with_its_position_and_the_rest_lands() {
    let wrong_type =
        process_record("t", "a.exe", 1).replace("\"ProcessId\":1", "\"ProcessId\":\"one\"");
    let unknown_table =
        process_record("t", "b.exe", 2).replace("DeviceProcessEvents", "DeviceTeleportEvents");
    let good = process_record("t", "c.exe", 3);
    let input = format!(
        "{}\n{}\n{{\"records\":[{{\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":{{\"Timestamp\":\"2026-1",
        envelope(&[&wrong_type, &good]),
        envelope(&[&unknown_table])
    );
    let (_, report) = parse_str(&input, Format::Envelope, fixed("t"));
    assert_eq!(report.accepted_total(), 1);
    assert_eq!(report.rejected_count, 3);
    let r = &report.rejections;
    assert_eq!(r[0].position.to_string(), "line 1, record 1");
    assert!(
        r[0].reason.contains("ProcessId") && r[0].reason.contains("'one' is not a long"),
        "{}",
        r[0].reason
    );
    assert_eq!(r[1].position.to_string(), "line 2, record 1");
    assert!(
        r[1].reason.contains("unknown table 'DeviceTeleportEvents'"),
        "{}",
        r[1].reason
    );
    assert_eq!(r[2].position.line, 3);
    assert!(r[2].reason.contains("malformed JSON"), "{}", r[2].reason);
}

#[test]
fn a_torn_first_line_costs_only_itself() {
    // What a reader sees when it cuts a file into chunks right after a torn line: the
    // chunk starts with the torn line, and the whole lines after it must still land.
    let input = format!(
        "{{\"records\":[{{\"time\":\n{}\n{}\n",
        envelope(&[&process_record("t", "a.exe", 1)]),
        envelope(&[&process_record("t", "b.exe", 2)])
    );
    let (_, report) = parse_str(&input, Format::Envelope, fixed("t"));
    assert_eq!(report.accepted_total(), 2);
    assert_eq!(report.rejected_count, 1);
    assert_eq!(report.rejections[0].position.line, 1);
    // A pretty-printed message that is cut off stays one rejection, not one per line.
    let pretty = "{\n  \"records\": [\n    {\"time\": \"2026-11-20T10:00:01Z\",\n";
    let parsed = parse(pretty, Format::Envelope, &fixed("t")).expect("parse");
    let (_, report) = parsed.into_batches().expect("batches");
    assert_eq!(report.rejected_count, 1);
}

#[test]
fn unknown_properties_go_to_additional_fields_or_are_counted() {
    let with_bag = process_record("t", "a.exe", 1).replace(
        "\"ProcessId\"",
        "\"MachineGroup\":\"Servers\",\"ProcessId\"",
    );
    let (by_tenant, report) = parse_str(&envelope(&[&with_bag]), Format::Envelope, fixed("t"));
    assert_eq!(report.kept_in_additional_fields, 1);
    let (table, batch) = &by_tenant["t"][0];
    let extra = batch
        .column(table.column_index("AdditionalFields").expect("af"))
        .as_string::<i32>();
    let bag: serde_json::Value = serde_json::from_str(extra.value(0)).expect("json");
    assert_eq!(bag["MachineGroup"], "Servers");
    assert_eq!(bag["k"], 1);

    let no_bag = r#"{"Timestamp":"2026-11-20T10:00:00Z","DeviceId":"d","RegistryKey":"HKLM\\x","Color":"blue"}"#;
    let table = schema::table("DeviceRegistryEvents").expect("table");
    let (_, report) = parse_str(no_bag, Format::Ndjson(table), fixed("t"));
    assert_eq!(report.accepted_total(), 1);
    assert_eq!(
        report.unknown_properties[&("DeviceRegistryEvents".to_string(), "Color".to_string())],
        1
    );
}

#[test]
fn ndjson_of_one_table_and_missing_timestamps() {
    let table = schema::table("DeviceNetworkEvents").expect("table");
    let input = "{\"Timestamp\":\"2026-11-20T10:00:00Z\",\"RemotePort\":443,\"RemoteIP\":\"8.8.8.8\"}\n\n{\"RemotePort\":80}\n";
    let (by_tenant, report) = parse_str(input, Format::Ndjson(table), fixed("t"));
    assert_eq!(report.accepted_total(), 1);
    assert_eq!(report.rejections[0].position, Position::line(3));
    assert!(report.rejections[0].reason.contains("no Timestamp"));
    let batch = &by_tenant["t"][0].1;
    let port = batch
        .column(table.column_index("RemotePort").expect("port"))
        .as_primitive::<datafusion::arrow::datatypes::Int32Type>();
    assert_eq!(port.value(0), 443);
}

#[test]
fn csv_with_a_header() {
    let table = schema::table("DeviceLogonEvents").expect("table");
    let input = "Timestamp,DeviceName,LogonType,Shift\n2026-11-20T10:00:00Z,ws1,Interactive,night\nnot-a-date,ws2,Network,day\n";
    let (by_tenant, report) = parse_str(input, Format::Csv(table), fixed("t"));
    assert_eq!(report.accepted_total(), 1);
    assert_eq!(report.rejected_count, 1);
    assert_eq!(report.rejections[0].position, Position::line(3));
    let batch = &by_tenant["t"][0].1;
    let extra = batch
        .column(table.column_index("AdditionalFields").expect("af"))
        .as_string::<i32>();
    assert_eq!(extra.value(0), r#"{"Shift":"night"}"#);
}

#[test]
fn empty_input_is_an_error() {
    let err = parse("  \n", Format::Envelope, &fixed("t"))
        .err()
        .expect("error");
    assert!(err.to_string().contains("empty"));
}

#[test]
fn a_100_mb_single_line_is_rejected_cleanly() {
    let garbage = format!(
        "{{\"records\":[{{\"category\":\"AdvancedHunting-DeviceEvents\",\"properties\":\"{}",
        "x".repeat(100 << 20)
    );
    let (by_tenant, report) = parse_str(&garbage, Format::Envelope, fixed("t"));
    assert!(by_tenant.is_empty());
    assert_eq!(report.rejected_count, 1);
}

#[test]
fn formats_are_detected_from_name_and_content() {
    let env = Format::detect(Path::new("x.json"), "{\"records\":[", None).expect("envelope");
    assert!(matches!(env, Format::Envelope));
    let nd = Format::detect(Path::new("/d/DeviceInfo.ndjson"), "{\"Timestamp\":1}", None)
        .expect("ndjson");
    assert!(matches!(nd, Format::Ndjson(t) if t.name() == "DeviceInfo"));
    assert!(Format::detect(Path::new("x.json"), "{\"a\":1}", None).is_err());
    assert!(matches!(
        Format::detect(Path::new("x.csv"), "a,b", Some("DeviceInfo")).expect("csv"),
        Format::Csv(_)
    ));
    assert!(Format::detect(Path::new("x.csv"), "a,b", Some("Nope")).is_err());
}

#[test]
fn properties_before_category_and_properties_that_are_not_objects() {
    // Defender writes `category` before `properties`, and then the properties are read in
    // the record's own pass; written the other way round they are read afterwards.
    let reordered = r#"{"properties":{"Timestamp":"2026-11-20T10:00:00Z","DeviceId":"d9","FileName":"late.exe","ProcessId":7},"time":"2026-11-20T10:00:01Z","category":"AdvancedHunting-DeviceProcessEvents"}"#;
    let not_object = r#"{"category":"AdvancedHunting-DeviceProcessEvents","properties":[1,2]}"#;
    let null_props = r#"{"category":"AdvancedHunting-DeviceProcessEvents","properties":null}"#;
    let good = process_record("t", "c.exe", 3);
    let input = envelope(&[reordered, not_object, &good, null_props]);
    let (batches, report) = parse_str(&input, Format::Envelope, fixed("t"));
    assert_eq!(report.accepted_total(), 2);
    assert_eq!(report.rejected_count, 2);
    let r = &report.rejections;
    assert_eq!(r[0].position.to_string(), "line 1, record 2");
    assert!(
        r[0].reason.contains("not a JSON object but an array"),
        "{}",
        r[0].reason
    );
    assert_eq!(r[1].position.to_string(), "line 1, record 4");
    assert!(
        r[1].reason.contains("not a JSON object but null"),
        "{}",
        r[1].reason
    );
    let (table, batch) = &batches["t"][0];
    let pid = batch
        .column(table.column_index("ProcessId").expect("pid"))
        .as_primitive::<Int64Type>();
    assert_eq!((pid.value(0), pid.value(1)), (7, 3));
}

#[test]
fn properties_in_any_order_land_in_their_columns() {
    // The column-order guess must not misplace values when the order changes per record.
    let a = r#"{"category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2026-11-20T10:00:00Z","DeviceName":"a","FileName":"f1","ProcessId":1}}"#;
    let b = r#"{"category":"AdvancedHunting-DeviceProcessEvents","properties":{"ProcessId":2,"FileName":"f2","DeviceName":"b","Timestamp":"2026-11-20T10:00:00Z"}}"#;
    let (batches, _) = parse_str(&envelope(&[a, b]), Format::Envelope, fixed("t"));
    let (table, batch) = &batches["t"][0];
    let col = |n: &str| batch.column(table.column_index(n).expect("column")).clone();
    let names = col("DeviceName");
    let files = col("FileName");
    let names = names.as_string::<i32>();
    let files = files.as_string::<i32>();
    assert_eq!((names.value(0), names.value(1)), ("a", "b"));
    assert_eq!((files.value(0), files.value(1)), ("f1", "f2"));
    let pid = col("ProcessId");
    let pid = pid.as_primitive::<Int64Type>();
    assert_eq!((pid.value(0), pid.value(1)), (1, 2));
}

#[test]
fn a_wrong_shaped_record_costs_only_itself() {
    // A value that does not fit its column, and a category that is not a string: both
    // records are rejected, and the scan of the message carries on past them.
    let bad_value = r#"{"category":"AdvancedHunting-DeviceProcessEvents","properties":{"ProcessId":"one","Timestamp":"2026-11-20T10:00:00Z","FileName":"x.exe"}}"#;
    let bad_category = r#"{"category":5,"properties":{"Timestamp":"2026-11-20T10:00:00Z"}}"#;
    // An escaped key is unescaped before it is matched to its column.
    let escaped_key = r#"{"category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2026-11-20T10:00:00Z","File\u004eame":"C:\\Temp\\a.exe","ProcessId":9}}"#;
    let input = envelope(&[bad_value, bad_category, escaped_key]);
    let (batches, report) = parse_str(&input, Format::Envelope, fixed("t"));
    assert_eq!((report.accepted_total(), report.rejected_count), (1, 2));
    let r = &report.rejections;
    assert!(
        r[0].reason.contains("'one' is not a long"),
        "{}",
        r[0].reason
    );
    assert!(
        r[1].reason.contains("'category' is a number"),
        "{}",
        r[1].reason
    );
    let (table, batch) = &batches["t"][0];
    let files = batch.column(table.column_index("FileName").expect("column"));
    assert_eq!(files.as_string::<i32>().value(0), r"C:\Temp\a.exe");
}

#[test]
fn a_message_that_is_not_an_envelope_is_rejected_whole() {
    let input = "{\"records\":{\"a\":1}}\n[1,2]\n{\"records\":[]}\n{\"other\":1}\n";
    let (_, report) = parse_str(input, Format::Envelope, fixed("t"));
    let reasons: Vec<&str> = report
        .rejections
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    assert_eq!(report.rejected_count, 4, "{reasons:?}");
    assert!(reasons[0].contains("'records' is an object, not an array"));
    assert!(reasons[3].contains("it has no 'records'"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// Envelopes damaged anywhere (a byte dropped, replaced or inserted, or the text cut)
    /// never panic the hand-written scanner: each message either lands or is rejected.
    #[test]
    fn damaged_envelopes_are_rejected_not_panicked_on(
        at in 0usize..2000,
        op in 0u8..4,
        byte in proptest::sample::select(b"{}[]\":,\\ 0aeE-.tnu\x01\xc3".to_vec()),
    ) {
        let good = envelope(&[&process_record("t", "cmd.exe", 1), &process_record("t", "a\\\"b", 2)]);
        let mut bytes = good.clone().into_bytes();
        let at = at % bytes.len();
        match op {
            0 => { bytes.remove(at); }
            1 => bytes[at] = byte,
            2 => bytes.insert(at, byte),
            _ => bytes.truncate(at),
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let messages = text.lines().filter(|l| !l.trim().is_empty()).count();
        if let Ok(parsed) = parse(&text, Format::Envelope, &fixed("t")) {
            let (_, report) = parsed.into_batches().expect("batches");
            // Two records when the message is whole; fewer, each accounted for, otherwise.
            proptest::prop_assert!(report.accepted_total() + report.rejected_count >= messages.min(1) as u64);
            proptest::prop_assert!(report.accepted_total() <= 2);
        }
    }
}
