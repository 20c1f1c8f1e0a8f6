//! `project-keep A, B*`: only the matching columns, in their input order.

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::ColumnPattern;

use super::project_away::check_patterns_exist;
use super::wildcard_matches;
use crate::error::Result;
use crate::planner::{column, column_names};

pub(crate) fn plan(input: LogicalPlan, patterns: &[ColumnPattern]) -> Result<LogicalPlan> {
    let names = column_names(&input);
    check_patterns_exist("project-keep", &names, patterns)?;
    let kept = names
        .iter()
        .filter(|n| patterns.iter().any(|p| wildcard_matches(&p.pattern, n)))
        .map(|n| column(n));
    Ok(LogicalPlanBuilder::from(input).project(kept)?.build()?)
}
