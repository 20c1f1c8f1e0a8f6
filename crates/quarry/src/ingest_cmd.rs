//! `quarry ingest`: files of Defender streaming-export envelopes, NDJSON or CSV into the
//! store, durably, with progress and a final count.
//!
//! Line-delimited input is ingested in chunks of whole lines; each chunk is acknowledged
//! (fsync'd) before the next is read, and `--ack-log` records every acknowledged chunk so
//! that a caller (or the crash test) knows exactly what is durable.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use quarry_store::{Format, IngestReport, Store, TenantConfig, TenantRouting};

#[derive(clap::Args, Debug)]
pub struct IngestArgs {
    /// Files to ingest (`-` for standard input).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Store directory.
    #[arg(long, env = "QUARRY_DATA", default_value = "quarry-data")]
    pub data: PathBuf,
    /// Put every record in this tenant. Without it, envelope records go to their
    /// `tenantId`, and NDJSON/CSV to the `demo` tenant.
    #[arg(long)]
    pub tenant: Option<String>,
    /// The table NDJSON or CSV input belongs to (otherwise taken from the file name).
    #[arg(long)]
    pub table: Option<String>,
    /// Append a line per acknowledged (durable) chunk to this file.
    #[arg(long)]
    pub ack_log: Option<PathBuf>,
    /// Bytes per chunk of line-delimited input.
    #[arg(long, default_value_t = 8 << 20)]
    pub chunk_bytes: usize,
    /// Leave the ingested rows in the write-ahead log instead of writing Parquet at the end.
    #[arg(long)]
    pub no_flush: bool,
}

pub const DEFAULT_TENANT: &str = "demo";

pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open(&args.data, TenantConfig::default())
        .with_context(|| format!("opening the store at {}", args.data.display()))?;
    let routing = match &args.tenant {
        Some(t) => {
            quarry_store::check_tenant_id(t)?;
            TenantRouting::Fixed(t.clone())
        }
        None => TenantRouting::FromEnvelope {
            default: DEFAULT_TENANT.to_string(),
        },
    };
    let mut ack_log = match &args.ack_log {
        Some(p) => Some(
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("opening {}", p.display()))?,
        ),
        None => None,
    };
    let started = Instant::now();
    let mut total = IngestReport::default();
    let mut failed_files = 0;
    for path in &args.files {
        match ingest_file(&store, path, &args, &routing, ack_log.as_mut()) {
            Ok(report) => total.merge(report),
            Err(e) => {
                failed_files += 1;
                eprintln!("quarry ingest: {}: {e:#}", path.display());
            }
        }
    }
    if !args.no_flush {
        store.flush_all().context("writing Parquet files")?;
    }
    print_summary(&total, started.elapsed().as_secs_f64());
    Ok(if failed_files > 0 || total.rejected_count > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_input(path: &Path) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .context("reading standard input")?;
        return Ok(s);
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "the file is not UTF-8 (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn ingest_file(
    store: &Store,
    path: &Path,
    args: &IngestArgs,
    routing: &TenantRouting,
    mut ack_log: Option<&mut std::fs::File>,
) -> anyhow::Result<IngestReport> {
    let text = read_input(path)?;
    let head: String = text.chars().take(4096).collect();
    let format = Format::detect(path, &head, args.table.as_deref())?;
    let bar = ProgressBar::new(text.len() as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(path.display().to_string());
    let mut report = IngestReport::default();
    for (first_line, chunk) in chunks(&text, format, args.chunk_bytes) {
        let mut part = store.ingest(chunk, format, routing)?;
        for r in &mut part.rejections {
            r.position.line += first_line - 1;
        }
        if let Some(log) = ack_log.as_deref_mut() {
            writeln!(
                log,
                "acked {} line {} lines {} records {}",
                path.display(),
                first_line,
                chunk.lines().count(),
                part.accepted_total()
            )?;
            log.flush()?;
        }
        bar.inc(chunk.len() as u64);
        report.merge(part);
    }
    bar.finish_and_clear();
    Ok(report)
}

/// Splits line-delimited input into chunks of whole lines (with the 1-based number of
/// each chunk's first line). CSV keeps its header at the front of every chunk, and input
/// that is not line-delimited (a pretty-printed envelope) stays whole.
fn chunks(text: &str, format: Format, chunk_bytes: usize) -> Vec<(usize, &str)> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let line_delimited = match format {
        Format::Csv(_) => false,
        _ => serde_json::from_str::<&serde_json::value::RawValue>(first).is_ok(),
    };
    if !line_delimited || text.len() <= chunk_bytes {
        return vec![(1, text)];
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = 1;
    while start < text.len() {
        let mut end = (start + chunk_bytes).min(text.len());
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        let end = match text[end..].find('\n') {
            Some(i) if end < text.len() => end + i + 1,
            _ => text.len(),
        };
        let chunk = &text[start..end];
        out.push((line, chunk));
        line += chunk.matches('\n').count();
        start = end;
    }
    out
}

fn print_summary(report: &IngestReport, seconds: f64) {
    let total = report.accepted_total();
    for (table, n) in &report.accepted {
        eprintln!("  {table:40} {n:>12}");
    }
    eprintln!(
        "ingested {total} records in {seconds:.2}s ({:.0} records/s); rejected {}",
        total as f64 / seconds.max(1e-9),
        report.rejected_count
    );
    for r in &report.rejections {
        eprintln!("  rejected at {}: {}", r.position, r.reason);
    }
    if report.rejected_count as usize > report.rejections.len() {
        eprintln!(
            "  ... and {} more",
            report.rejected_count as usize - report.rejections.len()
        );
    }
    if report.kept_in_additional_fields > 0 {
        eprintln!(
            "  {} properties without a column were kept in AdditionalFields",
            report.kept_in_additional_fields
        );
    }
    for ((table, property), n) in &report.unknown_properties {
        eprintln!(
            "  {table}.{property}: {n} values without a column (the table has no AdditionalFields)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_keep_whole_lines_and_count_them() {
        let text = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
        let table = quarry_store::schema::table("DeviceInfo").map(Format::Ndjson);
        let Some(format) = table else { panic!("table") };
        let parts = chunks(text, format, 5);
        assert_eq!(parts.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(parts.iter().map(|(_, c)| *c).collect::<String>(), text);
        let pretty = "{\n \"records\": []\n}\n";
        assert_eq!(chunks(pretty, Format::Envelope, 4).len(), 1);
    }
}
