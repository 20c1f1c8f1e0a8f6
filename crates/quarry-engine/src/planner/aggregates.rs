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
use crate::functions::collect::{DEFAULT_MAX_SIZE, collect_udaf};
use crate::functions::conversion::list_to_dynamic_udf;
use crate::functions::percentile::percentile_udaf;
use crate::planner::expr::{as_f64, from_ns};
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
    "covariance",
    "covariancep",
    "covarianceif",
    "covariancepif",
    "variancepif",
    "stdevpif",
    "percentilesw",
    "percentiles_array",
    "percentilesw_array",
    "buildschema",
];

pub(crate) fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&canonical(name))
}

/// The current name of an aggregate written with a legacy spelling (`makeset`,
/// `argmax`, ...), which Kusto still accepts.
pub(crate) fn canonical(name: &str) -> &str {
    match name {
        "makeset" => "make_set",
        "makelist" => "make_list",
        "makebag" => "make_bag",
        "argmax" => "arg_max",
        "argmin" => "arg_min",
        other => other,
    }
}

/// Kusto's automatic name for an aggregate column: `count_`, `sum_X`, `set_X`, ...
pub(crate) fn default_name(function: &str, args: &[Arg]) -> String {
    let function = canonical(function);
    let prefix = match function {
        "make_list" | "make_list_if" | "make_list_with_nulls" => "list",
        "make_set" | "make_set_if" => "set",
        "make_bag" | "make_bag_if" => "bag",
        "buildschema" => "schema",
        "take_any" | "any" => "any",
        "take_anyif" | "anyif" => "anyif",
        other => other,
    };
    let column = match function {
        "countif" => None,
        _ => args.first().and_then(|a| principal_column(&a.value)),
    };
    let column = column.unwrap_or_default();
    match function {
        // Two-column aggregates name both columns.
        "covariance" | "covariancep" | "covarianceif" | "covariancepif" => {
            let second = args
                .get(1)
                .and_then(|a| principal_column(&a.value))
                .unwrap_or_default();
            format!("{prefix}_{column}_{second}")
        }
        "percentiles_array" | "percentilesw_array" => format!("percentile_{column}"),
        "percentile" | "percentiles" | "percentilesw" => {
            let at = if function == "percentilesw" { 2 } else { 1 };
            let p = args
                .get(at)
                .map(|a| percent_suffix(&a.value))
                .unwrap_or_default();
            format!("percentile_{column}_{p}")
        }
        _ => format!("{prefix}_{column}"),
    }
}

