//! Hand-rolled JSON output into a byte buffer: string escaping, integers, Kusto datetimes.

use kql_syntax::time::{TICKS_PER_DAY, TICKS_PER_SECOND, civil_from_days};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether a byte needs escaping inside a JSON string.
const fn needs_escape_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
}
static NEEDS_ESCAPE: [bool; 256] = needs_escape_table();

/// Writes `s` as a quoted JSON string.
#[inline]
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    write_str_body(out, s);
    out.push(b'"');
}

/// Writes the escaped contents of `s` without quotes.
pub fn write_str_body(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !NEEDS_ESCAPE[b as usize] {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 0xf) as usize]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Writes a signed integer.
#[inline]
pub fn write_i64(out: &mut Vec<u8>, v: i64) {
    let mut buf = [0u8; 20];
    let mut n = v.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[i..]);
}

/// Writes a float; non-finite values become `null` (JSON has no NaN).
pub fn write_f64(out: &mut Vec<u8>, v: f64) {
    use std::io::Write;
    if v.is_finite() {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{v}");
    } else {
        out.extend_from_slice(b"null");
    }
}

#[inline]
fn two(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

/// `2020-08-30T06:38:35.7664356Z` without quotes (the form of `format_datetime`).
pub fn write_datetime_body(out: &mut Vec<u8>, ticks: i64) {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let rem = ticks.rem_euclid(TICKS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = (rem / TICKS_PER_SECOND) as u32;
    let frac = (rem % TICKS_PER_SECOND) as u32;
    let y = y.clamp(0, 9999) as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push(b'-');
    two(out, m);
    out.push(b'-');
    two(out, d);
    out.push(b'T');
    two(out, secs / 3600);
    out.push(b':');
    two(out, secs / 60 % 60);
    out.push(b':');
    two(out, secs % 60);
    out.push(b'.');
    let mut digits = [b'0'; 7];
    let mut f = frac;
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (f % 10) as u8;
        f /= 10;
    }
    out.extend_from_slice(&digits);
    out.push(b'Z');
}

/// A quoted datetime.
#[inline]
pub fn write_datetime(out: &mut Vec<u8>, ticks: i64) {
    out.push(b'"');
    write_datetime_body(out, ticks);
    out.push(b'"');
}

/// Appends the escaped body of `s` to a `String` (for building JSON text in columns).
pub fn push_escaped(buf: &mut String, s: &str) {
    if !s.bytes().any(|b| NEEDS_ESCAPE[b as usize]) {
        buf.push_str(s);
        return;
    }
    let mut tmp = Vec::with_capacity(s.len() + 8);
    write_str_body(&mut tmp, s);
    // Escaping only inserts ASCII into valid UTF-8 at character boundaries.
    buf.push_str(&String::from_utf8_lossy(&tmp));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_matches_the_syntax_crate() {
        for ticks in [0i64, 15_987_671_157_664_356, 17_000_000_000_000_001] {
            let mut out = Vec::new();
            write_datetime_body(&mut out, ticks);
            assert_eq!(
                String::from_utf8(out).unwrap_or_default(),
                kql_syntax::time::format_datetime(ticks)
            );
        }
    }

    #[test]
    fn escapes() {
        let mut out = Vec::new();
        write_str(&mut out, "a\"b\\c\nd\u{1}é");
        assert_eq!(
            String::from_utf8(out).unwrap_or_default(),
            "\"a\\\"b\\\\c\\nd\\u0001é\""
        );
        let mut out = Vec::new();
        write_i64(&mut out, i64::MIN);
        write_i64(&mut out, 0);
        assert_eq!(out, b"-92233720368547758080");
    }
}
