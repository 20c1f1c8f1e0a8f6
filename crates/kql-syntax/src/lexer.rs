//! Hand-written KQL tokenizer.
//!
//! Words come out as [`TokenKind::Ident`]; whether a word is a keyword depends on where
//! it stands, so the parser decides. Literal text is not decoded here: tokens are spans,
//! and the parser decodes the few it needs, which keeps lexing allocation-free.

use crate::error::ParseError;
use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Ident,
    Int,
    Real,
    /// `1d`, `30m`, `1.5h`, `10microsecond`, ...
    Timespan,
    /// Every string form: `"…"`, `'…'`, `@"…"`, `h"…"`, ```` ```…``` ````.
    String,
    /// `datetime(…)`, `timespan(…)`, `guid(…)`: their text is not made of tokens.
    Raw(RawKind),
    Pipe,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Dot,
    DotDot,
    Colon,
    Assign,
    EqEq,
    NotEq,
    LtGt,
    Lt,
    Le,
    Gt,
    Ge,
    EqTilde,
    BangTilde,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Arrow,
    Bang,
    Tilde,
    Question,
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawKind {
    DateTime,
    Timespan,
    Guid,
}

#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
}

/// Timespan unit suffixes and their size in ticks (100 ns).
pub fn timespan_unit_ticks(unit: &str) -> Option<i64> {
    Some(match unit {
        "d" | "day" | "days" => 864_000_000_000,
        "h" | "hr" | "hrs" | "hour" | "hours" => 36_000_000_000,
        "m" | "min" | "minute" | "minutes" => 600_000_000,
        "s" | "sec" | "second" | "seconds" => 10_000_000,
        "ms" | "milli" | "millis" | "millisec" | "millisecond" | "milliseconds" => 10_000,
        "microsec" | "microsecond" | "microseconds" => 10,
        "tick" | "ticks" => 1,
        _ => return None,
    })
}

/// The value of a timespan literal such as `30m`, `1.5h` or `1d2h` (units may follow
/// one another), with an optional leading `-`. Ticks.
pub fn timespan_literal_ticks(text: &str) -> Option<i64> {
    let (neg, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let unit_end = rest[num_end..]
            .find(|c: char| !c.is_ascii_alphabetic())
            .map_or(rest.len(), |i| num_end + i);
        let (num, unit) = (&rest[..num_end], &rest[num_end..unit_end]);
        if num.is_empty() {
            return None;
        }
        total = total.checked_add(crate::time::scale_ticks(num, timespan_unit_ticks(unit)?)?)?;
        rest = &rest[unit_end..];
    }
    Some(if neg { -total } else { total })
}

pub fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
    if src.len() >= u32::MAX as usize {
        return Err(ParseError::new(
            src,
            Span::new(0, 0),
            "Syntax error: the query is too long",
        ));
    }
    Lexer {
        src,
        bytes: src.as_bytes(),
        pos: 0,
        tokens: Vec::with_capacity(src.len() / 4 + 1),
    }
    .run()
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn is_ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

