//! `print a = 1, 2`: one row; unnamed columns are `print_0`, `print_1`, ... by position.

use datafusion::common::DFSchema;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::NamedExpr;

use crate::error::{QueryError, Result};
use crate::planner::Planner;
use crate::planner::expr::ExprCtx;

pub(crate) fn plan(planner: &mut Planner<'_>, items: &[NamedExpr]) -> Result<LogicalPlan> {
    let empty = DFSchema::empty();
    let ctx = ExprCtx::new(&empty, "print");
    let mut exprs = Vec::with_capacity(items.len());
    let mut names: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let value = planner.plan_scalar(&item.expr, &ctx)?;
        let name = match item.names.as_slice() {
            [n] => n.name.clone(),
            [] => format!("print_{i}"),
            _ => {
                return Err(QueryError::not_supported(
                    "assigning one expression to several columns",
                ));
            }
        };
        if names.contains(&name) {
            return Err(QueryError::semantic(
                format!("'print' operator: A column named '{name}' is already defined"),
                item.expr.span,
            ));
        }
        exprs.push(value.named(&name));
        names.push(name);
    }
    Ok(LogicalPlanBuilder::empty(true).project(exprs)?.build()?)
}
