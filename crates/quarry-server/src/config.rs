//! Server configuration: a TOML file, overridden by environment variables, with an
//! embedded default that runs a demo tenant on a local data directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerSection,
    #[serde(default)]
    pub identity: IdentitySection,
    #[serde(default = "default_tenants")]
    pub tenants: Vec<TenantSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    /// Plain HTTP listener (None: off).
    #[serde(default = "default_http")]
    pub http: Option<SocketAddr>,
    /// HTTPS listener (None: off).
    #[serde(default = "default_https")]
    pub https: Option<SocketAddr>,
    /// The base URL clients reach the server at: issuer and endpoint URLs derive from it.
    pub public_url: Option<String>,
    #[serde(default = "default_data")]
    pub data: PathBuf,
    /// PEM certificate chain and key; a self-signed pair is generated when absent.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Queries running at once, across tenants.
    #[serde(default = "default_max_concurrent")]
    pub max_concurrent_queries: usize,
    /// Memory pool shared by running queries.
    #[serde(default = "default_memory_mb")]
    pub memory_limit_mb: usize,
    /// Generate demo data for tenants that have none (the embedded default does).
    #[serde(default)]
    pub demo_data: Option<DemoData>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoData {
    pub devices: usize,
    pub days: u32,
    #[serde(default)]
    pub seed: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySection {
    /// The built-in identity provider (token endpoints, OpenID configuration, JWKS).
    #[serde(default = "yes")]
    pub builtin: bool,
    /// Audiences accepted besides the Defender, MDE and Graph ones.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Issuers accepted besides the built-in one; `{tenant}` stands for the token's tid.
    #[serde(default)]
    pub issuers: Vec<String>,
    /// External signing keys: a JWKS file, and/or a JWKS URL read at start.
    pub jwks_file: Option<PathBuf>,
    pub jwks_url: Option<String>,
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
    #[serde(default)]
    pub users: Vec<UserConfig>,
    /// Lifetime of issued tokens.
    #[serde(default = "default_token_minutes")]
    pub token_minutes: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    pub client_id: String,
    pub client_secret: String,
    pub tenant: String,
    /// Application permissions granted to the app (the token's `roles`).
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub upn: String,
    pub password: String,
    pub tenant: String,
    /// Delegated permissions the user consents to (the token's `scp`).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// User groups: roles are assigned to groups.
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSection {
    pub id: String,
    #[serde(default = "default_retention")]
    pub retention_days: u32,
    #[serde(default)]
    pub quotas: Quotas,
    #[serde(default)]
    pub device_groups: Vec<DeviceGroupConfig>,
    #[serde(default)]
    pub roles: Vec<RoleConfig>,
}

/// Per-tenant limits. Defaults follow the original advanced hunting API.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quotas {
    #[serde(default = "default_calls")]
    pub calls_per_minute: u32,
    /// CPU seconds the tenant's queries may use in each cycle; at 100 % queries are
    /// blocked until the next cycle.
    #[serde(default = "default_cpu_budget")]
    pub cpu_seconds_per_cycle: f64,
    #[serde(default = "default_cycle_minutes")]
    pub cycle_minutes: u64,
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    #[serde(default = "default_max_rows")]
    pub max_rows: usize,
    /// Largest result body in bytes before the request fails (124 MB, as documented).
    #[serde(default = "default_max_bytes")]
    pub max_result_bytes: usize,
    #[serde(default = "default_tenant_concurrency")]
    pub max_concurrent_queries: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            calls_per_minute: default_calls(),
            cpu_seconds_per_cycle: default_cpu_budget(),
            cycle_minutes: default_cycle_minutes(),
            timeout_seconds: default_timeout(),
            max_rows: default_max_rows(),
            max_result_bytes: default_max_bytes(),
            max_concurrent_queries: default_tenant_concurrency(),
        }
    }
}

impl Quotas {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_seconds.max(1))
    }

    pub fn cycle(&self) -> Duration {
        Duration::from_secs(self.cycle_minutes.max(1) * 60)
    }
}

