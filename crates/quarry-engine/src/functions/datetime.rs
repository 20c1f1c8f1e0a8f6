//! Calendar arithmetic on Kusto datetimes (nanoseconds since the epoch, UTC), for the
//! functions whose answer depends on months and years: parts of a date, adding months,
//! the start of a month or year, `make_datetime`, text parsing and time zones.
//!
//! Everything with a fixed unit (days, hours, weeks) is planned as Int64 arithmetic
//! instead (see `planner::builtins::datetime`); only the calendar lives here.

use std::sync::Arc;

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, DurationNanosecondArray, Int64Array, TimestampNanosecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::ScalarUDF;
use kql_syntax::time::{civil_from_days, days_from_civil, parse_datetime, parse_timespan};

use super::array_udf::{array_udf, f64s, i64s, opt_f64, opt_i64};
use crate::types::{ScalarType, UTC, arrow_type};

pub const NS_PER_SECOND: i64 = 1_000_000_000;
pub const NS_PER_DAY: i64 = 86_400 * NS_PER_SECOND;

/// A date's calendar parts as Kusto numbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Year,
    Quarter,
    Month,
    /// ISO 8601 week number (weeks start on Monday; week 1 holds the first Thursday).
    WeekOfYear,
    Day,
    DayOfYear,
    /// `year * 12 + month - 1`: months since year 0, for month and quarter differences.
    MonthIndex,
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// ISO 8601 week number of a day number since 1970-01-01.
fn iso_week(days: i64) -> i64 {
    // 1970-01-01 was a Thursday: ISO weekday 4.
    let weekday = (days + 3).rem_euclid(7) + 1;
    let thursday = days - weekday + 4;
    let (y, _, _) = civil_from_days(thursday);
    (thursday - days_from_civil(y, 1, 1)) / 7 + 1
}

/// The calendar `part` of the instant `ns`.
pub fn date_part(ns: i64, part: Part) -> i64 {
    let days = ns.div_euclid(NS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    match part {
        Part::Year => y,
        Part::Quarter => (m as i64 - 1) / 3 + 1,
        Part::Month => m as i64,
        Part::WeekOfYear => iso_week(days),
        Part::Day => d as i64,
        Part::DayOfYear => days - days_from_civil(y, 1, 1) + 1,
        Part::MonthIndex => y * 12 + m as i64 - 1,
    }
}

/// `ns` moved by `months` calendar months; the day is clamped to the target month's
/// length (Jan 31 + 1 month = Feb 28/29), the time of day is kept. None on overflow.
pub fn add_months(ns: i64, months: i64) -> Option<i64> {
    let days = ns.div_euclid(NS_PER_DAY);
    let time = ns.rem_euclid(NS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let total = (y * 12 + m as i64 - 1).checked_add(months)?;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd)
        .checked_mul(NS_PER_DAY)?
        .checked_add(time)
}

/// Midnight of the first day of the month `offset` months after `ns`'s month.
pub fn start_of_month(ns: i64, offset: i64) -> Option<i64> {
    let (y, m, _) = civil_from_days(ns.div_euclid(NS_PER_DAY));
    let total = (y * 12 + m as i64 - 1).checked_add(offset)?;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    days_from_civil(ny, nm, 1).checked_mul(NS_PER_DAY)
}

/// Midnight of January 1st of the year `offset` years after `ns`'s year.
pub fn start_of_year(ns: i64, offset: i64) -> Option<i64> {
    let (y, _, _) = civil_from_days(ns.div_euclid(NS_PER_DAY));
    days_from_civil(y.checked_add(offset)?, 1, 1).checked_mul(NS_PER_DAY)
}

fn timestamps(values: impl Iterator<Item = Option<i64>>) -> ArrayRef {
    Arc::new(TimestampNanosecondArray::from_iter(values).with_timezone(UTC))
}

fn part_kernel(args: &[ArrayRef], part: Part) -> DfResult<ArrayRef> {
    let ns = i64s(&args[0])?;
    Ok(Arc::new(
        ns.iter()
            .map(|v| v.map(|v| date_part(v, part)))
            .collect::<Int64Array>(),
    ))
}

/// `kql_date_part_*(datetime)` → long.
pub fn date_part_udf(part: Part) -> Arc<ScalarUDF> {
    let (name, kernel): (&'static str, super::array_udf::Kernel) = match part {
        Part::Year => ("kql_date_year", |a| part_kernel(a, Part::Year)),
        Part::Quarter => ("kql_date_quarter", |a| part_kernel(a, Part::Quarter)),
        Part::Month => ("kql_date_month", |a| part_kernel(a, Part::Month)),
        Part::WeekOfYear => ("kql_date_week_of_year", |a| {
            part_kernel(a, Part::WeekOfYear)
        }),
        Part::Day => ("kql_date_day", |a| part_kernel(a, Part::Day)),
        Part::DayOfYear => ("kql_date_day_of_year", |a| part_kernel(a, Part::DayOfYear)),
        Part::MonthIndex => ("kql_date_month_index", |a| part_kernel(a, Part::MonthIndex)),
    };
    array_udf(name, 1, DataType::Int64, kernel)
}

/// Calendar shifts taking (datetime, long).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shift {
    AddMonths,
    StartOfMonth,
    StartOfYear,
}