/// How a percent is written in a column name: `50`, `99_9`.
pub(crate) fn percent_suffix(e: &kql_syntax::ast::Expr) -> String {
    match &e.kind {
        kql_syntax::ast::ExprKind::Literal(_) => kql_syntax::print_expr(e).replace(['.', '-'], "_"),
        _ => String::new(),
    }
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

/// A percent or size argument: a numeric constant.
fn constant_f64(e: &kql_syntax::ast::Expr, function: &str, span: Span) -> Result<f64> {
    use kql_syntax::ast::{ExprKind, Literal};
    let value = match &e.kind {
        ExprKind::Literal(Literal::Long(v)) => Some(*v as f64),
        ExprKind::Literal(Literal::Int(v)) => Some(f64::from(*v)),
        ExprKind::Literal(Literal::Real(v)) => Some(*v),
        _ => None,
    };
    value.ok_or_else(|| {
        QueryError::semantic(
            format!("'summarize' operator: '{function}' expects a numeric constant here"),
            span,
        )
    })
}

/// The percents of `percentiles_array(x, p1, p2, ...)` or `(x, dynamic([p1, ...]))`.
fn percent_list(args: &[Arg], function: &str, span: Span) -> Result<Vec<f64>> {
    use kql_syntax::ast::{DynValue, ExprKind, Literal};
    if let [a] = args
        && let ExprKind::Literal(Literal::Dynamic(DynValue::Array(items))) = &a.value.kind
    {
        return items
            .iter()
            .map(|v| match v {
                DynValue::Long(n) => Ok(*n as f64),
                DynValue::Real(r) => Ok(*r),
                _ => Err(QueryError::semantic(
                    format!("'summarize' operator: '{function}' expects numeric percents"),
                    span,
                )),
            })
            .collect();
    }
    args.iter()
        .map(|a| constant_f64(&a.value, function, span))
        .collect()
}

fn to_datetime(e: Expr) -> TypedExpr {
    from_ns(e, ScalarType::DateTime)
}

fn to_timespan(e: Expr) -> TypedExpr {
    from_ns(e, ScalarType::Timespan)
}

/// A percentile aggregate over `x` (weights `w`): integers, datetimes and timespans
/// are ranked as exact Int64s and converted back.
fn percentile(
    x: &TypedExpr,
    w: Option<&TypedExpr>,
    percents: &[f64],
    as_list: bool,
) -> Result<PlannedAggregate> {
    let float = matches!(x.ty, ScalarType::Real | ScalarType::Decimal);
    let value = if float {
        as_f64(x.expr.clone())
    } else {
        cast(x.expr.clone(), DataType::Int64)
    };
    let mut call_args = vec![value];
    if let Some(w) = w {
        call_args.push(cast(w.expr.clone(), DataType::Int64));
    }
    let aggregate = percentile_udaf(percents, w.is_some(), as_list, float).call(call_args);
    type Finish = Option<fn(Expr) -> TypedExpr>;
    let (finish, ty): (Finish, ScalarType) = match (as_list, x.ty) {
        (true, _) => (Some(list_to_dynamic), ScalarType::Dynamic),
        (false, ScalarType::DateTime) => (Some(to_datetime), ScalarType::DateTime),
        (false, ScalarType::Timespan) => (Some(to_timespan), ScalarType::Timespan),
        (false, _) if float => (None, ScalarType::Real),
        (false, _) => (None, ScalarType::Long),
    };
    Ok(PlannedAggregate {
        aggregate,
        finish,
        ty,
    })
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
        let function = canonical(function);
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
        // DataFusion 55's approx_distinct takes integers, strings and times only: it fails
        // over dictionaries at execution, and over reals, bools, decimals and durations
        // at planning. Those are counted through a form with the same distinct values.
        let distinct_input = |x: &TypedExpr| -> Result<Expr> {
            let dt = x.expr.get_type(ctx.schema)?;
            Ok(match dt {
                DataType::Dictionary(..)
                | DataType::Float16
                | DataType::Float32
                | DataType::Float64
                | DataType::Boolean
                | DataType::Decimal128(..) => cast(x.expr.clone(), DataType::Utf8),
                DataType::Duration(_) => cast(x.expr.clone(), DataType::Int64),
                _ => x.expr.clone(),
            })
        };
        Ok(match (function, planned.as_slice()) {
            ("count", []) => simple(count_all(), ScalarType::Long),
            // Kusto's `count(x)` counts rows, nulls in `x` included (the summarize
            // reference's null-handling example shows `count(y)` = 2 over one null).
            ("count", [_]) => simple(count_all(), ScalarType::Long),
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
                let is_set = function.starts_with("make_set");
                // Kusto's lists leave out nulls.
                let mut keep = is_not_null(x.expr.clone());
                if let Some(p) = predicate {
                    keep = and(keep, p.expr.clone());
                }
                let aggregate = match limit_args.first() {
                    // A size cap needs the capped collector (array_agg has none).
                    Some(limit) => {
                        let limit = match super::literal::eval_constant(as_f64(limit.expr.clone()))?
                        {
                            ScalarValue::Float64(Some(v)) => v,
                            _ => {
                                return Err(QueryError::semantic(
                                    format!(
                                        "'summarize' operator: '{function}' expects a numeric size limit"
                                    ),
                                    span,
                                ));
                            }
                        };
                        let limit = if limit >= 1.0 {
                            limit.min(DEFAULT_MAX_SIZE as f64) as usize
                        } else {
                            DEFAULT_MAX_SIZE
                        };
                        collect_udaf(is_set, false, limit)
                            .call(vec![x.expr.clone()])
                            .filter(keep)
                            .build()?
                    }
                    // make_set de-duplicates after aggregation: DataFusion's DISTINCT
                    // array_agg loses the order of first appearance that Kusto keeps.
                    None => agg::array_agg(x.expr.clone()).filter(keep).build()?,
                };
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
            ("buildschema", [x]) => PlannedAggregate {
                aggregate: agg::array_agg(x.expr.clone())
                    .filter(is_not_null(x.expr.clone()))
                    .build()?,
                finish: Some(|list| {
                    TypedExpr::new(
                        crate::functions::buildschema::buildschema_udf().call(vec![list]),
                        ScalarType::Dynamic,
                    )
                }),
                ty: ScalarType::Dynamic,
            },
            ("make_bag" | "make_bag_if", [x, rest @ ..]) => {
                crate::planner::builtins::dynamic::plan_make_bag(function, x, rest, span)?
            }
            // Quarry's sketches are exact: an hll is the set of distinct values, a
            // digest the list of values (see `builtins::sketches`).
            ("hll", [x, ..]) if planned.len() <= 2 => PlannedAggregate {
                aggregate: agg::array_agg(x.expr.clone())
                    .filter(is_not_null(x.expr.clone()))
                    .build()?,
                finish: Some(if x.ty == ScalarType::Dynamic {
                    json_set_to_dynamic
                } else {
                    set_to_dynamic
                }),
                ty: ScalarType::Dynamic,
            },
            ("tdigest", [x]) | ("tdigest", [x, _]) => {
                let numeric = matches!(
                    x.ty,
                    ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
                );
                if !numeric {
                    return Err(QueryError::not_supported(format!(
                        "tdigest() of a {} column",
                        x.ty.name()
                    )));
                }
                let keep = is_not_null(x.expr.clone());
                let (element, finish): (Expr, fn(Expr) -> TypedExpr) = match planned.get(1) {
                    Some(w) => {
                        let pair = crate::planner::builtins::dynamic::dyn_call(
                            "tdigest",
                            crate::functions::dyn_ops::DynOp::PackArray,
                            vec![x.clone(), w.clone()],
                            crate::functions::dynamic::Out::Dynamic,
                        );
                        (pair.expr, json_list_to_dynamic)
                    }
                    None => (x.expr.clone(), list_to_dynamic),
                };
                PlannedAggregate {
                    aggregate: agg::array_agg(element).filter(keep).build()?,
                    finish: Some(finish),
                    ty: ScalarType::Dynamic,
                }
            }
            ("take_any" | "any", [x]) => simple(agg::first_value(x.expr.clone(), vec![]), x.ty),
            ("take_anyif" | "anyif", [x, p]) => {
                simple(filtered(agg::first_value(x.expr.clone(), vec![]), p)?, x.ty)
            }
            ("make_list_with_nulls", [x]) => PlannedAggregate {
                aggregate: collect_udaf(false, true, DEFAULT_MAX_SIZE).call(vec![x.expr.clone()]),
                finish: Some(if x.ty == ScalarType::Dynamic {
                    json_list_to_dynamic
                } else {
                    list_to_dynamic
                }),
                ty: ScalarType::Dynamic,
            },
            ("stdevif", [x, p]) => simple(
                filtered(agg::stddev(as_f64(x.expr.clone())), p)?,
                ScalarType::Real,
            ),
            ("stdevpif", [x, p]) => simple(
                filtered(agg::stddev_pop(as_f64(x.expr.clone())), p)?,
                ScalarType::Real,
            ),
            ("varianceif", [x, p]) => simple(
                filtered(agg::var_sample(as_f64(x.expr.clone())), p)?,
                ScalarType::Real,
            ),
            ("variancepif", [x, p]) => simple(
                filtered(agg::var_pop(as_f64(x.expr.clone())), p)?,
                ScalarType::Real,
            ),
            ("covariance" | "covariancep", [x, y]) => {
                let (x, y) = (as_f64(x.expr.clone()), as_f64(y.expr.clone()));
                let e = if function == "covariance" {
                    agg::covar_samp(x, y)
                } else {
                    agg::covar_pop(x, y)
                };
                simple(e, ScalarType::Real)
            }
            ("covarianceif" | "covariancepif", [x, y, p]) => {
                let (x, y) = (as_f64(x.expr.clone()), as_f64(y.expr.clone()));
                let e = if function == "covarianceif" {
                    agg::covar_samp(x, y)
                } else {
                    agg::covar_pop(x, y)
                };
                simple(filtered(e, p)?, ScalarType::Real)
            }
            ("binary_all_and" | "binary_all_or" | "binary_all_xor", [x]) => {
                let x = cast(x.expr.clone(), DataType::Int64);
                let e = match function {
                    "binary_all_and" => agg::bit_and(x),
                    "binary_all_or" => agg::bit_or(x),
                    _ => agg::bit_xor(x),
                };
                simple(e, ScalarType::Long)
            }
            ("percentile" | "percentiles", [x, _]) => {
                let p = constant_f64(&args[1].value, function, span)?;
                percentile(x, None, &[p], false)?
            }
            ("percentilesw", [x, w, _]) => {
                let p = constant_f64(&args[2].value, function, span)?;
                percentile(x, Some(w), &[p], false)?
            }
            ("percentiles_array" | "percentilesw_array", [x, ..]) => {
                let weighted = function == "percentilesw_array";
                let first = if weighted { 2 } else { 1 };
                let w = if weighted { planned.get(1) } else { None };
                let percents = percent_list(&args[first.min(args.len())..], function, span)?;
                percentile(x, w, &percents, true)?
            }
            ("percentiles" | "percentilesw", _) => {
                return Err(QueryError::not_supported(format!(
                    "'{function}' with several percents inside an expression"
                )));
            }
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
