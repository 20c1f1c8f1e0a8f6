//! `evaluate pivot(PivotColumn [, Aggregation(...)] [, Column, ...])`: one output column
//! per distinct value of `PivotColumn`, holding the aggregation (default `count()`) of
//! the rows with that value, grouped by the given columns.
//!
//! The output schema depends on the data, so the planner first runs `distinct
//! PivotColumn` (as `bag_unpack` runs its discovery query), then plans an ordinary
//! `summarize` with one conditional aggregate per value: `count()` becomes
//! `countif(tostring(P) == "v")`, `sum(x)` becomes `sumif(x, tostring(P) == "v")`, and so
//! on. Value columns are ordered by value; null and empty values get no column.

use datafusion::arrow::array::Array;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::Span;
use kql_syntax::ast::{Arg, BinaryOp, Expr, ExprKind, Ident, Literal, LogicalOp, NamedExpr};

use super::plugins::semantic;
use crate::error::{QueryError, Result};
use crate::planner::materialize::collect_one;
use crate::planner::{Planner, column};

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let pivot = match args.first().map(|a| &a.value.kind) {
        Some(ExprKind::Name(id)) => id.clone(),
        _ => return Err(semantic("pivot", "expected the pivot column first", span)),
    };
    let (aggregation, by) = match args.get(1).map(|a| &a.value.kind) {
        Some(ExprKind::Call {
            name,
            args: agg_args,
        }) => (Some((name.name.as_str(), agg_args.as_slice())), &args[2..]),
        _ => (None, &args[1..]),
    };
    let mut group = Vec::with_capacity(by.len());
    for a in by {
        match &a.value.kind {
            ExprKind::Name(id) => group.push(id.clone()),
            _ => return Err(semantic("pivot", "expected column names to group by", span)),
        }
    }
    let values = distinct_values(&input, &pivot.name)?;
    let by_exprs: Vec<NamedExpr> = group
        .iter()
        .map(|id| NamedExpr {
            names: vec![],
            expr: Expr::new(ExprKind::Name(id.clone()), id.span),
        })
        .collect();
    if values.is_empty() {
        // No value, no value column: the groups alone (or no rows at all).
        if by_exprs.is_empty() {
            return Ok(LogicalPlanBuilder::from(input).limit(0, Some(0))?.build()?);
        }
        return super::summarize::plan(planner, input, &[], &[], &by_exprs);
    }
    let aggs = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            // `summarize` tells aggregate calls apart by their spans: each generated call
            // gets its own (past any real query text).
            let at = u32::try_from(i)
                .ok()
                .and_then(|i| u32::MAX.checked_sub(2 * i + 1))
                .map_or(span, |start| Span::new(start, start + 1));
            let matches = equals_value(&pivot, v, at);
            Ok(NamedExpr {
                names: vec![Ident::new(v.clone(), span)],
                expr: conditional(aggregation, matches, at)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    super::summarize::plan(planner, input, &[], &aggs, &by_exprs)
}

/// The distinct non-empty values of `name`, as text, in order.
fn distinct_values(input: &LogicalPlan, name: &str) -> Result<Vec<String>> {
    let dynamic = input
        .schema()
        .fields()
        .iter()
        .find(|f| f.name() == name)
        .is_some_and(|f| crate::types::kql_type_of(f) == crate::types::ScalarType::Dynamic);
    let text = crate::functions::conversion::tostring_udf(dynamic).call(vec![column(name)]);
    let plan = LogicalPlanBuilder::from(input.clone())
        .project(vec![text.alias("v")])?
        .distinct()?
        .build()?;
    let batch = collect_one(plan)?;
    let values = batch.column(0);
    let strings =
        datafusion::arrow::compute::cast(values, &datafusion::arrow::datatypes::DataType::Utf8)
            .map_err(crate::planner::materialize::arrow_error)?;
    let strings = strings
        .as_any()
        .downcast_ref::<datafusion::arrow::array::StringArray>()
        .ok_or_else(|| QueryError::Execution("pivot: values are not text".into()))?;
    let mut out: Vec<String> = (0..strings.len())
        .filter(|&i| strings.is_valid(i) && !strings.value(i).is_empty())
        .map(|i| strings.value(i).to_string())
        .collect();
    out.sort();
    Ok(out)
}

fn call(name: &str, args: Vec<Expr>, span: Span) -> Expr {
    Expr::new(
        ExprKind::Call {
            name: Ident::new(name, span),
            args: args
                .into_iter()
                .map(|value| Arg { name: None, value })
                .collect(),
        },
        span,
    )
}

/// `tostring(P) == "v"`
fn equals_value(pivot: &Ident, value: &str, span: Span) -> Expr {
    let text = call(
        "tostring",
        vec![Expr::new(ExprKind::Name(pivot.clone()), pivot.span)],
        span,
    );
    Expr::new(
        ExprKind::Binary {
            op: BinaryOp::Eq,
            left: Box::new(text),
            right: Box::new(Expr::new(
                ExprKind::Literal(Literal::String(value.to_string())),
                span,
            )),
        },
        span,
    )
}

/// The aggregation restricted to the rows where `matches` holds.
fn conditional(aggregation: Option<(&str, &[Arg])>, matches: Expr, span: Span) -> Result<Expr> {
    let Some((name, args)) = aggregation else {
        return Ok(call("countif", vec![matches], span));
    };
    let mut values: Vec<Expr> = args.iter().map(|a| a.value.clone()).collect();
    let conditional_name = match name {
        "count" if values.is_empty() => return Ok(call("countif", vec![matches], span)),
        "countif" if values.len() == 1 => {
            let both = Expr::new(
                ExprKind::Logical {
                    op: LogicalOp::And,
                    operands: vec![values.remove(0), matches],
                },
                span,
            );
            return Ok(call("countif", vec![both], span));
        }
        "sum" => "sumif",
        "avg" => "avgif",
        "min" => "minif",
        "max" => "maxif",
        "dcount" => "dcountif",
        "make_set" | "makeset" => "make_set_if",
        "make_list" | "makelist" => "make_list_if",
        "take_any" | "any" => "take_anyif",
        other => {
            return Err(QueryError::not_supported(format!(
                "pivot() with the aggregation '{other}'"
            )));
        }
    };
    if values.is_empty() {
        return Err(semantic(
            "pivot",
            format!("{name}() needs an argument"),
            span,
        ));
    }
    // `dcount(x, accuracy)` / `make_set(x, max)`: the condition goes second.
    values.insert(1, matches);
    Ok(call(conditional_name, values, span))
}
