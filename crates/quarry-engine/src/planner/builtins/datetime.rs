//! Datetime and timespan functions: parts, calendar starts and ends, `datetime_add`,
//! `datetime_diff`, construction, parsing, formatting, Unix times, time zones, `bin_at`.
//!
//! Everything with a fixed unit (days, weeks, hours, ...) is Int64 arithmetic on the
//! nanosecond value, which DataFusion vectorises; only months and years go through the
//! calendar UDFs of `functions::datetime`. Kusto's week starts on Sunday: 1970-01-01
//! was a Thursday, so `ns + 4 days` floored to a multiple of 7 days is a Sunday.

use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as df;
use datafusion::logical_expr::{Expr, Operator, and, binary_expr, cast};

use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::functions::datetime::{
    NS_PER_DAY, NS_PER_SECOND, Part, Shift, date_part_udf, make_datetime_udf, parse_datetime_udf,
    parse_timespan_udf, shift_udf, time_zone_udf,
};
use crate::functions::datetime_format::{format_datetime_udf, format_timespan_udf};
use crate::planner::TypedExpr;
use crate::planner::expr::{as_f64, as_i64, from_ns};
use crate::types::{ScalarType, arrow_type};

const NS_PER_HOUR: i64 = 3600 * NS_PER_SECOND;
const NS_PER_MINUTE: i64 = 60 * NS_PER_SECOND;
const NS_PER_WEEK: i64 = 7 * NS_PER_DAY;
/// Days from 1970-01-01 (Thursday) back to the Sunday that starts its week.
const EPOCH_TO_SUNDAY: i64 = 4 * NS_PER_DAY;
/// .NET ticks from 0001-01-01 to 1970-01-01: `tolong(datetime)` counts from year 1.
const DOTNET_EPOCH_TICKS: i64 = 621_355_968_000_000_000;

pub(crate) fn lit(v: i64) -> Expr {
    Expr::Literal(ScalarValue::Int64(Some(v)), None)
}

fn litf(v: f64) -> Expr {
    Expr::Literal(ScalarValue::Float64(Some(v)), None)
}

fn add(a: Expr, b: Expr) -> Expr {
    binary_expr(a, Operator::Plus, b)
}

fn sub(a: Expr, b: Expr) -> Expr {
    binary_expr(a, Operator::Minus, b)
}

fn mul(a: Expr, b: Expr) -> Expr {
    binary_expr(a, Operator::Multiply, b)
}

/// `x mod s` in `[0, s)` for either sign of `x` (`%` truncates toward zero).
pub(crate) fn pos_rem(x: Expr, s: Expr) -> Expr {
    let rem = binary_expr(x, Operator::Modulo, s.clone());
    binary_expr(add(rem, s.clone()), Operator::Modulo, s)
}

/// The largest multiple of `s` not above `x`.
pub(crate) fn floor_to(x: Expr, s: Expr) -> Expr {
    sub(x.clone(), pos_rem(x, s))
}

/// `floor(x / s)` for integers of either sign.
fn floor_div(x: Expr, s: Expr) -> Expr {
    binary_expr(floor_to(x, s.clone()), Operator::Divide, s)
}

/// The start of the Sunday-based week holding `ns`, plus `weeks` weeks.
fn week_start(ns: Expr) -> Expr {
    sub(
        floor_to(add(ns, lit(EPOCH_TO_SUNDAY)), lit(NS_PER_WEEK)),
        lit(EPOCH_TO_SUNDAY),
    )
}

fn datetime(e: Expr) -> TypedExpr {
    from_ns(e, ScalarType::DateTime)
}

fn long(e: Expr) -> TypedExpr {
    TypedExpr::new(e, ScalarType::Long)
}

fn int(e: Expr) -> TypedExpr {
    TypedExpr::new(cast(e, arrow_type(ScalarType::Int)), ScalarType::Int)
}

/// A constant string argument (a part name or a unit), lower-cased.
fn const_str(value: &TypedExpr) -> Option<String> {
    match &value.expr {
        Expr::Literal(ScalarValue::Utf8(Some(s)), _) => Some(s.to_ascii_lowercase()),
        _ => None,
    }
}

fn bad_arg(cx: &CallCtx, what: &str) -> QueryError {
    QueryError::semantic(
        format!("'{}' operator: {}(): {what}", cx.operator, cx.name),
        cx.span,
    )
}

