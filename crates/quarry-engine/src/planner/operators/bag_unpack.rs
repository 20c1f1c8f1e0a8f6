//! `evaluate bag_unpack(Column [, Prefix] [, columnsConflict] [, ignoredProperties])
//! [: (Col:type, ...)]`: one output column per property of the bags.
//!
//! Kusto's output schema depends on the data: without a declared schema the planner
//! runs a discovery query first (the distinct keys of the bags, each with the kinds of
//! their values), then plans the real query with one column per key, ordered by name
//! and typed by its values (all longs: long, numbers: real, strings: string, bools:
//! bool, anything mixed: dynamic).

use std::collections::BTreeMap;
use std::time::Duration;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, UnnestOptions};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::prelude::SessionContext;
use kql_syntax::ast::{self, Arg, ColumnDecl, ExprKind, Literal};

use super::mv_expand::typed_element;
use crate::error::{QueryError, Result};
use crate::functions::bag_keys::bag_key_kinds_udf;
use crate::functions::dyn_ops::DynOp;
use crate::functions::dynamic::Out;
use crate::functions::jsonpath::Step;
use crate::planner::builtins::dynamic::dyn_call;
use crate::planner::expr::ExprCtx;
use crate::planner::{Planner, TypedExpr, column, column_names};
use crate::types::ScalarType;

/// How long the schema-discovery query may run.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(PartialEq)]
enum Conflict {
    Error,
    ReplaceSource,
    KeepSource,
}

fn semantic(msg: impl Into<String>, span: kql_syntax::Span) -> QueryError {
    QueryError::semantic(
        format!("'evaluate' operator: bag_unpack(): {}", msg.into()),
        span,
    )
}

fn string_arg(a: &Arg) -> Result<String> {
    match &a.value.kind {
        ExprKind::Literal(Literal::String(s)) => Ok(s.clone()),
        _ => Err(semantic("expected a constant string", a.value.span)),
    }
}

fn ignored_arg(a: &Arg) -> Result<Vec<String>> {
    match &a.value.kind {
        ExprKind::Literal(Literal::Dynamic(v)) => match crate::planner::literal::dyn_to_json(v) {
            serde_json::Value::Array(items) => Ok(items
                .into_iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect()),
            _ => Err(semantic("ignoredProperties must be an array", a.value.span)),
        },
        _ => Err(semantic(
            "ignoredProperties must be a dynamic array literal",
            a.value.span,
        )),
    }
}

/// Runs `plan` to completion on a private runtime: the planner is synchronous, and
/// this is the one place a plan depends on the data.
fn collect_blocking(
    plan: LogicalPlan,
) -> Result<Vec<datafusion::arrow::record_batch::RecordBatch>> {
    let run = move || -> Result<Vec<datafusion::arrow::record_batch::RecordBatch>> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| QueryError::Execution(format!("bag_unpack discovery: {e}")))?;
        rt.block_on(async {
            let work = async {
                let ctx = SessionContext::new();
                let frame = ctx.execute_logical_plan(plan).await?;
                Ok::<_, QueryError>(frame.collect().await?)
            };
            tokio::time::timeout(DISCOVERY_TIMEOUT, work)
                .await
                .map_err(|_| QueryError::Timeout)?
        })
    };
    std::thread::scope(|s| s.spawn(run).join()).map_err(|_| {
        QueryError::Execution("bag_unpack: the schema discovery thread failed".into())
    })?
}

/// The type of a column whose values were of these kinds (see `functions::bag_keys`).
fn kind_type(kinds: &[char]) -> ScalarType {
    let present: Vec<char> = kinds.iter().copied().filter(|k| *k != 'n').collect();
    let all = |set: &[char]| !present.is_empty() && present.iter().all(|k| set.contains(k));
    if all(&['l']) {
        ScalarType::Long
    } else if all(&['l', 'r']) {
        ScalarType::Real
    } else if all(&['s']) {
        ScalarType::String
    } else if all(&['b']) {
        ScalarType::Bool
    } else {
        ScalarType::Dynamic
    }
}

