//! Graph's `Timespan` parameter: an ISO 8601 interval applied below the query, in
//! addition to any time filter the query has. Forms: `P30D` (back from now),
//! `start/end`, `P30D/end`, `start/P30D`, and a single `start` (until now).

use datafusion::common::ScalarValue;
use datafusion::logical_expr::Expr;
use datafusion::prelude::{ident, lit};
use quarry_store::RowFilter;
use quarry_store::schema::StoredTable;

/// An interval in ticks (100 ns since the Unix epoch), both ends inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: i64,
    pub end: i64,
}

const TICKS_PER_SECOND: i64 = 10_000_000;

/// `P1Y2M3DT4H5M6.5S`, `P2W`: a duration in ticks. Months count 30 days and years 365,
/// as Kusto's timespans do not carry calendar units.
pub fn parse_duration(text: &str) -> Option<i64> {
    let rest = text.strip_prefix('P').or_else(|| text.strip_prefix('p'))?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut total: f64 = 0.0;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut num = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                num.push(if c == ',' { '.' } else { c });
                continue;
            }
            let secs = units.iter().find(|(u, _)| *u == c.to_ascii_uppercase())?.1;
            let n: f64 = num.parse().ok()?;
            total += n * secs;
            num.clear();
        }
        num.is_empty().then_some(())
    };
    take(
        date,
        &[
            ('Y', 365.0 * 86400.0),
            ('M', 30.0 * 86400.0),
            ('W', 7.0 * 86400.0),
            ('D', 86400.0),
        ],
    )?;
    if let Some(t) = time {
        if t.is_empty() {
            return None;
        }
        take(t, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    Some((total * TICKS_PER_SECOND as f64).round() as i64)
}

fn parse_point(text: &str) -> Option<i64> {
    kql_syntax::time::parse_datetime(text)
}

/// Parses a Timespan value relative to `now` (ticks).
pub fn parse_interval(text: &str, now: i64) -> Result<Interval, String> {
    let t = text.trim();
    let bad = || format!("Timespan '{t}' is not an ISO 8601 duration, datetime or interval");
    let interval = match t.split_once('/') {
        Some((a, b)) => match (parse_duration(a), parse_duration(b)) {
            (Some(d), None) => {
                let end = parse_point(b).ok_or_else(bad)?;
                Interval {
                    start: end - d,
                    end,
                }
            }
            (None, Some(d)) => {
                let start = parse_point(a).ok_or_else(bad)?;
                Interval {
                    start,
                    end: start + d,
                }
            }
            (None, None) => Interval {
                start: parse_point(a).ok_or_else(bad)?,
                end: parse_point(b).ok_or_else(bad)?,
            },
            (Some(_), Some(_)) => return Err(bad()),
        },
        None => match parse_duration(t) {
            Some(d) => Interval {
                start: now - d,
                end: now,
            },
            None => Interval {
                start: parse_point(t).ok_or_else(bad)?,
                end: now,
            },
        },
    };
    if interval.start > interval.end {
        return Err(format!("Timespan '{t}' ends before it starts"));
    }
    Ok(interval)
}

/// Keeps rows whose time column lies in the interval.
#[derive(Debug)]
pub struct TimeWindow(pub Interval);

fn ts(ticks: i64) -> Expr {
    lit(ScalarValue::TimestampNanosecond(
        Some(ticks.saturating_mul(100)),
        Some("UTC".into()),
    ))
}

impl RowFilter for TimeWindow {
    fn predicate(&self, table: &StoredTable) -> Option<Expr> {
        let c = ident(table.time_column());
        Some(
            c.clone()
                .gt_eq(ts(self.0.start))
                .and(c.lt_eq(ts(self.0.end))),
        )
    }
}

/// Several row filters, all of which must hold.
#[derive(Debug)]
pub struct AllOf(pub Vec<std::sync::Arc<dyn RowFilter>>);

impl RowFilter for AllOf {
    fn predicate(&self, table: &StoredTable) -> Option<Expr> {
        self.0
            .iter()
            .filter_map(|f| f.predicate(table))
            .reduce(|a, b| a.and(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400 * TICKS_PER_SECOND;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("P30D"), Some(30 * DAY));
        assert_eq!(parse_duration("PT12H"), Some(DAY / 2));
        assert_eq!(
            parse_duration("P1DT1H30M"),
            Some(DAY + 5400 * TICKS_PER_SECOND)
        );
        assert_eq!(parse_duration("P2W"), Some(14 * DAY));
        assert_eq!(parse_duration("PT0.5S"), Some(TICKS_PER_SECOND / 2));
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("30D"), None);
        assert_eq!(parse_duration("P1X"), None);
    }

    #[test]
    fn every_documented_form() {
        let now = kql_syntax::time::parse_datetime("2024-02-15T08:00:00Z").expect("now");
        let start = kql_syntax::time::parse_datetime("2024-02-01T08:00:00Z").expect("start");
        let end = now;
        let iv = |s: &str| parse_interval(s, now).expect(s);
        assert_eq!(iv("P14D"), Interval { start, end });
        assert_eq!(
            iv("2024-02-01T08:00:00Z/2024-02-15T08:00:00Z"),
            Interval { start, end }
        );
        assert_eq!(iv("P14D/2024-02-15T08:00:00Z"), Interval { start, end });
        assert_eq!(iv("2024-02-01T08:00:00Z/P14D"), Interval { start, end });
        assert_eq!(iv("2024-02-01T08:00:00Z"), Interval { start, end: now });
        assert!(parse_interval("yesterday", now).is_err());
        assert!(parse_interval("2024-02-15T08:00:00Z/2024-02-01T08:00:00Z", now).is_err());
    }
}
