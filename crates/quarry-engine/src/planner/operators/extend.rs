//! `extend A = expr, expr`: adds columns at the end; an existing name is overwritten
//! where it stands, so its position is kept.

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::{Expr, ExprKind, NamedExpr};

use super::project::item_name;
use crate::error::Result;
use crate::planner::expr::ExprCtx;
use crate::planner::naming::ColumnNamer;
use crate::planner::{Planner, column, column_names};

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    items: &[NamedExpr],
    operator: &'static str,
) -> Result<LogicalPlan> {
    // `pack_all()` packs the operator's input columns, not those added beside it.
    let input_schema = input.schema().clone();
    let mut plan = input;
    let mut namer = ColumnNamer::new();
    // One projection per item: later items may use the columns earlier ones define.
    // DataFusion's optimizer merges the projections again.
    for item in items {
        // Window functions (row_number, prev, ...) add hidden columns first; the
        // projection below keeps only `existing` and the new column.
        let existing = column_names(&plan);
        let (lifted, windows) = planner.lift_windows(plan, [&item.expr], operator)?;
        plan = lifted;
        let schema = if windows.is_none() && calls_pack_all(&item.expr) {
            input_schema.clone()
        } else {
            plan.schema().clone()
        };
        let mut ctx = ExprCtx::new(&schema, operator);
        ctx.substitutions = windows.as_ref();
        let value = planner.plan_scalar(&item.expr, &ctx)?;
        let name = item_name(item, &mut namer, &|n| existing.iter().any(|m| m == n))?;
        let mut exprs = Vec::with_capacity(existing.len() + 1);
        let mut replaced = false;
        for current in &existing {
            if *current == name {
                exprs.push(value.clone().named(&name));
                replaced = true;
            } else {
                exprs.push(column(current));
            }
        }
        if !replaced {
            exprs.push(value.named(&name));
        }
        plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
    }
    Ok(plan)
}

/// Whether `e` calls `pack_all()` (outside any tabular sub-expression).
fn calls_pack_all(e: &Expr) -> bool {
    if let ExprKind::Call { name, .. } = &e.kind
        && name.name == "pack_all"
    {
        return true;
    }
    if matches!(e.kind, ExprKind::Pipe { .. } | ExprKind::Source(_)) {
        return false;
    }
    let mut found = false;
    e.for_each_child(&mut |child| found = found || calls_pack_all(child));
    found
}
