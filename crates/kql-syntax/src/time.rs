//! Datetime and timespan text in the forms Kusto reads and writes, on 100 ns ticks.
//!
//! Lives in the syntax crate because literals are decoded at parse time; the engine
//! reuses the same functions for `todatetime()`, `totimespan()` and result formatting.

pub const TICKS_PER_SECOND: i64 = 10_000_000;
pub const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01: (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// `2020-08-30T06:38:35.7664356Z`: the API's form, always seven fraction digits.
pub fn format_datetime(ticks: i64) -> String {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let rem = ticks.rem_euclid(TICKS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rem / TICKS_PER_SECOND;
    let frac = rem % TICKS_PER_SECOND;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:07}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// .NET's constant format: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan(ticks: i64) -> String {
    let neg = ticks < 0;
    let t = ticks.unsigned_abs();
    let tps = TICKS_PER_SECOND as u64;
    let days = t / (TICKS_PER_DAY as u64);
    let secs = t / tps % 86_400;
    let frac = t % tps;
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if days > 0 {
        s.push_str(&format!("{days}."));
    }
    s.push_str(&format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ));
    if frac > 0 {
        s.push_str(&format!(".{frac:07}"));
    }
    s
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn number(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        while self.i < self.s.len() && self.i - start < max && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i - start < min {
            return None;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .parse()
            .ok()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    /// `.fffffff`: up to 7 digits count, more are truncated.
    fn fraction_ticks(&mut self) -> Option<i64> {
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        let digits = &self.s[start..self.i];
        let mut ticks = 0i64;
        for k in 0..7 {
            ticks = ticks * 10 + digits.get(k).map(|d| (d - b'0') as i64).unwrap_or(0);
        }
        Some(ticks)
    }

    fn done(&self) -> bool {
        self.i == self.s.len()
    }
}

fn time_of_day(c: &mut Cursor) -> Option<i64> {
    let h = c.number(1, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.number(2, 2)?;
    let mut se = 0;
    let mut frac = 0;
    if c.eat(b':') {
        se = c.number(2, 2)?;
        if c.eat(b'.') {
            frac = c.fraction_ticks()?;
        }
    }
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    Some((h * 3600 + mi * 60 + se) * TICKS_PER_SECOND + frac)
}

/// Timezone suffix: `Z`, `GMT`, `UTC`, `+hh:mm`, `-hhmm`. Returns the offset in ticks.
fn zone(c: &mut Cursor) -> Option<i64> {
    c.skip_spaces();
    let rest = &c.s[c.i..];
    for name in [&b"Z"[..], b"z", b"GMT", b"UTC"] {
        if rest == name {
            c.i = c.s.len();
            return Some(0);
        }
    }
    let sign = match c.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        None => return Some(0),
        _ => return None,
    };
    c.i += 1;
    let h = c.number(2, 2)?;
    c.eat(b':');
    let m = c.number(2, 2)?;
    Some(sign * (h * 3600 + m * 60) * TICKS_PER_SECOND)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses the text of `datetime(...)` or a string given to `todatetime()`: ISO 8601
/// (`2014-05-25T08:20:03.123456Z`, `2014-05-25 08:20`, `2014-05-25`) and RFC 822/1123
/// (`Sat, 8 Nov 2014 15:05:02 GMT`). Returns ticks since the Unix epoch.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = t
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(t)
        .trim();
    parse_iso_utc(t.as_bytes())
        .or_else(|| parse_iso(t))
        .or_else(|| parse_rfc(t))
        .or_else(|| parse_us(t))
}

/// The shape Defender and Kusto write, `yyyy-MM-ddTHH:mm:ss[.fffffff]Z`, read by position
/// (every ingested event has two or three). Anything else, or out of range, is None and
/// left to [`parse_iso`], which reads the same shape to the same ticks.
fn parse_iso_utc(b: &[u8]) -> Option<i64> {
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[b.len() - 1] != b'Z'
    {
        return None;
    }
    let two = |i: usize| {
        let (hi, lo) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        (hi < 10 && lo < 10).then_some(u32::from(hi) * 10 + u32::from(lo))
    };
    let y = i64::from(two(0)? * 100 + two(2)?);
    let (m, d) = (two(5)?, two(8)?);
    let (h, mi, se) = (two(11)?, two(14)?, two(17)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let mut frac = 0i64;
    if b.len() > 20 {
        let digits = &b[20..b.len() - 1];
        if b[19] != b'.' || digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for k in 0..7 {
            frac = frac * 10 + digits.get(k).map_or(0, |d| i64::from(d - b'0'));
        }
    }
    let seconds = i64::from(h * 3600 + mi * 60 + se);
    Some(days_from_civil(y, m, d) * TICKS_PER_DAY + seconds * TICKS_PER_SECOND + frac)
}

/// The text of a `datetime(...)` literal: every form of [`parse_datetime`], plus the
/// forms the literal alone accepts: date parts written apart (`2017 - 08 - 01`, which
/// Kusto's tokenizer reads as one date) and `y, M, d[, H, m, s]` components.
pub fn parse_datetime_literal(text: &str) -> Option<i64> {
    if let Some(ticks) = parse_datetime(text) {
        return Some(ticks);
    }
    if text.contains(',') {
        let parts: Vec<i64> = text
            .split(',')
            .map(|p| p.trim().parse::<i64>().ok())
            .collect::<Option<_>>()?;
        let [y, mo, d, rest @ ..] = parts.as_slice() else {
            return None;
        };
        let (mo, d) = (u32::try_from(*mo).ok()?, u32::try_from(*d).ok()?);
        if rest.len() > 3 || !(1..=12).contains(&mo) || d == 0 || d > days_in_month(*y, mo) {
            return None;
        }
        let limits = [24, 60, 60];
        let mut ticks = days_from_civil(*y, mo, d) * TICKS_PER_DAY;
        let units = [
            3600 * TICKS_PER_SECOND,
            60 * TICKS_PER_SECOND,
            TICKS_PER_SECOND,
        ];
        for ((v, limit), unit) in rest.iter().zip(limits).zip(units) {
            if !(0..limit).contains(v) {
                return None;
            }
            ticks += v * unit;
        }
        return Some(ticks);
    }
    let joined: String = text
        .split(" - ")
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("-");
    (joined != text).then(|| parse_datetime(&joined)).flatten()
}

/// `MM/dd/yyyy [HH:mm[:ss[.fffffff]]]` (or with `-`): the invariant culture's date
/// order, which Kusto's `todatetime()` and `datetime()` read as well.
fn parse_us(t: &str) -> Option<i64> {
    let mut c = Cursor {
        s: t.as_bytes(),
        i: 0,
    };
    let m = c.number(1, 2)? as u32;
    let sep = c.peek()?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    c.i += 1;
    let d = c.number(1, 2)? as u32;
    if !c.eat(sep) {
        return None;
    }
    let y = c.number(4, 4)?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let mut ticks = days_from_civil(y, m, d) * TICKS_PER_DAY;
    if c.done() {
        return Some(ticks);
    }
    if !c.eat(b' ') {
        return None;
    }
    c.skip_spaces();
    ticks += time_of_day(&mut c)?;
    let offset = zone(&mut c)?;
    c.done().then_some(ticks - offset)
}

fn parse_iso(t: &str) -> Option<i64> {
    let mut c = Cursor {
        s: t.as_bytes(),
        i: 0,
    };
    let y = c.number(4, 4)?;
    let sep = c.peek()?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    c.i += 1;
    let m = c.number(1, 2)? as u32;
    if !c.eat(sep) {
        return None;
    }
    let d = c.number(1, 2)? as u32;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let mut ticks = days_from_civil(y, m, d) * TICKS_PER_DAY;
    if c.done() {
        return Some(ticks);
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    c.skip_spaces();
    ticks += time_of_day(&mut c)?;
    let offset = zone(&mut c)?;
    c.done().then_some(ticks - offset)
}

fn parse_rfc(t: &str) -> Option<i64> {
    let t = match t.find(',') {
        Some(i) => t[i + 1..].trim_start(),
        None => t,
    };
    let mut parts = t.split_whitespace();
    let d: u32 = parts.next()?.parse().ok()?;
    let mon = parts.next()?.to_ascii_lowercase();
    let m = MONTHS.iter().position(|x| mon.starts_with(x))? as u32 + 1;
    let ys = parts.next()?;
    let mut y: i64 = ys.parse().ok()?;
    if ys.len() == 2 {
        y += if y < 50 { 2000 } else { 1900 };
    }
    if d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let mut ticks = days_from_civil(y, m, d) * TICKS_PER_DAY;
    if let Some(time) = parts.next() {
        let mut c = Cursor {
            s: time.as_bytes(),
            i: 0,
        };
        ticks += time_of_day(&mut c)?;
        if !c.done() {
            return None;
        }
    }
    let rest: Vec<&str> = parts.collect();
    let offset = if rest.is_empty() {
        0
    } else {
        let z = rest.join("");
        let mut c = Cursor {
            s: z.as_bytes(),
            i: 0,
        };
        let o = zone(&mut c)?;
        if !c.done() {
            return None;
        }
        o
    };
    Some(ticks - offset)
}

/// Parses the text of `timespan(...)`: `1.02:03:04.5`, `00:10:00`, `1d`, `-30m`, or a
/// bare number of days. Returns ticks.
pub fn parse_timespan(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let ticks = if t.contains(':') {
        let mut c = Cursor {
            s: t.as_bytes(),
            i: 0,
        };
        let first = c.number(1, 9)?;
        let (days, hours) = if c.eat(b'.') {
            (first, c.number(1, 2)?)
        } else {
            (0, first)
        };
        if !c.eat(b':') {
            return None;
        }
        let mi = c.number(1, 2)?;
        let mut se = 0;
        let mut frac = 0;
        if c.eat(b':') {
            se = c.number(1, 2)?;
            if c.eat(b'.') {
                frac = c.fraction_ticks()?;
            }
        }
        if !c.done() || mi > 59 || se > 59 || (days > 0 && hours > 23) {
            return None;
        }
        ((days * 24 + hours) * 3600 + mi * 60 + se)
            .checked_mul(TICKS_PER_SECOND)?
            .checked_add(frac)?
    } else {
        let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let unit_ticks = if unit.is_empty() {
            TICKS_PER_DAY
        } else {
            crate::lexer::timespan_unit_ticks(unit)?
        };
        scale_ticks(num, unit_ticks)?
    };
    Some(if neg { -ticks } else { ticks })
}

/// `number * unit` in ticks, exactly for integers and rounded for fractions.
pub fn scale_ticks(num: &str, unit_ticks: i64) -> Option<i64> {
    if let Ok(n) = num.parse::<i64>() {
        return n.checked_mul(unit_ticks);
    }
    let f: f64 = num.parse().ok()?;
    let v = (f * unit_ticks as f64).round();
    (v.is_finite() && v.abs() < 9.2e18).then_some(v as i64)
}

/// Checks and normalises `guid(...)` text to lower-case `8-4-4-4-12` form.
pub fn parse_guid(text: &str) -> Option<String> {
    let t = text.trim().trim_start_matches('{').trim_end_matches('}');
    let hex: String = t.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let groups: Vec<&str> = t.split('-').collect();
    if groups.len() != 1 && groups.iter().map(|g| g.len()).collect::<Vec<_>>() != [8, 4, 4, 4, 12] {
        return None;
    }
    let h = hex.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_positional_reader_agrees_with_the_general_one() {
        for t in [
            "2026-11-28T09:41:07Z",
            "2026-11-28T09:41:07.1Z",
            "2026-11-28T09:41:07.1234567Z",
            "2026-11-28T09:41:07.123456789Z",
            "1601-01-01T00:00:00.0000000Z",
            "2024-02-29T23:59:59.9999999Z",
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T09:41:07.Z",
            "2026-11-28T09:41:07+01:00",
            "2026-11-28 09:41:07Z",
            "2026-11-28T09:41:0xZ",
        ] {
            assert_eq!(
                super::parse_iso_utc(t.as_bytes()).or_else(|| super::parse_iso(t)),
                super::parse_iso(t),
                "{t}"
            );
        }
        assert!(super::parse_iso_utc(b"2026-11-28T09:41:07.5Z").is_some());
    }

    proptest::proptest! {
        #[test]
        fn positional_reader_never_disagrees(
            y in 1600u32..2400, m in 0u32..14, d in 0u32..33, h in 0u32..26,
            mi in 0u32..62, s in 0u32..62, frac in proptest::option::of("[0-9]{1,9}"),
        ) {
            let t = format!(
                "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}Z",
                frac.map(|f| format!(".{f}")).unwrap_or_default()
            );
            if let Some(fast) = super::parse_iso_utc(t.as_bytes()) {
                proptest::prop_assert_eq!(Some(fast), super::parse_iso(&t), "{}", t);
            }
        }
    }

    use super::*;

    #[test]
    fn iso_forms() {
        assert_eq!(parse_datetime("1970-01-01"), Some(0));
        assert_eq!(parse_datetime("1970-01-02T00:00:00Z"), Some(TICKS_PER_DAY));
        assert_eq!(parse_datetime("1970-01-01 00:00:01.5"), Some(15_000_000));
        assert_eq!(parse_datetime("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_datetime("2020-02-30"), None);
        assert_eq!(parse_datetime("01/02/1970"), Some(TICKS_PER_DAY));
        assert_eq!(
            parse_datetime("1-2-1970 00:00:02"),
            Some(TICKS_PER_DAY + 2 * TICKS_PER_SECOND)
        );
        assert_eq!(parse_datetime("13/02/1970"), None);
        assert_eq!(parse_datetime("2020-13-01"), None);
    }

    #[test]
    fn rfc_forms() {
        assert_eq!(
            parse_datetime("Sat, 8 Nov 2014 15:05:02 GMT"),
            parse_datetime("2014-11-08T15:05:02Z")
        );
        assert_eq!(
            parse_datetime("8 Nov 14 15:05"),
            parse_datetime("2014-11-08 15:05")
        );
    }

    #[test]
    fn datetime_round_trip() {
        for ticks in [0, 1, -1, 15_987_654_321_234_567, -621_355_968_000_000_000] {
            assert_eq!(
                parse_datetime(&format_datetime(ticks)),
                Some(ticks),
                "{ticks}"
            );
        }
        assert_eq!(format_datetime(0), "1970-01-01T00:00:00.0000000Z");
    }

    #[test]
    fn timespans() {
        assert_eq!(
            parse_timespan("1.02:03:04.5"),
            Some(((26 * 3600 + 184) * 10 + 5) * 1_000_000)
        );
        assert_eq!(parse_timespan("00:10:00"), Some(6_000_000_000));
        assert_eq!(parse_timespan("1d"), Some(TICKS_PER_DAY));
        assert_eq!(parse_timespan("-30m"), Some(-18_000_000_000));
        assert_eq!(parse_timespan("2"), Some(2 * TICKS_PER_DAY));
        assert_eq!(parse_timespan("1.5h"), Some(54_000_000_000));
        assert_eq!(
            format_timespan(parse_timespan("1.02:03:04.5").unwrap()),
            "1.02:03:04.5000000"
        );
        assert_eq!(format_timespan(-TICKS_PER_SECOND), "-00:00:01");
        for t in [0, 1, -1, 123_456_789_012, -TICKS_PER_DAY * 3 - 7] {
            assert_eq!(parse_timespan(&format_timespan(t)), Some(t), "{t}");
        }
    }

    #[test]
    fn guids() {
        assert_eq!(
            parse_guid("74BE27DE-1E4E-49D9-B579-FE0B331D3642").as_deref(),
            Some("74be27de-1e4e-49d9-b579-fe0b331d3642")
        );
        assert_eq!(parse_guid("not-a-guid"), None);
    }
}
