//! `evaluate` plugins beyond `bag_unpack`: `ipv4_lookup`, `ipv6_lookup`, `rows_near`,
//! `rolling_percentile`.

use std::collections::BTreeMap;

use datafusion::arrow::array::{Array, BooleanArray};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Column, ScalarValue};
use datafusion::logical_expr::{Expr, JoinType, LogicalPlan, LogicalPlanBuilder};
use kql_syntax::Span;
use kql_syntax::ast::{Arg, ExprKind, Literal};

use crate::error::{QueryError, Result};
use crate::planner::builtins::core::bin;
use crate::planner::builtins::{CallCtx, plan_builtin};
use crate::planner::expr::{ExprCtx, as_i64};
use crate::planner::materialize::{
    arrow_error, batch_of_rows, collect_one, constant, plan_of, row_values,
};
use crate::planner::naming::unique_name;
use crate::planner::{Planner, TypedExpr, column, column_names};
use crate::types::ScalarType;

pub(super) fn semantic(plugin: &str, msg: impl Into<String>, span: Span) -> QueryError {
    QueryError::semantic(
        format!("'evaluate' operator: {plugin}(): {}", msg.into()),
        span,
    )
}

/// Plans `evaluate name(args)` for the plugins of this file; None for other names.
pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    name: &str,
    args: &[Arg],
    span: Span,
) -> Result<Option<LogicalPlan>> {
    Ok(Some(match name {
        "ipv4_lookup" | "ipv6_lookup" => ip_lookup(planner, input, name, args, span)?,
        "rows_near" => rows_near(planner, input, args, span)?,
        "rolling_percentile" => rolling_percentile(planner, input, args, span)?,
        "sliding_window_counts" => {
            super::activity::sliding_window_counts(planner, input, args, span)?
        }
        "active_users_count" => super::active_users::plan(planner, input, args, span)?,
        "schema_merge" => super::schema_merge::plan(planner, input, args, span)?,
        "pivot" => super::pivot::plan(planner, input, args, span)?,
        "activity_counts_metrics" => {
            super::activity::activity_counts_metrics(planner, input, args, span)?
        }
        _ => return Ok(None),
    }))
}

/// The argument named `name`, or else the positional argument `position`.
pub(super) fn arg<'a>(args: &'a [Arg], position: usize, name: &str) -> Option<&'a Arg> {
    args.iter()
        .find(|a| a.name.as_ref().is_some_and(|n| n.name == name))
        .or_else(|| args.get(position).filter(|a| a.name.is_none()))
}

pub(super) fn column_arg(plugin: &str, a: Option<&Arg>, what: &str, span: Span) -> Result<String> {
    a.and_then(|a| a.value.as_name())
        .map(str::to_string)
        .ok_or_else(|| semantic(plugin, format!("expected {what} (a column name)"), span))
}

pub(super) fn bool_arg(plugin: &str, a: Option<&Arg>) -> Result<bool> {
    match a.map(|a| &a.value.kind) {
        None => Ok(false),
        Some(ExprKind::Literal(Literal::Bool(b))) => Ok(*b),
        Some(_) => Err(semantic(
            plugin,
            "expected a constant bool",
            a.map(|a| a.value.span).unwrap_or_default(),
        )),
    }
}

const LEFT: &str = "__ipl";
const RIGHT: &str = "__ipr";

fn qualified(side: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(side), name))
}

