//! `summarize Aggs by Keys`
//!
//! Planned in two steps. The aggregate calls inside each item are found in the syntax
//! tree and planned against the input as `__agg_N` columns of one DataFusion
//! `Aggregate`; then a projection computes each item from those columns (so
//! `summarize x = count() * 2` and `make_list` → dynamic JSON work the same way) and
//! puts the columns in Kusto's order: keys first, then aggregates.
//! `arg_max(x, *)`/`arg_min` expand to one `first_value(... order by x)` per column.

use std::collections::HashMap;

use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::{self, ExprKind, NamedExpr, OpParam};

use crate::error::{QueryError, Result};
use crate::planner::aggregates::{default_name, is_aggregate};
use crate::planner::expr::ExprCtx;
use crate::planner::naming::{ColumnNamer, principal_column, unique_name};
use crate::planner::{Binding, Planner, TypedExpr, column};
use datafusion::functions_aggregate::expr_fn as agg;

/// What each output column is computed from in the final projection.
enum Output {
    Key(String),
    Item { name: String, expr: ast::Expr },
    Direct { name: String, value: TypedExpr },
}

fn collect_aggregate_calls<'a>(
    planner: &Planner<'_>,
    e: &'a ast::Expr,
    out: &mut Vec<&'a ast::Expr>,
) {
    if let ExprKind::Call { name, .. } = &e.kind
        && is_aggregate(&name.name)
        && !matches!(planner.lookup(&name.name), Some(Binding::Function(_)))
    {
        out.push(e);
        return;
    }
    e.for_each_child(&mut |child| collect_aggregate_calls(planner, child, out));
}

