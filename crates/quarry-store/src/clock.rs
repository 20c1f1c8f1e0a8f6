//! Wall-clock time in Kusto ticks (100 ns since the Unix epoch).

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ticks() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_nanos() / 100) as i64,
        Err(e) => -((e.duration().as_nanos() / 100) as i64),
    }
}

/// The day number (days since 1970-01-01) of a tick value.
pub fn day_of(ticks: i64) -> i64 {
    ticks.div_euclid(kql_syntax::time::TICKS_PER_DAY)
}

/// `2026-11-28` for a day number.
pub fn day_name(day: i64) -> String {
    let (y, m, d) = kql_syntax::time::civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day number of a `2026-11-28` name.
pub fn parse_day_name(name: &str) -> Option<i64> {
    let mut parts = name.splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    let day = kql_syntax::time::days_from_civil(y, m, d);
    (day_name(day) == name).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_names_round_trip() {
        assert_eq!(day_name(0), "1970-01-01");
        assert_eq!(
            parse_day_name("2026-11-28").map(day_name).as_deref(),
            Some("2026-11-28")
        );
        assert_eq!(parse_day_name("2026-02-30"), None);
        assert_eq!(day_of(-1), -1);
    }
}