/// `T | evaluate ipv4_lookup(LookupTable, SourceIP, IPRange [, return_unmatched])`: the
/// rows of T joined with the rows of LookupTable whose range holds T's address.
fn ip_lookup(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    plugin: &str,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let table = arg(args, 0, "LookupTable")
        .ok_or_else(|| semantic(plugin, "expected a lookup table", span))?;
    let lookup = planner.plan_tabular(&table.value)?;
    let source = column_arg(
        plugin,
        arg(args, 1, "SourceIPColumnName"),
        "the address column",
        span,
    )?;
    let range = column_arg(
        plugin,
        arg(args, 2, "IPRangeColumnName"),
        "the range column",
        span,
    )?;
    let unmatched = bool_arg(plugin, arg(args, 3, "return_unmatched"))?;
    let left_names = column_names(&input);
    let right_names = column_names(&lookup);
    if !left_names.contains(&source) {
        return Err(semantic(
            plugin,
            format!("no column '{source}' in the input"),
            span,
        ));
    }
    if !right_names.contains(&range) {
        return Err(semantic(
            plugin,
            format!("no column '{range}' in the lookup table"),
            span,
        ));
    }
    let left = LogicalPlanBuilder::from(input).alias(LEFT)?.build()?;
    let right = LogicalPlanBuilder::from(lookup).alias(RIGHT)?.build()?;
    let both = left.schema().join(right.schema())?;
    let check = if plugin == "ipv4_lookup" {
        "ipv4_is_in_range"
    } else {
        "ipv6_is_in_range"
    };
    let cx = CallCtx {
        name: check,
        operator: "evaluate",
        span,
        schema: &both,
        now_ns: planner.now_ns(),
    };
    let text = |side: &str, name: &str| TypedExpr::new(qualified(side, name), ScalarType::String);
    let condition = plan_builtin(vec![text(LEFT, &source), text(RIGHT, &range)], &cx)?
        .ok_or_else(|| QueryError::not_supported(format!("{plugin}: {check}")))?;
    let kind = if unmatched {
        JoinType::Left
    } else {
        JoinType::Inner
    };
    let joined = LogicalPlanBuilder::from(left)
        .join_on(right, kind, vec![condition.expr])?
        .build()?;
    let mut projection = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for n in &left_names {
        projection.push(qualified(LEFT, n).alias(n));
        taken.push(n.clone());
    }
    for n in &right_names {
        let out = unique_name(n, &|c| taken.iter().any(|t| t == c));
        projection.push(qualified(RIGHT, n).alias(&out));
        taken.push(out);
    }
    Ok(LogicalPlanBuilder::from(joined)
        .project(projection)?
        .build()?)
}

const FLAG: &str = "__quarry_plugin_flag";

/// `rows_near(Condition, NumRows [, RowsAfter])`: the rows within NumRows before (and
/// RowsAfter, by default NumRows, after) a row that meets Condition, in input order.
fn rows_near(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let plugin = "rows_near";
    let (Some(condition), Some(before)) = (args.first(), args.get(1)) else {
        return Err(semantic(
            plugin,
            "expected a condition and a row count",
            span,
        ));
    };
    let count = |a: &Arg, planner: &mut Planner<'_>| -> Result<usize> {
        match constant(planner, &a.value)? {
            ScalarValue::Int64(Some(n)) if n >= 0 => Ok(n as usize),
            ScalarValue::Int32(Some(n)) if n >= 0 => Ok(n as usize),
            _ => Err(semantic(
                plugin,
                "expected a non-negative count",
                a.value.span,
            )),
        }
    };
    let before = count(before, planner)?;
    let after = match args.get(2) {
        Some(a) => count(a, planner)?,
        None => before,
    };
    let names = column_names(&input);
    let schema = input.schema().clone();
    let flag = planner.plan_scalar(&condition.value, &ExprCtx::new(&schema, "evaluate"))?;
    let mut exprs: Vec<Expr> = names.iter().map(|n| column(n)).collect();
    exprs.push(flag.expr.alias(FLAG));
    let plan = LogicalPlanBuilder::from(input).project(exprs)?.build()?;
    let batch = collect_one(plan)?;
    let flags = batch
        .column(names.len())
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or_else(|| semantic(plugin, "the condition must be a bool", condition.value.span))?;
    let n = batch.num_rows();
    let mut keep = vec![false; n];
    for i in 0..n {
        if flags.is_valid(i) && flags.value(i) {
            let from = i.saturating_sub(before);
            let to = (i + after).min(n.saturating_sub(1));
            keep[from..=to].iter_mut().for_each(|k| *k = true);
        }
    }
    let kept = filter_record_batch(&batch, &BooleanArray::from(keep)).map_err(arrow_error)?;
    let kept = kept
        .project(&(0..names.len()).collect::<Vec<_>>())
        .map_err(arrow_error)?;
    plan_of(kept)
}

/// Per bin key: the bin's value and the values that fell in it.
type Bins = BTreeMap<i64, (ScalarValue, Vec<ScalarValue>)>;

/// The nearest-rank percentile of sorted values.
fn nearest_rank(sorted: &[ScalarValue], p: f64) -> Option<ScalarValue> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).cloned()
}

