//! Kusto's arithmetic on numbers, where it differs from DataFusion's defaults.
//!
//! - Two integer operands (int or long) give a long: `int + int` is computed in 64 bits,
//!   so it neither overflows at 32 bits nor types the column as int.
//! - `%` is never negative: `N % D` lies in `[0, abs(D))` (`-14 % 12` is 10 and
//!   `14 % -12` is 2), where DataFusion's remainder takes the dividend's sign.
//! - Integer division truncates toward zero, as DataFusion's does.

use datafusion::common::DFSchema;
use datafusion::functions::expr_fn as df;
use datafusion::logical_expr::{Expr, Operator, binary_expr, lit, when};

use super::TypedExpr;
use super::expr::as_i64;
use crate::error::Result;
use crate::types::ScalarType;

fn is_integer(ty: ScalarType) -> bool {
    matches!(ty, ScalarType::Int | ScalarType::Long)
}

/// `l op r` for `+ - * / %` on numbers.
pub(crate) fn numeric_binary(
    op: Operator,
    l: TypedExpr,
    r: TypedExpr,
    schema: &DFSchema,
) -> Result<TypedExpr> {
    let (l, r) = if is_integer(l.ty) && is_integer(r.ty) {
        (
            TypedExpr::new(as_i64(l.expr), ScalarType::Long),
            TypedExpr::new(as_i64(r.expr), ScalarType::Long),
        )
    } else {
        (l, r)
    };
    let e = if op == Operator::Modulo {
        non_negative_rem(l.expr, r.expr)?
    } else {
        binary_expr(l.expr, op, r.expr)
    };
    TypedExpr::derive(e, schema)
}

/// `n % d` moved into `[0, abs(d))`.
fn non_negative_rem(n: Expr, d: Expr) -> Result<Expr> {
    let rem = binary_expr(n, Operator::Modulo, d.clone());
    Ok(when(
        binary_expr(rem.clone(), Operator::Lt, lit(0)),
        binary_expr(rem.clone(), Operator::Plus, df::abs(d)),
    )
    .otherwise(rem)?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::planner::builtins::datetime::tests::row;

    #[tokio::test]
    async fn modulo_is_never_negative_and_ints_widen() -> Result<(), Box<dyn std::error::Error>> {
        let r = row("print a = 14 % 12, b = -14 % 12, c = 14 % -12, d = -14 % -12, e = -7.5 % 2, f = int(2147483647) + int(1), g = -7 / 2, h = long(null) % 3").await?;
        assert_eq!(
            r,
            json!({"a": 2, "b": 10, "c": 2, "d": 10, "e": 0.5, "f": 2_147_483_648_i64, "g": -3, "h": null})
        );
        Ok(())
    }
}
