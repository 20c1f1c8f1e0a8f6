//! `take N` / `limit N`

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::Expr;

use crate::error::Result;
use crate::planner::Planner;

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    count: &Expr,
) -> Result<LogicalPlan> {
    let n = planner.constant_count(count, "take")?;
    Ok(LogicalPlanBuilder::from(input).limit(0, Some(n))?.build()?)
}
