//! `quarry ingest`: files of Defender streaming-export envelopes, NDJSON or CSV into the
//! store, durably, with progress and a final count.
//!
//! Line-delimited input is ingested in chunks of whole lines; each chunk is acknowledged
//! (fsync'd) before the next is read, and `--ack-log` records every acknowledged chunk so
//! that a caller (or the crash test) knows exactly what is durable.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use quarry_store::{Format, IngestReport, ParsedInput, Store, TenantConfig, TenantRouting};

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
    /// Bytes per chunk of line-delimited input: the unit of parsing, of acknowledgement
    /// (one log fsync each) and of batches per table. 32 MB took ~8 % less CPU than 8 MB
    /// (fewer, larger batches to log, hold and sort); 64 MB gained nothing more and held
    /// more memory.
    #[arg(long, default_value_t = 32 << 20)]
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
        // The tail is flushed every few hundred MB, each time into every day it touches:
        // merge the small files now rather than leave it to the server's next pass.
        store.maintain_all().context("compacting Parquet files")?;
    }
    print_summary(&total, started.elapsed().as_secs_f64());
    Ok(if failed_files > 0 || total.rejected_count > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Where a file's bytes come from: the file itself or standard input. Unbuffered: chunks
/// are read straight into their own buffers.
fn open_input(path: &Path) -> anyhow::Result<(Box<dyn Read + Send>, Option<u64>)> {
    if path.as_os_str() == "-" {
        return Ok((Box::new(std::io::stdin()), None));
    }
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let len = file.metadata().ok().map(|m| m.len());
    Ok((Box::new(file), len))
}

/// Reads the next chunk of whole lines into `buf`: at least `chunk_bytes` of them unless
/// the input ends. The bytes are read straight into `buf` (no line-by-line copy through
/// a reader's buffer, which cost 15 % of ingest CPU); the partial line after the last
/// newline is kept in `carry` and starts the next chunk. Empty `buf`: the input is over.
fn read_chunk(
    input: &mut dyn Read,
    chunk_bytes: usize,
    carry: &mut Vec<u8>,
    buf: &mut Vec<u8>,
) -> std::io::Result<()> {
    buf.clear();
    buf.append(carry);
    loop {
        let want = chunk_bytes.saturating_sub(buf.len()).max(64 << 10);
        let read = input.take(want as u64).read_to_end(buf)?;
        if read < want {
            // The input is over: the rest is the last chunk, torn last line included.
            return Ok(());
        }
        if buf.len() >= chunk_bytes
            && let Some(last) = memchr::memrchr(b'\n', buf)
        {
            carry.extend_from_slice(&buf[last + 1..]);
            buf.truncate(last + 1);
            return Ok(());
        }
        // A line longer than a chunk: read on to its end.
    }
}

/// Lines in `bytes`, and how many of them end with a newline.
fn count_lines(bytes: &[u8]) -> (usize, usize) {
    let newlines = memchr::memchr_iter(b'\n', bytes).count();
    let torn = usize::from(bytes.last().is_some_and(|&b| b != b'\n'));
    (newlines + torn, newlines)
}

/// `bytes` as text; `offset` is where they start in the file, for the error.
fn utf8(bytes: Vec<u8>, offset: u64) -> anyhow::Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "the file is not UTF-8 (byte {})",
            offset + e.utf8_error().valid_up_to() as u64
        )
    })
}

/// A chunk of whole lines, numbered in file order.
struct Chunk {
    seq: u64,
    bytes: Vec<u8>,
    offset: u64,
    /// Lines in the chunk (for the ack log) and newlines (to number the next chunk's).
    lines: usize,
    newlines: usize,
}

/// A chunk parsed, waiting for its turn to be committed.
struct ParsedChunk {
    parsed: ParsedInput,
    /// Lines in the chunk (for the ack log) and newlines (to number the next chunk's).
    lines: usize,
    newlines: usize,
    bytes: u64,
}

