//! `where Predicate` (also the filter of `search`)

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::Expr;

use crate::error::Result;
use crate::planner::expr::ExprCtx;
use crate::planner::{Planner, column, column_names};

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    predicate: &Expr,
) -> Result<LogicalPlan> {
    // `where * has "x"`: the operator on every column.
    let expanded = crate::planner::sources::search::expand_star(predicate, input.schema());
    let predicate = expanded.as_ref().unwrap_or(predicate);
    // `where row_number() <= 10`: window functions become hidden columns first.
    let existing = column_names(&input);
    let (input, windows) = planner.lift_windows(input, [predicate], "where")?;
    let schema = input.schema().clone();
    let mut ctx = ExprCtx::new(&schema, "where");
    ctx.substitutions = windows.as_ref();
    let condition = planner.plan_scalar(predicate, &ctx)?;
    let filtered = LogicalPlanBuilder::from(input).filter(condition.expr)?;
    Ok(match windows {
        None => filtered.build()?,
        Some(_) => filtered
            .project(existing.iter().map(|n| column(n)))?
            .build()?,
    })
}
