//! Recursive-descent KQL parser.
//!
//! The parser stops at the first error: queries are short, and one precise error beats a
//! cascade of guesses. Every loop consumes a token or exits, and nesting is bounded by
//! [`MAX_NESTING`], so no input can make it hang or overflow the stack.

mod expr;
mod literal;
mod operators;
mod sources;
mod statements;

use crate::ast::{Ident, Query};
use crate::error::ParseError;
use crate::lexer::{Token, TokenKind, decode_string, tokenize};
use crate::span::Span;

/// How deep expressions may nest. Each parenthesis, call, pipeline and operator chain
/// link counts one. Real hunting queries stay below 20.
pub const MAX_NESTING: u32 = 128;

/// When less than this much stack is left, recursion continues on a new segment.
pub(crate) const STACK_RED_ZONE: usize = 64 * 1024;
pub(crate) const STACK_GROWTH: usize = 1024 * 1024;

/// Parses a whole query: statements separated by `;`.
pub fn parse_query(src: &str) -> Result<Query, ParseError> {
    let tokens = tokenize(src)?;
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        depth: 0,
        search_mode: false,
    };
    let query = p.query()?;
    crate::visit::check_height(&query).map_err(|span| {
        ParseError::new(
            src,
            span,
            format!(
                "Syntax error: the query is nested too deeply (more than {} levels)",
                crate::visit::MAX_HEIGHT
            ),
        )
    })?;
    Ok(query)
}

pub(crate) struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: u32,
    /// Inside a `search`/`find` predicate, where `Column: "term"` is allowed.
    search_mode: bool,
}

impl<'a> Parser<'a> {
    // ---- token access -------------------------------------------------------------

    fn peek(&self) -> Token {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> Token {
        let i = (self.pos + n).min(self.tokens.len() - 1);
        self.tokens[i]
    }

    fn kind(&self) -> TokenKind {
        self.peek().kind
    }

    fn kind_at(&self, n: usize) -> TokenKind {
        self.peek_at(n).kind
    }

    fn text(&self, t: Token) -> &'a str {
        &self.src[t.span.range()]
    }

