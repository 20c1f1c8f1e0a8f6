//! Kusto's `==` and `!=` around nulls, which differ from SQL's.
//!
//! Kusto: a null and a non-null value are unequal (`==` is false, `!=` true); two nulls
//! compare to null. SQL would say null in both cases, which matters as soon as the
//! result is projected or negated (`where x != 5` keeps the rows where `x` is null).
//! Strings have no null in Kusto: a null Arrow string is the empty string.
//!
//! The common case, a column against a non-null constant, is `IS [NOT] DISTINCT FROM`:
//! one vectorised kernel that Parquet pruning understands.

use datafusion::common::ScalarValue;
use datafusion::logical_expr::{
    Expr, Operator, and, binary_expr, cast, is_null, or, try_cast, when,
};

use super::TypedExpr;
use crate::error::Result;
use crate::types::ScalarType;

fn literal_value(e: &Expr) -> Option<&ScalarValue> {
    match e {
        Expr::Literal(v, _) => Some(v),
        _ => None,
    }
}

fn bool_lit(b: Option<bool>) -> Expr {
    Expr::Literal(ScalarValue::Boolean(b), None)
}

fn empty_string(v: &ScalarValue) -> bool {
    matches!(
        v,
        ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)) | ScalarValue::LargeUtf8(Some(s))
            if s.is_empty()
    )
}

/// Mixed types compare as Kusto converts them: a bool with a number as 0/1
/// (`IsCompliant == 1`), a bool with a string as that string read as a bool
/// (`IsLocalAdmin == "True"`), a number with a string as the string read as a number.
/// Text that reads as neither is null, which equals nothing.
fn align_types(l: TypedExpr, r: TypedExpr) -> (TypedExpr, TypedExpr) {
    use ScalarType::{Bool, Decimal, Int, Long, Real, String};
    let numeric = |t| matches!(t, Int | Long | Real | Decimal);
    let to = |e: TypedExpr, ty: ScalarType| {
        TypedExpr::new(cast(e.expr, crate::types::arrow_type(ty)), ty)
    };
    let read_bool = |e: TypedExpr| {
        TypedExpr::new(
            try_cast(e.expr, datafusion::arrow::datatypes::DataType::Boolean),
            Bool,
        )
    };
    let read_number = |e: TypedExpr, ty: ScalarType| {
        TypedExpr::new(try_cast(e.expr, crate::types::arrow_type(ty)), ty)
    };
    match (l.ty, r.ty) {
        // `extract(...) == ProcessId`: the text read as a number (null if it is none).
        (String, t) if numeric(t) => (read_number(l, t), r),
        (t, String) if numeric(t) => (l, read_number(r, t)),
        (Bool, t) if numeric(t) => (to(l, t), r),
        (t, Bool) if numeric(t) => (l, to(r, t)),
        (Bool, String) => (l, read_bool(r)),
        (String, Bool) => (read_bool(l), r),
        _ => (l, r),
    }
}

/// `l == r` (or `l != r` when `negated`) with Kusto's null rules.
pub(crate) fn kusto_equality(l: TypedExpr, r: TypedExpr, negated: bool) -> Result<Expr> {
    let (l, r) = align_types(l, r);
    let distinct_op = if negated {
        Operator::IsDistinctFrom
    } else {
        Operator::IsNotDistinctFrom
    };
    let strings = l.ty == ScalarType::String || r.ty == ScalarType::String;
    let (l, r) = (l.expr, r.expr);
    // Put the constant, if any, on the right.
    let (column, constant) = match (literal_value(&l), literal_value(&r)) {
        (Some(_), None) => (r, l),
        _ => (l, r),
    };
    if let Some(value) = literal_value(&constant) {
        if strings && (value.is_null() || empty_string(value)) {
            // Null and "" are the same string.
            let empty = is_null(column.clone());
            let equal = or(
                empty,
                binary_expr(
                    column,
                    Operator::Eq,
                    Expr::Literal(ScalarValue::Utf8(Some(String::new())), None),
                ),
            );
            return Ok(if negated {
                datafusion::logical_expr::not(equal)
            } else {
                equal
            });
        }
        if value.is_null() {
            // Against a null constant: null when the other side is null too, else unequal.
            return Ok(when(is_null(column), bool_lit(None)).otherwise(bool_lit(Some(negated)))?);
        }
        return Ok(binary_expr(column, distinct_op, constant));
    }
    if strings {
        let empty = || Expr::Literal(ScalarValue::Utf8(Some(String::new())), None);
        let l = datafusion::functions::expr_fn::coalesce(vec![column, empty()]);
        let r = datafusion::functions::expr_fn::coalesce(vec![constant, empty()]);
        let op = if negated {
            Operator::NotEq
        } else {
            Operator::Eq
        };
        return Ok(binary_expr(l, op, r));
    }
    Ok(when(
        and(is_null(column.clone()), is_null(constant.clone())),
        bool_lit(None),
    )
    .otherwise(binary_expr(column, distinct_op, constant))?)
}
