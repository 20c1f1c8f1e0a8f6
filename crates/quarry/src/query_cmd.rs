//! `quarry query`: run one query and print the API body (json), a grid (table) or CSV.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use quarry_engine::{Engine, EngineConfig, MemCatalog, QueryError, error_body};

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
    /// Directory of the data store to query.
    #[arg(long)]
    pub data: Option<PathBuf>,
}

pub fn run(args: QueryArgs) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.data {
        anyhow::bail!(
            "--data {}: the on-disk store is not implemented yet; only self-contained queries \
             (print, datatable, range, let) can run",
            dir.display()
        );
    }
    let text = args.input.read()?;
    let engine = Engine::new(EngineConfig::default()).context("starting the engine")?;
    let catalog = Arc::new(MemCatalog::new());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let outcome = runtime.block_on(engine.run(&text, catalog));
    let mut out = std::io::stdout().lock();
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
