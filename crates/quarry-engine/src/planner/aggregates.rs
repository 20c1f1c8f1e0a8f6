//! Aggregate functions of `summarize`: which names are aggregates, their default
//! output names, and their DataFusion plans.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions_aggregate::count::count_all;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{Expr, ExprFunctionExt, ExprSchemable, and, cast, is_not_null};
use kql_syntax::Span;
use kql_syntax::ast::Arg;

use super::expr::ExprCtx;
use super::{Planner, TypedExpr, naming::principal_column};
use crate::error::{QueryError, Result};
use crate::functions::conversion::list_to_dynamic_udf;
use crate::types::ScalarType;

const AGGREGATES: &[&str] = &[
    "count",
    "countif",
    "sum",
    "sumif",
    "avg",
    "avgif",
    "min",
    "max",
    "minif",
    "maxif",
    "dcount",
    "dcountif",
    "make_list",
    "make_list_if",
    "make_set",
    "make_set_if",
    "arg_max",
    "arg_min",
    "take_any",
    "any",
    "stdev",
    "stdevp",
    "variance",
    "variancep",
    "percentile",
    "percentiles",
    "make_bag",
    "make_bag_if",
    "take_anyif",
    "anyif",
    "make_list_with_nulls",
    "hll",
    "tdigest",
    "binary_all_and",
    "binary_all_or",
    "binary_all_xor",
    "avg_if",
    "count_distinct",
    "count_distinctif",
    "stdevif",
    "varianceif",
    "sum_if",
];

pub(crate) fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name)
}

/// Kusto's automatic name for an aggregate column: `count_`, `sum_X`, `set_X`, ...
pub(crate) fn default_name(function: &str, args: &[Arg]) -> String {
    let prefix = match function {
        "make_list" | "make_list_if" | "make_list_with_nulls" => "list",
        "make_set" | "make_set_if" => "set",
        "make_bag" | "make_bag_if" => "bag",
        "take_any" | "any" => "any",
        "take_anyif" | "anyif" => "anyif",
        other => other,
    };
    let column = match function {
        "countif" => None,
        _ => args.first().and_then(|a| principal_column(&a.value)),
    };
    format!("{prefix}_{}", column.unwrap_or_default())
}

/// One planned aggregate: the DataFusion aggregate expression, and how to turn its
/// output column into the Kusto value (`make_list` → dynamic JSON, `dcount` → long).
pub(crate) struct PlannedAggregate {
    pub aggregate: Expr,
    pub finish: Option<fn(Expr) -> TypedExpr>,
    /// The Kusto type of the aggregate's output when there is no `finish` step.
    pub ty: ScalarType,
}

fn to_long(e: Expr) -> TypedExpr {
    TypedExpr::new(cast(e, DataType::Int64), ScalarType::Long)
}

fn list_to_dynamic(e: Expr) -> TypedExpr {
    TypedExpr::new(
        list_to_dynamic_udf(false, false).call(vec![e]),
        ScalarType::Dynamic,
    )
}

fn json_list_to_dynamic(e: Expr) -> TypedExpr {
    TypedExpr::new(
        list_to_dynamic_udf(true, false).call(vec![e]),
        ScalarType::Dynamic,
    )
}

fn set_to_dynamic(e: Expr) -> TypedExpr {
    TypedExpr::new(
        list_to_dynamic_udf(false, true).call(vec![e]),
        ScalarType::Dynamic,
    )
}

fn json_set_to_dynamic(e: Expr) -> TypedExpr {
    TypedExpr::new(
        list_to_dynamic_udf(true, true).call(vec![e]),
        ScalarType::Dynamic,
    )
}