/// The columns `arg_max(x, a, b)` / `take_any(a, b)` / `take_any(*)` return, with their
/// names: `names[i]` or the argument's own name, else its column's name (suffixed when
/// taken); `*` is every input column not in `taken`.
fn returned_columns(
    planner: &mut Planner<'_>,
    ctx: &ExprCtx<'_>,
    args: &[ast::Arg],
    names: &[ast::Ident],
    taken: &[String],
    namer: &mut ColumnNamer,
) -> Result<Vec<(String, TypedExpr)>> {
    let mut out: Vec<(String, TypedExpr)> = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if matches!(arg.value.kind, ExprKind::Star) {
            for field in ctx.schema.fields() {
                let n = field.name();
                if !taken.contains(n) && !out.iter().any(|(o, _)| o == n) {
                    let ty = crate::types::kql_type_of(field);
                    out.push((n.clone(), TypedExpr::new(column(n), ty)));
                }
            }
            continue;
        }
        let value = planner.plan_scalar(&arg.value, ctx)?;
        let is_taken = |n: &str| taken.iter().any(|t| t == n) || out.iter().any(|(o, _)| o == n);
        let n = match (arg.name.as_ref(), names.get(i)) {
            (Some(n), _) | (None, Some(n)) => n.name.clone(),
            _ => match principal_column(&arg.value) {
                Some(p) => unique_name(&p, &is_taken),
                None => namer.fresh(&is_taken),
            },
        };
        out.push((n, value));
    }
    Ok(out)
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    params: &[OpParam],
    aggs: &[NamedExpr],
    by: &[NamedExpr],
) -> Result<LogicalPlan> {
    for p in params {
        if !p.name.name.starts_with("hint.") {
            return Err(QueryError::not_supported(format!(
                "summarize parameter '{}'",
                p.name.name
            )));
        }
    }
    let input_schema = input.schema().clone();
    let ctx = ExprCtx::new(&input_schema, "summarize");
    let mut namer = ColumnNamer::new();
    let mut outputs: Vec<Output> = Vec::new();
    let mut taken: Vec<String> = Vec::new();

    let mut group_exprs = Vec::with_capacity(by.len());
    for key in by {
        let value = planner.plan_scalar(&key.expr, &ctx)?;
        let name = match key.names.as_slice() {
            [n] => n.name.clone(),
            _ => principal_column(&key.expr)
                .unwrap_or_else(|| namer.fresh(&|n| taken.iter().any(|t| t == n))),
        };
        group_exprs.push(value.named(&name));
        taken.push(name.clone());
        outputs.push(Output::Key(name));
    }

    let mut aggregate_exprs: Vec<Expr> = Vec::new();
    let mut substitutions: HashMap<(u32, u32), TypedExpr> = HashMap::new();
    let fresh_agg_name = |exprs: &Vec<Expr>| format!("__agg_{}", exprs.len());

    for item in aggs {
        // `take_any(a, b, c)` / `take_any(*)`: the columns of one row, each named after
        // its column. (One argument is an ordinary aggregate, below.)
        if let ExprKind::Call { name, args } = &item.expr.kind
            && matches!(name.name.as_str(), "take_any" | "any")
            && (args.len() > 1 || args.iter().any(|a| matches!(a.value.kind, ExprKind::Star)))
            && !matches!(planner.lookup(&name.name), Some(Binding::Function(_)))
        {
            let picked = returned_columns(planner, &ctx, args, &item.names, &taken, &mut namer)?;
            for (n, value) in picked {
                let alias = fresh_agg_name(&aggregate_exprs);
                aggregate_exprs.push(agg::first_value(value.expr, vec![]).alias(&alias));
                taken.push(n.clone());
                outputs.push(Output::Direct {
                    name: n,
                    value: TypedExpr::new(column(&alias), value.ty),
                });
            }
            continue;
        }
        if let ExprKind::Call { name, args } = &item.expr.kind
            && matches!(
                crate::planner::aggregates::canonical(&name.name),
                "arg_max" | "arg_min"
            )
            && !matches!(planner.lookup(&name.name), Some(Binding::Function(_)))
        {
            let maximize = crate::planner::aggregates::canonical(&name.name) == "arg_max";
            let Some((target, returned)) = args.split_first() else {
                return Err(QueryError::semantic(
                    format!("'summarize' operator: '{}' needs arguments", name.name),
                    item.expr.span,
                ));
            };
            let target_value = planner.plan_scalar(&target.value, &ctx)?;
            let target_name = match item.names.first() {
                Some(n) => n.name.clone(),
                // A derived name that is taken (by a `bin(Timestamp, 1h)` key, say) gets
                // Kusto's numeric suffix: `Timestamp1`.
                None => unique_name(
                    &principal_column(&target.value)
                        .unwrap_or_else(|| format!("{}_", if maximize { "max" } else { "min" })),
                    &|n| taken.iter().any(|t| t == n),
                ),
            };
            let order = vec![target_value.expr.clone().sort(!maximize, false)];
            let extreme = if maximize {
                agg::max(target_value.expr.clone())
            } else {
                agg::min(target_value.expr.clone())
            };
            let alias = fresh_agg_name(&aggregate_exprs);
            aggregate_exprs.push(extreme.alias(&alias));
            outputs.push(Output::Direct {
                name: target_name.clone(),
                value: TypedExpr::new(column(&alias), target_value.ty),
            });
            taken.push(target_name.clone());
            // The columns returned with it: `*` is every input column not already out.
            let names = item.names.get(1..).unwrap_or_default();
            let returned_items =
                returned_columns(planner, &ctx, returned, names, &taken, &mut namer)?;
            for (n, value) in returned_items {
                let alias = fresh_agg_name(&aggregate_exprs);
                aggregate_exprs.push(agg::first_value(value.expr, order.clone()).alias(&alias));
                taken.push(n.clone());
                outputs.push(Output::Direct {
                    name: n,
                    value: TypedExpr::new(column(&alias), value.ty),
                });
            }
            continue;
        }

        // `percentiles(x, 50, 90)`: one column per percent.
        if let ExprKind::Call { name, args } = &item.expr.kind
            && matches!(name.name.as_str(), "percentiles" | "percentilesw")
            && !matches!(planner.lookup(&name.name), Some(Binding::Function(_)))
        {
            let fixed = if name.name == "percentilesw" { 2 } else { 1 };
            if args.len() > fixed + 1 {
                for (k, percent) in args[fixed..].iter().enumerate() {
                    let mut one: Vec<ast::Arg> = args[..fixed].to_vec();
                    one.push(percent.clone());
                    let planned =
                        planner.plan_aggregate_call(&name.name, &one, item.expr.span, &ctx)?;
                    let alias = fresh_agg_name(&aggregate_exprs);
                    aggregate_exprs.push(planned.aggregate.alias(&alias));
                    let value = match planned.finish {
                        Some(finish) => finish(column(&alias)),
                        None => TypedExpr::new(column(&alias), planned.ty),
                    };
                    let out = match item.names.get(k) {
                        Some(n) => n.name.clone(),
                        None => unique_name(&default_name(&name.name, &one), &|n| {
                            taken.iter().any(|t| t == n)
                        }),
                    };
                    taken.push(out.clone());
                    outputs.push(Output::Direct { name: out, value });
                }
                continue;
            }
        }
        let mut calls = Vec::new();
        collect_aggregate_calls(planner, &item.expr, &mut calls);
        if calls.is_empty() {
            if let ExprKind::Call { name, .. } = &item.expr.kind
                && !matches!(planner.lookup(&name.name), Some(Binding::Function(_)))
            {
                return Err(QueryError::not_supported(format!(
                    "aggregate function '{}'",
                    name.name
                )));
            }
            return Err(QueryError::semantic(
                "'summarize' operator: an aggregate function is expected here",
                item.expr.span,
            ));
        }
        for call in calls {
            let ExprKind::Call { name, args } = &call.kind else {
                continue;
            };
            let planned = planner.plan_aggregate_call(&name.name, args, call.span, &ctx)?;
            let alias = fresh_agg_name(&aggregate_exprs);
            aggregate_exprs.push(planned.aggregate.alias(&alias));
            let finished = match planned.finish {
                Some(finish) => finish(column(&alias)),
                None => TypedExpr::new(column(&alias), planned.ty),
            };
            substitutions.insert((call.span.start, call.span.end), finished);
        }
        let name = match item.names.as_slice() {
            [n] => n.name.clone(),
            [] => match &item.expr.kind {
                ExprKind::Call { name, args } if is_aggregate(&name.name) => {
                    unique_name(&default_name(&name.name, args), &|n| {
                        taken.iter().any(|t| t == n)
                    })
                }
                _ => namer.fresh(&|n| taken.iter().any(|t| t == n)),
            },
            _ => {
                return Err(QueryError::not_supported(
                    "assigning one aggregate to several columns",
                ));
            }
        };
        taken.push(name.clone());
        outputs.push(Output::Item {
            name,
            expr: item.expr.clone(),
        });
    }

    let aggregated = LogicalPlanBuilder::from(input)
        .aggregate(group_exprs, aggregate_exprs)?
        .build()?;
    let agg_schema = aggregated.schema().clone();
    let mut post_ctx = ExprCtx::new(&agg_schema, "summarize");
    post_ctx.substitutions = Some(&substitutions);
    let mut projection = Vec::with_capacity(outputs.len());
    let mut seen: Vec<String> = Vec::new();
    for output in outputs {
        let (name, value) = match output {
            Output::Key(name) => {
                projection.push(column(&name));
                seen.push(name);
                continue;
            }
            Output::Direct { name, value } => (name, value),
            Output::Item { name, expr } => {
                let value = planner.plan_scalar(&expr, &post_ctx)?;
                (name, value)
            }
        };
        if seen.contains(&name) {
            return Err(QueryError::semantic(
                format!("'summarize' operator: A column named '{name}' is already defined"),
                Default::default(),
            ));
        }
        projection.push(value.named(&name));
        seen.push(name);
    }
    Ok(LogicalPlanBuilder::from(aggregated)
        .project(projection)?
        .build()?)
}
