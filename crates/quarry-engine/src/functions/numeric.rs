//! Numeric functions DataFusion lacks (`erf`, `erfc`, `gamma`, `loggamma`,
//! `bitset_count_ones`) and `gettype()` of dynamic values, which depends on each value.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, Float64Array, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::ScalarUDF;
use serde_json::Value;

use super::array_udf::{Kernel, array_udf, f64s, i64s};
use super::json::json_text_to_value;

/// Real → real functions by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealFn {
    Erf,
    Erfc,
    Gamma,
    LogGamma,
}

fn map_real(args: &[ArrayRef], f: fn(f64) -> f64) -> DfResult<ArrayRef> {
    let x = f64s(&args[0])?;
    Ok(Arc::new(
        x.iter().map(|v| v.map(f)).collect::<Float64Array>(),
    ))
}

pub fn real_udf(f: RealFn) -> Arc<ScalarUDF> {
    let (name, kernel): (&'static str, Kernel) = match f {
        RealFn::Erf => ("kql_erf", |a| map_real(a, libm::erf)),
        RealFn::Erfc => ("kql_erfc", |a| map_real(a, libm::erfc)),
        RealFn::Gamma => ("kql_gamma", |a| map_real(a, libm::tgamma)),
        RealFn::LogGamma => ("kql_loggamma", |a| map_real(a, libm::lgamma)),
    };
    array_udf(name, 1, DataType::Float64, kernel)
}

/// `bitset_count_ones(long)`: the number of set bits of the 64-bit two's complement.
pub fn count_ones_udf() -> Arc<ScalarUDF> {
    array_udf("kql_bitset_count_ones", 1, DataType::Int64, |args| {
        let x = i64s(&args[0])?;
        Ok(Arc::new(
            x.iter()
                .map(|v| v.map(|v| i64::from(v.count_ones())))
                .collect::<Int64Array>(),
        ))
    })
}

/// The Kusto type name of one dynamic value, as `gettype()` reports it.
pub fn dynamic_type_name(text: Option<&str>) -> &'static str {
    let Some(text) = text else {
        return "null";
    };
    match json_text_to_value(text) {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "long",
        Value::Number(_) => "real",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "dictionary",
    }
}

/// `gettype(dynamic)`, per value.
pub fn dynamic_gettype_udf() -> Arc<ScalarUDF> {
    array_udf("kql_gettype_dynamic", 1, DataType::Utf8, |args| {
        let text = cast(&args[0], &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        Ok(Arc::new(
            text.iter()
                .map(|v| Some(dynamic_type_name(v)))
                .collect::<StringArray>(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dynamic_values_name_their_types() {
        assert_eq!(dynamic_type_name(None), "null");
        assert_eq!(dynamic_type_name(Some("[1]")), "array");
        assert_eq!(dynamic_type_name(Some("{\"a\":1}")), "dictionary");
        assert_eq!(dynamic_type_name(Some("1")), "long");
        assert_eq!(dynamic_type_name(Some("1.5")), "real");
        assert_eq!(dynamic_type_name(Some("\"x\"")), "string");
    }
}
