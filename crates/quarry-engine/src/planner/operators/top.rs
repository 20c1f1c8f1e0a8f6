//! `top N by Key [asc|desc] [nulls ...]`: sort, then take.

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::{Expr, SortKey};

use super::sort::sort_exprs;
use crate::error::Result;
use crate::planner::Planner;

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    count: &Expr,
    key: &SortKey,
) -> Result<LogicalPlan> {
    let n = planner.constant_count(count, "top")?;
    let sorts = sort_exprs(planner, &input, std::slice::from_ref(key), "top")?;
    Ok(LogicalPlanBuilder::from(input)
        .sort_with_limit(sorts, Some(n))?
        .build()?)
}