impl Planner<'_> {
    /// Plans one aggregate call against the summarize input.
    pub(crate) fn plan_aggregate_call(
        &mut self,
        function: &str,
        args: &[Arg],
        span: Span,
        ctx: &ExprCtx<'_>,
    ) -> Result<PlannedAggregate> {
        let arity = |n: usize| -> Result<()> {
            if args.len() == n {
                Ok(())
            } else {
                Err(QueryError::semantic(
                    format!("'summarize' operator: '{function}' takes {n} argument(s)"),
                    span,
                ))
            }
        };
        let mut planned = Vec::with_capacity(args.len());
        for a in args {
            planned.push(self.plan_scalar(&a.value, ctx)?);
        }
        let simple = |aggregate: Expr, ty: ScalarType| PlannedAggregate {
            aggregate,
            finish: None,
            ty,
        };
        let derive = |e: Expr| -> Result<ScalarType> { Ok(TypedExpr::derive(e, ctx.schema)?.ty) };
        let filtered =
            |e: Expr, p: &TypedExpr| -> Result<Expr> { Ok(e.filter(p.expr.clone()).build()?) };
        // dcount over a dictionary column fails at execution in DataFusion 55.
        let distinct_input = |x: &TypedExpr| -> Result<Expr> {
            let dt = x.expr.get_type(ctx.schema)?;
            Ok(if matches!(dt, DataType::Dictionary(..)) {
                cast(x.expr.clone(), DataType::Utf8)
            } else {
                x.expr.clone()
            })
        };
        Ok(match (function, planned.as_slice()) {
            ("count", []) => simple(count_all(), ScalarType::Long),
            ("count", [x]) => simple(agg::count(x.expr.clone()), ScalarType::Long),
            ("countif", [p]) => simple(
                filtered(
                    agg::count(Expr::Literal(ScalarValue::Int64(Some(1)), None)),
                    p,
                )?,
                ScalarType::Long,
            ),
            ("sum", [x]) => {
                let e = agg::sum(x.expr.clone());
                simple(e.clone(), derive(e)?)
            }
            ("sumif" | "sum_if", [x, p]) => {
                let e = agg::sum(x.expr.clone());
                let ty = derive(e.clone())?;
                simple(filtered(e, p)?, ty)
            }
            ("avg", [x]) => simple(agg::avg(x.expr.clone()), ScalarType::Real),
            ("avgif" | "avg_if", [x, p]) => {
                simple(filtered(agg::avg(x.expr.clone()), p)?, ScalarType::Real)
            }
            ("min", [x]) => simple(agg::min(x.expr.clone()), x.ty),
            ("max", [x]) => simple(agg::max(x.expr.clone()), x.ty),
            ("minif", [x, p]) => simple(filtered(agg::min(x.expr.clone()), p)?, x.ty),
            ("maxif", [x, p]) => simple(filtered(agg::max(x.expr.clone()), p)?, x.ty),
            ("dcount", [x, ..]) if planned.len() <= 2 => PlannedAggregate {
                aggregate: agg::approx_distinct(distinct_input(x)?),
                finish: Some(to_long),
                ty: ScalarType::Long,
            },
            ("dcountif", [x, p, ..]) if planned.len() <= 3 => PlannedAggregate {
                aggregate: filtered(agg::approx_distinct(distinct_input(x)?), p)?,
                finish: Some(to_long),
                ty: ScalarType::Long,
            },
            ("count_distinct", [x]) => PlannedAggregate {
                aggregate: agg::count_distinct(distinct_input(x)?),
                finish: Some(to_long),
                ty: ScalarType::Long,
            },
            ("make_list" | "make_set" | "make_list_if" | "make_set_if", [x, rest @ ..]) => {
                let conditional = function.ends_with("_if");
                let (predicate, limit_args) = if conditional {
                    match rest.split_first() {
                        Some((p, more)) => (Some(p), more),
                        None => {
                            arity(2)?;
                            (None, rest)
                        }
                    }
                } else {
                    (None, rest)
                };
                if limit_args.len() > 1 {
                    return Err(QueryError::semantic(
                        format!("'summarize' operator: too many arguments for '{function}'"),
                        span,
                    ));
                }
                if !limit_args.is_empty() {
                    return Err(QueryError::not_supported(format!(
                        "'{function}' with a size limit"
                    )));
                }
                // Kusto's lists leave out nulls.
                let mut keep = is_not_null(x.expr.clone());
                if let Some(p) = predicate {
                    keep = and(keep, p.expr.clone());
                }
                // make_set de-duplicates after aggregation: DataFusion's DISTINCT
                // array_agg loses the order of first appearance that Kusto keeps.
                let aggregate = agg::array_agg(x.expr.clone()).filter(keep).build()?;
                let is_set = function.starts_with("make_set");
                let finish: fn(Expr) -> TypedExpr = match (is_set, x.ty == ScalarType::Dynamic) {
                    (false, false) => list_to_dynamic,
                    (false, true) => json_list_to_dynamic,
                    (true, false) => set_to_dynamic,
                    (true, true) => json_set_to_dynamic,
                };
                PlannedAggregate {
                    aggregate,
                    finish: Some(finish),
                    ty: ScalarType::Dynamic,
                }
            }
            ("take_any" | "any", [x]) => simple(agg::first_value(x.expr.clone(), vec![]), x.ty),
            ("stdev", [x]) => simple(agg::stddev(x.expr.clone()), ScalarType::Real),
            ("stdevp", [x]) => simple(agg::stddev_pop(x.expr.clone()), ScalarType::Real),
            ("variance", [x]) => simple(agg::var_sample(x.expr.clone()), ScalarType::Real),
            ("variancep", [x]) => simple(agg::var_pop(x.expr.clone()), ScalarType::Real),
            ("arg_max" | "arg_min", _) => {
                return Err(QueryError::not_supported(format!(
                    "'{function}' inside an expression (use it as a whole summarize item)"
                )));
            }
            (f, _)
                if is_aggregate(f)
                    && matches!(f, "count" | "countif" | "sum" | "avg" | "min" | "max") =>
            {
                return Err(QueryError::semantic(
                    format!("'summarize' operator: wrong number of arguments for '{f}'"),
                    span,
                ));
            }
            (f, _) => {
                return Err(QueryError::not_supported(format!(
                    "aggregate function '{f}'"
                )));
            }
        })
    }
}
