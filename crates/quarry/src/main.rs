//! The `quarry` command line: `parse`, `query`, `serve`, `ingest`, `generate`, `token`.

mod input;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "quarry", version, about = "Self-hosted advanced hunting: KQL over Defender telemetry")]
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("quarry: {e:#}");
            ExitCode::from(2)
        }
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
                    let body = syntax_error_body(&e);
                    let mut out = std::io::stdout().lock();
                    writeln!(out, "{body}")?;
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// The API's error body for a syntax error.
fn syntax_error_body(e: &kql_syntax::ParseError) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "code": "BadRequest",
            "message": e.message,
            "target": uuid::Uuid::new_v4().to_string(),
            "details": [{
                "code": "SyntaxError",
                "message": e.message,
                "line": e.line,
                "column": e.column,
                "offset": e.offset(),
            }]
        }
    })
}
