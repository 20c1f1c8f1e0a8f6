//! Kusto's window functions on serialized rows: `row_number`, `prev`, `next`,
//! `row_cumsum`, `row_rank_dense`, `row_rank_min`.
//!
//! They cannot be plain expressions: each becomes a DataFusion `Window` node under the
//! operator that uses it (`extend`, `project`, `serialize`), computed into a hidden
//! column that the expression then refers to through `ExprCtx::substitutions` (as
//! summarize does for aggregates). Calls nested in another call's arguments
//! (`row_number(1, prev(A) != A)`) are computed first.
//!
//! Row order: a hidden row index is numbered first, ordered by the keys of the `sort`
//! that serialized the rows when there is one (so the numbering follows the sort
//! whatever the physical plan does), else in arrival order. Every later window orders
//! by that index, and the rows leave sorted by it. A `restart` argument becomes a
//! running count of restarts (the partition key of `row_cumsum`) or a running maximum
//! of the restart rows' indexes.

use std::collections::HashMap;

use datafusion::common::ScalarValue;
use datafusion::functions_aggregate::min_max::max_udaf;
use datafusion::functions_aggregate::sum::sum_udaf;
use datafusion::functions_window::expr_fn::{lag, lead, row_number};
use datafusion::logical_expr::expr::{Sort as SortExpr, WindowFunction};
use datafusion::logical_expr::{
    Expr, ExprFunctionExt, LogicalPlan, LogicalPlanBuilder, Operator, WindowFrame,
    WindowFrameBound, WindowFrameUnits, binary_expr, cast, when,
};
use kql_syntax::ast::{self, ExprKind};

use super::expr::{ExprCtx, as_i64};
use super::literal::eval_constant;
use super::{Binding, Planner, TypedExpr, column};
use crate::error::{QueryError, Result};
use crate::types::{ScalarType, arrow_type};

const WINDOW_FUNCTIONS: &[&str] = &[
    "row_number",
    "prev",
    "next",
    "row_cumsum",
    "row_rank_dense",
    "row_rank_min",
    "row_window_session",
];

/// The hidden columns' prefix; they never survive the operator that adds them.
const HIDDEN: &str = "__kql_window_";

/// Substitutions for window calls, by the call's span.
pub(crate) type Substitutions = HashMap<(u32, u32), TypedExpr>;

fn is_window_call(planner: &Planner<'_>, e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Call { name, .. } => {
            WINDOW_FUNCTIONS.contains(&name.name.as_str())
                && !matches!(planner.lookup(&name.name), Some(Binding::Function(_)))
        }
        _ => false,
    }
}

/// Window calls in `e`, innermost first. Sub-queries are not entered.
fn collect<'e>(planner: &Planner<'_>, e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    if matches!(e.kind, ExprKind::Pipe { .. } | ExprKind::Source(_)) {
        return;
    }
    e.for_each_child(&mut |c| collect(planner, c, out));
    if is_window_call(planner, e) {
        out.push(e);
    }
}

/// The sort keys that put `plan`'s rows in their serialized order, when a `sort` below
/// a chain of order-keeping nodes decides it and its keys are still plain columns.
fn serial_order(plan: &LogicalPlan) -> Option<Vec<SortExpr>> {
    match plan {
        LogicalPlan::Sort(s) => s
            .expr
            .iter()
            .all(|k| matches!(k.expr, Expr::Column(_)))
            .then(|| s.expr.clone()),
        LogicalPlan::Filter(f) => serial_order(&f.input),
        LogicalPlan::Limit(l) => serial_order(&l.input),
        LogicalPlan::Window(w) => serial_order(&w.input),
        LogicalPlan::Projection(p) => {
            let keys = serial_order(&p.input)?;
            // Each key column must pass through the projection unchanged.
            let passes = |name: &str| {
                p.expr.iter().any(|e| match e {
                    Expr::Column(c) => c.name == name,
                    Expr::Alias(a) => {
                        a.name == name && matches!(&*a.expr, Expr::Column(c) if c.name == name)
                    }
                    _ => false,
                })
            };
            keys.iter()
                .all(|k| matches!(&k.expr, Expr::Column(c) if passes(&c.name)))
                .then_some(keys)
        }
        _ => None,
    }
}

