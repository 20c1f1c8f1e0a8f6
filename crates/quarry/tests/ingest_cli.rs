//! `quarry ingest` then `quarry query`, as a user runs them: a relative `--data`
//! directory, a file cut into many chunks, a malformed line in the middle.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const QUARRY: &str = env!("CARGO_BIN_EXE_quarry");

fn quarry(dir: &Path, args: &[&str]) -> Output {
    Command::new(QUARRY)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run quarry")
}

fn envelope_line(first: usize, count: usize) -> String {
    let records: Vec<String> = (first..first + count)
        .map(|i| {
            format!(
                r#"{{"time":"2026-11-20T10:00:00Z","tenantId":"t1","category":"AdvancedHunting-DeviceProcessEvents","properties":{{"Timestamp":"2026-11-20T10:{:02}:{:02}Z","DeviceId":"dev-{}","DeviceName":"host-{}","FileName":"tool{}.exe","ProcessId":{i}}}}}"#,
                (i / 60) % 60,
                i % 60,
                i % 7,
                i % 7,
                i % 3
            )
        })
        .collect();
    format!("{{\"records\":[{}]}}\n", records.join(","))
}

#[test]
fn a_file_streamed_in_chunks_lands_whole_in_a_relative_data_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    for line in 0..40 {
        text.push_str(&envelope_line(line * 25, 25));
        if line == 17 {
            // A torn line: rejected with its line number, the rest still lands.
            let _ = writeln!(text, "{{\"records\":[{{\"time\":");
        }
    }
    std::fs::write(dir.path().join("events.json"), &text).expect("write");

    // Chunks of ~2 KB: every envelope line becomes its own chunk.
    let out = quarry(
        dir.path(),
        &[
            "ingest",
            "--data",
            "data",
            "--chunk-bytes",
            "2048",
            "--ack-log",
            "acks.log",
            "events.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "one rejected line: {stderr}");
    assert!(stderr.contains("ingested 1000 records"), "{stderr}");
    assert!(stderr.contains("rejected at line 19"), "{stderr}");

    // Chunks are parsed in parallel but acknowledged in file order, each after the last.
    let acks = std::fs::read_to_string(dir.path().join("acks.log")).expect("ack log");
    let (mut next_line, mut records) = (1, 0);
    for ack in acks.lines() {
        let words: Vec<&str> = ack.split(' ').collect();
        let [_, _, _, line, _, lines, _, n] = words[..] else {
            panic!("{ack}")
        };
        assert_eq!(line.parse::<usize>().expect("line"), next_line, "{acks}");
        next_line += lines.parse::<usize>().expect("lines");
        records += n.parse::<usize>().expect("records");
    }
    assert_eq!((next_line, records), (42, 1000), "{acks}");

    let out = quarry(
        dir.path(),
        &[
            "query",
            "--data",
            "data",
            "--tenant",
            "t1",
            "--format",
            "json",
            "-q",
            "DeviceProcessEvents | summarize n = count(), ids = dcount(ProcessId), hosts = dcount(DeviceName)",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let body: Value = serde_json::from_slice(&out.stdout).expect("json");
    let row = &body["Results"][0];
    assert_eq!(row["n"], 1000, "{body}");
    assert_eq!(row["hosts"], 7, "{body}");
}
