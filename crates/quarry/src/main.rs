//! The `quarry` command line: `parse`, `query`, `serve`, `ingest`, `generate`, `token`.

mod demo;
mod generate_cmd;
mod ingest_cmd;
mod input;
mod query_cmd;
mod serve_cmd;
mod store_sink;
mod token_cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "quarry",
    version,
    about = "Self-hosted advanced hunting: KQL over Defender telemetry"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a query's syntax. Exits 0 when it parses; otherwise prints the API error body
    /// and exits 1.
    Parse {
        #[command(flatten)]
        input: input::QueryInput,
        /// Print the parsed query back as normalised KQL.
        #[arg(long)]
        print: bool,
    },
    /// Run a query. Prints the API response body (or the API error body and exits 1).
    Query(query_cmd::QueryArgs),
    /// Ingest streaming-export envelopes, NDJSON or CSV files into the store. Exits 1 when
    /// any record or file was rejected (everything else still lands).
    Ingest(ingest_cmd::IngestArgs),
    /// Generate realistic Defender telemetry for one tenant (with embedded attack scenarios).
    Generate(generate_cmd::GenerateArgs),
    /// Serve the hunting API (Defender, MDE and Graph endpoints) and the built-in
    /// identity provider. With no configuration: a demo tenant on ./quarry-data.
    Serve(serve_cmd::ServeArgs),
    /// Mint an access token with the built-in identity provider's key.
    Token(token_cmd::TokenArgs),
}

/// `mi_option_purge_delay`: the entry before `mi_option_use_numa_nodes` in mimalloc.h's
/// `mi_option_e` (v2 and v3), which libmimalloc-sys does not name.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t =
    libmimalloc_sys::mi_option_use_numa_nodes - 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Batch loads: `ingest`, and `generate`, which writes through the same store.
    let ingest = matches!(cli.command, Command::Ingest(_) | Command::Generate(_));
    // Freed memory goes back to the kernel after the purge delay, and is faulted in (and
    // zeroed) again when reused. mimalloc's default 10 ms made ingest fault in every chunk
    // (sys time 7.2 s of 13.6 s for 490 k events). One second keeps memory between
    // requests; a batch load, whose tail is freed at each flush and refilled at once,
    // keeps it for good (ingest of 3 M events: 28.95 -> 26.95 CPU-s, peak RSS 1.2 -> 1.5 GB;
    // generate --data of 2.5 M: 19.6 -> 14.0 s wall).
    // An operator's MIMALLOC_PURGE_DELAY wins.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        let delay_ms = if ingest { -1 } else { 1000 };
        // SAFETY: sets a process-wide allocator option; no other thread runs yet.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, delay_ms) };
    }
    if ingest {
        disable_transparent_huge_pages();
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quarry: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Ingest allocates and frees many mid-sized buffers (column builders, log frames, sorted
/// copies). With transparent huge pages each first touch of a fresh region zeroed a whole
/// 2 MiB page: 25 % of ingest CPU (120 k events: 2.38 s → 1.78 s of task clock without).
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process; it reads no memory.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Parse { input, print } => {
            let text = input.read()?;
            match kql_syntax::parse(&text) {
                Ok(q) => {
                    if print {
                        println!("{}", kql_syntax::print_query(&q));
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    let mut out = std::io::stdout().lock();
                    query_cmd::print_error(&mut out, &quarry_engine::QueryError::Syntax(e), &text)?;
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Query(args) => query_cmd::run(args),
        Command::Ingest(args) => ingest_cmd::run(args),
        Command::Generate(args) => generate_cmd::run(args),
        Command::Serve(args) => serve_cmd::run(args),
        Command::Token(args) => token_cmd::run(args),
    }
}
