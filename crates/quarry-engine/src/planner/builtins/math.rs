//! Math functions: powers and logarithms, trigonometry, rounding, sign and
//! classification of reals, `max_of`/`min_of`, bitwise operations, special functions.
//!
//! Kusto computes these on reals (`pow(2, 3)` is the real 8), so integer arguments are
//! cast to Float64; rounding keeps integers integral. DataFusion's kernels are used
//! wherever they match Kusto (its `round` rounds half away from zero, as Kusto does).

use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as df;
use datafusion::logical_expr::{Expr, Operator, binary_expr, cast, not, or, when};

use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::functions::numeric::{RealFn, beta_udf, count_ones_udf, real_udf};
use crate::planner::TypedExpr;
use crate::planner::expr::{as_f64, as_i64};
use crate::types::{ScalarType, arrow_type};

fn litf(v: f64) -> Expr {
    Expr::Literal(ScalarValue::Float64(Some(v)), None)
}

fn liti(v: i64) -> Expr {
    Expr::Literal(ScalarValue::Int64(Some(v)), None)
}

fn real(e: Expr) -> TypedExpr {
    TypedExpr::new(e, ScalarType::Real)
}

fn is_number(ty: ScalarType) -> bool {
    matches!(
        ty,
        ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
    )
}

fn is_integer(ty: ScalarType) -> bool {
    matches!(ty, ScalarType::Int | ScalarType::Long)
}

fn numeric(cx: &CallCtx, v: TypedExpr) -> Result<TypedExpr> {
    if is_number(v.ty) {
        Ok(v)
    } else {
        Err(QueryError::semantic(
            format!(
                "'{}' operator: {}(): expected a numeric argument, got {}",
                cx.operator,
                cx.name,
                v.ty.name()
            ),
            cx.span,
        ))
    }
}

/// The only argument, as a real.
fn real_arg(a: &Args, cx: &CallCtx) -> Result<Expr> {
    Ok(as_f64(numeric(cx, a.one()?)?.expr))
}

/// Two arguments, as reals.
fn real_args2(a: &Args, cx: &CallCtx) -> Result<(Expr, Expr)> {
    if a.len() != 2 {
        return Err(a.arity_error());
    }
    Ok((
        as_f64(numeric(cx, a.arg(0)?)?.expr),
        as_f64(numeric(cx, a.arg(1)?)?.expr),
    ))
}

/// Two integer arguments, as longs.
fn long_args2(a: &Args, cx: &CallCtx) -> Result<(Expr, Expr)> {
    if a.len() != 2 {
        return Err(a.arity_error());
    }
    let (x, y) = (numeric(cx, a.arg(0)?)?, numeric(cx, a.arg(1)?)?);
    Ok((as_i64(x.expr), as_i64(y.expr)))
}

