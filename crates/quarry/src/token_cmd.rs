//! `quarry token`: mints a token from the built-in identity provider's key, offline, for
//! scripts and tests. The server must use the same configuration and data directory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use quarry_server::Config;
use quarry_server::idp::{SigningKey, Subject, claims};

#[derive(clap::Args, Debug)]
pub struct TokenArgs {
    /// Configuration file (TOML); the embedded default otherwise.
    #[arg(long, env = "QUARRY_CONFIG")]
    pub config: Option<PathBuf>,
    /// An application token for this configured client...
    #[arg(long, conflicts_with = "user")]
    pub client_id: Option<String>,
    /// ...or a delegated token for this configured user.
    #[arg(long)]
    pub user: Option<String>,
    /// The audience.
    #[arg(long, default_value = "https://api.security.microsoft.com")]
    pub audience: String,
    /// Lifetime in minutes.
    #[arg(long, default_value_t = 60)]
    pub minutes: u64,
}

pub fn run(args: TokenArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(args.config.as_deref()).context("loading the configuration")?;
    let key =
        SigningKey::load_or_create(&config.server.data.join("idp")).map_err(anyhow::Error::msg)?;
    let identity = &config.identity;
    let (tenant, subject) = match (&args.client_id, &args.user) {
        (_, Some(upn)) => {
            let user = identity
                .users
                .iter()
                .find(|u| u.upn.eq_ignore_ascii_case(upn))
                .with_context(|| format!("no user {upn} in the configuration"))?;
            (
                user.tenant.clone(),
                Subject::User(user, user.scopes.clone()),
            )
        }
        (id, None) => {
            let client = match id {
                Some(id) => identity.clients.iter().find(|c| &c.client_id == id),
                None => identity.clients.first(),
            }
            .context("no such client in the configuration")?;
            (client.tenant.clone(), Subject::App(client))
        }
    };
    let claims = claims(
        &config,
        &tenant,
        &subject,
        &args.audience,
        args.minutes.max(1) * 60,
        true,
    );
    println!("{}", key.sign(&claims).map_err(anyhow::Error::msg)?);
    Ok(ExitCode::SUCCESS)
}
