//! The core built-ins: conditionals, null tests, conversions, basic strings, `now`/`ago`,
//! `bin`. Other families live beside this file, one per file.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as df;
use datafusion::logical_expr::{Expr, Operator, binary_expr, cast, is_not_null, is_null, not, or};

use super::{Args, CallCtx};
use crate::error::Result;
use crate::functions::conversion::tostring_udf;
use crate::planner::TypedExpr;
use crate::planner::expr::{as_f64, as_i64, from_ns};
use crate::planner::literal;
use crate::types::{ScalarType, arrow_type};

fn lit_i64(v: i64) -> Expr {
    Expr::Literal(ScalarValue::Int64(Some(v)), None)
}

/// `x - ((x % s) + s) % s`: the floor of `x` to a multiple of `s` for integers of
/// either sign (Kusto's `bin` rounds down, `%` truncates toward zero).
fn floor_to_multiple(x: Expr, step: Expr) -> Expr {
    let rem = binary_expr(x.clone(), Operator::Modulo, step.clone());
    let positive_rem = binary_expr(
        binary_expr(rem, Operator::Plus, step.clone()),
        Operator::Modulo,
        step,
    );
    binary_expr(x, Operator::Minus, positive_rem)
}

/// `bin(value, step)` for numbers, datetimes and timespans.
pub(crate) fn bin(value: TypedExpr, step: TypedExpr) -> Result<TypedExpr> {
    match value.ty {
        ScalarType::DateTime | ScalarType::Timespan => {
            let binned = floor_to_multiple(as_i64(value.expr), as_i64(step.expr));
            Ok(from_ns(binned, value.ty))
        }
        ScalarType::Int | ScalarType::Long
            if matches!(step.ty, ScalarType::Int | ScalarType::Long) =>
        {
            let binned = floor_to_multiple(as_i64(value.expr), as_i64(step.expr));
            Ok(TypedExpr::new(binned, ScalarType::Long))
        }
        _ => {
            let q = binary_expr(
                as_f64(value.expr),
                Operator::Divide,
                as_f64(step.expr.clone()),
            );
            Ok(TypedExpr::new(
                binary_expr(df::floor(q), Operator::Multiply, as_f64(step.expr)),
                ScalarType::Real,
            ))
        }
    }
}

/// `tostring()` of any type: datetimes in Kusto's form, dynamics as compact JSON.
pub(crate) fn tostring(value: TypedExpr) -> TypedExpr {
    if value.ty == ScalarType::String {
        return value;
    }
    let udf = tostring_udf(value.ty == ScalarType::Dynamic);
    TypedExpr::new(udf.call(vec![value.expr]), ScalarType::String)
}

