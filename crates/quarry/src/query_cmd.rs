//! `quarry query`: run one query and print the API body (json), a grid (table) or CSV.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use quarry_engine::{Catalog, Engine, EngineConfig, MemCatalog, QueryError, error_body};
use quarry_store::{Store, TenantConfig};

use crate::input::QueryInput;

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default)]
pub enum Format {
    #[default]
    Json,
    Table,
    Csv,
}

#[derive(clap::Args, Debug)]
pub struct QueryArgs {
    #[command(flatten)]
    pub input: QueryInput,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Directory of the data store to query. Without it only self-contained queries
    /// (print, datatable, range, let) have data.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The tenant whose data to query (default: the store's only tenant, or `demo`).
    #[arg(long)]
    pub tenant: Option<String>,
    /// Print the query's plans instead of its result.
    #[arg(long)]
    pub explain: bool,
    /// Run the query and print the executed plan with each operator's metrics (rows,
    /// compute time, spills) instead of its result.
    #[arg(long, conflicts_with = "explain")]
    pub explain_analyze: bool,
}

/// The catalog a query runs against: the store's tenant, or nothing but in-query tables.
fn catalog(args: &QueryArgs) -> anyhow::Result<Arc<dyn Catalog>> {
    let Some(dir) = &args.data else {
        return Ok(Arc::new(MemCatalog::new()));
    };
    if !dir.join("tenants").is_dir() {
        anyhow::bail!(
            "{}: no store here (create one with `quarry ingest` or `quarry generate --data`)",
            dir.display()
        );
    }
    let store = Store::open(dir, TenantConfig::default())
        .with_context(|| format!("opening the store at {}", dir.display()))?;
    let tenant = match &args.tenant {
        Some(t) => t.clone(),
        None => match store.tenant_ids().as_slice() {
            [only] => only.clone(),
            _ => crate::ingest_cmd::DEFAULT_TENANT.to_string(),
        },
    };
    Ok(Arc::new(store.catalog(&tenant, None)?))
}

pub fn run(args: QueryArgs) -> anyhow::Result<ExitCode> {
    let text = args.input.read()?;
    let engine = Engine::new(EngineConfig::default()).context("starting the engine")?;
    let catalog = catalog(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let mut out = std::io::stdout().lock();
    if args.explain || args.explain_analyze {
        return match runtime.block_on(engine.explain(&text, catalog, args.explain_analyze)) {
            Ok(plan) => {
                writeln!(out, "{plan}")?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                print_error(&mut out, &e, &text)?;
                Ok(ExitCode::from(1))
            }
        };
    }
    let outcome = runtime.block_on(engine.run(&text, catalog));
    match outcome {
        Ok(output) => {
            match args.format {
                Format::Json => writeln!(out, "{}", output.to_json()?)?,
                Format::Table => {
                    let grid = quarry_engine::response::pretty_table(&output)?;
                    writeln!(out, "{grid}")?;
                }
                Format::Csv => write!(out, "{}", quarry_engine::response::csv_text(&output)?)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            print_error(&mut out, &e, &text)?;
            Ok(ExitCode::from(1))
        }
    }
}

/// Prints the API error body for `e`.
pub fn print_error(out: &mut dyn Write, e: &QueryError, query: &str) -> anyhow::Result<()> {
    let target = uuid::Uuid::new_v4().to_string();
    writeln!(out, "{}", error_body(e, query, &target))?;
    Ok(())
}
