//! KQL literals as DataFusion literals of the Kusto type's Arrow representation.

use datafusion::common::ScalarValue;
use datafusion::logical_expr::Expr;
use kql_syntax::ast::{DynValue, Literal, ScalarType};
use kql_syntax::time::{format_datetime, format_timespan};
use serde_json::Value;

use super::TypedExpr;
use crate::error::{QueryError, Result};
use crate::types::{UTC, arrow_type, metadata_for};

/// Ticks (100 ns) to nanoseconds, saturating rather than overflowing.
pub(crate) fn ticks_to_ns(ticks: i64) -> i64 {
    ticks.saturating_mul(100)
}

pub(crate) fn datetime_value(ns: Option<i64>) -> ScalarValue {
    ScalarValue::TimestampNanosecond(ns, Some(UTC.into()))
}

/// `decimal(1.25)` text → Decimal128(38, 18).
fn decimal_value(text: &str) -> Result<ScalarValue> {
    let bad = || {
        QueryError::semantic(
            format!("Invalid decimal literal '{text}'"),
            Default::default(),
        )
    };
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if frac_part.len() > 18
        || !int_part
            .chars()
            .chain(frac_part.chars())
            .all(|c| c.is_ascii_digit())
    {
        return Err(bad());
    }
    let padded = format!("{int_part}{frac_part:0<18}");
    let magnitude: i128 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| bad())?
    };
    Ok(ScalarValue::Decimal128(
        Some(if neg { -magnitude } else { magnitude }),
        38,
        18,
    ))
}

/// A dynamic literal as JSON: typed Kusto values inside become their text forms.
pub(crate) fn dyn_to_json(v: &DynValue) -> Value {
    match v {
        DynValue::Null => Value::Null,
        DynValue::Bool(b) => Value::Bool(*b),
        DynValue::Long(n) => Value::from(*n),
        DynValue::Real(r) => serde_json::Number::from_f64(*r)
            .map_or_else(|| Value::String(r.to_string()), Value::Number),
        DynValue::String(s) | DynValue::Guid(s) => Value::String(s.clone()),
        DynValue::DateTime(t) => Value::String(format_datetime(*t)),
        DynValue::Timespan(t) => Value::String(format_timespan(*t)),
        DynValue::Array(items) => Value::Array(items.iter().map(dyn_to_json).collect()),
        DynValue::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), dyn_to_json(v)))
                .collect(),
        ),
    }
}

/// A typed null of a Kusto type.
pub(crate) fn null_of(ty: ScalarType) -> Result<TypedExpr> {
    let value = ScalarValue::try_from(&arrow_type(ty))?;
    Ok(TypedExpr::new(Expr::Literal(value, metadata_for(ty)), ty))
}

pub(crate) fn literal(l: &Literal) -> Result<TypedExpr> {
    let (value, ty) = match l {
        Literal::Null(ty) => return null_of(*ty),
        Literal::Bool(b) => (ScalarValue::Boolean(Some(*b)), ScalarType::Bool),
        Literal::Int(i) => (ScalarValue::Int32(Some(*i)), ScalarType::Int),
        Literal::Long(i) => (ScalarValue::Int64(Some(*i)), ScalarType::Long),
        Literal::Real(r) => (ScalarValue::Float64(Some(*r)), ScalarType::Real),
        Literal::Decimal(text) => (decimal_value(text)?, ScalarType::Decimal),
        Literal::String(s) => (ScalarValue::Utf8(Some(s.clone())), ScalarType::String),
        Literal::DateTime(t) => (datetime_value(Some(ticks_to_ns(*t))), ScalarType::DateTime),
        Literal::Timespan(t) => (
            ScalarValue::DurationNanosecond(Some(ticks_to_ns(*t))),
            ScalarType::Timespan,
        ),
        Literal::Guid(g) => (ScalarValue::Utf8(Some(g.clone())), ScalarType::Guid),
        Literal::Dynamic(DynValue::Null) => return null_of(ScalarType::Dynamic),
        Literal::Dynamic(v) => (
            ScalarValue::Utf8(Some(dyn_to_json(v).to_string())),
            ScalarType::Dynamic,
        ),
    };
    Ok(TypedExpr::new(Expr::Literal(value, metadata_for(ty)), ty))
}

/// Folds a column-free expression to its value (`take 2*5`, `range ... step 1h`).
pub(crate) fn eval_constant(expr: Expr) -> Result<ScalarValue> {
    use datafusion::common::DFSchema;
    use datafusion::logical_expr::simplify::SimplifyContext;
    use datafusion::optimizer::simplify_expressions::ExprSimplifier;
    let simplifier = ExprSimplifier::new(SimplifyContext::default());
    let coerced = simplifier.coerce(expr, &DFSchema::empty())?;
    match simplifier.simplify(coerced)? {
        Expr::Literal(value, _) => Ok(value),
        other => Err(QueryError::semantic(
            format!("Expected a constant expression, got '{other}'"),
            Default::default(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_scale_to_eighteen_digits() -> Result<()> {
        assert_eq!(
            decimal_value("-1.5")?,
            ScalarValue::Decimal128(Some(-1_500_000_000_000_000_000), 38, 18)
        );
        Ok(())
    }
}
