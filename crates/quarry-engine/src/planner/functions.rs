//! Scalar function calls: user functions (inlined) and Kusto's built-ins.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as df;
use datafusion::logical_expr::{
    Expr, Operator, binary_expr, cast, is_not_null, is_null, not, or, when,
};
use kql_syntax::Span;
use kql_syntax::ast::{Arg, Ident};

use super::expr::{ExprCtx, as_f64, as_i64, from_ns};
use super::{Binding, Planner, TypedExpr, aggregates, literal};
use crate::error::{QueryError, Result};
use crate::functions::conversion::tostring_udf;
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

impl Planner<'_> {
    fn plan_args(&mut self, args: &[Arg], ctx: &ExprCtx<'_>) -> Result<Vec<TypedExpr>> {
        args.iter()
            .map(|a| self.plan_scalar(&a.value, ctx))
            .collect()
    }

    /// `bin(value, step)` for numbers, datetimes and timespans.
    pub(crate) fn plan_bin(&mut self, value: TypedExpr, step: TypedExpr) -> Result<TypedExpr> {
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

    pub(crate) fn tostring(&self, value: TypedExpr) -> TypedExpr {
        let udf = tostring_udf(value.ty == ScalarType::Dynamic);
        TypedExpr::new(udf.call(vec![value.expr]), ScalarType::String)
    }

    fn convert(&self, value: TypedExpr, ty: ScalarType) -> TypedExpr {
        if value.ty == ty {
            return value;
        }
        match ty {
            ScalarType::String => self.tostring(value),
            _ => TypedExpr::new(
                Expr::TryCast(datafusion::logical_expr::TryCast::new(
                    Box::new(value.expr),
                    arrow_type(ty),
                )),
                ty,
            ),
        }
    }

    pub(crate) fn plan_call(
        &mut self,
        name: &Ident,
        args: &[Arg],
        span: Span,
        ctx: &ExprCtx<'_>,
    ) -> Result<TypedExpr> {
        if let Some(Binding::Function(f)) = self.lookup(&name.name).cloned() {
            let values: Vec<_> = args.iter().map(|a| a.value.clone()).collect();
            return self.inline_scalar_function(&f, &values, ctx, span);
        }
        let fname = name.name.as_str();
        if aggregates::is_aggregate(fname) {
            return Err(QueryError::semantic(
                format!(
                    "'{}' operator: the aggregate function '{fname}' is only allowed in summarize",
                    ctx.operator
                ),
                span,
            ));
        }
        let arity_error = || {
            QueryError::semantic(
                format!(
                    "'{}' operator: wrong number of arguments for '{fname}'",
                    ctx.operator
                ),
                span,
            )
        };
        let mut a = self.plan_args(args, ctx)?;
        let arg = |a: &mut Vec<TypedExpr>, i: usize| -> Result<TypedExpr> {
            a.get(i).cloned().ok_or_else(arity_error)
        };
        let one = |a: &Vec<TypedExpr>| -> Result<TypedExpr> {
            match a.as_slice() {
                [x] => Ok(x.clone()),
                _ => Err(arity_error()),
            }
        };
        let string = |e: Expr| TypedExpr::new(e, ScalarType::String);
        let boolean = |e: Expr| TypedExpr::new(e, ScalarType::Bool);
        match fname {
            "iff" | "iif" => {
                let (c, t, f) = (arg(&mut a, 0)?, arg(&mut a, 1)?, arg(&mut a, 2)?);
                let ty = if t.ty == ScalarType::Dynamic || f.ty == ScalarType::Dynamic {
                    ScalarType::Dynamic
                } else {
                    t.ty
                };
                let e = when(c.expr, t.expr).otherwise(f.expr)?;
                Ok(if ty == ScalarType::Dynamic {
                    TypedExpr::new(e, ty)
                } else {
                    TypedExpr::derive(e, ctx.schema)?
                })
            }
            "case" => {
                if a.len() < 3 || a.len() % 2 == 0 {
                    return Err(arity_error());
                }
                let otherwise = a.pop().ok_or_else(arity_error)?;
                let mut pairs = a.chunks(2);
                let first = pairs.next().ok_or_else(arity_error)?;
                let mut builder = when(first[0].expr.clone(), first[1].expr.clone());
                for pair in pairs {
                    builder = builder.when(pair[0].expr.clone(), pair[1].expr.clone());
                }
                TypedExpr::derive(builder.otherwise(otherwise.expr)?, ctx.schema)
            }
            "isnull" => Ok(boolean(is_null(one(&a)?.expr))),
            "isnotnull" => Ok(boolean(is_not_null(one(&a)?.expr))),
            "isempty" | "isnotempty" => {
                let x = one(&a)?;
                let empty = if matches!(
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
                Ok(boolean(if fname == "isempty" {
                    empty
                } else {
                    not(empty)
                }))
            }
            "not" => Ok(boolean(not(one(&a)?.expr))),
            "tostring" => Ok(self.tostring(one(&a)?)),
            "strcat" => {
                if a.is_empty() {
                    return Err(arity_error());
                }
                let parts = a.into_iter().map(|x| self.tostring(x).expr).collect();
                Ok(string(df::concat(parts)))
            }
            "strcat_delim" => {
                if a.len() < 2 {
                    return Err(arity_error());
                }
                let mut parts = a.into_iter().map(|x| self.tostring(x).expr);
                let delim = parts.next().ok_or_else(arity_error)?;
                let mut args = vec![delim];
                args.extend(parts);
                Ok(string(df::concat_ws(args[0].clone(), args[1..].to_vec())))
            }
            "tolower" => Ok(string(df::lower(self.tostring(one(&a)?).expr))),
            "toupper" => Ok(string(df::upper(self.tostring(one(&a)?).expr))),
            "strlen" => Ok(TypedExpr::new(
                cast(
                    df::character_length(self.tostring(one(&a)?).expr),
                    DataType::Int64,
                ),
                ScalarType::Long,
            )),
            "substring" => {
                let s = self.tostring(arg(&mut a, 0)?).expr;
                let start = binary_expr(as_i64(arg(&mut a, 1)?.expr), Operator::Plus, lit_i64(1));
                let e = match a.get(2) {
                    Some(len) => df::substring(s, start, as_i64(len.expr.clone())),
                    None => df::substr(s, start),
                };
                Ok(string(e))
            }
            "now" => {
                let now = literal::datetime_value(Some(self.now_ns()));
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
                let offset = one(&a)?;
                let now = Expr::Literal(literal::datetime_value(Some(self.now_ns())), None);
                Ok(from_ns(
                    binary_expr(as_i64(now), Operator::Minus, as_i64(offset.expr)),
                    ScalarType::DateTime,
                ))
            }
            "bin" | "floor" => {
                let (value, step) = (arg(&mut a, 0)?, arg(&mut a, 1)?);
                if a.len() != 2 {
                    return Err(arity_error());
                }
                self.plan_bin(value, step)
            }
            "abs" => {
                let x = one(&a)?;
                Ok(TypedExpr::new(df::abs(x.expr), x.ty))
            }
            "sqrt" => Ok(TypedExpr::new(
                df::sqrt(as_f64(one(&a)?.expr)),
                ScalarType::Real,
            )),
            "toint" => Ok(self.convert(one(&a)?, ScalarType::Int)),
            "tolong" => Ok(self.convert(one(&a)?, ScalarType::Long)),
            "toreal" | "todouble" => Ok(self.convert(one(&a)?, ScalarType::Real)),
            "tobool" | "toboolean" => Ok(self.convert(one(&a)?, ScalarType::Bool)),
            "todecimal" => Ok(self.convert(one(&a)?, ScalarType::Decimal)),
            "typeof" => Ok(string(Expr::Literal(
                ScalarValue::Utf8(Some(one(&a)?.ty.name().to_string())),
                None,
            ))),
            _ => Err(QueryError::not_supported(format!("function '{fname}'"))),
        }
    }
}