fn expect_type(cx: &CallCtx, value: &TypedExpr, allowed: &[ScalarType]) -> Result<()> {
    if allowed.contains(&value.ty) {
        Ok(())
    } else {
        Err(bad_arg(
            cx,
            &format!("argument of type {} is not allowed", value.ty.name()),
        ))
    }
}

fn is_integer(ty: ScalarType) -> bool {
    matches!(ty, ScalarType::Int | ScalarType::Long)
}

fn is_number(ty: ScalarType) -> bool {
    matches!(
        ty,
        ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
    )
}

/// The optional trailing offset of `startofday(dt [, offset])` and friends, as Int64.
fn offset_arg(a: &Args, cx: &CallCtx) -> Result<Expr> {
    a.expect_between(1, 2)?;
    match a.get(1) {
        Some(o) => {
            expect_type(cx, o, &[ScalarType::Int, ScalarType::Long])?;
            Ok(as_i64(o.expr.clone()))
        }
        None => Ok(lit(0)),
    }
}

/// The fixed length of a `datetime_add`/`datetime_diff` unit, in nanoseconds.
fn fixed_unit(part: &str) -> Option<i64> {
    Some(match part {
        "week" | "weeks" => NS_PER_WEEK,
        "day" | "days" => NS_PER_DAY,
        "hour" | "hours" => NS_PER_HOUR,
        "minute" | "minutes" => NS_PER_MINUTE,
        "second" | "seconds" => NS_PER_SECOND,
        "millisecond" | "milliseconds" => 1_000_000,
        "microsecond" | "microseconds" => 1_000,
        "nanosecond" | "nanoseconds" => 1,
        _ => return None,
    })
}

/// Months in a calendar unit of `datetime_add` / `datetime_diff`.
fn month_unit(part: &str) -> Option<i64> {
    match part {
        "year" | "years" => Some(12),
        "quarter" | "quarters" => Some(3),
        "month" | "months" => Some(1),
        _ => None,
    }
}

fn part_of(dt: Expr, part: Part) -> Expr {
    date_part_udf(part).call(vec![dt])
}

/// `datetime_part(part, dt)` (and the get*/…of* shorthands) as a long.
fn datetime_part(part: &str, dt: Expr) -> Option<Expr> {
    let ns = || as_i64(dt.clone());
    let within_day = || pos_rem(ns(), lit(NS_PER_DAY));
    let within_second = || pos_rem(ns(), lit(NS_PER_SECOND));
    Some(match part {
        "year" => part_of(dt, Part::Year),
        "quarter" => part_of(dt, Part::Quarter),
        "month" => part_of(dt, Part::Month),
        "week_of_year" | "weekofyear" | "week" => part_of(dt, Part::WeekOfYear),
        "day" => part_of(dt, Part::Day),
        "dayofyear" | "day_of_year" => part_of(dt, Part::DayOfYear),
        "hour" => binary_expr(within_day(), Operator::Divide, lit(NS_PER_HOUR)),
        "minute" => binary_expr(
            pos_rem(ns(), lit(NS_PER_HOUR)),
            Operator::Divide,
            lit(NS_PER_MINUTE),
        ),
        "second" => binary_expr(
            pos_rem(ns(), lit(NS_PER_MINUTE)),
            Operator::Divide,
            lit(NS_PER_SECOND),
        ),
        "millisecond" => binary_expr(within_second(), Operator::Divide, lit(1_000_000)),
        "microsecond" => binary_expr(within_second(), Operator::Divide, lit(1_000)),
        "nanosecond" => within_second(),
        _ => return None,
    })
}

/// `datetime_diff(part, a, b)`: how many `part` boundaries lie between `b` and `a`
/// (calendar units count year/quarter/month numbers; weeks start on Sunday).
fn datetime_diff(part: &str, a: Expr, b: Expr) -> Option<Expr> {
    if let Some(months) = month_unit(part) {
        let index = |e: Expr| {
            let i = part_of(e, Part::MonthIndex);
            if months == 1 {
                i
            } else {
                floor_div(i, lit(months))
            }
        };
        return Some(sub(index(a), index(b)));
    }
    let unit = fixed_unit(part)?;
    let units = |e: Expr| {
        let ns = as_i64(e);
        if unit == NS_PER_WEEK {
            floor_div(add(ns, lit(EPOCH_TO_SUNDAY)), lit(unit))
        } else if unit == 1 {
            ns
        } else {
            floor_div(ns, lit(unit))
        }
    };
    Some(sub(units(a), units(b)))
}