/// Streams the file: line-delimited input is read, ingested and acknowledged one chunk
/// of whole lines at a time, so memory stays bounded by the chunks in flight (and the
/// store's in-memory tail) whatever the file's size. Input that is not line-delimited (a
/// pretty-printed envelope, CSV) is read whole, as before.
fn ingest_file(
    store: &Store,
    path: &Path,
    args: &IngestArgs,
    routing: &TenantRouting,
    ack_log: Option<&mut std::fs::File>,
) -> anyhow::Result<IngestReport> {
    let (mut input, len) = open_input(path)?;
    let chunk_bytes = args.chunk_bytes.max(1);
    let mut raw = Vec::with_capacity(chunk_bytes + (1 << 16));
    let mut carry = Vec::new();
    read_chunk(input.as_mut(), chunk_bytes, &mut carry, &mut raw)?;
    if raw.is_empty() {
        // An empty file: let the store say what it says about empty input.
        let format = Format::detect(path, "", args.table.as_deref())?;
        return Ok(store.ingest("", format, routing)?);
    }
    let head: String = String::from_utf8_lossy(&raw[..raw.len().min(4096)]).into_owned();
    let format = Format::detect(path, &head, args.table.as_deref())?;
    if !line_delimited(&raw, format) {
        raw.append(&mut carry);
        input.read_to_end(&mut raw)?;
    }
    let bar = ProgressBar::new(len.unwrap_or(0));
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(path.display().to_string());
    let report = pipeline(
        store,
        path,
        format,
        routing,
        input,
        (raw, carry),
        chunk_bytes,
        ack_log,
        &bar,
    );
    bar.finish_and_clear();
    report
}

/// Parsing is most of ingest's CPU and chunks parse independently, so they are parsed on
/// every core while this thread commits them (log write and fsync, and the tail's flush
/// to Parquet) strictly in file order: the ack log and rejection line numbers stay as if
/// the file were read one chunk at a time.
#[allow(clippy::too_many_arguments)]
fn pipeline(
    store: &Store,
    path: &Path,
    format: Format,
    routing: &TenantRouting,
    mut input: Box<dyn Read + Send>,
    (first, mut carry): (Vec<u8>, Vec<u8>),
    chunk_bytes: usize,
    mut ack_log: Option<&mut std::fs::File>,
    bar: &ProgressBar,
) -> anyhow::Result<IngestReport> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) = mpsc::sync_channel::<anyhow::Result<Chunk>>(workers);
        let chunk_rx = Arc::new(Mutex::new(chunk_rx));
        let (done_tx, done_rx) = mpsc::sync_channel::<(u64, anyhow::Result<ParsedChunk>)>(workers);
        // Parsed chunks' buffers go back to the reader: a fresh buffer per chunk
        // cost a page fault per 4 KB, and the allocator's purging, ~8 % of ingest CPU.
        let (spare_tx, spare_rx) = mpsc::channel::<Vec<u8>>();
        scope.spawn(move || {
            let (mut seq, mut offset) = (0u64, 0u64);
            let (mut lines, mut newlines) = count_lines(&first);
            let mut bytes = first;
            loop {
                let len = bytes.len() as u64;
                let chunk = Chunk {
                    seq,
                    bytes,
                    offset,
                    lines,
                    newlines,
                };
                if chunk_tx.send(Ok(chunk)).is_err() {
                    return;
                }
                seq += 1;
                offset += len;
                let mut next = spare_rx
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(chunk_bytes + (1 << 16)));
                match read_chunk(input.as_mut(), chunk_bytes, &mut carry, &mut next) {
                    Ok(()) if next.is_empty() => return,
                    Ok(()) => {
                        (lines, newlines) = count_lines(&next);
                        bytes = next;
                    }
                    Err(e) => {
                        let _ = chunk_tx.send(Err(e.into()));
                        return;
                    }
                }
            }
        });
        for _ in 0..workers {
            let (chunk_rx, done_tx) = (Arc::clone(&chunk_rx), done_tx.clone());
            let spare_tx = spare_tx.clone();
            scope.spawn(move || {
                loop {
                    let next = chunk_rx
                        .lock()
                        .map_err(|_| ())
                        .and_then(|rx| rx.recv().map_err(|_| ()));
                    let Ok(next) = next else { return };
                    let (seq, parsed) = match next {
                        Ok(chunk) => (chunk.seq, parse_chunk(chunk, format, routing, &spare_tx)),
                        // A read error ends the file after the chunks before it.
                        Err(e) => (u64::MAX, Err(e)),
                    };
                    if done_tx.send((seq, parsed)).is_err() {
                        return;
                    }
                }
            });
        }
        drop((done_tx, spare_tx));
        // Commit in file order. Returning drops `done_rx`, which stops the workers and
        // then the reader.
        let mut waiting = BTreeMap::new();
        let (mut next, mut first_line) = (0u64, 1usize);
        let mut report = IngestReport::default();
        for (seq, parsed) in done_rx {
            waiting.insert(seq, parsed);
            while let Some(parsed) = waiting.remove(&next) {
                let chunk = parsed?;
                let mut part = store.commit(chunk.parsed)?;
                for r in &mut part.rejections {
                    r.position.line += first_line - 1;
                }
                if let Some(log) = ack_log.as_deref_mut() {
                    writeln!(
                        log,
                        "acked {} line {} lines {} records {}",
                        path.display(),
                        first_line,
                        chunk.lines,
                        part.accepted_total()
                    )?;
                    log.flush()?;
                }
                bar.inc(chunk.bytes);
                report.merge(part);
                first_line += chunk.newlines;
                next += 1;
            }
            // A read error is reported once every chunk read before it is committed.
            if waiting.len() == 1
                && let Some(Err(_)) = waiting.get(&u64::MAX)
                && let Some(Err(e)) = waiting.remove(&u64::MAX)
            {
                return Err(e);
            }
        }
        Ok(report)
    })
}

