//! Parse errors: a message in Kusto's words, with the place it points at.

use crate::span::{Span, line_col};

/// A syntax error. `line` and `column` are 1-based; `span` is in bytes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (line {line}, column {column})")]
pub struct ParseError {
    pub message: String,
    pub span: Span,
    pub line: u32,
    pub column: u32,
}

impl ParseError {
    pub fn new(src: &str, span: Span, message: impl Into<String>) -> Self {
        let (line, column) = line_col(src, span.start as usize);
        ParseError {
            message: message.into(),
            span,
            line,
            column,
        }
    }

    pub fn offset(&self) -> usize {
        self.span.start as usize
    }
}
