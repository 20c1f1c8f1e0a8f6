//! `project A, B = expr, expr`: exactly the listed columns, in order.

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::{ExprKind, NamedExpr};

use crate::error::{QueryError, Result};
use crate::planner::expr::ExprCtx;
use crate::planner::naming::{ColumnNamer, result_name, unique_name};
use crate::planner::{Planner, TypedExpr};

/// The output name of a `project`/`extend` item: given, the column's own name, or the
/// next free `ColumnN`.
pub(crate) fn item_name(
    item: &NamedExpr,
    namer: &mut ColumnNamer,
    taken: &dyn Fn(&str) -> bool,
) -> Result<String> {
    match item.names.as_slice() {
        [name] => Ok(name.name.clone()),
        [] => Ok(match &item.expr.kind {
            ExprKind::Name(id) => id.name.clone(),
            // An inferred name is made unique rather than overwriting a column.
            _ => match result_name(&item.expr) {
                Some(name) => unique_name(&name, taken),
                None => namer.fresh(taken),
            },
        }),
        _ => Err(QueryError::not_supported(
            "assigning one expression to several columns",
        )),
    }
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    items: &[NamedExpr],
) -> Result<LogicalPlan> {
    // Window functions (row_number, prev, ...) add hidden columns the projection drops.
    let (input, windows) = planner.lift_windows(input, items.iter().map(|i| &i.expr), "project")?;
    let schema = input.schema().clone();
    let mut ctx = ExprCtx::new(&schema, "project");
    ctx.substitutions = windows.as_ref();
    let mut namer = ColumnNamer::new();
    let mut names: Vec<String> = Vec::with_capacity(items.len());
    let mut exprs = Vec::with_capacity(items.len());
    for item in items {
        if matches!(item.expr.kind, ExprKind::Star) {
            return Err(QueryError::not_supported("'project *'"));
        }
        let value: TypedExpr = planner.plan_scalar(&item.expr, &ctx)?;
        let name = item_name(item, &mut namer, &|n| names.iter().any(|m| m == n))?;
        if names.contains(&name) {
            return Err(QueryError::semantic(
                format!("'project' operator: A column named '{name}' is already defined"),
                item.expr.span,
            ));
        }
        exprs.push(value.named(&name));
        names.push(name);
    }
    Ok(LogicalPlanBuilder::from(input).project(exprs)?.build()?)
}