/// A Defender device group: devices matching its rules belong to it, unless a group of
/// better (lower) rank also matches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceGroupConfig {
    pub name: String,
    pub rank: u32,
    #[serde(default)]
    pub rules: DeviceRules,
}

/// Every listed condition must hold; a condition with several values holds if any does.
/// Comparisons ignore case.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRules {
    #[serde(default)]
    pub name_starts_with: Vec<String>,
    #[serde(default)]
    pub name_contains: Vec<String>,
    #[serde(default)]
    pub domain: Vec<String>,
    #[serde(default)]
    pub os: Vec<String>,
    #[serde(default)]
    pub tag: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleConfig {
    pub name: String,
    /// e.g. "ViewData"
    pub permissions: Vec<String>,
    pub user_groups: Vec<String>,
    /// Device groups the role covers; "*" for all devices.
    pub device_groups: Vec<String>,
}

fn yes() -> bool {
    true
}
fn default_http() -> Option<SocketAddr> {
    "127.0.0.1:8080".parse().ok()
}
fn default_https() -> Option<SocketAddr> {
    "127.0.0.1:8443".parse().ok()
}
fn default_data() -> PathBuf {
    PathBuf::from("quarry-data")
}
fn default_max_concurrent() -> usize {
    4
}
fn default_memory_mb() -> usize {
    4096
}
fn default_token_minutes() -> u64 {
    60
}
fn default_retention() -> u32 {
    30
}
fn default_calls() -> u32 {
    15
}
fn default_cpu_budget() -> f64 {
    // 10 minutes of running time per hour: 150 s per 15-minute cycle.
    150.0
}
fn default_cycle_minutes() -> u64 {
    15
}
fn default_timeout() -> u64 {
    600
}
fn default_max_rows() -> usize {
    100_000
}
fn default_max_bytes() -> usize {
    124 * 1024 * 1024
}
fn default_tenant_concurrency() -> usize {
    2
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection {
            http: default_http(),
            https: default_https(),
            public_url: None,
            data: default_data(),
            tls_cert: None,
            tls_key: None,
            max_concurrent_queries: default_max_concurrent(),
            memory_limit_mb: default_memory_mb(),
            demo_data: None,
        }
    }
}

impl Default for IdentitySection {
    fn default() -> Self {
        IdentitySection {
            builtin: true,
            audiences: Vec::new(),
            issuers: Vec::new(),
            jwks_file: None,
            jwks_url: None,
            clients: Vec::new(),
            users: Vec::new(),
            token_minutes: default_token_minutes(),
        }
    }
}

fn default_tenants() -> Vec<TenantSection> {
    Vec::new()
}

/// The demo setup `quarry serve` runs with no configuration file.
pub const EMBEDDED_DEFAULT: &str = include_str!("default.toml");