impl<'a> Lexer<'a> {
    fn run(mut self) -> Result<Vec<Token>, ParseError> {
        loop {
            self.skip_trivia();
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                self.push(TokenKind::Eof, start);
                return Ok(self.tokens);
            };
            match c {
                '"' | '\'' => self.string(start)?,
                '`' if self.rest().starts_with("```") => self.fenced_string(start, "```")?,
                '~' if self.rest().starts_with("~~~") => self.fenced_string(start, "~~~")?,
                '@' => match self.byte_at(1) {
                    Some(b'"' | b'\'') => {
                        self.pos += 1;
                        self.verbatim_string(start)?
                    }
                    _ => return Err(self.error(start, "Syntax error: unexpected character '@'")),
                },
                'h' | 'H' if matches!(self.byte_at(1), Some(b'"' | b'\'')) => {
                    self.pos += 1;
                    self.string(start)?
                }
                'h' | 'H'
                    if self.byte_at(1) == Some(b'@')
                        && matches!(self.byte_at(2), Some(b'"' | b'\'')) =>
                {
                    self.pos += 2;
                    self.verbatim_string(start)?
                }
                '0'..='9' => self.number(start)?,
                '$' => {
                    self.pos += 1;
                    match self.peek_char() {
                        Some(c) if is_ident_start(c) => {
                            self.word();
                            self.push(TokenKind::Ident, start);
                        }
                        _ => {
                            return Err(self.error(start, "Syntax error: unexpected character '$'"));
                        }
                    }
                }
                c if is_ident_start(c) => self.ident_or_raw(start)?,
                _ => self.punct(start, c)?,
            }
        }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn byte_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start as u32, self.pos as u32),
        });
    }

    fn error(&self, at: usize, message: impl Into<String>) -> ParseError {
        let end = (at + 1).min(self.src.len());
        ParseError::new(self.src, Span::new(at as u32, end as u32), message)
    }

    fn skip_trivia(&mut self) {
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b' ' | b'\t' | b'\r' | b'\n' | 0x0c | 0x0b => self.pos += 1,
                b'/' if self.byte_at(1) == Some(b'/') => {
                    self.pos = match memchr_newline(&self.bytes[self.pos..]) {
                        Some(i) => self.pos + i + 1,
                        None => self.bytes.len(),
                    };
                }
                // Non-breaking and other Unicode spaces, common in queries pasted from the web.
                0xc2 | 0xe2 | 0xef => match self.peek_char() {
                    Some(c)
                        if c.is_whitespace()
                            || matches!(
                                c,
                                '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}'
                            ) =>
                    {
                        self.pos += c.len_utf8()
                    }
                    _ => return,
                },
                _ => return,
            }
        }
    }

    fn word(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b.is_ascii_alphanumeric() || b == b'_' {
                self.pos += 1;
                continue;
            }
            // Non-ASCII letters are rare: decode only then.
            match self.peek_char() {
                Some(c) if !c.is_ascii() && is_ident_continue(c) => self.pos += c.len_utf8(),
                _ => break,
            }
        }
    }

    fn ident_or_raw(&mut self, start: usize) -> Result<(), ParseError> {
        self.word();
        let raw = match &self.src[start..self.pos] {
            "datetime" | "date" => Some(RawKind::DateTime),
            "timespan" | "time" => Some(RawKind::Timespan),
            "guid" => Some(RawKind::Guid),
            _ => None,
        };
        if let Some(kind) = raw {
            let mut look = self.pos;
            while look < self.bytes.len()
                && matches!(self.bytes[look], b' ' | b'\t' | b'\r' | b'\n')
            {
                look += 1;
            }
            if self.bytes.get(look) == Some(&b'(') {
                return match self.src[look..].find(')') {
                    Some(close) => {
                        self.pos = look + close + 1;
                        self.push(TokenKind::Raw(kind), start);
                        Ok(())
                    }
                    None => Err(self.error(look, "Syntax error: missing ')' to close the literal")),
                };
            }
        }
        self.push(TokenKind::Ident, start);
        Ok(())
    }

    fn number(&mut self, start: usize) -> Result<(), ParseError> {
        if self.bytes[self.pos] == b'0' && matches!(self.byte_at(1), Some(b'x' | b'X')) {
            self.pos += 2;
            let digits = self.pos;
            while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_hexdigit() {
                self.pos += 1;
            }
            if self.pos == digits {
                return Err(self.error(start, "Syntax error: invalid hexadecimal literal"));
            }
            return self.finish_number(start, TokenKind::Int);
        }
        let mut kind = TokenKind::Int;
        self.digits();
        if self.bytes.get(self.pos) == Some(&b'.') {
            match self.byte_at(1) {
                Some(b) if b.is_ascii_digit() => {
                    kind = TokenKind::Real;
                    self.pos += 1;
                    self.digits();
                }
                // `1.` is a real; `1..2` is a range, `1.x` and `1.['x']` are member access.
                Some(b) if b == b'.' || b == b'_' || b == b'[' || b.is_ascii_alphabetic() => {}
                _ => {
                    kind = TokenKind::Real;
                    self.pos += 1;
                }
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            let mut look = self.pos + 1;
            if matches!(self.bytes.get(look), Some(b'+' | b'-')) {
                look += 1;
            }
            if self.bytes.get(look).is_some_and(|b| b.is_ascii_digit()) {
                kind = TokenKind::Real;
                self.pos = look;
                self.digits();
            }
        }
        self.finish_number(start, kind)
    }

    fn digits(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
    }

    /// A number directly followed by letters is a timespan (`5m`) or an error (`5GB`).
    fn finish_number(&mut self, start: usize, kind: TokenKind) -> Result<(), ParseError> {
        let unit_start = self.pos;
        self.word();
        if self.pos == unit_start {
            self.push(kind, start);
            return Ok(());
        }
        let hex = self.src[start..].starts_with("0x") || self.src[start..].starts_with("0X");
        if !hex && timespan_literal_ticks(&self.src[start..self.pos]).is_some() {
            self.push(TokenKind::Timespan, start);
            return Ok(());
        }
        Err(ParseError::new(
            self.src,
            Span::new(start as u32, self.pos as u32),
            format!(
                "Syntax error: '{}' is not a valid number or timespan literal",
                &self.src[start..self.pos]
            ),
        ))
    }

    /// `"…"` or `'…'` with backslash escapes; `self.pos` is at the quote.
    fn string(&mut self, start: usize) -> Result<(), ParseError> {
        let quote = self.bytes[self.pos];
        self.pos += 1;
        while self.pos < self.bytes.len() {
            match self.bytes[self.pos] {
                b'\\' => self.pos += 2,
                b'\n' => break,
                b if b == quote => {
                    self.pos += 1;
                    self.push(TokenKind::String, start);
                    return Ok(());
                }
                _ => self.pos += 1,
            }
        }
        Err(self.error(start, "Syntax error: unterminated string literal"))
    }

    /// `@"…"`: no escapes, a doubled quote stands for one; `self.pos` is at the quote.
    fn verbatim_string(&mut self, start: usize) -> Result<(), ParseError> {
        let quote = self.bytes[self.pos];
        self.pos += 1;
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            if b == b'\n' {
                break;
            }
            self.pos += 1;
            if b == quote {
                if self.bytes.get(self.pos) == Some(&quote) {
                    self.pos += 1;
                } else {
                    self.push(TokenKind::String, start);
                    return Ok(());
                }
            }
        }
        Err(self.error(start, "Syntax error: unterminated string literal"))
    }

    fn fenced_string(&mut self, start: usize, fence: &str) -> Result<(), ParseError> {
        self.pos += fence.len();
        match self.rest().find(fence) {
            Some(end) => {
                self.pos += end + fence.len();
                self.push(TokenKind::String, start);
                Ok(())
            }
            None => Err(self.error(
                start,
                "Syntax error: unterminated multi-line string literal",
            )),
        }
    }

    fn punct(&mut self, start: usize, c: char) -> Result<(), ParseError> {
        let next = self.byte_at(1);
        let (kind, len) = match (c, next) {
            ('|', _) => (TokenKind::Pipe, 1),
            ('(', _) => (TokenKind::LParen, 1),
            (')', _) => (TokenKind::RParen, 1),
            ('[', _) => (TokenKind::LBracket, 1),
            (']', _) => (TokenKind::RBracket, 1),
            ('{', _) => (TokenKind::LBrace, 1),
            ('}', _) => (TokenKind::RBrace, 1),
            (',', _) => (TokenKind::Comma, 1),
            (';', _) => (TokenKind::Semi, 1),
            ('.', Some(b'.')) => (TokenKind::DotDot, 2),
            ('.', _) => (TokenKind::Dot, 1),
            (':', _) => (TokenKind::Colon, 1),
            ('=', Some(b'=')) => (TokenKind::EqEq, 2),
            ('=', Some(b'~')) => (TokenKind::EqTilde, 2),
            ('=', Some(b'>')) => (TokenKind::Arrow, 2),
            ('=', _) => (TokenKind::Assign, 1),
            ('!', Some(b'=')) => (TokenKind::NotEq, 2),
            ('!', Some(b'~')) => (TokenKind::BangTilde, 2),
            ('!', _) => (TokenKind::Bang, 1),
            ('<', Some(b'=')) => (TokenKind::Le, 2),
            ('<', Some(b'>')) => (TokenKind::LtGt, 2),
            ('<', _) => (TokenKind::Lt, 1),
            ('>', Some(b'=')) => (TokenKind::Ge, 2),
            ('>', _) => (TokenKind::Gt, 1),
            ('+', _) => (TokenKind::Plus, 1),
            ('-', _) => (TokenKind::Minus, 1),
            ('*', _) => (TokenKind::Star, 1),
            ('/', _) => (TokenKind::Slash, 1),
            ('%', _) => (TokenKind::Percent, 1),
            ('~', _) => (TokenKind::Tilde, 1),
            ('?', _) => (TokenKind::Question, 1),
            _ => {
                let shown: String = c.escape_debug().collect();
                return Err(self.error(
                    start,
                    format!("Syntax error: unexpected character '{shown}'"),
                ));
            }
        };
        self.pos += len;
        self.push(kind, start);
        Ok(())
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// Decodes a string token's text (including its quotes and prefix) into its value.
/// Returns an error message for a bad escape sequence.
pub fn decode_string(text: &str) -> Result<String, String> {
    let t = text.strip_prefix(['h', 'H']).unwrap_or(text);
    if let Some(inner) = t.strip_prefix("```").and_then(|s| s.strip_suffix("```")) {
        return Ok(inner.to_string());
    }
    if let Some(inner) = t.strip_prefix("~~~").and_then(|s| s.strip_suffix("~~~")) {
        return Ok(inner.to_string());
    }
    if let Some(v) = t.strip_prefix('@') {
        let quote = v.chars().next().unwrap_or('"');
        let inner = v.get(1..v.len().saturating_sub(1)).unwrap_or("");
        let doubled: String = [quote, quote].iter().collect();
        return Ok(inner.replace(&doubled, &quote.to_string()));
    }
    if t.len() < 2 {
        return Err("malformed string literal".into());
    }
    let inner = &t[1..t.len() - 1];
    if !inner.contains('\\') {
        return Ok(inner.to_string());
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(c @ ('\\' | '"' | '\'' | '?')) => out.push(c),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                match code {
                    Some(ch) if hex.len() == 4 => out.push(ch),
                    _ => return Err(format!("invalid escape sequence '\\u{hex}'")),
                }
            }
            Some('x') => {
                let hex: String = chars
                    .clone()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .take(4)
                    .collect();
                for _ in 0..hex.len() {
                    chars.next();
                }
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => return Err("invalid escape sequence '\\x'".into()),
                }
            }
            Some(other) => return Err(format!("invalid escape sequence '\\{other}'")),
            None => return Err("a string cannot end with a single '\\'".into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        tokenize(src).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn operators_and_punctuation() {
        use TokenKind::*;
        assert_eq!(
            kinds("a =~ b !~ c != d <> e <= f >= g == h => i .. j"),
            vec![
                Ident, EqTilde, Ident, BangTilde, Ident, NotEq, Ident, LtGt, Ident, Le, Ident, Ge,
                Ident, EqEq, Ident, Arrow, Ident, DotDot, Ident, Eof
            ]
        );
    }

    #[test]
    fn numbers_and_timespans() {
        use TokenKind::*;
        assert_eq!(
            kinds("1 1.5 1e3 0x1F 1d 1.5h 10microsecond 1tick 2ms"),
            vec![
                Int, Real, Real, Int, Timespan, Timespan, Timespan, Timespan, Timespan, Eof
            ]
        );
        assert_eq!(kinds("1..10"), vec![Int, DotDot, Int, Eof]);
        assert!(tokenize("10GB").is_err());
        assert_eq!(kinds("1d2h 1."), vec![Timespan, Real, Eof]);
        assert_eq!(timespan_literal_ticks("1d2h"), Some(26 * 36_000_000_000));
    }

    #[test]
    fn string_forms() {
        use TokenKind::*;
        assert_eq!(
            kinds(
                r#""a\"b" 'c' @"c:\x" h"secret" H@'x''y' ```multi
line```"#
            ),
            vec![String, String, String, String, String, String, Eof]
        );
        assert!(tokenize("\"open").is_err());
        assert!(tokenize("@\"open").is_err());
    }

    #[test]
    fn decodes_escapes() {
        assert_eq!(decode_string(r#""a\"b\\c\n""#).unwrap(), "a\"b\\c\n");
        assert_eq!(decode_string(r#"@"c:\temp""x""#).unwrap(), "c:\\temp\"x");
        assert_eq!(decode_string(r#"h'x'"#).unwrap(), "x");
        assert_eq!(decode_string(r#""\u0041""#).unwrap(), "A");
        assert!(decode_string(r#""\q""#).is_err());
    }

    #[test]
    fn raw_literals_and_comments() {
        use TokenKind::*;
        assert_eq!(
            kinds(
                "datetime(2020-01-01 10:00) // note\n guid(74be27de-1e4e-49d9-b579-fe0b331d3642) timespan(1.02:03:04)"
            ),
            vec![
                Raw(RawKind::DateTime),
                Raw(RawKind::Guid),
                Raw(RawKind::Timespan),
                Eof
            ]
        );
        assert_eq!(
            kinds("datetime_diff(a)"),
            vec![Ident, LParen, Ident, RParen, Eof]
        );
    }

    #[test]
    fn dollar_names() {
        let t = tokenize("$left.x").unwrap();
        assert_eq!(t[0].kind, TokenKind::Ident);
        assert_eq!(t[0].span.len(), 5);
    }

    #[test]
    fn rejects_stray_characters() {
        assert!(tokenize("a # b").is_err());
        assert!(tokenize("a @ b").is_err());
    }
}