fn bitwise(a: &Args, cx: &CallCtx, op: Operator) -> Result<TypedExpr> {
    let (x, y) = long_args2(a, cx)?;
    Ok(TypedExpr::new(binary_expr(x, op, y), ScalarType::Long))
}

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    let a = args;
    let planned = match name {
        "pi" => {
            if !a.is_empty() {
                return Err(a.arity_error());
            }
            real(litf(std::f64::consts::PI))
        }
        // rand(): a real in [0, 1); rand(N): a long in [0, N). Evaluated per row.
        "rand" => match a.len() {
            0 => real(df::random()),
            1 => {
                let n = as_f64(numeric(cx, a.arg(0)?)?.expr);
                TypedExpr::new(
                    as_i64(df::floor(binary_expr(df::random(), Operator::Multiply, n))),
                    ScalarType::Long,
                )
            }
            _ => return Err(a.arity_error()),
        },
        "pow" => {
            let (x, y) = real_args2(a, cx)?;
            real(df::power(x, y))
        }
        "exp" => real(df::exp(real_arg(a, cx)?)),
        "exp2" => real(df::power(litf(2.0), real_arg(a, cx)?)),
        "exp10" => real(df::power(litf(10.0), real_arg(a, cx)?)),
        "log" => real(df::ln(real_arg(a, cx)?)),
        "log2" => real(df::log2(real_arg(a, cx)?)),
        "log10" => real(df::log10(real_arg(a, cx)?)),
        "sin" => real(df::sin(real_arg(a, cx)?)),
        "cos" => real(df::cos(real_arg(a, cx)?)),
        "tan" => real(df::tan(real_arg(a, cx)?)),
        "asin" => real(df::asin(real_arg(a, cx)?)),
        "acos" => real(df::acos(real_arg(a, cx)?)),
        "atan" => real(df::atan(real_arg(a, cx)?)),
        "cot" => real(df::cot(real_arg(a, cx)?)),
        "atan2" => {
            let (y, x) = real_args2(a, cx)?;
            real(df::atan2(y, x))
        }
        "degrees" => real(df::degrees(real_arg(a, cx)?)),
        "radians" => real(df::radians(real_arg(a, cx)?)),
        "erf" => real(real_udf(RealFn::Erf).call(vec![real_arg(a, cx)?])),
        "erfc" => real(real_udf(RealFn::Erfc).call(vec![real_arg(a, cx)?])),
        "gamma" => real(real_udf(RealFn::Gamma).call(vec![real_arg(a, cx)?])),
        "loggamma" => real(real_udf(RealFn::LogGamma).call(vec![real_arg(a, cx)?])),
        "isnan" => TypedExpr::new(df::isnan(real_arg(a, cx)?), ScalarType::Bool),
        "isinf" | "isfinite" => {
            let x = real_arg(a, cx)?;
            let infinite = binary_expr(df::abs(x.clone()), Operator::Eq, litf(f64::INFINITY));
            let e = if name == "isinf" {
                infinite
            } else {
                not(or(infinite, df::isnan(x)))
            };
            TypedExpr::new(e, ScalarType::Bool)
        }
        "sign" => {
            let x = numeric(cx, a.one()?)?;
            let zero = cast(liti(0), arrow_type(x.ty));
            let e = when(
                binary_expr(x.expr.clone(), Operator::Gt, zero.clone()),
                cast(liti(1), arrow_type(x.ty)),
            )
            .when(
                binary_expr(x.expr, Operator::Lt, zero.clone()),
                cast(liti(-1), arrow_type(x.ty)),
            )
            .otherwise(zero)?;
            TypedExpr::new(e, x.ty)
        }
        "round" => {
            a.expect_between(1, 2)?;
            let x = numeric(cx, a.arg(0)?)?;
            let digits = match a.get(1) {
                Some(d) => as_i64(numeric(cx, d.clone())?.expr),
                None => liti(0),
            };
            if is_integer(x.ty) && a.len() == 1 {
                x
            } else {
                real(df::round(vec![as_f64(x.expr), digits]))
            }
        }
        "ceiling" => {
            let x = numeric(cx, a.one()?)?;
            if is_integer(x.ty) {
                x
            } else {
                real(df::ceil(as_f64(x.expr)))
            }
        }
        "max_of" | "min_of" => {
            if a.is_empty() {
                return Err(a.arity_error());
            }
            let values: Vec<Expr> = a.values.iter().map(|v| v.expr.clone()).collect();
            // DataFusion's greatest/least skip nulls, as Kusto's max_of/min_of do.
            let e = if name == "max_of" {
                df::greatest(values)
            } else {
                df::least(values)
            };
            TypedExpr::derive(e, cx.schema)?
        }
        "binary_and" => bitwise(a, cx, Operator::BitwiseAnd)?,
        "binary_or" => bitwise(a, cx, Operator::BitwiseOr)?,
        "binary_xor" => bitwise(a, cx, Operator::BitwiseXor)?,
        "binary_shift_left" => bitwise(a, cx, Operator::BitwiseShiftLeft)?,
        "binary_shift_right" => bitwise(a, cx, Operator::BitwiseShiftRight)?,
        "binary_not" => {
            let x = as_i64(numeric(cx, a.one()?)?.expr);
            TypedExpr::new(
                binary_expr(x, Operator::BitwiseXor, liti(-1)),
                ScalarType::Long,
            )
        }
        "beta_cdf" | "beta_inv" => {
            if a.len() != 3 {
                return Err(a.arity_error());
            }
            let mut v = Vec::with_capacity(3);
            for x in &a.values {
                v.push(as_f64(numeric(cx, x.clone())?.expr));
            }
            real(beta_udf(name == "beta_inv").call(v))
        }
        "bitset_count_ones" => {
            let x = as_i64(numeric(cx, a.one()?)?.expr);
            TypedExpr::new(count_ones_udf().call(vec![x]), ScalarType::Long)
        }
        _ => return Ok(None),
    };
    Ok(Some(planned))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::datetime::tests::row;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[tokio::test]
    async fn powers_logs_and_trigonometry() -> TestResult {
        let r = row("print a = pow(2, 10), b = exp2(3), c = log10(1000), d = log2(8), e = degrees(pi()), f = atan2(1, 0) * 2 / pi(), g = cot(pi()/4), h = pow(real(null), 2)").await?;
        let close = |k: &str, v: f64| r[k].as_f64().is_some_and(|x| (x - v).abs() < 1e-9);
        assert!(
            close("a", 1024.0) && close("b", 8.0) && close("c", 3.0),
            "{r}"
        );
        assert!(
            close("d", 3.0) && close("e", 180.0) && close("f", 1.0),
            "{r}"
        );
        assert!(close("g", 1.0) && r["h"].is_null(), "{r}");
        Ok(())
    }

    #[tokio::test]
    async fn rounding_and_signs() -> TestResult {
        let r = row("print a = round(2.5), b = round(-2.5), c = round(1234.5678, 2), d = round(1250.0, -2), e = ceiling(1.2), f = sign(-3), g = sign(0.0), h = round(7)").await?;
        assert_eq!(
            r,
            json!({"a": 3.0, "b": -3.0, "c": 1234.57, "d": 1300.0, "e": 2.0, "f": -1, "g": 0.0, "h": 7})
        );
        Ok(())
    }

    #[tokio::test]
    async fn classification_extremes_and_bits() -> TestResult {
        let r = row("print a = isnan(0.0/0.0), b = isinf(-1.0/0.0), c = isfinite(1.0), d = max_of(1, long(null), 3), e = min_of(int(null), int(null)), f = binary_xor(6, 3), g = binary_not(0), h = binary_shift_left(1, 4), i = bitset_count_ones(-1), j = round(erf(1), 6), k = loggamma(3)").await?;
        assert_eq!(r["a"], json!(true));
        assert_eq!(r["b"], json!(true));
        assert_eq!(r["c"], json!(true));
        assert_eq!(r["d"], json!(3));
        assert_eq!(r["e"], json!(null));
        assert_eq!(r["f"], json!(5));
        assert_eq!(r["g"], json!(-1));
        assert_eq!(r["h"], json!(16));
        assert_eq!(r["i"], json!(64));
        assert_eq!(r["j"], json!(0.842701));
        assert!((r["k"].as_f64().unwrap_or(0.0) - 2f64.ln()).abs() < 1e-12);
        Ok(())
    }
}