fn shift_kernel(args: &[ArrayRef], f: fn(i64, i64) -> Option<i64>) -> DfResult<ArrayRef> {
    let (ns, n) = (i64s(&args[0])?, i64s(&args[1])?);
    Ok(timestamps(
        (0..ns.len()).map(|i| f(opt_i64(&ns, i)?, opt_i64(&n, i)?)),
    ))
}

pub fn shift_udf(shift: Shift) -> Arc<ScalarUDF> {
    let (name, kernel): (&'static str, super::array_udf::Kernel) = match shift {
        Shift::AddMonths => ("kql_add_months", |a| shift_kernel(a, add_months)),
        Shift::StartOfMonth => ("kql_start_of_month", |a| shift_kernel(a, start_of_month)),
        Shift::StartOfYear => ("kql_start_of_year", |a| shift_kernel(a, start_of_year)),
    };
    array_udf(name, 2, arrow_type(ScalarType::DateTime), kernel)
}

/// `make_datetime(year, month, day, hour, minute, second)`: null when a part is out of
/// range. Seconds may carry a fraction, kept to the tick (100 ns).
pub fn make_datetime(y: f64, mo: f64, d: f64, h: f64, mi: f64, s: f64) -> Option<i64> {
    let whole = |v: f64| (v.fract() == 0.0).then_some(v as i64);
    let (y, mo, d, h, mi) = (whole(y)?, whole(mo)?, whole(d)?, whole(h)?, whole(mi)?);
    let valid = (1..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && d >= 1
        && d <= days_in_month(y, mo as u32) as i64
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && (0.0..60.0).contains(&s);
    if !valid {
        return None;
    }
    let ticks = (s * 1e7).round() as i64;
    days_from_civil(y, mo as u32, d as u32)
        .checked_mul(NS_PER_DAY)?
        .checked_add((h * 3600 + mi * 60) * NS_PER_SECOND)?
        .checked_add(ticks * 100)
}

pub fn make_datetime_udf() -> Arc<ScalarUDF> {
    array_udf(
        "kql_make_datetime",
        6,
        arrow_type(ScalarType::DateTime),
        |args| {
            let cols = args.iter().map(f64s).collect::<DfResult<Vec<_>>>()?;
            let n = cols.first().map_or(0, |c| c.len());
            Ok(timestamps((0..n).map(|i| {
                let v: Option<Vec<f64>> = cols.iter().map(|c| opt_f64(c, i)).collect();
                let v = v?;
                make_datetime(v[0], v[1], v[2], v[3], v[4], v[5])
            })))
        },
    )
}

fn strings(a: &ArrayRef) -> DfResult<ArrayRef> {
    Ok(cast(a, &DataType::Utf8)?)
}

/// `todatetime(string)`: every form `kql_syntax::time::parse_datetime` reads; null
/// otherwise.
pub fn parse_datetime_udf() -> Arc<ScalarUDF> {
    array_udf(
        "kql_parse_datetime",
        1,
        arrow_type(ScalarType::DateTime),
        |args| {
            let s = strings(&args[0])?;
            let s = s.as_string::<i32>();
            Ok(timestamps(
                s.iter().map(|v| parse_datetime(v?)?.checked_mul(100)),
            ))
        },
    )
}

/// `totimespan(string)`: `[-][d.]hh:mm[:ss[.fffffff]]` or `1d`-style text; null otherwise.
pub fn parse_timespan_udf() -> Arc<ScalarUDF> {
    array_udf(
        "kql_parse_timespan",
        1,
        arrow_type(ScalarType::Timespan),
        |args| {
            let s = strings(&args[0])?;
            let s = s.as_string::<i32>();
            Ok(Arc::new(
                s.iter()
                    .map(|v| parse_timespan(v?)?.checked_mul(100))
                    .collect::<DurationNanosecondArray>(),
            ))
        },
    )
}

/// An IANA zone by name; Kusto matches names without regard to case.
fn zone(name: &str) -> Option<Tz> {
    let name = name.trim();
    name.parse::<Tz>().ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(name))
            .copied()
    })
}

