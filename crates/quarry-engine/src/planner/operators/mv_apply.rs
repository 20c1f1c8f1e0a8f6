//! `mv-apply [with_itemindex=I] [Name=] Expr [to typeof(T)], ... [limit N] on (SubQuery)`
//!
//! Kusto expands each input row into a sub-table (the row's columns, with the expanded
//! ones holding one element per row), runs the sub-query on every sub-table
//! separately, and repeats the row's non-expanded columns the sub-query dropped (after
//! a `summarize`, say) on its results.
//!
//! Plan: number the input rows, expand all of them at once into one table keyed by the
//! row number, run the sub-query's operators on it with that key added where per-row
//! scope matters (summarize and distinct group by it; take and top become per-key
//! window ranks; project keeps it), then join the dropped columns back by row number.

use datafusion::common::{Column, ScalarValue};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{
    Expr, ExprFunctionExt, JoinType, LogicalPlan, LogicalPlanBuilder, Operator as DfOp, SortExpr,
    binary_expr,
};
use kql_syntax::Span;
use kql_syntax::ast::{
    self, ExprKind, Ident, MvItem, NamedExpr, OpParam, Operator, OperatorKind, SubQuery,
};

use super::mv_expand::{expand, options, plan_items};
use super::sort::sort_exprs;
use crate::error::{QueryError, Result};
use crate::planner::{Planner, column, column_names};

const ROW: &str = "__kql_apply_row";
const ROW_RIGHT: &str = "__kql_apply_row_r";
const RANK: &str = "__kql_apply_rank";

fn row_name_expr() -> NamedExpr {
    NamedExpr {
        names: Vec::new(),
        expr: ast::Expr::new(
            ExprKind::Name(Ident::new(ROW, Span::default())),
            Span::default(),
        ),
    }
}

/// Keeps the first `n` rows of each sub-table, in `order` when given.
fn per_row_limit(plan: LogicalPlan, n: usize, order: Vec<SortExpr>) -> Result<LogicalPlan> {
    let names = column_names(&plan);
    let rank = row_number()
        .partition_by(vec![column(ROW)])
        .order_by(order)
        .build()?
        .alias(RANK);
    Ok(LogicalPlanBuilder::from(plan)
        .window(vec![rank])?
        .filter(binary_expr(
            column(RANK),
            DfOp::LtEq,
            Expr::Literal(ScalarValue::UInt64(Some(n as u64)), None),
        ))?
        .project(names.iter().map(|n| column(n)))?
        .build()?)
}

/// One sub-query operator, scoped to each sub-table.
fn apply_op(planner: &mut Planner<'_>, plan: LogicalPlan, op: &Operator) -> Result<LogicalPlan> {
    let with_kind = |kind: OperatorKind| Operator {
        kind,
        span: op.span,
    };
    let out = match &op.kind {
        OperatorKind::Where(_)
        | OperatorKind::Extend(_)
        | OperatorKind::ProjectRename(_)
        | OperatorKind::Serialize(_)
        | OperatorKind::Sort { .. }
        | OperatorKind::MvExpand { .. } => super::plan_operator(planner, plan, op)?,
        OperatorKind::ProjectAway(_) | OperatorKind::ProjectKeep(_) => {
            let out = super::plan_operator(planner, plan, op)?;
            if !column_names(&out).iter().any(|n| n == ROW) {
                return Err(QueryError::not_supported(
                    "project-away/project-keep that drops every column inside mv-apply",
                ));
            }
            out
        }
        OperatorKind::Project(items) => {
            let mut items = items.clone();
            items.push(row_name_expr());
            super::plan_operator(planner, plan, &with_kind(OperatorKind::Project(items)))?
        }
        OperatorKind::Summarize { params, aggs, by } => {
            let mut by = by.clone();
            by.push(row_name_expr());
            let kind = OperatorKind::Summarize {
                params: params.clone(),
                aggs: aggs.clone(),
                by,
            };
            super::plan_operator(planner, plan, &with_kind(kind))?
        }
        OperatorKind::Distinct { params, columns } if !columns.is_empty() => {
            let mut columns = columns.clone();
            columns.push(row_name_expr());
            let kind = OperatorKind::Distinct {
                params: params.clone(),
                columns,
            };
            super::plan_operator(planner, plan, &with_kind(kind))?
        }
        OperatorKind::Distinct { .. } => super::plan_operator(planner, plan, op)?,
        OperatorKind::Take(count) => {
            let n = planner.constant_count(count, "take")?;
            per_row_limit(plan, n, vec![column(ROW).sort(true, true)])?
        }
        OperatorKind::Top { count, key } => {
            let n = planner.constant_count(count, "top")?;
            let order = sort_exprs(planner, &plan, std::slice::from_ref(key), "top")?;
            per_row_limit(plan, n, order)?
        }
        other => {
            return Err(QueryError::not_supported(format!(
                "operator '{}' inside mv-apply",
                super::operator_name(other)
            )));
        }
    };
    if !column_names(&out).iter().any(|n| n == ROW) {
        return Err(QueryError::not_supported(format!(
            "operator '{}' inside mv-apply",
            super::operator_name(&op.kind)
        )));
    }
    Ok(out)
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    params: &[OpParam],
    items: &[MvItem],
    limit: Option<&ast::Expr>,
    body: &SubQuery,
) -> Result<LogicalPlan> {
    let SubQuery::Ops(ops) = body else {
        return Err(QueryError::not_supported(
            "mv-apply with a sub-query that does not start with an operator",
        ));
    };
    let opts = options(params, "mv-apply")?;
    let limit = match limit {
        Some(e) => Some(planner.constant_count(e, "mv-apply")?),
        None => None,
    };
    let input_names = column_names(&input);
    let numbered = LogicalPlanBuilder::from(input)
        .window(vec![row_number().alias(ROW)])?
        .build()?;
    let planned = plan_items(planner, &numbered, items, "mv-apply")?;
    let expanded_names: Vec<String> = planned.iter().map(|i| i.name.clone()).collect();
    let mut sub = expand(numbered.clone(), planned, &opts, limit)?;
    for op in ops {
        sub = apply_op(planner, sub, op)?;
    }
    let sub_names: Vec<String> = column_names(&sub)
        .into_iter()
        .filter(|n| n != ROW)
        .collect();
    // The row's columns the sub-query did not keep (and did not expand) come back by
    // joining on the row number; when it kept them all, no join is needed.
    let missing: Vec<String> = input_names
        .iter()
        .filter(|n| !sub_names.contains(n) && !expanded_names.contains(n))
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(LogicalPlanBuilder::from(sub)
            .project(sub_names.iter().map(|n| column(n)))?
            .build()?);
    }
    let mut right_exprs = vec![column(ROW).alias(ROW_RIGHT)];
    right_exprs.extend(sub_names.iter().map(|n| column(n)));
    let right = LogicalPlanBuilder::from(sub)
        .project(right_exprs)?
        .build()?;
    let mut left_exprs = vec![column(ROW)];
    left_exprs.extend(missing.iter().map(|n| column(n)));
    let joined = LogicalPlanBuilder::from(numbered)
        .project(left_exprs)?
        .join(
            right,
            JoinType::Inner,
            (
                vec![Column::new_unqualified(ROW)],
                vec![Column::new_unqualified(ROW_RIGHT)],
            ),
            None,
        )?
        .build()?;
    let final_exprs: Vec<Expr> = missing
        .iter()
        .chain(sub_names.iter())
        .map(|n| column(n))
        .collect();
    Ok(LogicalPlanBuilder::from(joined)
        .project(final_exprs)?
        .build()?)
}
