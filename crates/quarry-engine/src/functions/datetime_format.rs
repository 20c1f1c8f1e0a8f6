//! `format_datetime()` and `format_timespan()`: .NET-style custom format strings as
//! Kusto documents them (`yyyy-MM-dd HH:mm:ss.fffffff`, `tt`, `d.hh:mm`). A run of one
//! specifier letter is one element; every other character is copied as is, and `\x`
//! copies `x`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::ScalarUDF;
use kql_syntax::time::civil_from_days;

use super::array_udf::{array_udf, i64s};

const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// One element of a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Element {
    /// A specifier letter and how many times it repeats.
    Spec(char, usize),
    Literal(String),
}

fn tokenize(format: &str, letters: &str) -> Vec<Element> {
    let mut out = Vec::new();
    let mut chars = format.chars().peekable();
    let mut literal = String::new();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                literal.push(next);
            }
        } else if letters.contains(c) {
            let mut n = 1;
            while chars.peek() == Some(&c) {
                chars.next();
                n += 1;
            }
            if !literal.is_empty() {
                out.push(Element::Literal(std::mem::take(&mut literal)));
            }
            out.push(Element::Spec(c, n));
        } else {
            literal.push(c);
        }
    }
    if !literal.is_empty() {
        out.push(Element::Literal(literal));
    }
    out
}

/// The first `n` digits of a seven-digit tick fraction; with `trim` (the `F` forms),
/// trailing zeros go and an all-zero fraction prints nothing.
fn fraction(out: &mut String, frac_ticks: i64, n: usize, trim: bool) {
    let digits = format!("{frac_ticks:07}");
    let shown = &digits[..n.min(7)];
    if trim {
        out.push_str(shown.trim_end_matches('0'));
    } else {
        out.push_str(shown);
    }
}

fn padded(out: &mut String, v: i64, width: usize) {
    out.push_str(&format!("{v:0width$}"));
}

/// Formats datetime `ticks` (100 ns since the epoch) with a parsed format.
fn format_datetime_with(ticks: i64, format: &[Element]) -> String {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let rem = ticks.rem_euclid(TICKS_PER_DAY);
    let (y, mo, d) = civil_from_days(days);
    let secs = rem / TICKS_PER_SECOND;
    let frac = rem % TICKS_PER_SECOND;
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for el in format {
        match el {
            Element::Literal(text) => out.push_str(text),
            Element::Spec(c, n) => match (c, n) {
                ('d', 1 | 2) => padded(&mut out, d as i64, *n),
                ('d', 3) => out.push_str(&DAYS[(days + 4).rem_euclid(7) as usize][..3]),
                ('d', _) => out.push_str(DAYS[(days + 4).rem_euclid(7) as usize]),
                ('f', _) => fraction(&mut out, frac, *n, false),
                ('F', _) => fraction(&mut out, frac, *n, true),
                ('h', _) => padded(&mut out, (h + 11) % 12 + 1, (*n).min(2)),
                ('H', _) => padded(&mut out, h, (*n).min(2)),
                ('m', _) => padded(&mut out, mi, (*n).min(2)),
                ('M', 1 | 2) => padded(&mut out, mo as i64, *n),
                ('M', 3) => out.push_str(&MONTHS[mo as usize - 1][..3]),
                ('M', _) => out.push_str(MONTHS[mo as usize - 1]),
                ('s', _) => padded(&mut out, s, (*n).min(2)),
                ('y', 1) => out.push_str(&(y % 100).to_string()),
                ('y', 2) => padded(&mut out, y % 100, 2),
                ('y', _) => padded(&mut out, y, *n),
                ('t', 1) => out.push(if h < 12 { 'A' } else { 'P' }),
                ('t', _) => out.push_str(if h < 12 { "AM" } else { "PM" }),
                (other, n) => out.extend(std::iter::repeat_n(*other, *n)),
            },
        }
    }
    out
}

