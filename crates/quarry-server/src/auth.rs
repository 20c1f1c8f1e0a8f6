//! Bearer token validation: signature (RS256 or ES256, keys by `kid` from the built-in
//! identity provider and configured JWKS), issuer, audience, lifetime, tenant, and the
//! permission claims (`roles` for apps, `scp` for users).

use std::collections::HashMap;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, errors::ErrorKind};
use serde::Deserialize;

use crate::config::Config;

/// Audiences of the APIs Quarry stands in for, as URLs and as application ids.
pub const KNOWN_AUDIENCES: &[&str] = &[
    "https://api.security.microsoft.com",
    "https://api.securitycenter.microsoft.com",
    "https://graph.microsoft.com",
    "https://api.security.microsoft.com/",
    "https://api.securitycenter.microsoft.com/",
    "https://graph.microsoft.com/",
    // Microsoft Graph and WindowsDefenderATP application ids.
    "00000003-0000-0000-c000-000000000000",
    "fc780465-2017-40d4-a0c5-307022471b92",
    "8ee8fdad-f234-4243-8f3b-15c294843740",
    "api://quarry",
];

/// Who is calling.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub tenant: String,
    pub kind: PrincipalKind,
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalKind {
    /// An application token: permissions in `roles`.
    App { roles: Vec<String> },
    /// A user (delegated) token: permissions in `scp`, identity in `upn`/`oid`.
    Delegated { user: String, scopes: Vec<String> },
}

#[derive(Debug, Deserialize)]
struct Claims {
    tid: Option<String>,
    iss: Option<String>,
    #[serde(default)]
    roles: Option<Vec<String>>,
    scp: Option<String>,
    upn: Option<String>,
    preferred_username: Option<String>,
    unique_name: Option<String>,
    oid: Option<String>,
    appid: Option<String>,
    azp: Option<String>,
}

struct VerifyingKey {
    key: DecodingKey,
    alg: Algorithm,
}

pub struct Validator {
    keys: HashMap<String, VerifyingKey>,
    audiences: Vec<String>,
    /// Accepted issuers; `{tenant}` is replaced by the token's tid.
    issuers: Vec<String>,
}

/// The JWS header fields we look at before trusting the token.
#[derive(Deserialize)]
struct RawHeader {
    alg: Option<String>,
    kid: Option<String>,
}

impl Validator {
    pub fn new(config: &Config, builtin_keys: &JwkSet) -> Result<Validator, String> {
        let public = config.public_url();
        let mut v = Validator {
            keys: HashMap::new(),
            audiences: KNOWN_AUDIENCES.iter().map(|s| s.to_string()).collect(),
            issuers: vec![
                format!("{public}/{{tenant}}/v2.0"),
                format!("{public}/{{tenant}}/"),
                "https://sts.windows.net/{tenant}/".into(),
                "https://login.microsoftonline.com/{tenant}/v2.0".into(),
            ],
        };
        v.audiences.push(public.clone());
        v.audiences
            .extend(config.identity.audiences.iter().cloned());
        v.issuers.extend(config.identity.issuers.iter().cloned());
        v.add_jwks(builtin_keys)?;
        if let Some(path) = &config.identity.jwks_file {
            v.add_jwks(&read_jwks_file(path)?)?;
        }
        Ok(v)
    }

