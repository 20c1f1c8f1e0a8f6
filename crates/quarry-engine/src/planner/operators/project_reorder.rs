//! `project-reorder A, B* asc`: the named columns first, in the given order; the
//! rest after them, unchanged.

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::ReorderKey;

use super::wildcard_matches;
use crate::error::{QueryError, Result};
use crate::planner::{column, column_names};

pub(crate) fn plan(input: LogicalPlan, keys: &[ReorderKey]) -> Result<LogicalPlan> {
    let names = column_names(&input);
    let mut ordered: Vec<String> = Vec::with_capacity(names.len());
    for key in keys {
        let mut matched: Vec<String> = names
            .iter()
            .filter(|n| wildcard_matches(&key.column.pattern, n) && !ordered.contains(n))
            .cloned()
            .collect();
        match key.order.as_deref() {
            None => {}
            Some("asc") => matched.sort(),
            Some("desc") => matched.sort_by(|a, b| b.cmp(a)),
            Some(other) => {
                return Err(QueryError::not_supported(format!(
                    "project-reorder order '{other}'"
                )));
            }
        }
        ordered.extend(matched);
    }
    for n in &names {
        if !ordered.contains(n) {
            ordered.push(n.clone());
        }
    }
    let exprs = ordered.iter().map(|n| column(n));
    Ok(LogicalPlanBuilder::from(input).project(exprs)?.build()?)
}