/// Parses a chunk, and hands its buffer back to the reader through `spare`.
fn parse_chunk(
    chunk: Chunk,
    format: Format,
    routing: &TenantRouting,
    spare: &mpsc::Sender<Vec<u8>>,
) -> anyhow::Result<ParsedChunk> {
    let text = utf8(chunk.bytes, chunk.offset)?;
    let parsed = Store::parse(&text, format, routing)?;
    let bytes = text.len() as u64;
    // The reader may be gone (the input is over): the buffer is then simply freed.
    let _ = spare.send(text.into_bytes());
    Ok(ParsedChunk {
        parsed,
        lines: chunk.lines,
        newlines: chunk.newlines,
        bytes,
    })
}

/// Whether input whose first chunk is `chunk` holds one JSON value per line (so that it
/// can be cut into chunks of whole lines). CSV is never cut, so that its header stays
/// with its rows.
fn line_delimited(chunk: &[u8], format: Format) -> bool {
    if let Format::Csv(_) = format {
        return false;
    }
    let first = chunk
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())
        .unwrap_or(b"");
    serde_json::from_slice::<&serde_json::value::RawValue>(first).is_ok()
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
    fn chunks_hold_whole_lines() -> anyhow::Result<()> {
        let text = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}";
        let mut input = std::io::Cursor::new(text.as_bytes());
        let (mut carry, mut buf, mut chunks) = (Vec::new(), Vec::new(), Vec::new());
        loop {
            read_chunk(&mut input, 5, &mut carry, &mut buf)?;
            if buf.is_empty() {
                break;
            }
            chunks.push(String::from_utf8(buf.clone())?);
        }
        // Reads come in blocks of 64 KiB at least, so the whole text is one chunk...
        assert_eq!(chunks, [text]);
        // ...unless a chunk fills up: then it ends at a newline and the rest carries over.
        let long: String = (0..20_000).map(|i| format!("{{\"a\":{i}}}\n")).collect();
        let mut input = std::io::Cursor::new(long.as_bytes());
        let mut joined = String::new();
        let mut count = 0;
        loop {
            read_chunk(&mut input, 70_000, &mut carry, &mut buf)?;
            if buf.is_empty() {
                break;
            }
            // Every chunk ends at a line's end, within a line of the chunk size.
            assert_eq!(buf.last(), Some(&b'\n'));
            assert!(
                buf.len() + 16 >= 70_000 || carry.is_empty(),
                "{}",
                buf.len()
            );
            joined.push_str(std::str::from_utf8(&buf)?);
            count += count_lines(&buf).0;
        }
        assert_eq!((joined.as_str(), count), (long.as_str(), 20_000));
        Ok(())
    }

    #[test]
    fn a_line_longer_than_a_chunk_is_read_whole() -> anyhow::Result<()> {
        let text = format!("{}\nshort\n{}", "x".repeat(200_000), "y".repeat(300_000));
        let mut input = std::io::Cursor::new(text.as_bytes());
        let (mut carry, mut buf) = (Vec::new(), Vec::new());
        read_chunk(&mut input, 1000, &mut carry, &mut buf)?;
        assert_eq!(buf.len(), 200_007);
        assert_eq!(&buf[200_000..], b"\nshort\n");
        // The torn last line is the last chunk.
        read_chunk(&mut input, 1000, &mut carry, &mut buf)?;
        assert_eq!(buf.len(), 300_000);
        read_chunk(&mut input, 1000, &mut carry, &mut buf)?;
        assert!(buf.is_empty());
        Ok(())
    }

    #[test]
    fn only_one_value_per_line_is_cut_into_chunks() {
        let Some(table) = quarry_store::schema::table("DeviceInfo") else {
            panic!("table")
        };
        assert!(line_delimited(
            b"\n{\"a\":1}\n{\"a\":2}\n",
            Format::Ndjson(table)
        ));
        assert!(!line_delimited(
            b"{\n \"records\": []\n}\n",
            Format::Envelope
        ));
        assert!(!line_delimited(b"{\"a\":1}\n", Format::Csv(table)));
    }
}
