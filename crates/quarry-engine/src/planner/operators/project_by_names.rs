//! `project-by-names "Name", "C*", column_names_of(T)`: the columns named by string
//! constants (or dynamic arrays of strings), in the order named; wildcards expand to the
//! matching input columns in input order.

use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast;

use super::wildcard_matches;
use crate::error::{QueryError, Result};
use crate::planner::{Planner, column, column_names, expr, literal};
use crate::types::ScalarType;

/// The column names (or patterns) an argument stands for.
fn names_of(planner: &mut Planner<'_>, e: &ast::Expr) -> Result<Vec<String>> {
    let empty = DFSchema::empty();
    let ctx = expr::ExprCtx::new(&empty, "project-by-names");
    let typed = planner.plan_scalar(e, &ctx)?;
    let value = literal::eval_constant(typed.expr)?;
    let text = match value {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => s,
        _ => {
            return Err(QueryError::semantic(
                "'project-by-names' operator: expected column names as strings",
                e.span,
            ));
        }
    };
    if typed.ty != ScalarType::Dynamic {
        return Ok(vec![text]);
    }
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(serde_json::Value::Array(items)) => Ok(items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()),
        Ok(serde_json::Value::String(s)) => Ok(vec![s]),
        _ => Err(QueryError::semantic(
            "'project-by-names' operator: expected a string or an array of strings",
            e.span,
        )),
    }
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[ast::Expr],
) -> Result<LogicalPlan> {
    let available = column_names(&input);
    let mut chosen: Vec<String> = Vec::new();
    for arg in args {
        for name in names_of(planner, arg)? {
            if name.contains('*') {
                for c in available.iter().filter(|c| wildcard_matches(&name, c)) {
                    if !chosen.contains(c) {
                        chosen.push(c.clone());
                    }
                }
            } else if available.contains(&name) {
                if !chosen.contains(&name) {
                    chosen.push(name);
                }
            } else {
                return Err(QueryError::semantic(
                    format!("'project-by-names' operator: Failed to resolve column named '{name}'"),
                    arg.span,
                ));
            }
        }
    }
    Ok(LogicalPlanBuilder::from(input)
        .project(chosen.iter().map(|n| column(n)))?
        .build()?)
}
