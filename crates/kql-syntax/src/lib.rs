//! KQL front end: tokens, syntax tree with spans, parser, diagnostics and printer.
//!
//! This crate knows nothing of tables, types or execution; it answers one question:
//! is this text KQL, and if so, what is its tree? See `ARCHITECTURE.md`.
//!
//! ```
//! let q = kql_syntax::parse("DeviceProcessEvents | where FileName =~ 'cmd.exe' | take 10").unwrap();
//! assert_eq!(q.statements.len(), 1);
//! ```

pub mod ast;
mod error;
pub mod lexer;
mod parser;
pub mod printer;
pub mod span;
pub mod time;
pub mod visit;

pub use error::ParseError;
pub use parser::MAX_NESTING;
pub use printer::{print_expr, print_query};
pub use span::Span;

/// Parses a query: `;`-separated statements (`let`, `set`, `declare`, query expressions).
pub fn parse(src: &str) -> Result<ast::Query, ParseError> {
    parser::parse_query(src)
}