/// The distinct keys of `bag` over `input`, with their column types, ordered by key.
fn discover(input: &LogicalPlan, bag: &TypedExpr) -> Result<Vec<(String, ScalarType)>> {
    const KEYS: &str = "__kql_bag_keys";
    let plan = LogicalPlanBuilder::from(input.clone())
        .project(vec![
            bag_key_kinds_udf().call(vec![bag.expr.clone()]).alias(KEYS),
        ])?
        .unnest_columns_with_options(
            vec![Column::new_unqualified(KEYS)],
            UnnestOptions::default(),
        )?
        .distinct()?
        .build()?;
    let mut kinds: BTreeMap<String, Vec<char>> = BTreeMap::new();
    for batch in collect_blocking(plan)? {
        let col = datafusion::arrow::compute::cast(batch.column(0), &DataType::Utf8)
            .map_err(|e| QueryError::Execution(e.to_string()))?;
        let text = col.as_string::<i32>();
        for i in 0..text.len() {
            if text.is_null(i) {
                continue;
            }
            let mut chars = text.value(i).chars();
            if let Some(kind) = chars.next() {
                kinds
                    .entry(chars.as_str().to_string())
                    .or_default()
                    .push(kind);
            }
        }
    }
    Ok(kinds.into_iter().map(|(k, v)| (k, kind_type(&v))).collect())
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[Arg],
    schema: Option<&[ColumnDecl]>,
    span: kql_syntax::Span,
) -> Result<LogicalPlan> {
    let mut prefix = String::new();
    let mut conflict = Conflict::Error;
    let mut ignored = Vec::new();
    let Some(first) = args.first() else {
        return Err(semantic("expects a dynamic column", span));
    };
    for (i, a) in args.iter().enumerate().skip(1) {
        let name = a.name.as_ref().map(|n| n.name.as_str());
        match (name, i) {
            (Some("OutputColumnPrefix"), _) | (None, 1) => prefix = string_arg(a)?,
            (Some("columnsConflict"), _) | (None, 2) => {
                conflict = match string_arg(a)?.as_str() {
                    "error" => Conflict::Error,
                    "replace_source" => Conflict::ReplaceSource,
                    "keep_source" => Conflict::KeepSource,
                    other => {
                        return Err(semantic(
                            format!("unknown columnsConflict '{other}'"),
                            a.value.span,
                        ));
                    }
                }
            }
            (Some("ignoredProperties"), _) | (None, 3) => ignored = ignored_arg(a)?,
            _ => return Err(semantic("unexpected argument", a.value.span)),
        }
    }
    let in_schema = input.schema().clone();
    let ctx = ExprCtx::new(&in_schema, "evaluate");
    let bag = planner.plan_scalar(&first.value, &ctx)?;
    let bag = TypedExpr::new(bag.expr, ScalarType::Dynamic);
    let source = first.value.as_name().map(str::to_string);

    let keys: Vec<(String, ScalarType)> = match schema {
        Some(decls) => decls
            .iter()
            .filter(|d| d.name.name != ast::OTHER_COLUMNS)
            .filter_map(|d| {
                let key = d.name.name.strip_prefix(prefix.as_str())?;
                Some((key.to_string(), d.ty))
            })
            .collect(),
        None => discover(&input, &bag)?,
    };
    let existing: Vec<String> = column_names(&input)
        .into_iter()
        .filter(|n| Some(n) != source.as_ref())
        .collect();
    let mut out: Vec<(String, Expr)> = existing.iter().map(|n| (n.clone(), column(n))).collect();
    for (key, ty) in keys {
        if ignored.contains(&key) {
            continue;
        }
        let name = format!("{prefix}{key}");
        let text = dyn_call(
            "path",
            DynOp::Path(vec![Step::Key(key.clone())]),
            vec![bag.clone()],
            Out::Dynamic,
        );
        let value = typed_element(text.expr, Some(ty));
        match out.iter().position(|(n, _)| *n == name) {
            Some(at) => match conflict {
                Conflict::Error => {
                    return Err(semantic(
                        format!("the property '{key}' conflicts with the column '{name}'"),
                        span,
                    ));
                }
                Conflict::ReplaceSource => out[at].1 = value.named(&name),
                Conflict::KeepSource => {}
            },
            None => out.push((name.clone(), value.named(&name))),
        }
    }
    if let Some(decls) = schema {
        // A declared schema is the whole output, in its order.
        // `*` stands for the input's other columns, where it is written.
        let mut declared = Vec::with_capacity(decls.len());
        for d in decls {
            let name = &d.name.name;
            if name == ast::OTHER_COLUMNS {
                for c in &existing {
                    if !decls.iter().any(|x| &x.name.name == c) {
                        declared.push((c.clone(), column(c)));
                    }
                }
                continue;
            }
            let found = out.iter().find(|(n, _)| n == name).map(|(_, e)| e.clone());
            declared.push((
                name.clone(),
                found.ok_or_else(|| {
                    semantic(format!("no column '{name}' to declare"), d.name.span)
                })?,
            ));
        }
        out = declared;
    }
    Ok(LogicalPlanBuilder::from(input)
        .project(out.into_iter().map(|(_, e)| e))?
        .build()?)
}

/// `evaluate plugin(...)`: the plugins Quarry implements.
pub(crate) fn plan_evaluate(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    call: &ast::Expr,
    schema: Option<&[ColumnDecl]>,
) -> Result<LogicalPlan> {
    let ExprKind::Call { name, args } = &call.kind else {
        return Err(QueryError::semantic(
            "'evaluate' operator: expected a plugin call",
            call.span,
        ));
    };
    match name.name.as_str() {
        "bag_unpack" => plan(planner, input, args, schema, call.span),
        "geo_polygon_lookup" | "geo_line_lookup" => {
            super::geo_lookup::plan(planner, input, name.name.as_str(), args, call.span)?
                .ok_or_else(|| QueryError::not_supported(format!("plugin '{}'", name.name)))
        }
        other => match super::plugins::plan(planner, input, other, args, call.span)? {
            Some(plan) => Ok(plan),
            None => Err(QueryError::not_supported(format!("plugin '{other}'"))),
        },
    }
}
