//! `project-away A, B*`: every column except those matching.

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::ColumnPattern;

use super::wildcard_matches;
use crate::error::{QueryError, Result};
use crate::planner::{column, column_names};

/// Fails like Kusto when a pattern without wildcards names no column.
pub(crate) fn check_patterns_exist(
    operator: &str,
    names: &[String],
    patterns: &[ColumnPattern],
) -> Result<()> {
    for p in patterns {
        if !p.is_wildcard() && !names.contains(&p.pattern) {
            return Err(QueryError::semantic(
                format!(
                    "'{operator}' operator: Failed to resolve column or scalar expression named '{}'",
                    p.pattern
                ),
                p.span,
            ));
        }
    }
    Ok(())
}

pub(crate) fn plan(input: LogicalPlan, patterns: &[ColumnPattern]) -> Result<LogicalPlan> {
    let names = column_names(&input);
    check_patterns_exist("project-away", &names, patterns)?;
    let kept = names
        .iter()
        .filter(|n| !patterns.iter().any(|p| wildcard_matches(&p.pattern, n)))
        .map(|n| column(n));
    Ok(LogicalPlanBuilder::from(input).project(kept)?.build()?)
}
