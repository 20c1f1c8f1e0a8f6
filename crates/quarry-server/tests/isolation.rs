//! Differential tests of access rules, over generated queries:
//! - a delegated user's answer equals the app's answer over the user's devices only;
//! - no query of tenant A returns anything of tenant B.

mod common;

use common::*;
use serde_json::Value;

/// xorshift64: reproducible query generation without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// A random query over process events from `{src}`, shaped like hunting: filters on
/// file names and command lines, projections, aggregations by device.
fn random_process_query(rng: &mut Rng) -> String {
    let filters = [
        "FileName =~ 'CMD.EXE'",
        "FileName in~ ('net.exe', 'whoami.exe')",
        "ProcessCommandLine has 'run'",
        "ProcessCommandLine contains '-1'",
        "ProcessId > 1005",
        "FileName !endswith '.exe'",
        "isnotempty(AccountName)",
        "AccountName startswith 'user1'",
    ];
    let tails = [
        "| project DeviceId, FileName, ProcessId",
        "| summarize n = count() by DeviceId",
        "| summarize make_set(FileName) by DeviceId",
        "| summarize dcount(FileName) by DeviceId, AccountName",
        "| distinct DeviceId, FileName",
        "| join kind=inner (DeviceInfo | project DeviceId, OSPlatform) on DeviceId | project DeviceId, OSPlatform, FileName",
        "| summarize arg_max(ProcessId, FileName) by DeviceId",
    ];
    let mut q = "{src}".to_string();
    for _ in 0..(rng.next() % 3) {
        q.push_str(&format!(" | where {}", rng.pick(&filters)));
    }
    q.push(' ');
    q.push_str(rng.pick(&tails));
    q
}

/// Rows as sorted JSON text, for order-insensitive comparison.
fn rows(body: &Value) -> Vec<String> {
    let mut r: Vec<String> = body["Results"]
        .as_array()
        .map(|a| a.iter().map(|row| row.to_string()).collect())
        .unwrap_or_default();
    r.sort();
    r
}

#[tokio::test]
async fn a_delegated_users_results_equal_the_apps_results_over_the_users_devices() {
    let s = start().await;
    let app = s.token_a();
    let user = s.user_token("ws-analyst@a.test");
    let mut rng = Rng(0x1234_5678);
    for i in 0..60 {
        let template = random_process_query(&mut rng);
        let as_user = template.replace("{src}", "DeviceProcessEvents");
        let as_app = template.replace(
            "{src}",
            "(DeviceProcessEvents | where DeviceId in ('a-ws1', 'a-ws2'))",
        );
        let as_app = as_app.replace(
            "(DeviceInfo |",
            "(DeviceInfo | where DeviceId in ('a-ws1', 'a-ws2') |",
        );
        let (su, bu) = s.hunt(&user, &as_user).await;
        let (sa, ba) = s.hunt(&app, &as_app).await;
        assert_eq!((su, sa), (200, 200), "query {i}: {as_user}\n{bu}\n{ba}");
        assert_eq!(rows(&bu), rows(&ba), "query {i}: {as_user}");
    }
}

#[tokio::test]
async fn three_hundred_queries_of_tenant_a_never_return_tenant_b() {
    // Searches over every table cost CPU; this test is about isolation, not the CPU
    // quota, so the tenant gets enough of it for all of them.
    let config = CONFIG.replacen(
        "max_rows = 1000",
        "max_rows = 1000\ncpu_seconds_per_cycle = 1000000.0",
        1,
    );
    let s = start_with(&config).await;
    let token = s.token_a();
    let sources = [
        "DeviceProcessEvents",
        "DeviceInfo",
        "EmailEvents",
        "DeviceNetworkEvents",
        "union DeviceProcessEvents, EmailEvents, DeviceInfo",
        "union withsource=T Device*",
        "(DeviceInfo | join kind=leftouter (DeviceProcessEvents) on DeviceId)",
        "search \"tenant\"",
        "union *",
    ];
    let ops = [
        "",
        "| take 50",
        "| where * has 'tenant'",
        "| project-away Timestamp",
        "| summarize count() by DeviceId",
        "| extend x = strcat(DeviceName, '/', DeviceId)",
        "| order by Timestamp desc",
        "| summarize make_set(DeviceName)",
        "| where DeviceName endswith '.test'",
        "| distinct *",
    ];
    let markers = ["b-ws1", "b-srv", ".b.test", "tenant-b"];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut answered, mut leaks) = (0, Vec::new());
    // 300, not 1,000: searches and `where * has` over every table take ~1 s each in a
    // debug build.
    for _ in 0..300 {
        let q = format!(
            "{} {} {}",
            rng.pick(&sources),
            rng.pick(&ops),
            rng.pick(&ops)
        );
        let (status, body) = s.hunt(&token, &q).await;
        if status == 200 {
            answered += 1;
        }
        let text = body.to_string();
        if markers.iter().any(|m| text.contains(m)) {
            leaks.push(q);
        }
    }
    assert!(
        leaks.is_empty(),
        "queries that returned tenant B's data: {leaks:?}"
    );
    // Some combinations are invalid (a column the table lacks); enough must run for the
    // check to mean something.
    assert!(answered > 100, "too few generated queries ran ({answered})");
}
