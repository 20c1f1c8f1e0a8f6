//! `quarry generate`: realistic Defender telemetry for one tenant, as streaming-export
//! envelopes or one table's NDJSON, or (later) straight into a store.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use quarry_generate::{EnvelopeSink, GenerateConfig, NdjsonSink, Sink, Summary, generate};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Streaming-export (Event Hub) envelopes: `{"records":[...]}` per line.
    Envelope,
    /// One table's records, a JSON object per line (needs --table).
    Ndjson,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Tenant name (`contoso`) or tenant id (GUID).
    #[arg(long, default_value = "contoso")]
    tenant: String,
    /// Number of devices in the fleet.
    #[arg(long, default_value_t = 50)]
    devices: usize,
    /// Days of telemetry, ending at --end.
    #[arg(long, default_value_t = 30)]
    days: u32,
    /// Seed: the same arguments and seed give the same output, byte for byte.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// End of the window (e.g. 2025-03-14T12:00:00Z); now by default.
    #[arg(long)]
    end: Option<String>,
    /// Events per device per day relative to the default (1.0 ≈ 1,700 on average).
    #[arg(long, default_value_t = 1.0)]
    volume: f64,
    /// Output file (`-` for standard output).
    #[arg(long, conflicts_with = "data", required_unless_present = "data")]
    out: Option<PathBuf>,
    /// Output format of --out.
    #[arg(long, value_enum, default_value_t = Format::Envelope)]
    format: Format,
    /// The table to write with --format ndjson.
    #[arg(long)]
    table: Option<String>,
    /// Records per envelope line.
    #[arg(long, default_value_t = 100)]
    per_line: usize,
    /// Write into the store in this directory instead of a file.
    #[arg(long)]
    data: Option<PathBuf>,
}

pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let end_ticks = match &args.end {
        Some(text) => kql_syntax::time::parse_datetime(text)
            .with_context(|| format!("--end: not a datetime: {text}"))?,
        None => now_ticks()?,
    };
    let mut cfg = GenerateConfig::new(&args.tenant, args.devices, args.days, args.seed, end_ticks);
    cfg.volume = args.volume;
    let started = Instant::now();
    let summary = if let Some(dir) = &args.data {
        write_to_store(dir, &cfg)?
    } else {
        let Some(path) = &args.out else {
            bail!("give --out FILE or --data DIR");
        };
        let writer: Box<dyn Write> = if path.as_os_str() == "-" {
            Box::new(std::io::stdout().lock())
        } else {
            Box::new(File::create(path).with_context(|| format!("creating {}", path.display()))?)
        };
        match args.format {
            Format::Envelope => {
                if args.table.is_some() {
                    bail!("--table goes with --format ndjson");
                }
                let mut sink =
                    EnvelopeSink::new(writer, &cfg.tenant_id(), args.per_line, end_ticks);
                run_into(&cfg, &mut sink)?
            }
            Format::Ndjson => {
                let Some(name) = &args.table else {
                    bail!("--format ndjson needs --table NAME");
                };
                let Some(table) = defender_schema::table(name) else {
                    bail!("unknown table {name}");
                };
                let mut sink = NdjsonSink::new(writer, table);
                run_into(&cfg, &mut sink)?
            }
        }
    };
    report(&summary, started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}

fn run_into(cfg: &GenerateConfig, sink: &mut dyn Sink) -> anyhow::Result<Summary> {
    Ok(generate(cfg, sink)?)
}

/// Generates straight into the store under `dir`, in the tenant named `cfg.tenant`:
/// batches are appended durably, then flushed to Parquet.
pub fn write_to_store(dir: &Path, cfg: &GenerateConfig) -> anyhow::Result<Summary> {
    quarry_store::check_tenant_id(&cfg.tenant)?;
    let store = quarry_store::Store::open(dir, quarry_store::TenantConfig::default())
        .with_context(|| format!("opening the store at {}", dir.display()))?;
    let tenant = store.tenant(&cfg.tenant)?;
    let mut sink = crate::store_sink::StoreSink::new(tenant);
    Ok(generate(cfg, &mut sink)?)
}

fn now_ticks() -> anyhow::Result<i64> {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the clock is before 1970")?;
    Ok((d.as_nanos() / 100) as i64)
}

fn report(summary: &Summary, secs: f64) {
    let mut tables: Vec<&(&str, u64)> = summary.tables.iter().filter(|(_, n)| *n > 0).collect();
    tables.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut err = std::io::stderr().lock();
    for (name, n) in tables {
        let _ = writeln!(err, "{n:>12}  {name}");
    }
    let rate = if secs > 0.0 {
        summary.total as f64 / secs
    } else {
        0.0
    };
    let _ = writeln!(
        err,
        "{:>12}  events in total, {secs:.2} s ({rate:.0} events/s)",
        summary.total
    );
}
