//! `where Predicate`

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
    let condition = planner.plan_scalar(predicate, &ctx)?;
    Ok(LogicalPlanBuilder::from(input)
        .filter(condition.expr)?
        .build()?)
}
