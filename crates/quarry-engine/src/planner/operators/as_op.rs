//! `T | as [hint.materialized=true] Name`: names the result so the rest of the query
//! can refer to it (and `union withsource=` reports it). The rows pass through.

use datafusion::logical_expr::LogicalPlan;
use kql_syntax::ast::{Ident, OpParam};

use crate::error::{QueryError, Result};
use crate::planner::{Binding, Planner};

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    params: &[OpParam],
    name: &Ident,
) -> Result<LogicalPlan> {
    for p in params {
        if !p.name.name.starts_with("hint.") {
            return Err(QueryError::not_supported(format!(
                "as parameter '{}'",
                p.name.name
            )));
        }
    }
    planner.bind(&name.name, Binding::Tabular(input.clone()));
    Ok(input)
}