/// Formats timespan `ticks` with a parsed format. Elements print the magnitude: .NET's
/// custom timespan formats carry no sign.
fn format_timespan_with(ticks: i64, format: &[Element]) -> String {
    let t = ticks.unsigned_abs() as i128;
    let tps = TICKS_PER_SECOND as i128;
    let days = t / (TICKS_PER_DAY as i128);
    let secs = t / tps;
    let frac = (t % tps) as i64;
    let (h, mi, s) = (
        (secs / 3600 % 24) as i64,
        (secs / 60 % 60) as i64,
        (secs % 60) as i64,
    );
    let mut out = String::new();
    for el in format {
        match el {
            Element::Literal(text) => out.push_str(text),
            Element::Spec(c, n) => match c {
                'd' => out.push_str(&format!("{days:0n$}")),
                'f' => fraction(&mut out, frac, *n, false),
                'F' => fraction(&mut out, frac, *n, true),
                'h' | 'H' => padded(&mut out, h, (*n).min(2)),
                'm' => padded(&mut out, mi, (*n).min(2)),
                's' => padded(&mut out, s, (*n).min(2)),
                other => out.extend(std::iter::repeat_n(*other, *n)),
            },
        }
    }
    out
}

fn format_kernel(args: &[ArrayRef], datetime: bool) -> DfResult<ArrayRef> {
    let ns = i64s(&args[0])?;
    let formats = cast(&args[1], &DataType::Utf8)?;
    let formats = formats.as_string::<i32>();
    let letters = if datetime { "dfFhHmMsyt" } else { "dfFhHms" };
    let mut out = StringBuilder::with_capacity(ns.len(), ns.len() * 16);
    // The format is almost always a constant: parse it once per distinct text.
    let mut cached: Option<(String, Vec<Element>)> = None;
    for i in 0..ns.len() {
        if ns.is_null(i) || formats.is_null(i) {
            out.append_value("");
            continue;
        }
        let text = formats.value(i);
        if cached.as_ref().is_none_or(|(t, _)| t != text) {
            cached = Some((text.to_string(), tokenize(text, letters)));
        }
        let elements = cached.as_ref().map(|(_, e)| e.as_slice()).unwrap_or(&[]);
        let ticks = ns.value(i).div_euclid(100);
        out.append_value(if datetime {
            format_datetime_with(ticks, elements)
        } else {
            format_timespan_with(ticks, elements)
        });
    }
    Ok(Arc::new(out.finish()))
}

/// `format_datetime(datetime, format)` → string (empty for a null datetime).
pub fn format_datetime_udf() -> Arc<ScalarUDF> {
    array_udf("kql_format_datetime", 2, DataType::Utf8, |a| {
        format_kernel(a, true)
    })
}

/// `format_timespan(timespan, format)` → string (empty for a null timespan).
pub fn format_timespan_udf() -> Arc<ScalarUDF> {
    array_udf("kql_format_timespan", 2, DataType::Utf8, |a| {
        format_kernel(a, false)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_syntax::time::days_from_civil;

    fn dt(format: &str, ticks: i64) -> String {
        format_datetime_with(ticks, &tokenize(format, "dfFhHmMsyt"))
    }

    fn ts(format: &str, ticks: i64) -> String {
        format_timespan_with(ticks, &tokenize(format, "dfFhHms"))
    }

    #[test]
    fn datetime_elements() {
        // 2015-03-07 14:05:09.0250000
        let t = days_from_civil(2015, 3, 7) * TICKS_PER_DAY
            + (14 * 3600 + 5 * 60 + 9) * TICKS_PER_SECOND
            + 250_000;
        assert_eq!(dt("yyyy-MM-dd HH:mm:ss.fff", t), "2015-03-07 14:05:09.025");
        assert_eq!(dt("y/M/d h:m:s tt", t), "15/3/7 2:5:9 PM");
        assert_eq!(dt("yy.FFFFFFF|ff|F", t), "15.025|02|");
        assert_eq!(dt("ddd MMM \\y", t), "Sat Mar y");
    }

    #[test]
    fn timespan_elements() {
        let t = ((15 * 86_400 + 13 * 3600 + 45 * 60 + 30) * TICKS_PER_SECOND) + 6_170_000;
        assert_eq!(ts("d.hh:mm:ss.fff", t), "15.13:45:30.617");
        assert_eq!(ts("ddd-HH-FFFF", t), "015-13-617");
        assert_eq!(ts("hh:mm", -t), "13:45");
    }
}
