//! The built-in identity provider, so that real clients (MSAL, azure-identity, msticpy,
//! curl) get tokens offline: the v1 and v2 token endpoints (client credentials, and
//! resource-owner password for delegated tokens, with an ID token and `client_info` for
//! MSAL when asked), the OpenID configuration, the JWKS, and the cloud metadata document
//! msticpy reads.
//!
//! Tokens are signed with an ES256 key kept in the data directory.

use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::config::{ClientConfig, Config, UserConfig};

pub struct SigningKey {
    pub kid: String,
    key: EncodingKey,
    jwk: Value,
}

impl SigningKey {
    /// Loads the key from `dir/signing-key.pem`, creating it on first use.
    pub fn load_or_create(dir: &Path) -> Result<SigningKey, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let path = dir.join("signing-key.pem");
        let pem = match std::fs::read_to_string(&path) {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key(dir, &path)?,
            Err(e) => return Err(format!("reading {}: {e}", path.display())),
        };
        let pair =
            rcgen::KeyPair::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))?;
        let raw = pair.public_key_raw();
        if raw.len() != 65 || raw[0] != 4 {
            return Err(format!("{}: not a P-256 key", path.display()));
        }
        let (x, y) = (
            URL_SAFE_NO_PAD.encode(&raw[1..33]),
            URL_SAFE_NO_PAD.encode(&raw[33..65]),
        );
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(&raw[1..65]))[..16].to_string();
        let key = EncodingKey::from_ec_pem(pem.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let jwk = json!({"kty": "EC", "use": "sig", "crv": "P-256", "alg": "ES256", "kid": kid, "x": x, "y": y});
        Ok(SigningKey { kid, key, jwk })
    }

    pub fn jwks(&self) -> JwkSet {
        serde_json::from_value(json!({ "keys": [self.jwk.clone()] }))
            .unwrap_or(JwkSet { keys: Vec::new() })
    }

    pub fn sign(&self, claims: &Value) -> Result<String, String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| format!("signing: {e}"))
    }
}

