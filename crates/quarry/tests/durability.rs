//! An acknowledged event is never lost: `quarry ingest` is killed with SIGKILL at random
//! points (while appending to the log, or while flushing to Parquet), restarted on new
//! input, and at the end every event of every acknowledged chunk must be queryable exactly
//! once.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const QUARRY: &str = env!("CARGO_BIN_EXE_quarry");
const RECORDS_PER_LINE: usize = 50;

fn now_iso() -> String {
    let ticks = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| (d.as_nanos() / 100) as i64)
        .unwrap_or(0);
    kql_syntax::time::format_datetime(ticks - 10_000_000 * 60)
}

/// One envelope per line; ProcessId = round * 1_000_000 + line * 100 + record.
fn write_input(path: &Path, round: u64, lines: usize) {
    let ts = now_iso();
    let mut f = std::fs::File::create(path).expect("create input");
    for line in 0..lines {
        let records: Vec<String> = (0..RECORDS_PER_LINE)
            .map(|r| {
                let id = round * 1_000_000 + line as u64 * 100 + r as u64;
                format!(
                    r#"{{"time":"{ts}","tenantId":"t","category":"AdvancedHunting-DeviceProcessEvents","properties":{{"Timestamp":"{ts}","DeviceId":"dev-{r}","DeviceName":"ws{r}.contoso.local","FileName":"cmd.exe","ProcessId":{id},"ProcessCommandLine":"cmd.exe /c echo {id}"}}}}"#
                )
            })
            .collect();
        writeln!(f, "{{\"records\":[{}]}}", records.join(",")).expect("write");
    }
}

/// The ids of every acknowledged chunk, from the ack log.
fn acknowledged(ack_log: &Path, rounds: &HashMap<String, u64>) -> BTreeSet<u64> {
    let text = std::fs::read_to_string(ack_log).unwrap_or_default();
    let mut ids = BTreeSet::new();
    for line in text.lines() {
        // acked FILE line FIRST lines N records R
        let parts: Vec<&str> = line.split_whitespace().collect();
        if parts.len() != 8 {
            continue;
        }
        let round = rounds[parts[1]];
        let first: u64 = parts[3].parse().expect("first line");
        let count: u64 = parts[5].parse().expect("line count");
        for l in first - 1..first - 1 + count {
            for r in 0..RECORDS_PER_LINE as u64 {
                ids.insert(round * 1_000_000 + l * 100 + r);
            }
        }
    }
    ids
}

fn query(data: &Path, q: &str) -> serde_json::Value {
    let out = Command::new(QUARRY)
        .args(["query", "--format", "json", "--tenant", "t", "--data"])
        .arg(data)
        .args(["-q", q])
        .output()
        .expect("run quarry query");
    assert!(
        out.status.success(),
        "query failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).expect("json body")
}

/// A small deterministic generator for kill delays.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn acknowledged_events_survive_kill_9_exactly_once() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let ack = dir.path().join("acks.log");
    let mut rounds = HashMap::new();
    let mut seed = 0x5eed_u64;
    let mut killed = 0;
    for round in 1..=8u64 {
        let input = dir.path().join(format!("in-{round}.json"));
        write_input(&input, round, 120);
        rounds.insert(input.display().to_string(), round);
        let mut cmd = Command::new(QUARRY);
        cmd.args([
            "ingest",
            "--tenant",
            "t",
            "--chunk-bytes",
            "20000",
            "--data",
        ])
        .arg(&data)
        .arg("--ack-log")
        .arg(&ack)
        .arg(&input)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
        // Half the rounds flush to Parquet at the end, so kills also land mid-flush.
        if round % 2 == 0 {
            cmd.arg("--no-flush");
        }
        let mut child = cmd.spawn().expect("spawn ingest");
        std::thread::sleep(Duration::from_millis(20 + next(&mut seed) % 1200));
        if child.try_wait().expect("poll").is_none() {
            child.kill().expect("kill -9");
            killed += 1;
        }
        child.wait().expect("wait");
    }
    let acked = acknowledged(&ack, &rounds);
    assert!(!acked.is_empty(), "some chunks must have been acknowledged");
    let body = query(&data, "DeviceProcessEvents | project ProcessId");
    let rows = body["Results"].as_array().expect("results");
    let mut seen = BTreeSet::new();
    let mut duplicates = 0;
    for row in rows {
        let id = row["ProcessId"].as_u64().expect("id");
        if !seen.insert(id) {
            duplicates += 1;
        }
    }
    assert_eq!(duplicates, 0, "no event may appear twice");
    let lost: Vec<_> = acked.difference(&seen).take(5).collect();
    assert!(
        lost.is_empty(),
        "acknowledged events lost (first few): {lost:?}; killed {killed} times"
    );
    eprintln!(
        "{} acknowledged, {} present, {killed} kills",
        acked.len(),
        seen.len()
    );
}
