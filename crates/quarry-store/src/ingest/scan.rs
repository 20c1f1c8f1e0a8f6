//! A strict, single-pass JSON scanner for ingest.
//!
//! Ingest needs a record's values as their exact text, plus a few facts about each one
//! (kind, whether a string has escapes, whether nested JSON is already compact), and
//! nothing else: no tree, no allocation per value. serde_json with `RawValue` gave the
//! text but not the facts, so every string was scanned again for escapes and every object
//! for whitespace. This scanner validates what serde_json validates (RFC 8259 grammar,
//! escapes, control characters, a nesting limit) in one pass and hands out those facts.
//! Error messages stay serde_json's: on the rare malformed input, callers ask serde_json
//! why (see `json::malformed`).

use std::borrow::Cow;

/// The input is not well-formed JSON. Where and why is left to serde_json (error path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Nesting deeper than serde_json's default recursion limit is malformed, as it is there.
const MAX_DEPTH: usize = 128;

/// One JSON value: its exact text and what coercion needs to know about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Value<'a> {
    /// The value's text, quotes included for a string.
    pub raw: &'a str,
    pub kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Null,
    Bool(bool),
    Number,
    /// `escaped`: the text between the quotes has backslash escapes.
    Str {
        escaped: bool,
    },
    /// `compact`: no whitespace outside strings, so the text is already canonical.
    Object {
        compact: bool,
    },
    Array {
        compact: bool,
    },
}

impl Kind {
    /// "a string", "an object", …: for rejection reasons.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool(_) => "a bool",
            Kind::Number => "a number",
            Kind::Str { .. } => "a string",
            Kind::Object { .. } => "an object",
            Kind::Array { .. } => "an array",
        }
    }
}

impl<'a> Value<'a> {
    /// A string value's text, unescaped (borrowed when it has no escapes); None when the
    /// value is not a string.
    pub fn string(&self) -> Option<Result<Cow<'a, str>, String>> {
        match self.kind {
            Kind::Str { escaped } => {
                let inner = self
                    .raw
                    .get(1..self.raw.len().saturating_sub(1))
                    .unwrap_or("");
                Some(if escaped {
                    unescape(inner).map(Cow::Owned)
                } else {
                    Ok(Cow::Borrowed(inner))
                })
            }
            _ => None,
        }
    }
}