/// Creates the key file without a window in which another process (`quarry serve` and
/// `quarry token` start together) could see it half-written or overwrite it: the key is
/// written to a private temporary file and hard-linked into place, which fails if the
/// name exists; the loser of that race reads the winner's key.
fn create_key(dir: &Path, path: &Path) -> Result<String, String> {
    let pair = rcgen::KeyPair::generate().map_err(|e| format!("generating a signing key: {e}"))?;
    let pem = pair.serialize_pem();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let tmp = dir.join(format!(".signing-key.{}.{nanos}.tmp", std::process::id()));
    write_private(&tmp, &pem)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(pem),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
        }
        Err(e) => Err(format!("creating {}: {e}", path.display())),
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| format!("creating {}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

pub struct Idp {
    pub config: Arc<Config>,
    pub key: SigningKey,
}

/// Who a token is for.
pub enum Subject<'a> {
    App(&'a ClientConfig),
    /// A user, with the delegated permissions granted.
    User(&'a UserConfig, Vec<String>),
}

/// Claims of a token for `subject` in `tenant`, audience `audience`, valid `lifetime`
/// seconds from now; `v2` picks the issuer form.
pub fn claims(
    config: &Config,
    tenant: &str,
    subject: &Subject,
    audience: &str,
    lifetime: u64,
    v2: bool,
) -> Value {
    let now = now_secs();
    let mut claims = json!({
        "aud": audience,
        "iss": issuer(config, tenant, v2),
        "iat": now, "nbf": now, "exp": now + lifetime,
        "tid": tenant,
        "ver": if v2 { "2.0" } else { "1.0" },
    });
    let Some(o) = claims.as_object_mut() else {
        return claims;
    };
    match subject {
        Subject::App(client) => {
            let oid = stable_guid(&format!("app:{}", client.client_id));
            o.insert("roles".into(), json!(client.roles));
            o.insert("appid".into(), json!(client.client_id));
            o.insert("azp".into(), json!(client.client_id));
            o.insert("oid".into(), json!(oid));
            o.insert("sub".into(), json!(oid));
            o.insert("idtyp".into(), json!("app"));
        }
        Subject::User(user, scopes) => {
            let oid = stable_guid(&format!("user:{}", user.upn));
            o.insert("scp".into(), json!(scopes.join(" ")));
            o.insert("upn".into(), json!(user.upn));
            o.insert("preferred_username".into(), json!(user.upn));
            o.insert("name".into(), json!(user.upn));
            o.insert("oid".into(), json!(oid));
            o.insert("sub".into(), json!(oid));
            o.insert("idtyp".into(), json!("user"));
        }
    }
    claims
}

/// The issuer of tokens for `tenant`: the v2 (`{base}/{tenant}/v2.0`) or v1 form.
fn issuer(config: &Config, tenant: &str, v2: bool) -> String {
    let base = config.public_url();
    if v2 {
        format!("{base}/{tenant}/v2.0")
    } else {
        format!("{base}/{tenant}/")
    }
}

/// Claims of the ID token a user's sign-in returns to the app `client_id` when the
/// request's scope names `openid` (OpenID Connect core claims, with Entra ID's `oid`,
/// `tid` and `preferred_username`). Its audience is the app, so the API refuses it.
fn id_token_claims(
    config: &Config,
    tenant: &str,
    user: &UserConfig,
    client_id: &str,
    lifetime: u64,
    v2: bool,
) -> Value {
    let now = now_secs();
    let oid = stable_guid(&format!("user:{}", user.upn));
    json!({
        "aud": client_id,
        "iss": issuer(config, tenant, v2),
        "iat": now, "nbf": now, "exp": now + lifetime,
        "sub": oid,
        "oid": oid,
        "tid": tenant,
        "preferred_username": user.upn,
        "upn": user.upn,
        "name": user.upn,
        "ver": if v2 { "2.0" } else { "1.0" },
    })
}

/// `client_info` (requested with `client_info=1`, as MSAL does): base64url JSON of the
/// user's object id and home tenant, which MSAL keys its account cache on.
fn client_info(tenant: &str, user: &UserConfig) -> String {
    let uid = stable_guid(&format!("user:{}", user.upn));
    URL_SAFE_NO_PAD.encode(json!({"uid": uid, "utid": tenant}).to_string())
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A stable GUID-shaped id for a name, so objects keep their ids across restarts.
pub fn stable_guid(name: &str) -> String {
    let h = Sha256::digest(name.as_bytes());
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The OAuth error body.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// The audience a `scope` (v2) or `resource` (v1) asks for, and the permission names
/// it lists (`.default` lists none: all consented ones).
fn audience_and_scopes(scope: &str) -> (String, Vec<String>) {
    let mut audience = String::new();
    let mut names = Vec::new();
    for s in scope.split_whitespace() {
        match s.rsplit_once('/') {
            Some((resource, name)) if resource.contains("://") || resource.starts_with("api:") => {
                if audience.is_empty() {
                    audience = resource.to_string();
                }
                if name != ".default" {
                    names.push(name.to_string());
                }
            }
            _ if s.contains("://") => audience = s.trim_end_matches('/').to_string(),
            _ if !matches!(s, "openid" | "profile" | "offline_access") => names.push(s.to_string()),
            _ => {}
        }
    }
    (audience, names)
}

impl Idp {
    fn issuer(&self, tenant: &str, v2: bool) -> String {
        issuer(&self.config, tenant, v2)
    }

    fn client(&self, id: &str, secret: &str) -> Option<&ClientConfig> {
        self.config.identity.clients.iter().find(|c| {
            c.client_id == id && constant_time_eq(c.client_secret.as_bytes(), secret.as_bytes())
        })
    }

    fn user(&self, upn: &str, password: &str) -> Option<&UserConfig> {
        self.config.identity.users.iter().find(|u| {
            u.upn.eq_ignore_ascii_case(upn)
                && constant_time_eq(u.password.as_bytes(), password.as_bytes())
        })
    }

    /// Issues a token for a form-encoded request to `/{tenant}/oauth2[/v2.0]/token`.
    fn token(&self, tenant: &str, v2: bool, headers: &HeaderMap, body: &[u8]) -> Response {
        let form: std::collections::HashMap<String, String> =
            form_urlencoded::parse(body).into_owned().collect();
        let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        let (mut client_id, mut secret) = (
            field("client_id").to_string(),
            field("client_secret").to_string(),
        );
        if let Some((id, s)) = basic_auth(headers) {
            client_id = id;
            secret = s;
        }
        let requested = if v2 {
            field("scope")
        } else {
            field("resource")
        };
        let (audience, names) = audience_and_scopes(requested);
        if audience.is_empty() {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                "scope (v2) or resource (v1) must name the API",
            );
        }
        let now = now_secs();
        let lifetime = self.config.identity.token_minutes.max(1) * 60;
        // The user a password grant signed in: their answer may carry an ID token.
        let mut signed_in: Option<&UserConfig> = None;
        let claims = match field("grant_type") {
            "client_credentials" => {
                let Some(client) = self.client(&client_id, &secret) else {
                    return oauth_error(
                        StatusCode::UNAUTHORIZED,
                        "invalid_client",
                        "unknown client or wrong secret",
                    );
                };
                if client.tenant != tenant {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "the client belongs to another tenant",
                    );
                }
                claims(
                    &self.config,
                    tenant,
                    &Subject::App(client),
                    &audience,
                    lifetime,
                    v2,
                )
            }
            "password" => {
                let Some(user) = self.user(field("username"), field("password")) else {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "wrong user name or password",
                    );
                };
                if user.tenant != tenant {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "the user belongs to another tenant",
                    );
                }
                signed_in = Some(user);
                let scopes: Vec<String> = user
                    .scopes
                    .iter()
                    .filter(|s| names.is_empty() || names.contains(s))
                    .cloned()
                    .collect();
                let mut c = claims(
                    &self.config,
                    tenant,
                    &Subject::User(user, scopes),
                    &audience,
                    lifetime,
                    v2,
                );
                if let Some(o) = c.as_object_mut() {
                    o.insert("appid".into(), json!(client_id));
                }
                c
            }
            "" => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "grant_type is required",
                );
            }
            other => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    &format!(
                        "grant type '{other}' is not supported (use client_credentials or password)"
                    ),
                );
            }
        };
        match self.key.sign(&claims) {
            Ok(token) => {
                let mut body = json!({
                    "token_type": "Bearer",
                    "expires_in": lifetime,
                    "ext_expires_in": lifetime,
                    "access_token": token,
                });
                let Some(o) = body.as_object_mut() else {
                    return Json(body).into_response();
                };
                if !v2 {
                    o.insert("resource".into(), json!(audience));
                    o.insert("expires_on".into(), json!((now + lifetime).to_string()));
                    o.insert("not_before".into(), json!(now.to_string()));
                }
                if let Some(user) = signed_in {
                    if field("scope").split_whitespace().any(|s| s == "openid") {
                        let id =
                            id_token_claims(&self.config, tenant, user, &client_id, lifetime, v2);
                        match self.key.sign(&id) {
                            Ok(t) => {
                                o.insert("id_token".into(), json!(t));
                            }
                            Err(e) => {
                                return oauth_error(
                                    StatusCode::INTERNAL_SERVER_ERROR,
                                    "server_error",
                                    &e,
                                );
                            }
                        }
                    }
                    if field("client_info") == "1" {
                        o.insert("client_info".into(), json!(client_info(tenant, user)));
                    }
                }
                Json(body).into_response()
            }
            Err(e) => oauth_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", &e),
        }
    }

    fn openid_configuration(&self, tenant: &str, v2: bool) -> Value {
        let base = self.config.public_url();
        let prefix = if v2 {
            format!("{base}/{tenant}/oauth2/v2.0")
        } else {
            format!("{base}/{tenant}/oauth2")
        };
        json!({
            "issuer": self.issuer(tenant, v2),
            "token_endpoint": format!("{prefix}/token"),
            "authorization_endpoint": format!("{prefix}/authorize"),
            "device_authorization_endpoint": format!("{prefix}/devicecode"),
            "jwks_uri": format!("{base}/{tenant}/discovery/v2.0/keys"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "grant_types_supported": ["client_credentials", "password"],
            "response_types_supported": ["code", "id_token", "token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "tenant_region_scope": "WW",
            "cloud_instance_name": "quarry.local",
            "msgraph_host": "graph.microsoft.com",
        })
    }

    /// The Azure cloud metadata document (`/metadata/endpoints`) with this server as the
    /// login endpoint.
    fn metadata_endpoints(&self) -> Value {
        let base = self.config.public_url();
        json!({
            "galleryEndpoint": base,
            "graphEndpoint": "https://graph.windows.net/",
            "portalEndpoint": base,
            "graph": "https://graph.windows.net/",
            "microsoftGraphResourceId": "https://graph.microsoft.com/",
            "name": "AzureCloud",
            "authentication": {
                "loginEndpoint": format!("{base}/"),
                "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
                "tenant": "common",
                "identityProvider": "AAD"
            },
            "resourceManager": format!("{base}/"),
            "media": base,
            "suffixes": {"keyVaultDns": "vault.azure.net", "storage": "core.windows.net", "sqlServerHostname": "database.windows.net"},
            "batch": base,
            "sqlManagement": base,
            "vmImageAliasDoc": base,
            "activeDirectoryDataLake": base,
            "appInsightsResourceId": base,
            "appInsightsTelemetryChannelResourceId": base,
            "attestationResourceId": base,
            "synapseAnalyticsResourceId": base,
            "logAnalyticsResourceId": base,
            "ossrDbmsResourceId": base,
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `Authorization: Basic base64(id:secret)` (client_secret_basic).
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let dec = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((dec(id)?, dec(secret)?))
}

pub fn routes(idp: Arc<Idp>) -> Router {
    Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(
                |State(idp): State<Arc<Idp>>,
                 UrlPath(t): UrlPath<String>,
                 h: HeaderMap,
                 b: Bytes| async move { idp.token(&t, true, &h, &b) },
            ),
        )
        .route(
            "/{tenant}/oauth2/token",
            post(
                |State(idp): State<Arc<Idp>>,
                 UrlPath(t): UrlPath<String>,
                 h: HeaderMap,
                 b: Bytes| async move { idp.token(&t, false, &h, &b) },
            ),
        )
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(
                |State(idp): State<Arc<Idp>>, UrlPath(t): UrlPath<String>| async move {
                    Json(idp.openid_configuration(&t, true))
                },
            ),
        )
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(
                |State(idp): State<Arc<Idp>>, UrlPath(t): UrlPath<String>| async move {
                    Json(idp.openid_configuration(&t, false))
                },
            ),
        )
        .route(
            "/{tenant}/discovery/v2.0/keys",
            get(|State(idp): State<Arc<Idp>>| async move {
                Json(json!({ "keys": [idp.key.jwk.clone()] }))
            }),
        )
        .route(
            "/{tenant}/discovery/keys",
            get(|State(idp): State<Arc<Idp>>| async move {
                Json(json!({ "keys": [idp.key.jwk.clone()] }))
            }),
        )
        .route(
            "/metadata/endpoints",
            get(|State(idp): State<Arc<Idp>>| async move { Json(idp.metadata_endpoints()) }),
        )
        .with_state(idp)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `quarry serve` and `quarry token` may create the key at the same moment: every
    /// racer must come away with the same key and none with an error.
    #[test]
    fn concurrent_first_use_agrees_on_one_key() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().expect("tempdir");
            let kids: Vec<Result<String, String>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..8)
                    .map(|_| s.spawn(|| SigningKey::load_or_create(dir.path()).map(|k| k.kid)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
                    .collect()
            });
            let first = kids[0].clone().expect("first racer");
            for kid in &kids {
                assert_eq!(kid.as_ref(), Ok(&first));
            }
            let again = SigningKey::load_or_create(dir.path()).expect("reload");
            assert_eq!(again.kid, first);
            let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
            assert_eq!(leftovers, 1, "temporary files left behind");
        }
    }

    #[test]
    fn scopes_name_the_audience_and_permissions() {
        assert_eq!(
            audience_and_scopes("https://api.security.microsoft.com/.default"),
            ("https://api.security.microsoft.com".to_string(), vec![])
        );
        assert_eq!(
            audience_and_scopes(
                "https://graph.microsoft.com/ThreatHunting.Read.All offline_access"
            ),
            (
                "https://graph.microsoft.com".to_string(),
                vec!["ThreatHunting.Read.All".to_string()]
            )
        );
        assert_eq!(
            audience_and_scopes("https://api.securitycenter.microsoft.com"),
            (
                "https://api.securitycenter.microsoft.com".to_string(),
                vec![]
            )
        );
    }

    #[test]
    fn guids_are_stable_and_well_formed() {
        let g = stable_guid("app:x");
        assert_eq!(g, stable_guid("app:x"));
        assert_eq!(g.len(), 36);
        assert_ne!(g, stable_guid("app:y"));
    }
}
