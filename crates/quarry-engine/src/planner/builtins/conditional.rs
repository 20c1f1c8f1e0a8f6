//! `coalesce`, `gettype`, `toguid`, `assert`.

use std::sync::Arc;

use datafusion::arrow::array::{AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as df;
use datafusion::logical_expr::Expr;
use kql_syntax::time::parse_guid;

use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::functions::array_udf::array_udf;
use crate::functions::numeric::dynamic_gettype_udf;
use crate::planner::TypedExpr;
use crate::planner::literal::eval_constant;
use crate::types::ScalarType;

fn string_lit(s: &str) -> Expr {
    Expr::Literal(ScalarValue::Utf8(Some(s.to_string())), None)
}

/// The name `gettype()` gives a value of a (non-dynamic) Kusto type.
fn type_name(ty: ScalarType) -> &'static str {
    match ty {
        ScalarType::Bool => "bool",
        ScalarType::Int => "int",
        ScalarType::Long => "long",
        ScalarType::Real => "real",
        ScalarType::Decimal => "decimal",
        ScalarType::String => "string",
        ScalarType::DateTime => "datetime",
        ScalarType::Timespan => "timespan",
        ScalarType::Guid => "guid",
        ScalarType::Dynamic => "dynamic",
    }
}

/// `toguid(string)`: the canonical lower-case form, or null.
fn toguid_udf() -> Arc<datafusion::logical_expr::ScalarUDF> {
    array_udf("kql_toguid", 1, DataType::Utf8, |args| {
        let text = cast(&args[0], &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        Ok(Arc::new(
            text.iter()
                .map(|v| v.and_then(parse_guid))
                .collect::<StringArray>(),
        ))
    })
}

fn is_number(ty: ScalarType) -> bool {
    matches!(
        ty,
        ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
    )
}

/// The type of an `iff`/`case` result: dynamic if a branch is; the widest number when
/// all branches are numbers (int < long < decimal < real); else the first branch's.
fn branch_type(branches: &[&TypedExpr]) -> ScalarType {
    let first = branches.first().map_or(ScalarType::Dynamic, |b| b.ty);
    if branches.iter().any(|b| b.ty == ScalarType::Dynamic) {
        return ScalarType::Dynamic;
    }
    if !branches.iter().all(|b| is_number(b.ty)) {
        return first;
    }
    let rank = |ty: ScalarType| match ty {
        ScalarType::Int => 0,
        ScalarType::Long => 1,
        ScalarType::Decimal => 2,
        _ => 3,
    };
    branches
        .iter()
        .map(|b| b.ty)
        .max_by_key(|ty| rank(*ty))
        .unwrap_or(first)
}

/// `case(c1, v1, c2, v2, ..., otherwise)` (and `iff`): branches unified to one type
/// first, since DataFusion's CASE wants a single type. A null condition takes the
/// next branch, as in Kusto.
pub(crate) fn when_then(
    pairs: Vec<(TypedExpr, TypedExpr)>,
    otherwise: TypedExpr,
    cx: &CallCtx,
) -> Result<TypedExpr> {
    let mut branches: Vec<&TypedExpr> = pairs.iter().map(|(_, v)| v).collect();
    branches.push(&otherwise);
    let ty = branch_type(&branches);
    let unify = |v: TypedExpr| -> Expr {
        if v.ty == ty || !is_number(ty) {
            v.expr
        } else {
            datafusion::logical_expr::cast(v.expr, crate::types::arrow_type(ty))
        }
    };
    let mut pairs = pairs.into_iter();
    let Some((c, v)) = pairs.next() else {
        return Ok(otherwise);
    };
    let mut builder = datafusion::logical_expr::when(c.expr, unify(v));
    for (c, v) in pairs {
        builder = builder.when(c.expr, unify(v));
    }
    let e = builder.otherwise(unify(otherwise))?;
    if matches!(ty, ScalarType::Dynamic | ScalarType::Guid) {
        Ok(TypedExpr::new(e, ty))
    } else {
        TypedExpr::derive(e, cx.schema)
    }
}

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    let a = args;
    let planned = match name {
        "coalesce" => {
            if a.is_empty() {
                return Err(a.arity_error());
            }
            let first = a.arg(0)?.ty;
            // Strings have no null in Kusto: the first non-empty one wins.
            let values: Vec<Expr> = a
                .values
                .iter()
                .map(|v| {
                    if v.ty == ScalarType::String {
                        df::nullif(v.expr.clone(), string_lit(""))
                    } else {
                        v.expr.clone()
                    }
                })
                .collect();
            let mut e = df::coalesce(values);
            if first == ScalarType::String {
                e = df::coalesce(vec![e, string_lit("")]);
            }
            if matches!(first, ScalarType::Guid | ScalarType::Dynamic) {
                TypedExpr::new(e, first)
            } else {
                TypedExpr::derive(e, cx.schema)?
            }
        }
        "gettype" => {
            let x = a.one()?;
            if x.ty == ScalarType::Dynamic {
                TypedExpr::new(dynamic_gettype_udf().call(vec![x.expr]), ScalarType::String)
            } else {
                TypedExpr::new(string_lit(type_name(x.ty)), ScalarType::String)
            }
        }
        "toguid" => {
            let x = a.one()?;
            match x.ty {
                ScalarType::Guid => x,
                ScalarType::String | ScalarType::Dynamic => {
                    TypedExpr::new(toguid_udf().call(vec![x.expr]), ScalarType::Guid)
                }
                other => {
                    return Err(QueryError::semantic(
                        format!(
                            "'{}' operator: toguid(): cannot convert {}",
                            cx.operator,
                            other.name()
                        ),
                        cx.span,
                    ));
                }
            }
        }
        // Kusto evaluates assert() while analysing the query: its condition must be a
        // constant, and a false one fails the query with the given message.
        "assert" => {
            let (cond, message) = (a.arg(0)?, a.arg(1)?);
            if a.len() != 2 {
                return Err(a.arity_error());
            }
            let not_constant = || {
                QueryError::semantic(
                    format!(
                        "'{}' operator: assert(): the condition and message must be constants",
                        cx.operator
                    ),
                    cx.span,
                )
            };
            let holds = match eval_constant(cond.expr).map_err(|_| not_constant())? {
                ScalarValue::Boolean(b) => b.unwrap_or(false),
                _ => return Err(not_constant()),
            };
            if !holds {
                let text = match eval_constant(message.expr).map_err(|_| not_constant())? {
                    ScalarValue::Utf8(Some(s)) => s,
                    _ => return Err(not_constant()),
                };
                return Err(QueryError::semantic(
                    format!("assert() failed: {text}"),
                    cx.span,
                ));
            }
            TypedExpr::new(
                Expr::Literal(ScalarValue::Boolean(Some(true)), None),
                ScalarType::Bool,
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(planned))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::datetime::tests::row;
    use crate::error::QueryError;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[tokio::test]
    async fn coalesce_skips_nulls_and_empty_strings() -> TestResult {
        let r = row("print a = coalesce(long(null), 2, 3), b = coalesce('', 'x'), c = coalesce('', ''), d = coalesce(real(null), real(null)), e = coalesce(tolong('x'), 7)").await?;
        assert_eq!(r, json!({"a": 2, "b": "x", "c": "", "d": null, "e": 7}));
        Ok(())
    }

    #[tokio::test]
    async fn iff_and_case_widen_numbers() -> TestResult {
        let r = row("print a = iff(true, 1, 2.5), b = iff(bool(null), int(1), long(2)), c = case(false, 1, true, 2.5, 3), d = gettype(iff(false, int(1), 2)), e = case(1 > 2, 'x', 'y')").await?;
        assert_eq!(
            r,
            json!({"a": 1.0, "b": 2, "c": 2.5, "d": "long", "e": "y"})
        );
        Ok(())
    }

    #[tokio::test]
    async fn gettype_and_toguid() -> TestResult {
        let r = row("print a = gettype(int(1)), l = gettype(1), b = gettype(1.5), c = gettype(dynamic([1])), d = gettype(dynamic({'a': 1})), e = toguid('{0123456789ABCDEF0123456789ABCDEF}'), f = toguid('nope'), g = gettype(now())").await?;
        assert_eq!(
            r,
            json!({"a": "int", "l": "long", "b": "real", "c": "array", "d": "dictionary",
                   "e": "01234567-89ab-cdef-0123-456789abcdef", "f": null, "g": "datetime"})
        );
        Ok(())
    }

    #[tokio::test]
    async fn assert_fails_the_query_when_false() -> TestResult {
        assert_eq!(
            row("print a = assert(1 < 2, 'fine')").await?,
            json!({"a": true})
        );
        let e = row("print assert(1 > 2, 'one is not greater')").await;
        assert!(
            matches!(&e, Err(QueryError::Semantic { message, .. }) if message.contains("one is not greater")),
            "{e:?}"
        );
        Ok(())
    }
}