pub struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Skips whitespace; returns whether there was any.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
        self.pos != start
    }

    /// The next byte after whitespace, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes().get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> Result<(), Malformed> {
        if self.bytes().get(self.pos) == Some(&byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    fn slice(&self, start: usize) -> Result<&'a str, Malformed> {
        self.text.get(start..self.pos).ok_or(Malformed)
    }

    /// Only whitespace is left.
    pub fn end(&mut self) -> Result<(), Malformed> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Malformed),
        }
    }

    /// Reads the next value whole.
    pub fn value(&mut self) -> Result<Value<'a>, Malformed> {
        self.value_at(0)
    }

    fn value_at(&mut self, depth: usize) -> Result<Value<'a>, Malformed> {
        let first = self.peek().ok_or(Malformed)?;
        let start = self.pos;
        let kind = match first {
            b'"' => Kind::Str {
                escaped: self.string_end()?,
            },
            b'{' | b'[' => {
                let compact = self.nested(depth + 1)?;
                if first == b'{' {
                    Kind::Object { compact }
                } else {
                    Kind::Array { compact }
                }
            }
            b't' => self.literal(b"true", Kind::Bool(true))?,
            b'f' => self.literal(b"false", Kind::Bool(false))?,
            b'n' => self.literal(b"null", Kind::Null)?,
            b'-' | b'0'..=b'9' => {
                self.number()?;
                Kind::Number
            }
            _ => return Err(Malformed),
        };
        Ok(Value {
            raw: self.slice(start)?,
            kind,
        })
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Result<Kind, Malformed> {
        if self.bytes()[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(Malformed)
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), Malformed> {
        let b = self.bytes();
        let mut i = self.pos;
        let digits = |i: &mut usize| {
            let start = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > start
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                digits(&mut i);
            }
            _ => return Err(Malformed),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                return Err(Malformed);
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            if !digits(&mut i) {
                return Err(Malformed);
            }
        }
        self.pos = i;
        Ok(())
    }

    /// From an opening quote to just past its closing quote; returns whether the string
    /// has escapes. Eight bytes are tested at a time for a quote, a backslash or a control
    /// character (strings are most of the input).
    fn string_end(&mut self) -> Result<bool, Malformed> {
        let b = self.bytes();
        let mut i = self.pos + 1;
        let mut escaped = false;
        loop {
            while let Some(word) = b.get(i..i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                let found = special_bytes(u64::from_le_bytes(w));
                if found != 0 {
                    i += (found.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            match b.get(i) {
                None => return Err(Malformed),
                Some(b'"') => {
                    self.pos = i + 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    i = escape_end(b, i + 1)?;
                }
                Some(&c) if c < 0x20 => return Err(Malformed),
                Some(_) => i += 1,
            }
        }
    }

    /// An object or array, validated; returns whether it is compact.
    fn nested(&mut self, depth: usize) -> Result<bool, Malformed> {
        if depth > MAX_DEPTH {
            return Err(Malformed);
        }
        let mut compact = true;
        let mut first = true;
        if self.bytes().get(self.pos) == Some(&b'{') {
            self.pos += 1;
            loop {
                compact &= !self.skip_ws();
                if !self.next_member(&mut first)? {
                    break;
                }
                compact &= !self.skip_ws();
                if self.bytes().get(self.pos) != Some(&b'"') {
                    return Err(Malformed);
                }
                self.string_end()?;
                compact &= !self.skip_ws();
                self.eat(b':')?;
                compact &= !self.skip_ws();
                compact &= self.nested_value(depth)?;
            }
        } else {
            self.eat(b'[')?;
            loop {
                compact &= !self.skip_ws();
                if !self.next_element(&mut first)? {
                    break;
                }
                compact &= !self.skip_ws();
                compact &= self.nested_value(depth)?;
            }
        }
        Ok(compact)
    }

    fn nested_value(&mut self, depth: usize) -> Result<bool, Malformed> {
        Ok(match self.value_at(depth)?.kind {
            Kind::Object { compact } | Kind::Array { compact } => compact,
            _ => true,
        })
    }

    /// After `{` or a member: true when another member follows (its `,` consumed).
    fn next_member(&mut self, first: &mut bool) -> Result<bool, Malformed> {
        self.next_item(first, b'}')
    }

    /// After `[` or an element: true when another element follows (its `,` consumed).
    fn next_element(&mut self, first: &mut bool) -> Result<bool, Malformed> {
        self.next_item(first, b']')
    }

    fn next_item(&mut self, first: &mut bool, close: u8) -> Result<bool, Malformed> {
        let next = self.bytes().get(self.pos).copied();
        if next == Some(close) {
            self.pos += 1;
            return Ok(false);
        }
        if !std::mem::replace(first, false) {
            self.eat(b',')?;
        }
        Ok(true)
    }

    /// Consumes `{` (the caller has peeked it).
    pub fn object_start(&mut self) -> Result<(), Malformed> {
        self.skip_ws();
        self.eat(b'{')
    }

    /// Consumes `[`.
    pub fn array_start(&mut self) -> Result<(), Malformed> {
        self.skip_ws();
        self.eat(b'[')
    }

    /// The next member's key (its `:` consumed), or None at the object's end.
    pub fn next_key(&mut self, first: &mut bool) -> Result<Option<Cow<'a, str>>, Malformed> {
        self.skip_ws();
        if !self.next_member(first)? {
            return Ok(None);
        }
        if self.peek() != Some(b'"') {
            return Err(Malformed);
        }
        let start = self.pos;
        let escaped = self.string_end()?;
        let key = Value {
            raw: self.slice(start)?,
            kind: Kind::Str { escaped },
        };
        self.skip_ws();
        self.eat(b':')?;
        match key.string() {
            Some(Ok(k)) => Ok(Some(k)),
            _ => Err(Malformed),
        }
    }

    /// Whether another array element follows (its `,` consumed).
    pub fn has_element(&mut self, first: &mut bool) -> Result<bool, Malformed> {
        self.skip_ws();
        if !self.next_element(first)? {
            return Ok(false);
        }
        // `[1,]` is malformed: an element must follow the comma.
        match self.peek() {
            Some(b']') | None => Err(Malformed),
            Some(_) => Ok(true),
        }
    }
}

/// A mask with the high bit set in (at least) the lowest byte of `w` that is a quote, a
/// backslash or below 0x20. The classic "has zero byte" test: its false positives only
/// sit above a true match, so the lowest flagged byte is exact.
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let quote = zero_byte(w ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(w ^ (ONES * u64::from(b'\\')));
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    quote | backslash | control
}

/// Just past the escape whose letter is at `i` (after the backslash).
fn escape_end(b: &[u8], i: usize) -> Result<usize, Malformed> {
    match b.get(i) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(i + 1),
        Some(b'u') => match b.get(i + 1..i + 5) {
            Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(i + 5),
            _ => Err(Malformed),
        },
        _ => Err(Malformed),
    }
}

