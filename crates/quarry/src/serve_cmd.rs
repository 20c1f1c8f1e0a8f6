//! `quarry serve`: the hunting API. With no configuration file it runs the embedded
//! default: a demo tenant on `./quarry-data`, HTTP on 127.0.0.1:8080 and HTTPS (with a
//! self-signed certificate) on 127.0.0.1:8443, and the built-in identity provider.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use quarry_server::Config;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Configuration file (TOML). Without it the embedded demo default is used.
    #[arg(long, env = "QUARRY_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log as JSON lines instead of text.
    #[arg(long)]
    pub log_json: bool,
    /// Print the embedded default configuration and exit.
    #[arg(long)]
    pub print_default_config: bool,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if args.print_default_config {
        print!("{}", quarry_server::config::EMBEDDED_DEFAULT);
        return Ok(ExitCode::SUCCESS);
    }
    init_logging(args.log_json);
    let config = Config::load(args.config.as_deref()).context("loading the configuration")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 << 20)
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        crate::demo::ensure_demo_data(&config).await?;
        eprintln!(
            "quarry: serving {} (token endpoint {}/{{tenant}}/oauth2/v2.0/token)",
            config.public_url(),
            config.public_url()
        );
        quarry_server::run(config, shutdown_signal())
            .await
            .context("running the server")
    })?;
    Ok(ExitCode::SUCCESS)
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
