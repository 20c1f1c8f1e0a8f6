//! A real server on a loopback port, with two tenants of test data and helpers to mint
//! tokens with the server's own signing key.

#![allow(dead_code)]

use std::sync::Arc;

use quarry_server::config::Config;
use quarry_server::idp::{SigningKey, Subject, claims};
use quarry_server::quota::ManualClock;
use quarry_store::{Format, TenantRouting};
use serde_json::Value;

pub const CONFIG: &str = r#"
[server]
max_concurrent_queries = 4

[identity]
builtin = true

[[identity.clients]]
client_id = "app-a"
client_secret = "secret-a"
tenant = "tenant-a"
roles = ["AdvancedHunting.Read.All", "AdvancedQuery.Read.All", "ThreatHunting.Read.All", "Quarry.Ingest.All"]

[[identity.clients]]
client_id = "app-b"
client_secret = "secret-b"
tenant = "tenant-b"
roles = ["AdvancedHunting.Read.All"]

[[identity.clients]]
client_id = "app-noperm"
client_secret = "secret-n"
tenant = "tenant-a"
roles = ["Incidents.Read.All"]

[[identity.users]]
upn = "ws-analyst@a.test"
password = "pw"
tenant = "tenant-a"
scopes = ["AdvancedHunting.Read", "ThreatHunting.Read.All"]
groups = ["Workstation analysts"]

[[identity.users]]
upn = "admin@a.test"
password = "pw"
tenant = "tenant-a"
scopes = ["AdvancedHunting.Read"]
groups = ["Admins"]

[[identity.users]]
upn = "nobody@a.test"
password = "pw"
tenant = "tenant-a"
scopes = ["AdvancedHunting.Read"]
groups = ["Visitors"]

[[tenants]]
id = "tenant-a"
[tenants.quotas]
calls_per_minute = 1000
max_rows = 1000
[[tenants.device_groups]]
name = "Servers"
rank = 1
rules = { os = ["WindowsServer2022"] }
[[tenants.device_groups]]
name = "Workstations"
rank = 2
rules = { os = ["Windows11"] }
[[tenants.roles]]
name = "ws"
permissions = ["ViewData"]
user_groups = ["Workstation analysts"]
device_groups = ["Workstations"]
[[tenants.roles]]
name = "admins"
permissions = ["ViewData"]
user_groups = ["Admins"]
device_groups = ["*"]

[[tenants]]
id = "tenant-b"
[tenants.quotas]
calls_per_minute = 1000
"#;

pub struct TestServer {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub key: SigningKey,
    pub config: Config,
    pub client: reqwest::Client,
    pub state: Arc<quarry_server::state::AppState>,
    _dir: tempfile::TempDir,
}

/// `tenant`'s devices and process events: (DeviceId, DeviceName, OSPlatform).
pub const DEVICES_A: &[(&str, &str, &str)] = &[
    ("a-ws1", "ws1.a.test", "Windows11"),
    ("a-ws2", "ws2.a.test", "Windows11"),
    ("a-srv", "srv.a.test", "WindowsServer2022"),
    ("a-odd", "printer.a.test", "Unknown"),
];
pub const DEVICES_B: &[(&str, &str, &str)] = &[
    ("b-ws1", "ws1.b.test", "Windows11"),
    ("b-srv", "srv.b.test", "WindowsServer2022"),
];

fn now_iso(minutes_ago: i64) -> String {
    let ticks = quarry_store::clock::now_ticks() - minutes_ago * 600_000_000;
    kql_syntax::time::format_datetime(ticks)
}

