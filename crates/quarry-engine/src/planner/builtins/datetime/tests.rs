//! The datetime family end to end, on `print` (no tables needed).

use std::sync::Arc;

use serde_json::{Value, json};

use crate::catalog::MemCatalog;
use crate::error::QueryError;
use crate::session::{Engine, EngineConfig};

/// The single result row of a `print` query.
pub(crate) async fn row(query: &str) -> Result<Value, QueryError> {
    let engine = Engine::new(EngineConfig::default())?;
    let body = engine
        .run(query, Arc::new(MemCatalog::new()))
        .await?
        .to_json()?;
    Ok(body["Results"][0].clone())
}

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[tokio::test]
async fn calendar_parts() -> TestResult {
    let r = row("let t = datetime(2021-03-04 05:06:07.1234567); print y = getyear(t), q = datetime_part('Quarter', t), m = monthofyear(t), w = weekofyear(t), d = dayofmonth(t), doy = dayofyear(t), h = hourofday(t), mi = datetime_part('minute', t), s = datetime_part('second', t), ms = datetime_part('millisecond', t), ns = datetime_part('nanosecond', t), dow = dayofweek(t), n = getmonth(datetime(null))").await?;
    assert_eq!(
        r,
        json!({"y": 2021, "q": 1, "m": 3, "w": 9, "d": 4, "doy": 63, "h": 5, "mi": 6, "s": 7,
               "ms": 123, "ns": 123_456_700, "dow": "4.00:00:00", "n": null})
    );
    Ok(())
}

#[tokio::test]
async fn starts_and_ends_of_periods() -> TestResult {
    let r = row("let t = datetime(2020-02-12 13:14:15); print a = startofday(t), b = endofday(t, -1), c = startofweek(t), d = endofweek(t), e = startofmonth(t, 1), f = endofmonth(t), g = startofyear(t, -1), h = endofyear(t)").await?;
    assert_eq!(
        r,
        json!({"a": "2020-02-12T00:00:00.0000000Z", "b": "2020-02-11T23:59:59.9999999Z",
               "c": "2020-02-09T00:00:00.0000000Z", "d": "2020-02-15T23:59:59.9999999Z",
               "e": "2020-03-01T00:00:00.0000000Z", "f": "2020-02-29T23:59:59.9999999Z",
               "g": "2019-01-01T00:00:00.0000000Z", "h": "2020-12-31T23:59:59.9999999Z"})
    );
    Ok(())
}

#[tokio::test]
async fn add_and_diff_count_calendar_boundaries() -> TestResult {
    let r = row("print a = datetime_add('month', 1, datetime(2021-01-31)), b = datetime_add('Hour', -2, datetime(2021-01-01)), c = datetime_diff('year', datetime(2021-01-01), datetime(2020-12-31)), d = datetime_diff('quarter', datetime(2020-01-01), datetime(2021-04-01)), e = datetime_diff('week', datetime(2021-01-03), datetime(2021-01-02)), f = datetime_diff('second', datetime(1969-12-31 23:59:59.5), datetime(1970-01-01))").await?;
    assert_eq!(
        r,
        json!({"a": "2021-02-28T00:00:00.0000000Z", "b": "2020-12-31T22:00:00.0000000Z",
               "c": 1, "d": -5, "e": 1, "f": -1})
    );
    Ok(())
}

#[tokio::test]
async fn construction_parsing_and_unix_times() -> TestResult {
    let r = row("print a = make_datetime(2020, 2, 30), b = make_datetime(2020, 2, 3, 4, 5, 6.5), c = make_timespan(2, 3, 4, 5.25), d = todatetime('2020-01-02 03:04'), e = todatetime('nope'), f = totimespan('1.02:03:04'), g = unixtime_milliseconds_todatetime(1500), h = unixtime_seconds_todatetime(1.5), i = tolong(1s), j = tolong(datetime(1970-01-01))").await?;
    assert_eq!(
        r,
        json!({"a": null, "b": "2020-02-03T04:05:06.5000000Z", "c": "2.03:04:05.2500000",
               "d": "2020-01-02T03:04:00.0000000Z", "e": null, "f": "1.02:03:04",
               "g": "1970-01-01T00:00:01.5000000Z", "h": "1970-01-01T00:00:01.5000000Z",
               "i": 10_000_000, "j": 621_355_968_000_000_000_i64})
    );
    Ok(())
}

#[tokio::test]
async fn formatting_and_time_zones() -> TestResult {
    let r = row("let t = datetime(2020-07-04 15:06:07.25); print a = format_datetime(t, 'yyyy/MM/dd hh:mm:ss.ff tt'), b = format_timespan(1d + 2h + 3s, 'dd.hh:mm:ss'), c = datetime_utc_to_local(t, 'Europe/Paris'), d = datetime_local_to_utc(t, 'Asia/Tokyo'), e = format_datetime(datetime(null), 'yyyy')").await?;
    assert_eq!(
        r,
        json!({"a": "2020/07/04 03:06:07.25 PM", "b": "01.02:00:03",
               "c": "2020-07-04T17:06:07.2500000Z", "d": "2020-07-04T06:06:07.2500000Z", "e": ""})
    );
    Ok(())
}

#[tokio::test]
async fn bin_at_and_around() -> TestResult {
    let r = row("print a = bin_at(7.5, 2.5, 1), b = bin_at(datetime(2020-01-01 10:00), 1d, datetime(2020-01-01 12:00)), c = bin_at(9, 4, 2), d = around(5, 4, 1), e = around(datetime(2020-01-01), datetime(2020-01-03), 1d)").await?;
    assert_eq!(
        r,
        json!({"a": 6.0, "b": "2019-12-31T12:00:00.0000000Z", "c": 6, "d": true, "e": false})
    );
    Ok(())
}

#[tokio::test]
async fn bad_parts_are_semantic_errors() {
    let e = row("print datetime_add('fortnight', 1, now())").await;
    assert!(matches!(e, Err(QueryError::Semantic { .. })), "{e:?}");
}