/// The value of a JSON string's inner text (escapes already validated by the scanner,
/// checked again here since callers may pass any text).
pub fn unescape(inner: &str) -> Result<String, String> {
    let bad = || {
        format!(
            "invalid escape in '{}'",
            inner.chars().take(60).collect::<String>()
        )
    };
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(i) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(rest.get(..i).ok_or_else(bad)?);
        let letter = rest.as_bytes().get(i + 1).copied().ok_or_else(bad)?;
        let mut used = 2;
        match letter {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let hex4 = |at: usize| {
                    rest.get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let high = hex4(i + 2).ok_or_else(bad)?;
                used = 6;
                let c = if (0xD800..0xDC00).contains(&high) {
                    match (rest.get(i + 6..i + 8), hex4(i + 8)) {
                        (Some("\\u"), Some(low)) if (0xDC00..0xE000).contains(&low) => {
                            used = 12;
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(high)
                };
                out.push(c.ok_or_else(|| "lone surrogate in a \\u escape".to_string())?);
            }
            _ => return Err(bad()),
        }
        rest = rest.get(i + used..).ok_or_else(bad)?;
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn whole(text: &str) -> Result<Value<'_>, Malformed> {
        let mut s = Scanner::new(text);
        let v = s.value()?;
        s.end()?;
        Ok(v)
    }

    fn serde_accepts(text: &str) -> bool {
        serde_json::from_str::<&serde_json::value::RawValue>(text).is_ok()
    }

    #[test]
    fn kinds_and_facts() {
        let k = |t: &str| whole(t).map(|v| v.kind);
        assert_eq!(k(" null "), Ok(Kind::Null));
        assert_eq!(k("true"), Ok(Kind::Bool(true)));
        assert_eq!(k("-0.5e+3"), Ok(Kind::Number));
        assert_eq!(k(r#""plain""#), Ok(Kind::Str { escaped: false }));
        assert_eq!(k(r#""C:\\Windows""#), Ok(Kind::Str { escaped: true }));
        assert_eq!(
            k(r#"{"a":[1,{"b":null}]}"#),
            Ok(Kind::Object { compact: true })
        );
        assert_eq!(k(r#"{"a": 1}"#), Ok(Kind::Object { compact: false }));
        assert_eq!(k(r#"[1,[2, 3]]"#), Ok(Kind::Array { compact: false }));
        assert_eq!(k(r#"{"a b":"c d"}"#), Ok(Kind::Object { compact: true }));
        assert_eq!(whole(r#"  "x"  "#).map(|v| v.raw), Ok(r#""x""#));
    }

    #[test]
    fn rejects_what_serde_json_rejects() {
        for bad in [
            "",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "truex",
            "[1,]",
            "[,1]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":}",
            "\"\\x\"",
            "\"\\u12g4\"",
            "\"tab\there\"",
            "\"open",
            "[1 2]",
            "{\"a\":1 \"b\":2}",
            "[",
            "{",
            "1 2",
            "\"a\"\"b\"",
            "[]]",
            "{}}",
            "NaN",
        ] {
            assert!(!serde_accepts(bad), "serde accepts {bad:?}");
            assert_eq!(whole(bad).map(|_| ()), Err(Malformed), "{bad:?}");
        }
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(whole(&deep).is_err());
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(whole(&fine).is_ok());
    }

    #[test]
    fn unescapes_like_serde_json() {
        for text in [
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\u4e2d\ud83d\ude00""#,
            r#""C:\\Windows\\System32\\cmd.exe""#,
        ] {
            let v = whole(text).expect("well-formed");
            let ours = v.string().expect("a string").expect("unescapes");
            let theirs: String = serde_json::from_str(text).expect("serde");
            assert_eq!(ours, theirs);
        }
        assert!(unescape(r"\ud800").is_err());
        assert!(unescape(r"\udc00x").is_err());
    }

    #[test]
    fn keys_and_elements() {
        let mut s = Scanner::new(r#" { "a" : [1, "x"], "k\u0062" : {} } "#);
        s.object_start().expect("{");
        let mut first = true;
        assert_eq!(s.next_key(&mut first), Ok(Some(Cow::Borrowed("a"))));
        s.array_start().expect("[");
        let mut el = true;
        assert_eq!(s.has_element(&mut el), Ok(true));
        assert_eq!(s.value().map(|v| v.raw), Ok("1"));
        assert_eq!(s.has_element(&mut el), Ok(true));
        assert_eq!(s.value().map(|v| v.raw), Ok("\"x\""));
        assert_eq!(s.has_element(&mut el), Ok(false));
        assert_eq!(s.next_key(&mut first), Ok(Some(Cow::Owned("kb".into()))));
        assert_eq!(s.value().map(|v| v.raw), Ok("{}"));
        assert_eq!(s.next_key(&mut first), Ok(None));
        assert_eq!(s.end(), Ok(()));
    }

    proptest! {
        /// Same verdict as serde_json on text drawn from JSON's own alphabet.
        #[test]
        fn agrees_with_serde_json(text in r#"[\[\]{}":, 0-9.eE+\-tfrulnsaxb\\/\x01]{0,24}"#) {
            prop_assert_eq!(whole(&text).is_ok(), serde_accepts(&text), "{:?}", text);
        }

        /// Every string serde_json writes reads back to the same value.
        #[test]
        fn round_trips_serde_strings(s in "\\PC{0,40}") {
            let text = serde_json::to_string(&s).expect("serializes");
            let v = whole(&text).expect("well-formed");
            let back = v.string().expect("a string").expect("unescapes");
            prop_assert_eq!(back.as_ref(), s.as_str());
        }
    }
}