fn running() -> WindowFrame {
    WindowFrame::new_bounds(
        WindowFrameUnits::Rows,
        WindowFrameBound::Preceding(ScalarValue::UInt64(None)),
        WindowFrameBound::CurrentRow,
    )
}

fn lit_i64(v: i64) -> Expr {
    Expr::Literal(ScalarValue::Int64(Some(v)), None)
}

/// Adds windows over the serialized rows, one hidden column each.
///
/// Window arguments are first computed into columns of their own, and identical
/// windows are computed once: DataFusion's common-subexpression rule lifts expressions
/// shared by consecutive `Window` nodes below all of them, where the columns earlier
/// windows define do not exist yet. With column-only windows there is nothing to lift.
struct Builder {
    plan: LogicalPlan,
    index: Option<Expr>,
    next_id: usize,
    /// Windows already computed, and their columns.
    done: HashMap<Expr, Expr>,
}

impl Builder {
    fn fresh(&mut self) -> String {
        self.next_id += 1;
        format!("{HIDDEN}{}", self.next_id)
    }

    fn take_plan(&mut self) -> LogicalPlan {
        std::mem::take(&mut self.plan)
    }

    /// `e` as a column: itself if it is one, else a new hidden column.
    fn materialize(&mut self, e: Expr) -> Result<Expr> {
        if matches!(e, Expr::Column(_)) {
            return Ok(e);
        }
        let name = self.fresh();
        let plan = self.take_plan();
        let mut exprs: Vec<Expr> = plan
            .schema()
            .fields()
            .iter()
            .map(|f| column(f.name()))
            .collect();
        exprs.push(e.alias(&name));
        self.plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
        Ok(column(&name))
    }

    /// Adds `window` as a new hidden column and returns a reference to it.
    fn add(&mut self, window: Expr) -> Result<Expr> {
        if let Some(done) = self.done.get(&window) {
            return Ok(done.clone());
        }
        let name = self.fresh();
        let plan = self.take_plan();
        self.plan = LogicalPlanBuilder::from(plan)
            .window(vec![window.clone().alias(&name)])?
            .build()?;
        self.done.insert(window, column(&name));
        Ok(column(&name))
    }

    fn order(&self) -> Vec<SortExpr> {
        self.index
            .iter()
            .map(|i| SortExpr::new(i.clone(), true, false))
            .collect()
    }

    /// A running aggregate (`sum`, `max`) over the rows so far, optionally restarting
    /// at each new value of `partition`.
    fn running(&mut self, max: bool, arg: Expr, partition: Option<Expr>) -> Result<Expr> {
        let udaf = if max { max_udaf() } else { sum_udaf() };
        let arg = self.materialize(arg)?;
        let builder = Expr::from(WindowFunction::new(udaf, vec![arg]))
            .order_by(self.order())
            .window_frame(running());
        let builder = match partition {
            Some(p) => builder.partition_by(vec![p]),
            None => builder,
        };
        self.add(builder.build()?)
    }

    /// A shifted value (`lag`/`lead`) in serialized order.
    fn shifted(
        &mut self,
        forward: bool,
        value: Expr,
        offset: i64,
        default: ScalarValue,
    ) -> Result<Expr> {
        let value = self.materialize(value)?;
        let f = if forward {
            lead(value, Some(offset), Some(default))
        } else {
            lag(value, Some(offset), Some(default))
        };
        let w = f.order_by(self.order()).build()?;
        self.add(w)
    }

