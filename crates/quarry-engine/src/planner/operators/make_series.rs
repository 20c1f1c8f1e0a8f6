//! `make-series Agg [default=D], ... on Axis [from A] [to B] step S [by Keys]`
//!
//! Planned with DataFusion's own aggregation, so it scales like `summarize`:
//! 1. each row gets its bin index `(Axis - start) / S` (rows outside `[A, B)` are
//!    dropped); without `from`/`to` the bounds are the whole input's first and last
//!    bin, computed as window aggregates over the entire input;
//! 2. aggregate by (keys, bin);
//! 3. aggregate by keys, collecting the bin indices and values with `array_agg`;
//! 4. [`series_from_bins`](crate::functions::make_series) turns them into dense arrays
//!    (absent bins get the default, 0 unless given), and the axis column is the array
//!    of bin starts.
//!
//! Output columns are Kusto's: the keys, then one array per aggregate, then the axis.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as df;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::functions_aggregate::min_max::{max_udaf, min_udaf};
use datafusion::logical_expr::expr::{WindowFunction, WindowFunctionDefinition};
use datafusion::logical_expr::{
    Expr, LogicalPlan, LogicalPlanBuilder, Operator, and, binary_expr, cast, lit,
};
use kql_syntax::ast::{self, ExprKind, MakeSeriesAgg, NamedExpr, OpParam, SeriesRange};

use crate::error::{QueryError, Result};
use crate::functions::make_series::{AxisKind, series_axis_udf, series_from_bins_udf};
use crate::planner::aggregates::{default_name, is_aggregate};
use crate::planner::expr::ExprCtx;
use crate::planner::literal::eval_constant;
use crate::planner::naming::{ColumnNamer, principal_column, unique_name};
use crate::planner::{Planner, TypedExpr, column, column_names};
use crate::types::{ScalarType, metadata_for};

const IDX: &str = "__ms_idx";
const START: &str = "__ms_start";
const LEN: &str = "__ms_len";

/// The axis arithmetic: exact integers for datetimes, timespans and integers, floats
/// for reals.
#[derive(Clone, Copy)]
struct Axis {
    kind: AxisKind,
}

impl Axis {
    fn is_int(self) -> bool {
        self.kind != AxisKind::Real
    }
    fn num(self, e: Expr) -> Expr {
        if self.is_int() {
            cast(e, DataType::Int64)
        } else {
            cast(e, DataType::Float64)
        }
    }
    /// `floor(x / step)` as an Int64.
    fn floor_div(self, x: Expr, step: Expr) -> Expr {
        if self.is_int() {
            // Integer division truncates; shift negatives so it floors.
            let q = binary_expr(x.clone(), Operator::Divide, step.clone());
            let r = binary_expr(x, Operator::Modulo, step);
            let adjust =
                datafusion::logical_expr::when(binary_expr(r, Operator::Lt, lit(0i64)), lit(1i64))
                    .otherwise(lit(0i64))
                    .unwrap_or_else(|_| lit(0i64));
            binary_expr(q, Operator::Minus, adjust)
        } else {
            cast(
                df::floor(binary_expr(x, Operator::Divide, step)),
                DataType::Int64,
            )
        }
    }
}

fn constant(planner: &mut Planner<'_>, e: &ast::Expr, axis: Axis) -> Result<Expr> {
    let empty = datafusion::common::DFSchema::empty();
    let ctx = ExprCtx::new(&empty, "make-series");
    let value = planner.plan_scalar(e, &ctx)?;
    let folded = eval_constant(axis.num(value.expr))?;
    if folded.is_null() {
        return Err(QueryError::semantic(
            "'make-series' operator: the range bounds and step must not be null",
            e.span,
        ));
    }
    Ok(Expr::Literal(folded, None))
}

