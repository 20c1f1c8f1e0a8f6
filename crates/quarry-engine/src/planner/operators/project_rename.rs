//! `project-rename New = Old, ...`: renames in place, other columns untouched.

use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::Ident;

use crate::error::{QueryError, Result};
use crate::planner::{column, column_names};
use crate::types::{kql_type_of, metadata_for};

pub(crate) fn plan(input: LogicalPlan, pairs: &[(Ident, Ident)]) -> Result<LogicalPlan> {
    let names = column_names(&input);
    for (_, old) in pairs {
        if !names.contains(&old.name) {
            return Err(QueryError::semantic(
                format!(
                    "'project-rename' operator: Failed to resolve column or scalar expression named '{}'",
                    old.name
                ),
                old.span,
            ));
        }
    }
    let schema = input.schema().clone();
    let exprs = names.iter().zip(schema.fields()).map(|(name, field)| {
        match pairs.iter().find(|(_, old)| old.name == *name) {
            Some((new, _)) => {
                column(name).alias_with_metadata(&new.name, metadata_for(kql_type_of(field)))
            }
            None => column(name),
        }
    });
    Ok(LogicalPlanBuilder::from(input).project(exprs)?.build()?)
}