    /// The running number of restarts (1 for the first group): the partition key of
    /// `restart`-able functions.
    fn groups(&mut self, restart: Expr) -> Result<Expr> {
        let flag = when(restart, lit_i64(1)).otherwise(lit_i64(0))?;
        self.running(false, flag, None)
    }
}

impl Planner<'_> {
    /// Computes the window calls of `exprs` over `input`. Returns the extended plan and
    /// the substitutions for the calls, or `None` (and the input unchanged) when the
    /// expressions call no window function. The caller's projection must keep only
    /// its own columns: the hidden ones are not meant to survive it.
    pub(crate) fn lift_windows<'e>(
        &mut self,
        input: LogicalPlan,
        exprs: impl IntoIterator<Item = &'e ast::Expr>,
        operator: &'static str,
    ) -> Result<(LogicalPlan, Option<Substitutions>)> {
        let mut calls = Vec::new();
        for e in exprs {
            collect(self, e, &mut calls);
        }
        if calls.is_empty() {
            return Ok((input, None));
        }
        let order = serial_order(&input).unwrap_or_default();
        let mut b = Builder {
            plan: input,
            index: None,
            next_id: 0,
            done: HashMap::new(),
        };
        // An empty ORDER BY would make DataFusion expect a RANGE frame's sort key.
        let index = if order.is_empty() {
            row_number()
        } else {
            row_number().order_by(order).build()?
        };
        // ROW_NUMBER is UInt64, which DataFusion's arithmetic with longs turns into reals.
        let index = b.add(index)?;
        b.index = Some(b.materialize(as_i64(index))?);
        let mut subs = Substitutions::new();
        for call in calls {
            let ExprKind::Call { name, args } = &call.kind else {
                continue;
            };
            let schema = b.plan.schema().clone();
            let ctx = ExprCtx {
                schema: &schema,
                operator,
                substitutions: Some(&subs),
            };
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(self.plan_scalar(&a.value, &ctx)?);
            }
            let planned = plan_window(&mut b, &name.name, values, call.span, operator)?;
            subs.insert((call.span.start, call.span.end), planned);
        }
        // Serialized rows keep their order through later operators: sorting by the index
        // says so to DataFusion. The index is ascending where no partitioned window ran,
        // which DataFusion knows, so the sort then costs nothing.
        let mut plan = b.plan;
        if let Some(index) = b.index {
            plan = LogicalPlanBuilder::from(plan)
                .sort(vec![SortExpr::new(index, true, false)])?
                .build()?;
        }
        Ok((plan, Some(subs)))
    }
}

fn arity(name: &str, span: kql_syntax::Span, operator: &str) -> QueryError {
    QueryError::semantic(
        format!("'{operator}' operator: wrong number of arguments for '{name}'"),
        span,
    )
}

fn constant(
    value: &TypedExpr,
    what: &str,
    name: &str,
    span: kql_syntax::Span,
) -> Result<ScalarValue> {
    eval_constant(value.expr.clone())
        .map_err(|_| QueryError::semantic(format!("{name}(): the {what} must be a constant"), span))
}