/// A conversion such as `tolong()`: null where the value does not convert.
pub(crate) fn convert(value: TypedExpr, ty: ScalarType) -> TypedExpr {
    if value.ty == ty {
        return value;
    }
    // A dynamic converts through its text: `tolong(d.n)`, `todatetime(d.t)`.
    if value.ty == ScalarType::Dynamic && ty != ScalarType::Dynamic {
        return crate::planner::dynamic::dynamic_as(value, ty);
    }
    match ty {
        ScalarType::String => tostring(value),
        _ => TypedExpr::new(
            Expr::TryCast(datafusion::logical_expr::TryCast::new(
                Box::new(value.expr),
                arrow_type(ty),
            )),
            ty,
        ),
    }
}

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    let string = |e: Expr| TypedExpr::new(e, ScalarType::String);
    let boolean = |e: Expr| TypedExpr::new(e, ScalarType::Bool);
    let a = args;
    let planned: Result<TypedExpr> = match name {
        "iff" | "iif" => {
            let (c, t, f) = (a.arg(0)?, a.arg(1)?, a.arg(2)?);
            if a.len() != 3 {
                return Err(a.arity_error());
            }
            super::conditional::when_then(vec![(c, t)], f, cx)
        }
        "case" => {
            if a.len() < 3 || a.len().is_multiple_of(2) {
                return Err(a.arity_error());
            }
            let otherwise = a.pop().ok_or_else(|| a.arity_error())?;
            let pairs = a
                .values
                .chunks(2)
                .map(|p| (p[0].clone(), p[1].clone()))
                .collect();
            super::conditional::when_then(pairs, otherwise, cx)
        }
        "isnull" => Ok(boolean(is_null(a.one()?.expr))),
        "isnotnull" => Ok(boolean(is_not_null(a.one()?.expr))),
        "isempty" | "isnotempty" => {
            let x = a.one()?;
            // An empty array or property bag is empty too.
            let empty = if x.ty == ScalarType::Dynamic {
                let empties = ["", "[]", "{}", "\"\""]
                    .iter()
                    .map(|s| Expr::Literal(ScalarValue::Utf8(Some(s.to_string())), None))
                    .collect();
                or(
                    is_null(x.expr.clone()),
                    datafusion::logical_expr::in_list(cast(x.expr, DataType::Utf8), empties, false),
                )
            } else if matches!(
                x.ty,
                ScalarType::String | ScalarType::Dynamic | ScalarType::Guid
            ) {
                or(
                    is_null(x.expr.clone()),
                    binary_expr(
                        cast(x.expr, DataType::Utf8),
                        Operator::Eq,
                        Expr::Literal(ScalarValue::Utf8(Some(String::new())), None),
                    ),
                )
            } else {
                is_null(x.expr)
            };
            Ok(boolean(if name == "isempty" { empty } else { not(empty) }))
        }
        "not" => Ok(boolean(not(a.one()?.expr))),
        "tostring" => Ok(tostring(a.one()?)),
        "strcat" => {
            if a.is_empty() {
                return Err(a.arity_error());
            }
            let parts = std::mem::take(&mut a.values)
                .into_iter()
                .map(|x| tostring(x).expr)
                .collect();
            Ok(string(df::concat(parts)))
        }
        "strcat_delim" => {
            if a.len() < 2 {
                return Err(a.arity_error());
            }
            let mut parts = std::mem::take(&mut a.values)
                .into_iter()
                .map(|x| tostring(x).expr);
            let delim = parts.next().ok_or_else(|| a.arity_error())?;
            let mut args = vec![delim];
            args.extend(parts);
            Ok(string(df::concat_ws(args[0].clone(), args[1..].to_vec())))
        }
        "tolower" => Ok(string(df::lower(tostring(a.one()?).expr))),
        "toupper" => Ok(string(df::upper(tostring(a.one()?).expr))),
        "strlen" => Ok(TypedExpr::new(
            cast(
                df::character_length(tostring(a.one()?).expr),
                DataType::Int64,
            ),
            ScalarType::Long,
        )),
        "substring" => {
            a.expect_between(2, 3)?;
            let s = tostring(a.arg(0)?).expr;
            let start = binary_expr(as_i64(a.arg(1)?.expr), Operator::Plus, lit_i64(1));
            let e = match a.get(2) {
                // A negative length is an empty result, not an error.
                Some(len) => {
                    let len = as_i64(len.expr.clone());
                    let len = datafusion::logical_expr::when(
                        binary_expr(len.clone(), Operator::Lt, lit_i64(0)),
                        lit_i64(0),
                    )
                    .otherwise(len)?;
                    df::substring(s, start, len)
                }
                None => df::substr(s, start),
            };
            Ok(string(e))
        }
        "now" => {
            let now = literal::datetime_value(Some(cx.now_ns));
            let base = TypedExpr::new(Expr::Literal(now, None), ScalarType::DateTime);
            match a.first() {
                None => Ok(base),
                Some(offset) => Ok(from_ns(
                    binary_expr(
                        as_i64(base.expr),
                        Operator::Plus,
                        as_i64(offset.expr.clone()),
                    ),
                    ScalarType::DateTime,
                )),
            }
        }
        "ago" => {
            let offset = a.one()?;
            let now = Expr::Literal(literal::datetime_value(Some(cx.now_ns)), None);
            Ok(from_ns(
                binary_expr(as_i64(now), Operator::Minus, as_i64(offset.expr)),
                ScalarType::DateTime,
            ))
        }
        "bin" | "floor" => {
            let (value, step) = (a.arg(0)?, a.arg(1)?);
            if a.len() != 2 {
                return Err(a.arity_error());
            }
            bin(value, step)
        }
        "abs" => {
            let x = a.one()?;
            if x.ty == ScalarType::Timespan {
                // |Timestamp - pivot|: the timespan's nanoseconds, made absolute.
                return Ok(Some(from_ns(df::abs(as_i64(x.expr)), ScalarType::Timespan)));
            }
            Ok(TypedExpr::new(df::abs(x.expr), x.ty))
        }
        "sqrt" => Ok(TypedExpr::new(
            df::sqrt(as_f64(a.one()?.expr)),
            ScalarType::Real,
        )),
        "toint" => Ok(convert(a.one()?, ScalarType::Int)),
        "tolong" => Ok(convert(a.one()?, ScalarType::Long)),
        "toreal" | "todouble" => Ok(convert(a.one()?, ScalarType::Real)),
        "tobool" | "toboolean" => Ok(convert(a.one()?, ScalarType::Bool)),
        "todecimal" => Ok(convert(a.one()?, ScalarType::Decimal)),
        "typeof" => Ok(string(Expr::Literal(
            ScalarValue::Utf8(Some(a.one()?.ty.name().to_string())),
            None,
        ))),
        _ => return Ok(None),
    };
    planned.map(Some)
}
