//! Activity plugins over (id, time) records and a timeline of fixed bins from Start to
//! End: `sliding_window_counts` (records and distinct ids in the lookback window
//! ending with each bin) and `activity_counts_metrics` (records, distinct ids, new ids
//! and ids seen so far, per bin).

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, TimestampNanosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::Span;
use kql_syntax::ast::Arg;

use crate::error::{QueryError, Result};
use crate::planner::expr::{ExprCtx, as_i64};
use crate::planner::materialize::{arrow_error, collect_one, constant, plan_of, row_values};
use crate::planner::{Planner, TypedExpr};
use crate::types::ScalarType;

fn semantic(plugin: &str, msg: impl Into<String>, span: Span) -> QueryError {
    QueryError::semantic(
        format!("'evaluate' operator: {plugin}(): {}", msg.into()),
        span,
    )
}

pub(super) fn datetime_arg(planner: &mut Planner<'_>, plugin: &str, a: &Arg) -> Result<i64> {
    match constant(planner, &a.value)? {
        ScalarValue::TimestampNanosecond(Some(t), _) => Ok(t),
        _ => Err(semantic(
            plugin,
            "expected a constant datetime",
            a.value.span,
        )),
    }
}

pub(super) fn timespan_arg(planner: &mut Planner<'_>, plugin: &str, a: &Arg) -> Result<i64> {
    match constant(planner, &a.value)? {
        ScalarValue::DurationNanosecond(Some(t)) if t > 0 => Ok(t),
        _ => Err(semantic(
            plugin,
            "expected a positive constant timespan",
            a.value.span,
        )),
    }
}

/// The (id text, time) of each record with a time.
pub(super) fn records(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    plugin: &str,
    id: &Arg,
    time: &Arg,
) -> Result<(String, Vec<(String, i64)>)> {
    let schema = input.schema().clone();
    let ctx = ExprCtx::new(&schema, "evaluate");
    let id_value = planner.plan_scalar(&id.value, &ctx)?;
    let time_value: TypedExpr = planner.plan_scalar(&time.value, &ctx)?;
    if time_value.ty != ScalarType::DateTime {
        return Err(semantic(
            plugin,
            "the timeline column must be a datetime",
            time.value.span,
        ));
    }
    let time_name = time.value.as_name().unwrap_or("Timestamp").to_string();
    let plan = LogicalPlanBuilder::from(input)
        .project(vec![
            id_value.expr.alias("id"),
            as_i64(time_value.expr).alias("t"),
        ])?
        .build()?;
    let batch = collect_one(plan)?;
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let row = row_values(&batch, i)?;
        if let (id, ScalarValue::Int64(Some(t))) = (&row[0], &row[1])
            && !id.is_null()
        {
            out.push((id.to_string(), *t));
        }
    }
    Ok((time_name, out))
}

pub(super) fn output(
    time_name: &str,
    bins: Vec<i64>,
    counts: Vec<(&str, Vec<i64>)>,
) -> Result<LogicalPlan> {
    let mut fields = vec![Field::new(
        time_name,
        DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
        true,
    )];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(
        TimestampNanosecondArray::from(bins).with_timezone("UTC"),
    )];
    for (name, values) in counts {
        fields.push(Field::new(name, DataType::Int64, true));
        columns.push(Arc::new(Int64Array::from(values)));
    }
    let batch =
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(arrow_error)?;
    plan_of(batch)
}

/// The bins from `start` to `end` (inclusive) by `step`, at most a million.
pub(super) fn timeline(
    plugin: &str,
    start: i64,
    end: i64,
    step: i64,
    span: Span,
) -> Result<Vec<i64>> {
    let n = (end.saturating_sub(start)) / step + 1;
    if !(0..=1_000_000).contains(&n) {
        return Err(semantic(plugin, "the timeline has too many bins", span));
    }
    Ok((0..n).map(|k| start + k * step).collect())
}

pub(crate) fn sliding_window_counts(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let plugin = "sliding_window_counts";
    let [id, time, start, end, lookback, bin] = args else {
        if args.len() > 6 {
            return Err(QueryError::not_supported(format!(
                "{plugin}() with dimensions"
            )));
        }
        return Err(semantic(plugin, "expected six arguments", span));
    };
    let (start, end) = (
        datetime_arg(planner, plugin, start)?,
        datetime_arg(planner, plugin, end)?,
    );
    let lookback = timespan_arg(planner, plugin, lookback)?;
    let step = timespan_arg(planner, plugin, bin)?;
    let (time_name, rows) = records(planner, input, plugin, id, time)?;
    let bins = timeline(plugin, start, end, step, span)?;
    let mut by_bin: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for (id, t) in &rows {
        let b = start + (t - start).div_euclid(step) * step;
        by_bin.entry(b).or_default().push(id);
    }
    let (mut counts, mut dcounts) = (Vec::new(), Vec::new());
    for &b in &bins {
        let ids: Vec<&str> = by_bin
            .range(b - lookback + 1..=b)
            .flat_map(|(_, ids)| ids.iter().copied())
            .collect();
        counts.push(ids.len() as i64);
        dcounts.push(ids.iter().collect::<HashSet<_>>().len() as i64);
    }
    output(
        &time_name,
        bins,
        vec![("Count", counts), ("dcount", dcounts)],
    )
}

pub(crate) fn activity_counts_metrics(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let plugin = "activity_counts_metrics";
    let [id, time, start, end, window] = args else {
        if args.len() > 5 {
            return Err(QueryError::not_supported(format!(
                "{plugin}() with dimensions"
            )));
        }
        return Err(semantic(plugin, "expected five arguments", span));
    };
    let (start, end) = (
        datetime_arg(planner, plugin, start)?,
        datetime_arg(planner, plugin, end)?,
    );
    let step = timespan_arg(planner, plugin, window)?;
    let (time_name, rows) = records(planner, input, plugin, id, time)?;
    let bins = timeline(plugin, start, end, step, span)?;
    let mut by_bin: BTreeMap<i64, Vec<&str>> = BTreeMap::new();
    for (id, t) in &rows {
        if *t < start {
            continue;
        }
        let b = start + (t - start).div_euclid(step) * step;
        by_bin.entry(b).or_default().push(id);
    }
    let mut seen: HashSet<&str> = HashSet::new();
    let (mut count, mut dcount, mut new, mut total) = (vec![], vec![], vec![], vec![]);
    for &b in &bins {
        let ids = by_bin.get(&b).map(Vec::as_slice).unwrap_or_default();
        let distinct: HashSet<&str> = ids.iter().copied().collect();
        count.push(ids.len() as i64);
        dcount.push(distinct.len() as i64);
        new.push(distinct.iter().filter(|i| !seen.contains(*i)).count() as i64);
        seen.extend(distinct);
        total.push(seen.len() as i64);
    }
    output(
        &time_name,
        bins,
        vec![
            ("count", count),
            ("dcount", dcount),
            ("new_dcount", new),
            ("aggregated_dcount", total),
        ],
    )
}
