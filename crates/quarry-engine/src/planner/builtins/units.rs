//! Unit conversions (`convert_length(value, from, to)` and its siblings) and `tohex()`.

use datafusion::common::ScalarValue;
use datafusion::logical_expr::Expr;

use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::functions::units::{Quantity, convert_udf, quantity_code, tohex_udf};
use crate::planner::TypedExpr;
use crate::planner::builtins::core::tostring;
use crate::planner::expr::{as_f64, as_i64};
use crate::types::ScalarType;

fn lit_str(s: &str) -> Expr {
    Expr::Literal(ScalarValue::Utf8(Some(s.to_string())), None)
}

fn lit_i64(v: i64) -> Expr {
    Expr::Literal(ScalarValue::Int64(Some(v)), None)
}

fn expect_type(cx: &CallCtx, v: &TypedExpr, ok: &[ScalarType], what: &str) -> Result<()> {
    if ok.contains(&v.ty) {
        Ok(())
    } else {
        Err(QueryError::semantic(
            format!(
                "'{}' operator: {}(): expected {what}, got {}",
                cx.operator,
                cx.name,
                v.ty.name()
            ),
            cx.span,
        ))
    }
}

const NUMBERS: &[ScalarType] = &[
    ScalarType::Int,
    ScalarType::Long,
    ScalarType::Real,
    ScalarType::Decimal,
];

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    if let Some(q) = Quantity::from_function(name) {
        if args.len() != 3 {
            return Err(args.arity_error());
        }
        let value = args.arg(0)?;
        expect_type(cx, &value, NUMBERS, "a number")?;
        let from = tostring(args.arg(1)?).expr;
        let to = tostring(args.arg(2)?).expr;
        let call = convert_udf().call(vec![
            as_f64(value.expr),
            from,
            to,
            lit_str(quantity_code(q)),
        ]);
        return Ok(Some(TypedExpr::new(call, ScalarType::Real)));
    }
    if name == "tohex" {
        args.expect_between(1, 2)?;
        let value = args.arg(0)?;
        expect_type(
            cx,
            &value,
            &[ScalarType::Int, ScalarType::Long],
            "an integer",
        )?;
        let bits = if value.ty == ScalarType::Int { 32 } else { 64 };
        let min_len = match args.get(1) {
            Some(l) => {
                expect_type(cx, l, &[ScalarType::Int, ScalarType::Long], "an integer")?;
                as_i64(l.expr.clone())
            }
            None => lit_i64(0),
        };
        let call = tohex_udf().call(vec![as_i64(value.expr), lit_i64(bits), min_len]);
        return Ok(Some(TypedExpr::new(call, ScalarType::String)));
    }
    Ok(None)
}
