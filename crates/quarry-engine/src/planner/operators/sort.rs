//! `sort by Key [asc|desc] [nulls first|last], ...`
//!
//! Kusto sorts descending unless told otherwise, and treats null as the smallest value:
//! ascending puts nulls first, descending puts them last.

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder, SortExpr};
use kql_syntax::ast::{NullsOrder, SortKey, SortOrder};

use crate::error::Result;
use crate::planner::Planner;
use crate::planner::expr::ExprCtx;

pub(crate) fn sort_exprs(
    planner: &mut Planner<'_>,
    input: &LogicalPlan,
    keys: &[SortKey],
    operator: &'static str,
) -> Result<Vec<SortExpr>> {
    let schema = input.schema().clone();
    let ctx = ExprCtx::new(&schema, operator);
    keys.iter()
        .map(|key| {
            let value = planner.plan_scalar(&key.expr, &ctx)?;
            let asc = key.order == Some(SortOrder::Asc);
            let nulls_first = match key.nulls {
                Some(NullsOrder::First) => true,
                Some(NullsOrder::Last) => false,
                None => asc,
            };
            Ok(value.expr.sort(asc, nulls_first))
        })
        .collect()
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    keys: &[SortKey],
) -> Result<LogicalPlan> {
    let sorts = sort_exprs(planner, &input, keys, "sort")?;
    Ok(LogicalPlanBuilder::from(input).sort(sorts)?.build()?)
}