fn over_everything(f: std::sync::Arc<datafusion::logical_expr::AggregateUDF>, x: Expr) -> Expr {
    Expr::from(WindowFunction::new(
        WindowFunctionDefinition::AggregateUDF(f),
        vec![x],
    ))
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    params: &[OpParam],
    aggs: &[MakeSeriesAgg],
    on: &ast::Expr,
    range: &SeriesRange,
    by: &[NamedExpr],
) -> Result<LogicalPlan> {
    for p in params {
        let ok = p.name.name.starts_with("hint.")
            || (p.name.name == "kind"
                && matches!(&p.value.kind, ExprKind::Name(n) if n.name == "nonempty"));
        if !ok {
            return Err(QueryError::not_supported(format!(
                "make-series parameter '{}'",
                p.name.name
            )));
        }
    }
    let schema = input.schema().clone();
    let ctx = ExprCtx::new(&schema, "make-series");
    let axis_value = planner.plan_scalar(on, &ctx)?;
    let kind = match axis_value.ty {
        ScalarType::DateTime => AxisKind::DateTime,
        ScalarType::Timespan => AxisKind::Timespan,
        ScalarType::Int | ScalarType::Long => AxisKind::Long,
        ScalarType::Real | ScalarType::Decimal => AxisKind::Real,
        other => {
            return Err(QueryError::semantic(
                format!(
                    "'make-series' operator: the axis must be a datetime, timespan or number, not {}",
                    other.name()
                ),
                on.span,
            ));
        }
    };
    let axis = Axis { kind };
    let axis_name = principal_column(on).unwrap_or_else(|| "Column1".to_string());
    let (from, to, step) = match range {
        SeriesRange::FromTo { from, to, step } => (from.as_ref(), to.as_ref(), step),
        SeriesRange::InRange { start, stop, step } => (Some(start), Some(stop), step),
    };
    let step = constant(planner, step, axis)?;
    let zero = if axis.is_int() {
        ScalarValue::Int64(Some(0))
    } else {
        ScalarValue::Float64(Some(0.0))
    };
    if matches!(&step, Expr::Literal(v, _) if v.partial_cmp(&zero) != Some(std::cmp::Ordering::Greater))
    {
        return Err(QueryError::semantic(
            "'make-series' operator: step must be positive",
            Default::default(),
        ));
    }
    let from = from.map(|e| constant(planner, e, axis)).transpose()?;
    let to = to.map(|e| constant(planner, e, axis)).transpose()?;

    // 1. Key columns, bin index, start and length beside the input columns.
    let t = axis.num(axis_value.expr.clone());
    let binned = binary_expr(
        axis.floor_div(t.clone(), step.clone()),
        Operator::Multiply,
        axis.num(step.clone()),
    );
    let start = match &from {
        Some(f) => f.clone(),
        None => over_everything(min_udaf(), binned.clone()),
    };
    // Window expressions must be bare window functions (DataFusion's filter pushdown
    // insists), so `+ step` is applied after the window.
    let last_bin = over_everything(max_udaf(), binned);
    let mut plan = input;
    let needs_window = from.is_none() || to.is_none();
    let mut base: Vec<Expr> = column_names(&plan).iter().map(|n| column(n)).collect();
    if needs_window {
        let mut windows = Vec::new();
        if from.is_none() {
            windows.push(start.clone().alias(START));
        }
        if to.is_none() {
            windows.push(last_bin.alias("__ms_last"));
        }
        plan = LogicalPlanBuilder::from(plan).window(windows)?.build()?;
    }
    let start_col = if from.is_none() { column(START) } else { start };
    let end_col = match to {
        Some(e) => e,
        None => binary_expr(column("__ms_last"), Operator::Plus, step.clone()),
    };
    // Rows outside [start, end) are not in the series.
    plan = LogicalPlanBuilder::from(plan)
        .filter(and(
            binary_expr(t.clone(), Operator::GtEq, start_col.clone()),
            binary_expr(t.clone(), Operator::Lt, end_col.clone()),
        ))?
        .build()?;
    let span = binary_expr(end_col, Operator::Minus, start_col.clone());
    // ceil(span / step)
    let len = binary_expr(
        lit(0i64),
        Operator::Minus,
        axis.floor_div(
            binary_expr(lit(0i64), Operator::Minus, span.clone()),
            step.clone(),
        ),
    );
    let len = if axis.is_int() {
        len
    } else {
        cast(
            df::ceil(binary_expr(span, Operator::Divide, step.clone())),
            DataType::Int64,
        )
    };
    base.push(
        axis.floor_div(
            binary_expr(t, Operator::Minus, start_col.clone()),
            step.clone(),
        )
        .alias(IDX),
    );
    base.push(start_col.alias(START));
    base.push(len.alias(LEN));
    plan = LogicalPlanBuilder::from(plan).project(base)?.build()?;

    // 2. Aggregate by keys and bin.
    let schema = plan.schema().clone();
    let ctx = ExprCtx::new(&schema, "make-series");
    let mut namer = ColumnNamer::new();
    let mut taken: Vec<String> = Vec::new();
    let mut keys = Vec::new();
    let mut group = Vec::new();
    for key in by {
        let value = planner.plan_scalar(&key.expr, &ctx)?;
        let name = match key.names.as_slice() {
            [n] => n.name.clone(),
            _ => principal_column(&key.expr)
                .unwrap_or_else(|| namer.fresh(&|n| taken.iter().any(|t| t == n))),
        };
        group.push(value.named(&name));
        taken.push(name.clone());
        keys.push(name);
    }
    let inner_keys: Vec<Expr> = keys.iter().map(|k| column(k)).collect();
    group.extend([column(IDX), column(START), column(LEN)]);
    let mut aggregates = Vec::new();
    let mut outputs: Vec<(String, ScalarType, Expr)> = Vec::new();
    let mut finish_exprs: Vec<Expr> = Vec::new();
    for (i, item) in aggs.iter().enumerate() {
        let ExprKind::Call { name, args } = &item.agg.expr.kind else {
            return Err(QueryError::semantic(
                "'make-series' operator: an aggregate function is expected here",
                item.agg.expr.span,
            ));
        };
        if !is_aggregate(&name.name) {
            return Err(QueryError::not_supported(format!(
                "aggregate function '{}' in make-series",
                name.name
            )));
        }
        let planned = planner.plan_aggregate_call(&name.name, args, item.agg.expr.span, &ctx)?;
        let alias = format!("__ms_agg_{i}");
        aggregates.push(planned.aggregate.alias(&alias));
        let value = match planned.finish {
            Some(finish) => finish(column(&alias)),
            None => TypedExpr::new(column(&alias), planned.ty),
        };
        let out_name = match item.agg.names.as_slice() {
            [n] => n.name.clone(),
            _ => unique_name(&default_name(&name.name, args), &|n| {
                taken.iter().any(|t| t == n)
            }),
        };
        taken.push(out_name.clone());
        let default = match &item.default {
            Some(d) => {
                let empty = datafusion::common::DFSchema::empty();
                let dctx = ExprCtx::new(&empty, "make-series");
                let v = planner.plan_scalar(d, &dctx)?;
                Expr::Literal(eval_constant(v.expr)?, None)
            }
            None => lit(0i64),
        };
        outputs.push((out_name, value.ty, default));
        finish_exprs.push(value.expr.alias(&alias));
    }
    plan = LogicalPlanBuilder::from(plan)
        .aggregate(group, aggregates)?
        .build()?;
    // The finishing steps (dcount → long, lists → dynamic) on the aggregated values.
    let mut finished: Vec<Expr> = inner_keys.clone();
    finished.extend([column(IDX), column(START), column(LEN)]);
    finished.extend(finish_exprs);
    plan = LogicalPlanBuilder::from(plan).project(finished)?.build()?;

    // 3. Collect each group's bins.
    let mut collect = vec![
        agg::array_agg(column(IDX)).alias("__ms_idxs"),
        agg::max(column(START)).alias(START),
        agg::max(column(LEN)).alias(LEN),
    ];
    for i in 0..aggs.len() {
        collect
            .push(agg::array_agg(column(&format!("__ms_agg_{i}"))).alias(format!("__ms_vals_{i}")));
    }
    plan = LogicalPlanBuilder::from(plan)
        .aggregate(inner_keys.clone(), collect)?
        .build()?;

    // 4. Dense arrays and the axis.
    let mut projection: Vec<Expr> = inner_keys;
    for (i, (name, ty, default)) in outputs.into_iter().enumerate() {
        let udf = series_from_bins_udf(ty == ScalarType::Dynamic);
        let e = udf.call(vec![
            column("__ms_idxs"),
            column(&format!("__ms_vals_{i}")),
            column(LEN),
            default,
        ]);
        projection.push(e.alias_with_metadata(&name, metadata_for(ScalarType::Dynamic)));
    }
    let axis_name = unique_name(&axis_name, &|n| taken.iter().any(|t| t == n));
    projection.push(
        series_axis_udf(kind)
            .call(vec![column(START), column(LEN), step])
            .alias_with_metadata(&axis_name, metadata_for(ScalarType::Dynamic)),
    );
    Ok(LogicalPlanBuilder::from(plan)
        .project(projection)?
        .build()?)
}
