//! `distinct A, B` / `distinct *`

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::{ExprKind, NamedExpr, OpParam};

use super::project;
use crate::error::Result;
use crate::planner::Planner;

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    _params: &[OpParam],
    columns: &[NamedExpr],
) -> Result<LogicalPlan> {
    let star = columns.is_empty()
        || (columns.len() == 1 && matches!(columns[0].expr.kind, ExprKind::Star));
    let projected = if star {
        input
    } else {
        project::plan(planner, input, columns)?
    };
    Ok(LogicalPlanBuilder::from(projected).distinct()?.build()?)
}
