//! Parser throughput on a batch of hunting-shaped queries written for this benchmark.
//! Reported as bytes per second: the goal is that parsing never shows next to execution
//! (at least 50 MB/s).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

const QUERIES: &[&str] = &[
    r#"DeviceProcessEvents
| where Timestamp > ago(7d)
| where FileName in~ ("powershell.exe", "pwsh.exe", "powershell_ise.exe")
| where ProcessCommandLine has_any ("-enc", "-encodedcommand", "FromBase64String", "IEX", "DownloadString")
| extend Decoded = base64_decode_tostring(extract(@"(?i)-enc(?:odedcommand)?\s+([A-Za-z0-9+/=]{20,})", 1, ProcessCommandLine))
| project Timestamp, DeviceName, AccountName, ProcessCommandLine, Decoded, InitiatingProcessFileName
| order by Timestamp desc"#,
    r#"let lookback = 14d;
let rare = DeviceNetworkEvents
    | where Timestamp > ago(lookback) and ActionType == "ConnectionSuccess"
    | where not(ipv4_is_private(RemoteIP)) and RemotePort !in (80, 443)
    | summarize Devices = dcount(DeviceId), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by RemoteIP, RemotePort
    | where Devices <= 2;
rare
| join kind=inner (DeviceNetworkEvents | where Timestamp > ago(lookback)) on RemoteIP, RemotePort
| summarize Connections = count(), Processes = make_set(InitiatingProcessFileName, 10) by DeviceName, RemoteIP, RemotePort, bin(Timestamp, 1h)
| top 50 by Connections desc"#,
    r#"union isfuzzy=true
    (DeviceRegistryEvents | where RegistryKey has @"\CurrentVersion\Run" and ActionType == "RegistryValueSet"),
    (DeviceProcessEvents | where FileName =~ "schtasks.exe" and ProcessCommandLine contains "/create"),
    (DeviceEvents | where ActionType == "ScheduledTaskCreated" | extend Task = parse_json(AdditionalFields).TaskName)
| summarize arg_max(Timestamp, *) by DeviceId, ReportId
| project-away Initiating*
| take 1000"#,
    r#"EmailEvents
| where Timestamp > ago(1d) and DeliveryAction == "Delivered" and ThreatTypes has "Phish"
| join kind=inner (EmailUrlInfo | project NetworkMessageId, Url, UrlDomain) on NetworkMessageId
| join kind=leftouter (UrlClickEvents | project Url, ClickTime = Timestamp, AccountUpn) on Url
| where isnotempty(ClickTime) and ClickTime between (Timestamp .. (Timestamp + 1h))
| mv-expand Recipient = split(RecipientEmailAddress, ";") to typeof(string)
| extend Domain = tostring(split(SenderFromAddress, "@")[1])
| summarize Clicks = count(), Users = make_set(AccountUpn) by Domain, Subject
| where Clicks > 1"#,
    r#"datatable(Technique:string, Pattern:string) [
    "T1003", @"lsass",
    "T1059.001", @"-enc",
    "T1218", @"rundll32",
]
| join kind=inner (DeviceProcessEvents | where Timestamp > ago(30d) | project DeviceName, ProcessCommandLine) on $left.Pattern == $right.ProcessCommandLine
| make-series Hits = count() default = 0 on Timestamp from ago(30d) to now() step 1d by Technique
| render timechart with (title="Technique hits")"#,
];

fn bench_parse(c: &mut Criterion) {
    let total: usize = QUERIES.iter().map(|q| q.len()).sum();
    for q in QUERIES {
        assert!(
            kql_syntax::parse(q).is_ok(),
            "benchmark query must parse: {q}"
        );
    }
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(total as u64));
    group.bench_function("hunting_batch", |b| {
        b.iter(|| {
            for q in QUERIES {
                black_box(kql_syntax::parse(black_box(q)).ok());
            }
        })
    });
    group.bench_function("hunting_batch_tokenize", |b| {
        b.iter(|| {
            for q in QUERIES {
                black_box(kql_syntax::lexer::tokenize(black_box(q)).ok());
            }
        })
    });
    group.bench_function("hunting_batch_print", |b| {
        let parsed: Vec<_> = QUERIES
            .iter()
            .filter_map(|q| kql_syntax::parse(q).ok())
            .collect();
        b.iter(|| {
            for q in &parsed {
                black_box(kql_syntax::print_query(q));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