impl Config {
    /// The embedded default, or `path`, then environment overrides.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let (text, origin) = match path {
            Some(p) => (
                std::fs::read_to_string(p).map_err(|source| ConfigError::Read {
                    path: p.to_path_buf(),
                    source,
                })?,
                p.to_path_buf(),
            ),
            None => (
                EMBEDDED_DEFAULT.to_string(),
                PathBuf::from("<embedded default>"),
            ),
        };
        let mut config = Config::parse(&text, &origin)?;
        config.apply_env(|k| std::env::var(k).ok())?;
        config.validate()?;
        Ok(config)
    }

    pub fn parse(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_path_buf(),
            message: e.to_string(),
        })
    }

    /// QUARRY_HTTP, QUARRY_HTTPS ("off" disables), QUARRY_DATA, QUARRY_PUBLIC_URL.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let addr = |name: &str, v: String| -> Result<Option<SocketAddr>, ConfigError> {
            if v == "off" || v.is_empty() {
                return Ok(None);
            }
            v.parse().map(Some).map_err(|_| {
                ConfigError::Invalid(format!(
                    "{name}={v} is not an address such as 127.0.0.1:8080"
                ))
            })
        };
        if let Some(v) = get("QUARRY_HTTP") {
            self.server.http = addr("QUARRY_HTTP", v)?;
        }
        if let Some(v) = get("QUARRY_HTTPS") {
            self.server.https = addr("QUARRY_HTTPS", v)?;
        }
        if let Some(v) = get("QUARRY_DATA") {
            self.server.data = PathBuf::from(v);
        }
        if let Some(v) = get("QUARRY_PUBLIC_URL") {
            self.server.public_url = Some(v);
        }
        Ok(())
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.server.http.is_none() && self.server.https.is_none() {
            return Err(ConfigError::Invalid(
                "no listener: set server.http or server.https".into(),
            ));
        }
        for t in &self.tenants {
            quarry_store::check_tenant_id(&t.id)
                .map_err(|e| ConfigError::Invalid(e.to_string()))?;
            for r in &t.roles {
                for g in &r.device_groups {
                    if g != "*"
                        && !t.device_groups.iter().any(|d| &d.name == g)
                        && g != crate::rbac::UNGROUPED
                    {
                        return Err(ConfigError::Invalid(format!(
                            "tenant {}: role '{}' names unknown device group '{g}'",
                            t.id, r.name
                        )));
                    }
                }
            }
        }
        for c in &self.identity.clients {
            if !self.tenants.iter().any(|t| t.id == c.tenant) {
                return Err(ConfigError::Invalid(format!(
                    "client {} names unknown tenant {}",
                    c.client_id, c.tenant
                )));
            }
        }
        for u in &self.identity.users {
            if !self.tenants.iter().any(|t| t.id == u.tenant) {
                return Err(ConfigError::Invalid(format!(
                    "user {} names unknown tenant {}",
                    u.upn, u.tenant
                )));
            }
        }
        Ok(())
    }

    pub fn tenant(&self, id: &str) -> Option<&TenantSection> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        if let Some(u) = &self.server.public_url {
            return u.trim_end_matches('/').to_string();
        }
        match (self.server.https, self.server.http) {
            (Some(a), _) => format!("https://{a}"),
            (None, Some(a)) => format!("http://{a}"),
            (None, None) => "http://127.0.0.1".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_default_is_valid() {
        let c = Config::parse(EMBEDDED_DEFAULT, Path::new("default")).expect("parse");
        c.validate().expect("valid");
        assert!(c.identity.builtin);
        assert_eq!(c.tenants[0].quotas.calls_per_minute, 15);
        assert_eq!(c.tenants[0].quotas.max_rows, 100_000);
        assert!(c.server.demo_data.is_some());
    }

    #[test]
    fn environment_overrides_listeners_and_data() {
        let mut c = Config::parse(EMBEDDED_DEFAULT, Path::new("default")).expect("parse");
        c.apply_env(|k| match k {
            "QUARRY_HTTPS" => Some("off".into()),
            "QUARRY_HTTP" => Some("127.0.0.1:9999".into()),
            "QUARRY_DATA" => Some("/tmp/q".into()),
            _ => None,
        })
        .expect("env");
        assert_eq!(c.server.https, None);
        assert_eq!(c.server.http.map(|a| a.port()), Some(9999));
        assert_eq!(c.public_url(), "http://127.0.0.1:9999");
        assert!(c.apply_env(|_| Some("nonsense".into())).is_err());
    }

    #[test]
    fn unknown_keys_and_dangling_names_are_errors() {
        assert!(Config::parse("[server]\nhtp = 1", Path::new("x")).is_err());
        let c = Config::parse(
            "[[tenants]]\nid = \"t\"\n[[tenants.roles]]\nname = \"r\"\npermissions = [\"ViewData\"]\nuser_groups = [\"g\"]\ndevice_groups = [\"nope\"]\n",
            Path::new("x"),
        )
        .expect("parse");
        assert!(c.validate().is_err());
    }
}
