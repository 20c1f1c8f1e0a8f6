//! `join kind=K (Right) on Key, $left.a == $right.b`
//!
//! Both sides are aliased (`__l`, `__r`) so that equal column names on the two sides
//! stay distinct inside the join; the final projection gives the Kusto names: left
//! columns as they are, right columns that collide renamed `X1`, `X2`, ...
//! The default kind, `innerunique`, first keeps one left row per key.

use datafusion::common::Column;
use datafusion::common::ScalarValue;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{
    Expr, ExprFunctionExt, JoinType, LogicalPlan, LogicalPlanBuilder, Operator, binary_expr,
};
use kql_syntax::ast::{self, BinaryOp, ExprKind, LogicalOp, OpParam};

use crate::error::{QueryError, Result};
use crate::planner::naming::unique_name;
use crate::planner::{Planner, column, column_names, param_name};

const LEFT: &str = "__l";
const RIGHT: &str = "__r";

fn qualified(side: &str, name: &str) -> Expr {
    Expr::Column(Column::new(Some(side), name))
}

/// `$left.a` → ("$left", "a")
fn side_member(e: &ast::Expr) -> Option<(&str, &str)> {
    match &e.kind {
        ExprKind::Member { target, name } => match target.as_name() {
            Some(side @ ("$left" | "$right")) => Some((side, name.name.as_str())),
            _ => None,
        },
        _ => None,
    }
}

/// The (left, right) key column pairs of the `on` clause.
pub(crate) fn join_keys(on: &[ast::Expr]) -> Result<Vec<(String, String)>> {
    let mut keys = Vec::new();
    let mut pending: Vec<&ast::Expr> = on.iter().rev().collect();
    while let Some(e) = pending.pop() {
        match &e.kind {
            ExprKind::Name(id) => keys.push((id.name.clone(), id.name.clone())),
            ExprKind::Logical {
                op: LogicalOp::And,
                operands,
            } => pending.extend(operands.iter().rev()),
            ExprKind::Binary {
                op: BinaryOp::Eq,
                left,
                right,
            } => match (side_member(left), side_member(right)) {
                (Some(("$left", l)), Some(("$right", r)))
                | (Some(("$right", r)), Some(("$left", l))) => {
                    keys.push((l.to_string(), r.to_string()))
                }
                _ => {
                    return Err(QueryError::not_supported(
                        "join condition other than $left.a == $right.b",
                    ));
                }
            },
            _ => {
                return Err(QueryError::not_supported(
                    "join condition other than column equality",
                ));
            }
        }
    }
    Ok(keys)
}

/// One row per distinct key combination: `row_number() over (partition by keys) = 1`.
fn dedupe_on_keys(plan: LogicalPlan, keys: &[String]) -> Result<LogicalPlan> {
    let names = column_names(&plan);
    let rn = row_number()
        .partition_by(keys.iter().map(|k| column(k)).collect())
        .build()?
        .alias("__row_number");
    Ok(LogicalPlanBuilder::from(plan)
        .window(vec![rn])?
        .filter(binary_expr(
            column("__row_number"),
            Operator::Eq,
            Expr::Literal(ScalarValue::UInt64(Some(1)), None),
        ))?
        .project(names.iter().map(|n| column(n)))?
        .build()?)
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    left: LogicalPlan,
    params: &[OpParam],
    right: &ast::Expr,
    on: &[ast::Expr],
) -> Result<LogicalPlan> {
    let kind = param_name(params, "kind").unwrap_or("innerunique");
    let join_type = match kind {
        "innerunique" | "inner" => JoinType::Inner,
        "leftouter" => JoinType::Left,
        "rightouter" => JoinType::Right,
        "fullouter" => JoinType::Full,
        "leftsemi" => JoinType::LeftSemi,
        "leftanti" | "anti" | "leftantisemi" => JoinType::LeftAnti,
        "rightsemi" => JoinType::RightSemi,
        "rightanti" | "rightantisemi" => JoinType::RightAnti,
        other => return Err(QueryError::not_supported(format!("join kind '{other}'"))),
    };
    let right = planner.plan_tabular(right)?;
    let keys = join_keys(on)?;
    if keys.is_empty() {
        return Err(QueryError::semantic(
            "'join' operator: the 'on' clause names no columns",
            right_span(on),
        ));
    }
    let left_names = column_names(&left);
    let right_names = column_names(&right);
    for (l, r) in &keys {
        for (name, names, side) in [(l, &left_names, "left"), (r, &right_names, "right")] {
            if !names.contains(name) {
                return Err(QueryError::semantic(
                    format!(
                        "'join' operator: Failed to resolve column named '{name}' on the {side} side"
                    ),
                    right_span(on),
                ));
            }
        }
    }
    let left = if kind == "innerunique" {
        let left_keys: Vec<String> = keys.iter().map(|(l, _)| l.clone()).collect();
        dedupe_on_keys(left, &left_keys)?
    } else {
        left
    };
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
    let include_left = !matches!(join_type, JoinType::RightSemi | JoinType::RightAnti);
    let include_right = !matches!(join_type, JoinType::LeftSemi | JoinType::LeftAnti);
    if include_left {
        for n in &left_names {
            projection.push(qualified(LEFT, n).alias(n));
            taken.push(n.clone());
        }
    }
    if include_right {
        for n in &right_names {
            let out = unique_name(n, &|c| taken.iter().any(|t| t == c));
            projection.push(qualified(RIGHT, n).alias(&out));
            taken.push(out);
        }
    }
    Ok(LogicalPlanBuilder::from(joined)
        .project(projection)?
        .build()?)
}

fn right_span(on: &[ast::Expr]) -> kql_syntax::Span {
    on.first().map(|e| e.span).unwrap_or_default()
}