fn plan_window(
    b: &mut Builder,
    name: &str,
    args: Vec<TypedExpr>,
    span: kql_syntax::Span,
    operator: &str,
) -> Result<TypedExpr> {
    let index = b.index.clone().ok_or_else(|| arity(name, span, operator))?;
    let long = |e: Expr| TypedExpr::new(e, ScalarType::Long);
    match name {
        "prev" | "next" => {
            if args.is_empty() || args.len() > 3 {
                return Err(arity(name, span, operator));
            }
            let value = args[0].clone();
            let offset = match args.get(1) {
                Some(o) => match constant(o, "offset", name, span)?
                    .cast_to(&arrow_type(ScalarType::Long))?
                {
                    ScalarValue::Int64(Some(n)) if n >= 0 => n,
                    _ => {
                        return Err(QueryError::semantic(
                            format!("{name}(): the offset must be a non-negative integer"),
                            span,
                        ));
                    }
                },
                None => 1,
            };
            let default = match args.get(2) {
                Some(d) => constant(d, "default", name, span)?,
                None => ScalarValue::try_from(&arrow_type(value.ty))?,
            };
            let default = default.cast_to(&arrow_type(value.ty))?;
            let e = b.shifted(name == "next", value.expr, offset, default)?;
            Ok(TypedExpr::new(e, value.ty))
        }
        "row_number" => {
            if args.len() > 2 {
                return Err(arity(name, span, operator));
            }
            let start = match args.first() {
                Some(s) => as_i64(s.expr.clone()),
                None => lit_i64(1),
            };
            let Some(restart) = args.get(1) else {
                // The index itself counts from 1.
                return Ok(long(binary_expr(
                    binary_expr(index, Operator::Plus, start),
                    Operator::Minus,
                    lit_i64(1),
                )));
            };
            // Number from the last restart row (the first row always starts a group).
            let flag = when(
                binary_expr(
                    restart.expr.clone(),
                    Operator::Or,
                    binary_expr(index.clone(), Operator::Eq, lit_i64(1)),
                ),
                index.clone(),
            )
            .end()?;
            let last_restart = b.running(true, flag, None)?;
            Ok(long(binary_expr(
                binary_expr(index, Operator::Minus, last_restart),
                Operator::Plus,
                start,
            )))
        }
        "row_cumsum" => {
            if args.is_empty() || args.len() > 2 {
                return Err(arity(name, span, operator));
            }
            let value = args[0].clone();
            let partition = match args.get(1) {
                Some(restart) => Some(b.groups(restart.expr.clone())?),
                None => None,
            };
            let e = b.running(false, value.expr, partition)?;
            let ty = if value.ty == ScalarType::Int {
                ScalarType::Long
            } else {
                value.ty
            };
            Ok(TypedExpr::new(cast(e, arrow_type(ty)), ty))
        }
        "row_rank_dense" | "row_rank_min" => {
            if args.is_empty() || args.len() > 2 {
                return Err(arity(name, span, operator));
            }
            let value = args[0].clone();
            let default = ScalarValue::try_from(&arrow_type(value.ty))?;
            let previous = b.shifted(false, value.expr.clone(), 1, default)?;
            let first = binary_expr(index.clone(), Operator::Eq, lit_i64(1));
            let restart = match args.get(1) {
                Some(r) => binary_expr(first, Operator::Or, r.expr.clone()),
                None => first,
            };
            // A rank group starts at a restart or where the value differs from the row
            // before.
            let changed = binary_expr(
                restart.clone(),
                Operator::Or,
                binary_expr(value.expr, Operator::IsDistinctFrom, previous),
            );
            if name == "row_rank_min" {
                // Ranks count from the row that started the current restart group.
                let group_start =
                    b.running(true, when(restart.clone(), index.clone()).end()?, None)?;
                // The row number, within the group, of the row that started the rank.
                let rank_start = b.running(true, when(changed, index).end()?, None)?;
                Ok(long(binary_expr(
                    binary_expr(rank_start, Operator::Minus, group_start),
                    Operator::Plus,
                    lit_i64(1),
                )))
            } else {
                // Changes so far, minus those before the group (the running count is
                // non-decreasing, so its value at the group start is a running max).
                let flag = when(changed, lit_i64(1)).otherwise(lit_i64(0))?;
                let changes = b.running(false, flag, None)?;
                let at_start = b.running(true, when(restart, changes.clone()).end()?, None)?;
                Ok(long(binary_expr(
                    binary_expr(changes, Operator::Minus, at_start),
                    Operator::Plus,
                    lit_i64(1),
                )))
            }
        }
        other => Err(QueryError::not_supported(format!(
            "window function '{other}'"
        ))),
    }
}

#[cfg(test)]
mod tests;