/// Envelope lines: a DeviceInfo record and some process events per device, with
/// FileNames drawn from a small fixed list so that filters select subsets.
pub fn telemetry(tenant: &str, devices: &[(&str, &str, &str)]) -> String {
    let files = [
        "cmd.exe",
        "powershell.exe",
        "net.exe",
        "whoami.exe",
        "svchost.exe",
    ];
    let mut lines = Vec::new();
    for (i, (id, name, os)) in devices.iter().enumerate() {
        let mut records = vec![format!(
            r#"{{"time":"{t}","tenantId":"{tenant}","category":"AdvancedHunting-DeviceInfo","properties":{{"Timestamp":"{t}","DeviceId":"{id}","DeviceName":"{name}","OSPlatform":"{os}"}}}}"#,
            t = now_iso(5)
        )];
        for k in 0..12 {
            let file = files[(i + k) % files.len()];
            records.push(format!(
                r#"{{"time":"{t}","tenantId":"{tenant}","category":"AdvancedHunting-DeviceProcessEvents","properties":{{"Timestamp":"{t}","DeviceId":"{id}","DeviceName":"{name}","FileName":"{file}","ProcessId":{pid},"ProcessCommandLine":"{file} /run {tenant}-{k}","AccountName":"user{k}"}}}}"#,
                t = now_iso(10 + k as i64),
                pid = 1000 + k
            ));
        }
        records.push(format!(
            r#"{{"time":"{t}","tenantId":"{tenant}","category":"AdvancedHunting-EmailEvents","properties":{{"Timestamp":"{t}","NetworkMessageId":"m-{id}","Subject":"hello {tenant}","SenderFromAddress":"x@{tenant}.test"}}}}"#,
            t = now_iso(3)
        ));
        lines.push(format!("{{\"records\":[{}]}}", records.join(",")));
    }
    lines.join("\n")
}

pub async fn start_with(config_text: &str) -> TestServer {
    start_with_routes(config_text, axum::Router::new()).await
}

/// A server with `extra` routes under the API's own middleware.
pub async fn start_with_routes(
    config_text: &str,
    extra: axum::Router<Arc<quarry_server::state::AppState>>,
) -> TestServer {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let base = format!("http://127.0.0.1:{port}");
    let mut config = Config::parse(config_text, std::path::Path::new("test")).expect("config");
    config.server.data = dir.path().join("data");
    config.server.http = Some(listener.local_addr().expect("addr"));
    config.server.https = None;
    config.server.public_url = Some(base.clone());
    config.validate().expect("valid config");
    let clock = Arc::new(ManualClock::default());
    clock.advance(std::time::Duration::from_secs(1_000_000));
    let app =
        quarry_server::build_with_routes(config.clone(), clock.clone(), extra).expect("build");
    let state = Arc::clone(&app.state);
    for (tenant, devices) in [("tenant-a", DEVICES_A), ("tenant-b", DEVICES_B)] {
        let text = telemetry(tenant, devices);
        let report = state
            .store
            .ingest(
                &text,
                Format::Envelope,
                &TenantRouting::Fixed(tenant.into()),
            )
            .expect("ingest");
        assert_eq!(report.rejected_count, 0, "{:?}", report.rejections);
    }
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.router).await;
    });
    let key = SigningKey::load_or_create(&config.server.data.join("idp")).expect("key");
    TestServer {
        base,
        clock,
        key,
        config,
        client: reqwest::Client::new(),
        state,
        _dir: dir,
    }
}

pub async fn start() -> TestServer {
    start_with(CONFIG).await
}

impl TestServer {
    pub fn app_token(&self, client_id: &str, audience: &str) -> String {
        let client = self
            .config
            .identity
            .clients
            .iter()
            .find(|c| c.client_id == client_id)
            .expect("client");
        let c = claims(
            &self.config,
            &client.tenant,
            &Subject::App(client),
            audience,
            3600,
            true,
        );
        self.key.sign(&c).expect("sign")
    }

    pub fn user_token(&self, upn: &str) -> String {
        let user = self
            .config
            .identity
            .users
            .iter()
            .find(|u| u.upn == upn)
            .expect("user");
        let c = claims(
            &self.config,
            &user.tenant,
            &Subject::User(user, user.scopes.clone()),
            "https://api.security.microsoft.com",
            3600,
            true,
        );
        self.key.sign(&c).expect("sign")
    }

    pub fn token_a(&self) -> String {
        self.app_token("app-a", "https://api.security.microsoft.com")
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .body(body.to_string());
        req = req.header("Content-Type", "application/json");
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
            headers,
        )
    }

    pub async fn hunt(&self, token: &str, query: &str) -> (u16, Value) {
        let body = serde_json::json!({ "Query": query }).to_string();
        let (s, v, _) = self
            .post("/api/advancedhunting/run", Some(token), &body)
            .await;
        (s, v)
    }
}
