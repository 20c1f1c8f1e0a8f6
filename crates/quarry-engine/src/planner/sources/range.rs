//! `range X from A to B step S`: an arithmetic series, both ends included, of longs,
//! reals, datetimes or timespans.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, DurationNanosecondArray, Float64Array, Int64Array, TimestampNanosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::LogicalPlan;
use kql_syntax::Span;
use kql_syntax::ast::{Expr, Ident};

use super::scan_batches;
use crate::error::{QueryError, Result};
use crate::planner::Planner;
use crate::types::{ScalarType, UTC, field_for};

/// Rows a single `range` may produce before the query is stopped.
const MAX_RANGE_ROWS: i128 = 100_000_000;
const BATCH_ROWS: usize = 8192;

fn as_i64(v: &ScalarValue) -> Option<i64> {
    match v.cast_to(&DataType::Int64).ok()? {
        ScalarValue::Int64(n) => n,
        _ => None,
    }
}

fn row_count(from: i128, to: i128, step: i128) -> Result<usize> {
    if (step > 0 && to < from) || (step < 0 && to > from) {
        return Ok(0);
    }
    let n = (to - from) / step + 1;
    if n > MAX_RANGE_ROWS {
        return Err(QueryError::ResourcesExhausted);
    }
    Ok(n as usize)
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    column: &Ident,
    from: &Expr,
    to: &Expr,
    step: &Expr,
    span: Span,
) -> Result<LogicalPlan> {
    let from_v = planner.constant_value(from, "range")?;
    let to_v = planner.constant_value(to, "range")?;
    let step_v = planner.constant_value(step, "range")?;
    let bad = |why: &str| QueryError::semantic(format!("'range' operator: {why}"), span);
    let (ty, values): (ScalarType, Vec<ArrayRef>) = match (&from_v, &step_v) {
        (ScalarValue::TimestampNanosecond(..), _) | (ScalarValue::DurationNanosecond(..), _) => {
            let (f, t, s) = (as_i64(&from_v), as_i64(&to_v), as_i64(&step_v));
            let (Some(f), Some(t), Some(s)) = (f, t, s) else {
                return Err(bad("null bound"));
            };
            if s == 0 {
                return Err(bad("step must not be zero"));
            }
            let n = row_count(f as i128, t as i128, s as i128)?;
            let is_datetime = matches!(from_v, ScalarValue::TimestampNanosecond(..));
            let chunks = (0..n).step_by(BATCH_ROWS).map(|start| {
                let end = (start + BATCH_ROWS).min(n);
                let vals = (start..end).map(|i| f + s * i as i64);
                if is_datetime {
                    Arc::new(TimestampNanosecondArray::from_iter_values(vals).with_timezone(UTC))
                        as ArrayRef
                } else {
                    Arc::new(DurationNanosecondArray::from_iter_values(vals)) as ArrayRef
                }
            });
            (
                if is_datetime {
                    ScalarType::DateTime
                } else {
                    ScalarType::Timespan
                },
                chunks.collect(),
            )
        }
        (ScalarValue::Float64(_), _) | (_, ScalarValue::Float64(_)) | (_, _)
            if matches!(to_v, ScalarValue::Float64(_))
                || matches!(from_v, ScalarValue::Float64(_))
                || matches!(step_v, ScalarValue::Float64(_)) =>
        {
            let get = |v: &ScalarValue| match v.cast_to(&DataType::Float64) {
                Ok(ScalarValue::Float64(Some(x))) => Some(x),
                _ => None,
            };
            let (Some(f), Some(t), Some(s)) = (get(&from_v), get(&to_v), get(&step_v)) else {
                return Err(bad("null bound"));
            };
            if s == 0.0 || !s.is_finite() {
                return Err(bad("step must be a non-zero number"));
            }
            let n = ((t - f) / s).floor();
            if n < 0.0 {
                (ScalarType::Real, vec![])
            } else {
                if n > MAX_RANGE_ROWS as f64 {
                    return Err(QueryError::ResourcesExhausted);
                }
                let n = n as usize + 1;
                let chunks = (0..n).step_by(BATCH_ROWS).map(|start| {
                    let end = (start + BATCH_ROWS).min(n);
                    Arc::new(Float64Array::from_iter_values(
                        (start..end).map(|i| f + s * i as f64),
                    )) as ArrayRef
                });
                (ScalarType::Real, chunks.collect())
            }
        }
        _ => {
            let (Some(f), Some(t), Some(s)) = (as_i64(&from_v), as_i64(&to_v), as_i64(&step_v))
            else {
                return Err(bad("bounds must be numbers, datetimes or timespans"));
            };
            if s == 0 {
                return Err(bad("step must not be zero"));
            }
            let n = row_count(f as i128, t as i128, s as i128)?;
            let chunks = (0..n).step_by(BATCH_ROWS).map(|start| {
                let end = (start + BATCH_ROWS).min(n);
                Arc::new(Int64Array::from_iter_values(
                    (start..end).map(|i| f + s * i as i64),
                )) as ArrayRef
            });
            (ScalarType::Long, chunks.collect())
        }
    };
    let schema = Arc::new(Schema::new(vec![field_for(&column.name, ty)]));
    let batches = values
        .into_iter()
        .map(|a| RecordBatch::try_new(schema.clone(), vec![a]))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| QueryError::Execution(e.to_string()))?;
    scan_batches("range", schema, batches)
}