    fn advance(&mut self) -> Token {
        let t = self.peek();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
        }
        t
    }

    fn prev_span(&self) -> Span {
        if self.pos == 0 {
            Span::new(0, 0)
        } else {
            self.tokens[self.pos - 1].span
        }
    }

    /// Span from `start` to the end of the last consumed token.
    fn span_from(&self, start: Span) -> Span {
        start.to(self.prev_span())
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.kind() == kind
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        if self.at(kind) {
            self.advance();
            true
        } else {
            false
        }
    }

    fn is_word_at(&self, n: usize, word: &str) -> bool {
        let t = self.peek_at(n);
        t.kind == TokenKind::Ident && self.text(t) == word
    }

    fn at_word(&self, word: &str) -> bool {
        self.is_word_at(0, word)
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.at_word(word) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Two tokens with nothing between them: `!has`, `in~`, `mv-expand`, `Device*`.
    fn adjacent(&self, n: usize) -> bool {
        let a = self.peek_at(n);
        let b = self.peek_at(n + 1);
        a.span.end == b.span.start && b.kind != TokenKind::Eof
    }

    // ---- errors ---------------------------------------------------------------------

    fn describe(&self, t: Token) -> String {
        match t.kind {
            TokenKind::Eof => "end of query".into(),
            _ => {
                let text = self.text(t);
                let short: String = text.chars().take(40).collect();
                format!("'{short}'")
            }
        }
    }

    fn error_at(&self, span: Span, message: impl Into<String>) -> ParseError {
        ParseError::new(self.src, span, message)
    }

    /// "expected X": names the token before when the text simply stops, as Kusto does.
    fn expected(&self, what: &str) -> ParseError {
        let t = self.peek();
        let closes = matches!(
            t.kind,
            TokenKind::Eof
                | TokenKind::Pipe
                | TokenKind::Semi
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::RBrace
        );
        if closes && self.pos > 0 {
            let prev = self.tokens[self.pos - 1];
            let msg = format!(
                "Syntax error: expected {what} after {}",
                self.describe(prev)
            );
            let span = if t.kind == TokenKind::Eof {
                prev.span
            } else {
                t.span
            };
            self.error_at(span, msg)
        } else {
            self.error_at(
                t.span,
                format!("Syntax error: expected {what}, found {}", self.describe(t)),
            )
        }
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> Result<Token, ParseError> {
        if self.at(kind) {
            Ok(self.advance())
        } else {
            Err(self.expected(what))
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<Token, ParseError> {
        if self.at_word(word) {
            Ok(self.advance())
        } else {
            Err(self.expected(&format!("'{word}'")))
        }
    }

    // ---- nesting --------------------------------------------------------------------

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error_at(
                self.peek().span,
                format!(
                    "Syntax error: the query is nested too deeply (more than {MAX_NESTING} levels)"
                ),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Runs `f` one nesting level deeper, on a larger stack if this one runs low, so that
    /// the nesting limit and not the thread's stack size decides what parses.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ParseError>,
    ) -> Result<T, ParseError> {
        self.enter()?;
        let r = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || f(self));
        self.leave();
        r
    }

    // ---- names ----------------------------------------------------------------------

    /// A name: a word or `['bracketed name']`.
    fn at_name(&self) -> bool {
        match self.kind() {
            TokenKind::Ident => true,
            TokenKind::LBracket => {
                self.kind_at(1) == TokenKind::String && self.kind_at(2) == TokenKind::RBracket
            }
            _ => false,
        }
    }

    /// How many tokens the name at the cursor spans (1 for a word, 3 for `['…']`).
    fn name_len(&self) -> usize {
        if self.kind() == TokenKind::LBracket {
            3
        } else {
            1
        }
    }

    fn name(&mut self, what: &str) -> Result<Ident, ParseError> {
        match self.kind() {
            TokenKind::Ident => {
                let t = self.advance();
                Ok(Ident::new(self.text(t), t.span))
            }
            TokenKind::LBracket if self.at_name() => {
                let open = self.advance();
                let s = self.advance();
                let close = self.advance();
                let value = self.string_value(s)?;
                Ok(Ident::new(value, open.span.to(close.span)))
            }
            _ => Err(self.expected(what)),
        }
    }

    fn string_value(&self, t: Token) -> Result<String, ParseError> {
        decode_string(self.text(t)).map_err(|m| self.error_at(t.span, format!("Syntax error: {m}")))
    }

    /// An operator keyword, joining hyphenated forms: `project-away`, `mv-expand`.
    fn operator_word(&mut self) -> Option<(String, Span)> {
        if self.kind() != TokenKind::Ident {
            return None;
        }
        let first = self.advance();
        let mut word = self.text(first).to_string();
        let mut span = first.span;
        while self.kind() == TokenKind::Minus
            && self.kind_at(1) == TokenKind::Ident
            && self.prev_span().end == self.peek().span.start
            && self.adjacent(0)
        {
            self.advance();
            let part = self.advance();
            word.push('-');
            word.push_str(self.text(part));
            span = span.to(part.span);
        }
        Some((word, span))
    }

    /// A column name that may contain `*`: `Initiating*`, `*Id`, `['a b']`.
    fn column_pattern(&mut self) -> Result<crate::ast::ColumnPattern, ParseError> {
        if self.at(TokenKind::LBracket) {
            let id = self.name("a column name")?;
            return Ok(crate::ast::ColumnPattern {
                pattern: id.name,
                span: id.span,
            });
        }
        let start = self.peek().span;
        let mut pattern = String::new();
        loop {
            match self.kind() {
                TokenKind::Ident | TokenKind::Star => {
                    let t = self.advance();
                    pattern.push_str(self.text(t));
                    let next = self.peek();
                    if !matches!(
                        next.kind,
                        TokenKind::Ident | TokenKind::Star | TokenKind::Int
                    ) || next.span.start != t.span.end
                    {
                        break;
                    }
                }
                TokenKind::Int if !pattern.is_empty() => {
                    let t = self.advance();
                    pattern.push_str(self.text(t));
                    let next = self.peek();
                    if !matches!(next.kind, TokenKind::Ident | TokenKind::Star)
                        || next.span.start != t.span.end
                    {
                        break;
                    }
                }
                _ => break,
            }
        }
        if pattern.is_empty() {
            return Err(self.expected("a column name"));
        }
        Ok(crate::ast::ColumnPattern {
            pattern,
            span: self.span_from(start),
        })
    }

    /// Comma-separated items until `f` finds none; at least one.
    fn comma_list<T>(
        &mut self,
        mut f: impl FnMut(&mut Self) -> Result<T, ParseError>,
    ) -> Result<Vec<T>, ParseError> {
        let mut items = vec![f(self)?];
        while self.eat(TokenKind::Comma) {
            items.push(f(self)?);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests;
