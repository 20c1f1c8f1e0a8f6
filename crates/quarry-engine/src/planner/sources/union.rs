//! `union [kind=inner|outer] [withsource=Col] T1, T2, ...` and `T | union T2`.
//!
//! Outer union (the default) has every column of every input, in order of first
//! appearance; inputs lacking a column get nulls. Inner union keeps common columns.

use datafusion::common::DFSchema;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::{ExprKind, Union};

use crate::error::{QueryError, Result};
use crate::planner::literal::null_of;
use crate::planner::{Planner, TypedExpr, column, param_name};
use crate::types::{ScalarType, kql_type_of};

/// The name a `... | as Name` sub-query gives itself.
fn as_name(e: &kql_syntax::ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Pipe { ops, .. } => ops.iter().rev().find_map(|op| match &op.kind {
            kql_syntax::ast::OperatorKind::As { name, .. } => Some(name.name.clone()),
            _ => None,
        }),
        _ => None,
    }
}

fn columns_of(schema: &DFSchema) -> Vec<(String, ScalarType)> {
    schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), kql_type_of(f)))
        .collect()
}

/// `Device*` (and `*`): every catalog table whose name matches, in name order. A
/// pattern that matches nothing contributes nothing, as in Kusto.
fn expand_wildcards(
    planner: &Planner<'_>,
    tables: &[kql_syntax::ast::Expr],
) -> Vec<kql_syntax::ast::Expr> {
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        match &table.kind {
            ExprKind::Name(id) if id.name.contains('*') => {
                let mut names = planner.catalog_table_names();
                names.sort();
                for name in names.into_iter().filter(|n| glob_matches(&id.name, n)) {
                    out.push(kql_syntax::ast::Expr::new(
                        ExprKind::Name(kql_syntax::ast::Ident::new(name, id.span)),
                        table.span,
                    ));
                }
            }
            _ => out.push(table.clone()),
        }
    }
    out
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

pub(crate) fn plan_union(
    planner: &mut Planner<'_>,
    input: Option<LogicalPlan>,
    union: &Union,
) -> Result<LogicalPlan> {
    let mut inputs: Vec<(String, LogicalPlan)> = Vec::new();
    if let Some(plan) = input {
        inputs.push((String::new(), plan));
    }
    for (i, table) in expand_wildcards(planner, &union.tables).iter().enumerate() {
        let label = table
            .as_name()
            .map(str::to_string)
            .or_else(|| as_name(table))
            .unwrap_or_else(|| format!("union_arg{i}"));
        inputs.push((label, planner.plan_tabular(table)?));
    }
    let inner = match param_name(&union.params, "kind") {
        None | Some("outer") => false,
        Some("inner") => true,
        Some(other) => return Err(QueryError::not_supported(format!("union kind '{other}'"))),
    };
    let source_column = param_name(&union.params, "withsource").map(str::to_string);

    // Every (name, type) pair in order of first appearance. A name seen with several
    // types becomes one column per type, named `name_type`, as Kusto does.
    let mut pairs: Vec<(String, ScalarType)> = Vec::new();
    for (_, plan) in &inputs {
        for pair in columns_of(plan.schema()) {
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    if inner {
        pairs.retain(|(n, ty)| {
            inputs.iter().all(|(_, p)| {
                columns_of(p.schema())
                    .iter()
                    .any(|(m, t)| m == n && t == ty)
            })
        });
    }
    let mut outputs: Vec<(String, ScalarType, String)> = pairs
        .iter()
        .map(|(name, ty)| {
            let conflicting = pairs.iter().filter(|(n, _)| n == name).count() > 1;
            let out = if conflicting {
                format!("{name}_{}", ty.name())
            } else {
                name.clone()
            };
            (name.clone(), *ty, out)
        })
        .collect();
    // A `name_type` that another input already uses as a column name takes a number:
    // `x_long1` beside a genuine `x_long`.
    for i in 0..outputs.len() {
        let (name, _, out) = &outputs[i];
        if name == out {
            continue;
        }
        let taken = |c: &str| {
            outputs
                .iter()
                .enumerate()
                .any(|(j, (_, _, o))| j != i && o == c)
        };
        if taken(out) {
            let renamed = crate::planner::naming::unique_name(out, &taken);
            outputs[i].2 = renamed;
        }
    }

    let mut result: Option<LogicalPlanBuilder> = None;
    for (label, plan) in inputs {
        let present = columns_of(plan.schema());
        let mut exprs: Vec<Expr> = Vec::with_capacity(outputs.len() + 1);
        if let Some(source) = &source_column {
            exprs.push(Expr::Literal(ScalarValue::Utf8(Some(label.clone())), None).alias(source));
        }
        for (name, ty, out) in &outputs {
            if present.iter().any(|(n, t)| n == name && t == ty) {
                exprs.push(TypedExpr::new(column(name), *ty).named(out));
            } else {
                exprs.push(null_of(*ty)?.named(out));
            }
        }
        let aligned = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
        result = Some(match result {
            None => LogicalPlanBuilder::from(aligned),
            Some(builder) => builder.union(aligned)?,
        });
    }
    match result {
        Some(builder) => Ok(builder.build()?),
        None => Err(QueryError::semantic(
            "'union' operator: no tables to union",
            Default::default(),
        )),
    }
}