/// `amount` Unix-epoch units (`unit` ns each) as a datetime.
fn unixtime(value: TypedExpr, unit: i64) -> TypedExpr {
    if is_integer(value.ty) {
        datetime(mul(as_i64(value.expr), lit(unit)))
    } else {
        datetime(as_i64(df::round(vec![mul(
            as_f64(value.expr),
            litf(unit as f64),
        )])))
    }
}

/// `bin_at(value, step, fixed)`: `bin` on a grid shifted to pass through `fixed`.
fn bin_at(value: TypedExpr, step: TypedExpr, fixed: TypedExpr, cx: &CallCtx) -> Result<TypedExpr> {
    match value.ty {
        ScalarType::DateTime | ScalarType::Timespan => {
            expect_type(cx, &step, &[ScalarType::Timespan])?;
            expect_type(cx, &fixed, &[value.ty])?;
            let f = as_i64(fixed.expr);
            let shifted = sub(as_i64(value.expr), f.clone());
            Ok(from_ns(
                add(floor_to(shifted, as_i64(step.expr)), f),
                value.ty,
            ))
        }
        ty if is_integer(ty) && is_integer(step.ty) && is_integer(fixed.ty) => {
            let f = as_i64(fixed.expr);
            let shifted = sub(as_i64(value.expr), f.clone());
            Ok(long(add(floor_to(shifted, as_i64(step.expr)), f)))
        }
        ty if is_number(ty) => {
            expect_type(
                cx,
                &step,
                &[ScalarType::Int, ScalarType::Long, ScalarType::Real],
            )?;
            let f = as_f64(fixed.expr);
            let s = as_f64(step.expr);
            let q = binary_expr(
                sub(as_f64(value.expr), f.clone()),
                Operator::Divide,
                s.clone(),
            );
            Ok(TypedExpr::new(
                add(mul(df::floor(q), s), f),
                ScalarType::Real,
            ))
        }
        _ => Err(bad_arg(cx, "expects a number, datetime or timespan")),
    }
}

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    use ScalarType::{DateTime, Int, Long, Real, Timespan};
    let a = args;
    let planned = match name {
        "datetime_add" => {
            let (part, amount, dt) = (a.arg(0)?, a.arg(1)?, a.arg(2)?);
            if a.len() != 3 {
                return Err(a.arity_error());
            }
            expect_type(cx, &amount, &[Int, Long])?;
            expect_type(cx, &dt, &[DateTime])?;
            let part = const_str(&part)
                .ok_or_else(|| bad_arg(cx, "the part must be a constant string"))?;
            if let Some(months) = month_unit(&part) {
                let n = mul(as_i64(amount.expr), lit(months));
                TypedExpr::new(shift_udf(Shift::AddMonths).call(vec![dt.expr, n]), DateTime)
            } else {
                let unit = fixed_unit(&part)
                    .ok_or_else(|| bad_arg(cx, &format!("unknown part '{part}'")))?;
                datetime(add(as_i64(dt.expr), mul(as_i64(amount.expr), lit(unit))))
            }
        }
        "datetime_diff" => {
            let (part, x, y) = (a.arg(0)?, a.arg(1)?, a.arg(2)?);
            if a.len() != 3 {
                return Err(a.arity_error());
            }
            expect_type(cx, &x, &[DateTime])?;
            expect_type(cx, &y, &[DateTime])?;
            let part = const_str(&part)
                .ok_or_else(|| bad_arg(cx, "the part must be a constant string"))?;
            let diff = datetime_diff(&part, x.expr, y.expr)
                .ok_or_else(|| bad_arg(cx, &format!("unknown part '{part}'")))?;
            long(diff)
        }
        "datetime_part" => {
            let (part, dt) = (a.arg(0)?, a.arg(1)?);
            if a.len() != 2 {
                return Err(a.arity_error());
            }
            expect_type(cx, &dt, &[DateTime])?;
            let part = const_str(&part)
                .ok_or_else(|| bad_arg(cx, "the part must be a constant string"))?;
            int(datetime_part(&part, dt.expr)
                .ok_or_else(|| bad_arg(cx, &format!("unknown part '{part}'")))?)
        }
        "getyear" | "getmonth" | "monthofyear" | "dayofmonth" | "dayofyear" | "weekofyear"
        | "week_of_year" | "hourofday" => {
            let dt = a.one()?;
            expect_type(cx, &dt, &[DateTime])?;
            let part = match name {
                "getyear" => "year",
                "getmonth" | "monthofyear" => "month",
                "dayofmonth" => "day",
                "dayofyear" => "dayofyear",
                "hourofday" => "hour",
                _ => "week_of_year",
            };
            let e = datetime_part(part, dt.expr).ok_or_else(|| bad_arg(cx, "unknown part"))?;
            int(e)
        }
        "dayofweek" => {
            let dt = a.one()?;
            expect_type(cx, &dt, &[DateTime])?;
            let ns = as_i64(dt.expr);
            let days = floor_to(sub(ns.clone(), week_start(ns)), lit(NS_PER_DAY));
            from_ns(days, Timespan)
        }
        "startofday" | "endofday" | "startofweek" | "endofweek" => {
            let dt = a.arg(0)?;
            expect_type(cx, &dt, &[DateTime])?;
            let mut offset = offset_arg(a, cx)?;
            let end = name.starts_with("end");
            if end {
                offset = add(offset, lit(1));
            }
            let ns = as_i64(dt.expr);
            let start = if name.ends_with("day") {
                add(floor_to(ns, lit(NS_PER_DAY)), mul(offset, lit(NS_PER_DAY)))
            } else {
                add(week_start(ns), mul(offset, lit(NS_PER_WEEK)))
            };
            // The end of a period is one tick before the next period starts.
            datetime(if end { sub(start, lit(100)) } else { start })
        }
        "startofmonth" | "endofmonth" | "startofyear" | "endofyear" => {
            let dt = a.arg(0)?;
            expect_type(cx, &dt, &[DateTime])?;
            let mut offset = offset_arg(a, cx)?;
            let end = name.starts_with("end");
            if end {
                offset = add(offset, lit(1));
            }
            let shift = if name.ends_with("month") {
                Shift::StartOfMonth
            } else {
                Shift::StartOfYear
            };
            let start = shift_udf(shift).call(vec![dt.expr, offset]);
            if end {
                datetime(sub(as_i64(start), lit(100)))
            } else {
                TypedExpr::new(start, DateTime)
            }
        }
        "make_datetime" => {
            a.expect_between(3, 6)?;
            let mut parts = Vec::with_capacity(6);
            for v in &a.values {
                expect_type(cx, v, &[Int, Long, Real, ScalarType::Decimal])?;
                parts.push(as_f64(v.expr.clone()));
            }
            parts.resize(6, litf(0.0));
            TypedExpr::new(make_datetime_udf().call(parts), DateTime)
        }
        "make_timespan" => {
            a.expect_between(2, 4)?;
            for v in &a.values {
                expect_type(cx, v, &[Int, Long, Real, ScalarType::Decimal])?;
            }
            let v: Vec<Expr> = a.values.iter().map(|v| as_f64(v.expr.clone())).collect();
            // (hour, minute), (hour, minute, second) or (day, hour, minute, second).
            let (d, h, m, s) = match v.as_slice() {
                [h, m] => (litf(0.0), h.clone(), m.clone(), litf(0.0)),
                [h, m, s] => (litf(0.0), h.clone(), m.clone(), s.clone()),
                [d, h, m, s] => (d.clone(), h.clone(), m.clone(), s.clone()),
                _ => return Err(a.arity_error()),
            };
            let seconds = add(
                add(mul(d, litf(86_400.0)), mul(h, litf(3_600.0))),
                add(mul(m, litf(60.0)), s),
            );
            let ticks = as_i64(df::round(vec![mul(seconds, litf(1e7))]));
            from_ns(mul(ticks, lit(100)), Timespan)
        }
        "todatetime" | "todate" => {
            let x = a.one()?;
            match x.ty {
                DateTime => x,
                ScalarType::String | ScalarType::Dynamic => {
                    TypedExpr::new(parse_datetime_udf().call(vec![x.expr]), DateTime)
                }
                // A number is .NET ticks since 0001-01-01.
                Int | Long => datetime(mul(sub(as_i64(x.expr), lit(DOTNET_EPOCH_TICKS)), lit(100))),
                _ => return Err(bad_arg(cx, &format!("cannot convert {}", x.ty.name()))),
            }
        }
        "totimespan" | "totime" => {
            let x = a.one()?;
            match x.ty {
                Timespan => x,
                ScalarType::String | ScalarType::Dynamic => {
                    TypedExpr::new(parse_timespan_udf().call(vec![x.expr]), Timespan)
                }
                // A number is ticks.
                Int | Long => from_ns(mul(as_i64(x.expr), lit(100)), Timespan),
                _ => return Err(bad_arg(cx, &format!("cannot convert {}", x.ty.name()))),
            }
        }
        // Datetimes and timespans convert to numbers as .NET ticks.
        "tolong" | "toint" | "toreal" | "todouble" | "todecimal"
            if a.len() == 1 && matches!(a.values[0].ty, DateTime | Timespan) =>
        {
            let x = a.one()?;
            let mut ticks = binary_expr(as_i64(x.expr), Operator::Divide, lit(100));
            if x.ty == DateTime {
                ticks = add(ticks, lit(DOTNET_EPOCH_TICKS));
            }
            let ty = match name {
                "tolong" => Long,
                "toint" => Int,
                "todecimal" => ScalarType::Decimal,
                _ => Real,
            };
            TypedExpr::new(cast(ticks, arrow_type(ty)), ty)
        }
        "unixtime_seconds_todatetime" => unixtime(a.one()?, NS_PER_SECOND),
        "unixtime_milliseconds_todatetime" => unixtime(a.one()?, 1_000_000),
        "unixtime_microseconds_todatetime" => unixtime(a.one()?, 1_000),
        "unixtime_nanoseconds_todatetime" => unixtime(a.one()?, 1),
        "datetime_utc_to_local" | "datetime_local_to_utc" => {
            let (dt, tz) = (a.arg(0)?, a.arg(1)?);
            if a.len() != 2 {
                return Err(a.arity_error());
            }
            expect_type(cx, &dt, &[DateTime])?;
            expect_type(cx, &tz, &[ScalarType::String])?;
            let udf = time_zone_udf(name == "datetime_local_to_utc");
            TypedExpr::new(udf.call(vec![dt.expr, tz.expr]), DateTime)
        }
        "format_datetime" | "format_timespan" => {
            let (value, format) = (a.arg(0)?, a.arg(1)?);
            if a.len() != 2 {
                return Err(a.arity_error());
            }
            let datetime = name == "format_datetime";
            expect_type(cx, &value, &[if datetime { DateTime } else { Timespan }])?;
            expect_type(cx, &format, &[ScalarType::String])?;
            let udf = if datetime {
                format_datetime_udf()
            } else {
                format_timespan_udf()
            };
            TypedExpr::new(udf.call(vec![value.expr, format.expr]), ScalarType::String)
        }
        "bin_at" => {
            let (value, step, fixed) = (a.arg(0)?, a.arg(1)?, a.arg(2)?);
            if a.len() != 3 {
                return Err(a.arity_error());
            }
            bin_at(value, step, fixed, cx)?
        }
        "around" => {
            let (value, center, delta) = (a.arg(0)?, a.arg(1)?, a.arg(2)?);
            if a.len() != 3 {
                return Err(a.arity_error());
            }
            let (v, c, d) = if matches!(value.ty, DateTime | Timespan) {
                expect_type(cx, &center, &[value.ty])?;
                expect_type(cx, &delta, &[Timespan])?;
                (as_i64(value.expr), as_i64(center.expr), as_i64(delta.expr))
            } else {
                (as_f64(value.expr), as_f64(center.expr), as_f64(delta.expr))
            };
            TypedExpr::new(
                and(
                    binary_expr(v.clone(), Operator::GtEq, sub(c.clone(), d.clone())),
                    binary_expr(v, Operator::LtEq, add(c, d)),
                ),
                ScalarType::Bool,
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(planned))
}

#[cfg(test)]
pub(crate) mod tests;
