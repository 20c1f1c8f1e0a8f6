//! `where Predicate` (also the filter of `search`)

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::Expr;

use crate::error::Result;
use crate::planner::Planner;
use crate::planner::expr::ExprCtx;

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    predicate: &Expr,
) -> Result<LogicalPlan> {
    let schema = input.schema().clone();
    let ctx = ExprCtx::new(&schema, "where");
    // `where * has "x"`: the operator on every column.
    let expanded = crate::planner::sources::search::expand_star(predicate, &schema);
    let condition = planner.plan_scalar(expanded.as_ref().unwrap_or(predicate), &ctx)?;
    Ok(LogicalPlanBuilder::from(input)
        .filter(condition.expr)?
        .build()?)
}
