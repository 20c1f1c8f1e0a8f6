//! `top-nested [N] of Key [by] Agg [asc|desc], top-nested ...`
//!
//! Level k groups by the first k keys, computes its aggregate, and keeps the top N_k
//! groups within each group of level k-1 (`row_number()` partitioned by the earlier
//! keys). The levels are then joined on the shared keys, so only leaves whose every
//! ancestor survived its own level remain. Output: each level's key and aggregate,
//! in level order. `with others` (the remainder row) is not supported yet.

use datafusion::common::{Column, JoinType};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{
    Expr, ExprFunctionExt, LogicalPlan, LogicalPlanBuilder, Operator, binary_expr, lit,
};
use kql_syntax::ast::{ExprKind, SortOrder, TopNestedLevel};

use crate::error::{QueryError, Result};
use crate::planner::aggregates::is_aggregate;
use crate::planner::expr::ExprCtx;
use crate::planner::naming::principal_column;
use crate::planner::{Planner, TypedExpr, column};

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    levels: &[TopNestedLevel],
) -> Result<LogicalPlan> {
    let schema = input.schema().clone();
    let ctx = ExprCtx::new(&schema, "top-nested");
    // Key columns are computed once, beside the input.
    let mut with_keys: Vec<Expr> = schema.fields().iter().map(|f| column(f.name())).collect();
    let mut key_names = Vec::new();
    let mut agg_names = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        if level.others.is_some() {
            return Err(QueryError::not_supported("top-nested 'with others'"));
        }
        let key = planner.plan_scalar(&level.of.expr, &ctx)?;
        let name = match level.of.names.as_slice() {
            [n] => n.name.clone(),
            _ => principal_column(&level.of.expr).unwrap_or_else(|| format!("Column{}", i + 1)),
        };
        let agg_name = match level.by.names.as_slice() {
            [n] => n.name.clone(),
            _ => format!(
                "aggregated_{}",
                principal_column(&level.of.expr).unwrap_or_default()
            ),
        };
        with_keys.push(key.named(&format!("__tn_key_{i}")));
        key_names.push(name);
        agg_names.push(agg_name);
    }
    let base = LogicalPlanBuilder::from(input)
        .project(with_keys)?
        .build()?;
    let base_schema = base.schema().clone();
    let base_ctx = ExprCtx::new(&base_schema, "top-nested");
    let key = |i: usize| format!("__tn_key_{i}");

    let mut result: Option<LogicalPlan> = None;
    for (i, level) in levels.iter().enumerate() {
        let ExprKind::Call { name, args } = &level.by.expr.kind else {
            return Err(QueryError::not_supported(
                "top-nested aggregate that is not a single aggregate call",
            ));
        };
        if !is_aggregate(&name.name) {
            return Err(QueryError::not_supported(format!(
                "aggregate function '{}' in top-nested",
                name.name
            )));
        }
        let planned =
            planner.plan_aggregate_call(&name.name, args, level.by.expr.span, &base_ctx)?;
        let agg_alias = format!("__tn_agg_{i}");
        let groups: Vec<Expr> = (0..=i).map(|k| column(&key(k))).collect();
        let mut plan = LogicalPlanBuilder::from(base.clone())
            .aggregate(groups, vec![planned.aggregate.alias(&agg_alias)])?
            .build()?;
        let value = match planned.finish {
            Some(finish) => finish(column(&agg_alias)),
            None => TypedExpr::new(column(&agg_alias), planned.ty),
        };
        let mut finished: Vec<Expr> = (0..=i).map(|k| column(&key(k))).collect();
        finished.push(value.named(&agg_alias));
        plan = LogicalPlanBuilder::from(plan).project(finished)?.build()?;
        if let Some(count) = &level.count {
            let n = planner.constant_count(count, "top-nested")?;
            let ascending = level.order == Some(SortOrder::Asc);
            let rn = row_number()
                .partition_by((0..i).map(|k| column(&key(k))).collect())
                .order_by(vec![column(&agg_alias).sort(ascending, !ascending)])
                .build()?
                .alias("__tn_rn");
            let mut keep: Vec<Expr> = (0..=i).map(|k| column(&key(k))).collect();
            keep.push(column(&agg_alias));
            plan = LogicalPlanBuilder::from(plan)
                .window(vec![rn])?
                .filter(binary_expr(
                    column("__tn_rn"),
                    Operator::LtEq,
                    lit(u64::try_from(n).unwrap_or(u64::MAX)),
                ))?
                .project(keep)?
                .build()?;
        }
        result = Some(match result {
            None => plan,
            Some(parent) => {
                // Keep only children of surviving parents; carry the parents' columns.
                let parent = LogicalPlanBuilder::from(parent).alias("__tn_p")?.build()?;
                let child = LogicalPlanBuilder::from(plan).alias("__tn_c")?.build()?;
                let on: Vec<Expr> = (0..i)
                    .map(|k| {
                        binary_expr(
                            Expr::Column(Column::new(Some("__tn_p"), key(k))),
                            Operator::Eq,
                            Expr::Column(Column::new(Some("__tn_c"), key(k))),
                        )
                    })
                    .collect();
                let mut out: Vec<Expr> = (0..=i)
                    .map(|k| Expr::Column(Column::new(Some("__tn_c"), key(k))).alias(key(k)))
                    .collect();
                for k in 0..i {
                    let a = format!("__tn_agg_{k}");
                    out.push(Expr::Column(Column::new(Some("__tn_p"), a.clone())).alias(a));
                }
                out.push(
                    Expr::Column(Column::new(Some("__tn_c"), agg_alias.clone())).alias(&agg_alias),
                );
                LogicalPlanBuilder::from(parent)
                    .join_on(child, JoinType::Inner, on)?
                    .project(out)?
                    .build()?
            }
        });
    }
    let Some(plan) = result else {
        return Err(QueryError::semantic(
            "'top-nested' operator: at least one level is needed",
            Default::default(),
        ));
    };
    let mut projection = Vec::new();
    for (i, (k, a)) in key_names.iter().zip(&agg_names).enumerate() {
        projection.push(column(&key(i)).alias(k));
        projection.push(column(&format!("__tn_agg_{i}")).alias(a));
    }
    Ok(LogicalPlanBuilder::from(plan)
        .project(projection)?
        .build()?)
}
