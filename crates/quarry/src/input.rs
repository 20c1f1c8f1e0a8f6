//! Where a command reads its query from: `-q TEXT`, `-f FILE`, or standard input.

use anyhow::Context;
use std::io::Read;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct QueryInput {
    /// The query text.
    #[arg(short = 'q', long = "query", conflicts_with = "file")]
    pub query: Option<String>,
    /// A file holding the query ("-" for standard input).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
}

impl QueryInput {
    pub fn read(&self) -> anyhow::Result<String> {
        if let Some(q) = &self.query {
            return Ok(q.clone());
        }
        match &self.file {
            Some(path) if path.as_os_str() != "-" => {
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
            }
            _ => {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the query from standard input")?;
                Ok(s)
            }
        }
    }
}