    pub fn add_jwks(&mut self, set: &JwkSet) -> Result<(), String> {
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            let Some(alg) = algorithm_of(jwk) else {
                continue;
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("JWKS key {kid}: {e}"))?;
            self.keys.insert(kid, VerifyingKey { key, alg });
        }
        Ok(())
    }

    /// Checks a bearer token; the error is the reason, for the 401 body.
    pub fn validate(&self, token: &str) -> Result<Principal, String> {
        let header_b64 = token.split('.').next().unwrap_or("");
        let header: RawHeader = URL_SAFE_NO_PAD
            .decode(header_b64.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("the token is not a JWT")?;
        let alg = match header.alg.as_deref() {
            Some("RS256") => Algorithm::RS256,
            Some("ES256") => Algorithm::ES256,
            Some("none") | None => return Err("unsigned tokens (alg none) are not accepted".into()),
            Some(other) => {
                return Err(format!(
                    "tokens signed with {other} are not accepted (use RS256 or ES256)"
                ));
            }
        };
        let kid = header.kid.ok_or("the token names no signing key (kid)")?;
        let key = self
            .keys
            .get(&kid)
            .ok_or_else(|| format!("unknown signing key '{kid}'"))?;
        if key.alg != alg {
            return Err(format!("signing key '{kid}' is not a {alg:?} key"));
        }
        let mut validation = Validation::new(alg);
        validation.leeway = 60;
        validation.validate_nbf = true;
        validation.set_audience(&self.audiences);
        validation.set_required_spec_claims(&["exp", "aud"]);
        let data = decode::<Claims>(token, &key.key, &validation).map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => "the token has expired".to_string(),
            ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)".to_string(),
            ErrorKind::InvalidAudience => "the token's audience is not accepted".to_string(),
            ErrorKind::InvalidSignature => "the token's signature is invalid".to_string(),
            ErrorKind::MissingRequiredClaim(c) => format!("the token has no '{c}' claim"),
            _ => format!("invalid token: {e}"),
        })?;
        let claims = data.claims;
        let tenant = claims
            .tid
            .clone()
            .ok_or("the token has no tenant (tid) claim")?;
        let iss = claims
            .iss
            .clone()
            .ok_or("the token has no issuer (iss) claim")?;
        if !self
            .issuers
            .iter()
            .any(|t| t.replace("{tenant}", &tenant) == iss)
        {
            return Err(format!(
                "issuer '{iss}' is not accepted for tenant '{tenant}'"
            ));
        }
        let client_id = claims.appid.clone().or(claims.azp.clone());
        let kind = match (&claims.scp, &claims.roles) {
            (Some(scp), _) => PrincipalKind::Delegated {
                user: claims
                    .upn
                    .or(claims.preferred_username)
                    .or(claims.unique_name)
                    .or(claims.oid)
                    .ok_or("a user token without upn or oid")?,
                scopes: scp.split_whitespace().map(str::to_string).collect(),
            },
            (None, roles) => PrincipalKind::App {
                roles: roles.clone().unwrap_or_default(),
            },
        };
        Ok(Principal {
            tenant,
            kind,
            client_id,
        })
    }
}

/// RS256 for RSA keys, ES256 for P-256 keys; others are not used.
fn algorithm_of(jwk: &Jwk) -> Option<Algorithm> {
    match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            Some(Algorithm::ES256)
        }
        _ => None,
    }
}

fn read_jwks_file(path: &Path) -> Result<JwkSet, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a JWKS: {e}", path.display()))
}

/// Which permission an endpoint needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    AdvancedHunting,
    AdvancedQueries,
    Graph,
    Ingest,
}

impl Api {
    fn app_role(self) -> &'static str {
        match self {
            Api::AdvancedHunting => "AdvancedHunting.Read.All",
            Api::AdvancedQueries => "AdvancedQuery.Read.All",
            Api::Graph => "ThreatHunting.Read.All",
            Api::Ingest => "Quarry.Ingest.All",
        }
    }

    fn delegated_scope(self) -> &'static str {
        match self {
            Api::AdvancedHunting => "AdvancedHunting.Read",
            Api::AdvancedQueries => "AdvancedQuery.Read",
            Api::Graph => "ThreatHunting.Read.All",
            Api::Ingest => "Quarry.Ingest",
        }
    }
}

impl Principal {
    /// The token's own permission for `api` (user roles with View Data are checked apart).
    pub fn check_permission(&self, api: Api) -> Result<(), String> {
        match &self.kind {
            PrincipalKind::App { roles } => {
                if roles.iter().any(|r| r == api.app_role()) {
                    Ok(())
                } else {
                    Err(format!(
                        "the application lacks the '{}' permission",
                        api.app_role()
                    ))
                }
            }
            PrincipalKind::Delegated { scopes, .. } => {
                if scopes.iter().any(|s| s == api.delegated_scope()) {
                    Ok(())
                } else {
                    Err(format!(
                        "the token lacks the delegated '{}' permission",
                        api.delegated_scope()
                    ))
                }
            }
        }
    }
}