/// The wall-clock time in `tz` at the UTC instant `ns`.
pub fn utc_to_local(ns: i64, tz: &str) -> Option<i64> {
    let tz = zone(tz)?;
    let utc = DateTime::from_timestamp_nanos(ns).naive_utc();
    tz.from_utc_datetime(&utc)
        .naive_local()
        .and_utc()
        .timestamp_nanos_opt()
}

/// The UTC instant of the wall-clock time `ns` in `tz`. An ambiguous time (clocks
/// going back) takes the earlier instant; a skipped one (clocks going forward) is read
/// with the offset in force before the change.
pub fn local_to_utc(ns: i64, tz: &str) -> Option<i64> {
    let zone = zone(tz)?;
    let local: NaiveDateTime = DateTime::from_timestamp_nanos(ns).naive_utc();
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
            t.naive_utc().and_utc().timestamp_nanos_opt()
        }
        LocalResult::None => {
            let before = local - chrono::Duration::hours(3);
            let offset = zone.from_utc_datetime(&before).offset().fix();
            ns.checked_sub(i64::from(offset.local_minus_utc()) * NS_PER_SECOND)
        }
    }
}

fn zone_kernel(args: &[ArrayRef], f: fn(i64, &str) -> Option<i64>) -> DfResult<ArrayRef> {
    let ns = i64s(&args[0])?;
    let tz = strings(&args[1])?;
    let tz = tz.as_string::<i32>();
    Ok(timestamps((0..ns.len()).map(|i| {
        if tz.is_null(i) {
            return None;
        }
        f(opt_i64(&ns, i)?, tz.value(i))
    })))
}

pub fn time_zone_udf(to_utc: bool) -> Arc<ScalarUDF> {
    let (name, kernel): (&'static str, super::array_udf::Kernel) = if to_utc {
        ("kql_local_to_utc", |a| zone_kernel(a, local_to_utc))
    } else {
        ("kql_utc_to_local", |a| zone_kernel(a, utc_to_local))
    };
    array_udf(name, 2, arrow_type(ScalarType::DateTime), kernel)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, m: u32, d: u32) -> i64 {
        days_from_civil(y, m, d) * NS_PER_DAY
    }

    #[test]
    fn parts_follow_the_calendar() {
        let t = at(2017, 10, 30) + 3_723 * NS_PER_SECOND;
        assert_eq!(date_part(t, Part::Year), 2017);
        assert_eq!(date_part(t, Part::Quarter), 4);
        assert_eq!(date_part(t, Part::Day), 30);
        assert_eq!(date_part(t, Part::DayOfYear), 303);
        assert_eq!(date_part(at(1969, 12, 31), Part::Year), 1969);
    }

    #[test]
    fn iso_weeks_start_on_monday() {
        assert_eq!(date_part(at(2017, 10, 30), Part::WeekOfYear), 44);
        // 2021-01-03 (Sunday) still belongs to 2020's week 53.
        assert_eq!(date_part(at(2021, 1, 3), Part::WeekOfYear), 53);
        assert_eq!(date_part(at(2021, 1, 4), Part::WeekOfYear), 1);
    }

    #[test]
    fn months_clamp_to_the_month_end() {
        assert_eq!(add_months(at(2020, 1, 31), 1), Some(at(2020, 2, 29)));
        assert_eq!(add_months(at(2017, 1, 1), -15), Some(at(2015, 10, 1)));
        assert_eq!(start_of_month(at(2017, 3, 15), -3), Some(at(2016, 12, 1)));
        assert_eq!(start_of_year(at(2017, 3, 15), 1), Some(at(2018, 1, 1)));
    }

    #[test]
    fn make_datetime_rejects_impossible_dates() {
        assert_eq!(
            make_datetime(2017.0, 10.0, 1.0, 0.0, 0.0, 0.0),
            Some(at(2017, 10, 1))
        );
        assert_eq!(make_datetime(2017.0, 2.0, 29.0, 0.0, 0.0, 0.0), None);
        assert_eq!(make_datetime(2017.0, 1.0, 1.0, 24.0, 0.0, 0.0), None);
        assert_eq!(
            make_datetime(2017.0, 1.0, 1.0, 0.0, 0.0, 0.1234567),
            Some(at(2017, 1, 1) + 123_456_700)
        );
    }

    #[test]
    fn time_zones_convert_both_ways() {
        let local = at(2020, 2, 2) + 20 * 3600 * NS_PER_SECOND;
        let utc = local_to_utc(local, "US/Pacific");
        assert_eq!(utc, Some(local + 8 * 3600 * NS_PER_SECOND));
        assert_eq!(utc.and_then(|u| utc_to_local(u, "us/pacific")), Some(local));
        assert_eq!(local_to_utc(local, "Nowhere/Special"), None);
    }
}
