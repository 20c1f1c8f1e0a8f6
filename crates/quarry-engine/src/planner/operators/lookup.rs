//! `T | lookup [kind=leftouter|inner] (Dim) on Key, $left.a == $right.b`
//!
//! A join that extends the fact table with the dimension's columns: every left
//! column, then the right columns other than the keys (which would repeat the left
//! ones). Unlike `join`, the default kind is `leftouter` and the left side is not
//! de-duplicated.

use datafusion::common::Column;
use datafusion::logical_expr::{
    Expr, JoinType, LogicalPlan, LogicalPlanBuilder, Operator, binary_expr,
};
use kql_syntax::ast::{self, OpParam};

use super::join::join_keys;
use crate::error::{QueryError, Result};
use crate::planner::naming::unique_name;
use crate::planner::{Planner, column_names};

const LEFT: &str = "__lookup_l";
const RIGHT: &str = "__lookup_r";

fn qualified(side: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(side), name))
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    left: LogicalPlan,
    params: &[OpParam],
    right: &ast::Expr,
    on: &[ast::Expr],
) -> Result<LogicalPlan> {
    let mut join_type = JoinType::Left;
    for p in params {
        match (p.name.name.as_str(), p.value.as_name()) {
            ("kind", Some("leftouter")) => join_type = JoinType::Left,
            ("kind", Some("inner")) => join_type = JoinType::Inner,
            (n, _) if n.starts_with("hint.") => {}
            (n, _) => {
                return Err(QueryError::not_supported(format!(
                    "lookup parameter '{n}' with this value"
                )));
            }
        }
    }
    let right = planner.plan_tabular(right)?;
    let keys = join_keys(on)?;
    let span = on.first().map(|e| e.span).unwrap_or_default();
    if keys.is_empty() {
        return Err(QueryError::semantic(
            "'lookup' operator: the 'on' clause names no columns",
            span,
        ));
    }
    let left_names = column_names(&left);
    let right_names = column_names(&right);
    for (l, r) in &keys {
        if !left_names.contains(l) || !right_names.contains(r) {
            return Err(QueryError::semantic(
                format!("'lookup' operator: Failed to resolve key column '{l}'/'{r}'"),
                span,
            ));
        }
    }
    let left = LogicalPlanBuilder::from(left).alias(LEFT)?.build()?;
    let right = LogicalPlanBuilder::from(right).alias(RIGHT)?.build()?;
    let conditions: Vec<Expr> = keys
        .iter()
        .map(|(l, r)| binary_expr(qualified(LEFT, l), Operator::Eq, qualified(RIGHT, r)))
        .collect();
    let joined = LogicalPlanBuilder::from(left)
        .join_on(right, join_type, conditions)?
        .build()?;
    let mut projection = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for n in &left_names {
        projection.push(qualified(LEFT, n).alias(n));
        taken.push(n.clone());
    }
    for n in &right_names {
        if keys.iter().any(|(_, r)| r == n) {
            continue;
        }
        let out = unique_name(n, &|c| taken.iter().any(|t| t == c));
        projection.push(qualified(RIGHT, n).alias(&out));
        taken.push(out);
    }
    Ok(LogicalPlanBuilder::from(joined)
        .project(projection)?
        .build()?)
}