/// `rolling_percentile(Value, Percentile, Index, BinSize, WindowSize [, Dim, ...])`:
/// per bin of Index (and dimension values), the percentile of Value over the bin and
/// the WindowSize-1 bins before it.
fn rolling_percentile(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let plugin = "rolling_percentile";
    if args.len() < 5 {
        return Err(semantic(plugin, "expected at least five arguments", span));
    }
    let value = column_arg(plugin, args.first(), "the value column", span)?;
    let index = column_arg(plugin, args.get(2), "the index column", span)?;
    let percentile = match constant(planner, &args[1].value)? {
        ScalarValue::Int64(Some(p)) => p as f64,
        ScalarValue::Int32(Some(p)) => f64::from(p),
        ScalarValue::Float64(Some(p)) => p,
        _ => return Err(semantic(plugin, "expected a constant percentile", span)),
    };
    let window = match constant(planner, &args[4].value)? {
        ScalarValue::Int64(Some(w)) if w > 0 => w,
        ScalarValue::Int32(Some(w)) if w > 0 => i64::from(w),
        _ => return Err(semantic(plugin, "expected a positive window size", span)),
    };
    let dims: Vec<String> = args[5..]
        .iter()
        .map(|a| column_arg(plugin, Some(a), "a dimension", span))
        .collect::<Result<_>>()?;
    let schema = input.schema().clone();
    let ctx = ExprCtx::new(&schema, "evaluate");
    let index_value = planner.plan_scalar(&args[2].value, &ctx)?;
    let step = planner.plan_scalar(&args[3].value, &ctx)?;
    let step_ns = match constant(planner, &args[3].value)? {
        ScalarValue::Int64(Some(s)) if s > 0 => s,
        ScalarValue::Int32(Some(s)) if s > 0 => i64::from(s),
        ScalarValue::DurationNanosecond(Some(s)) if s > 0 => s,
        _ => {
            return Err(QueryError::not_supported(
                "rolling_percentile() with a bin size that is not a positive integer or timespan",
            ));
        }
    };
    let binned = bin(index_value, step)?;
    let key = as_i64(binned.expr.clone());
    let mut exprs = vec![binned.named(&index), key.alias(FLAG)];
    exprs.extend(dims.iter().map(|d| column(d)));
    exprs.push(column(&value));
    let plan = LogicalPlanBuilder::from(input).project(exprs)?.build()?;
    let out_fields: Vec<Field> = plan
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, f)| f.as_ref().clone())
        .collect();
    let value_field = out_fields
        .last()
        .cloned()
        .unwrap_or_else(|| Field::new("", DataType::Null, true));
    let batch = collect_one(plan)?;
    // dims → bin key → (bin value, values)
    let mut groups: BTreeMap<Vec<String>, (Vec<ScalarValue>, Bins)> = BTreeMap::new();
    for i in 0..batch.num_rows() {
        let row = row_values(&batch, i)?;
        let ScalarValue::Int64(Some(k)) = row[1] else {
            continue;
        };
        let dim_values = row[2..2 + dims.len()].to_vec();
        let dim_key = dim_values.iter().map(|v| v.to_string()).collect();
        let v = row[2 + dims.len()].clone();
        let entry = groups
            .entry(dim_key)
            .or_insert_with(|| (dim_values, BTreeMap::new()));
        let bin_entry = entry
            .1
            .entry(k)
            .or_insert_with(|| (row[0].clone(), Vec::new()));
        if !v.is_null() {
            bin_entry.1.push(v);
        }
    }
    let mut rows = Vec::new();
    for (dim_values, bins) in groups.values() {
        for (k, (bin_value, _)) in bins {
            let low = k.saturating_sub((window - 1).saturating_mul(step_ns));
            let mut values: Vec<ScalarValue> = bins
                .range(low..=*k)
                .flat_map(|(_, (_, v))| v.iter().cloned())
                .collect();
            values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            let mut row = vec![bin_value.clone()];
            row.extend(dim_values.iter().cloned());
            row.push(nearest_rank(&values, percentile).unwrap_or(ScalarValue::Null));
            rows.push(row);
        }
    }
    let p_text = format!("{percentile}").replace('.', "_");
    let mut fields = out_fields;
    let last = fields.len() - 1;
    fields[last] = value_field.with_name(format!("rolling_{window}_percentile_{value}_{p_text}"));
    plan_of(batch_of_rows(fields, &rows)?)
}
