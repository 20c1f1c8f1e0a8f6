//! Conversions with Kusto's text forms: `tostring()` and list → dynamic JSON.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit};
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use kql_syntax::time::{TICKS_PER_SECOND, format_datetime, format_timespan};
use serde_json::Value;

use super::json::{array_value_to_json, json_text_to_value};

/// `tostring(datetime)`: `2017-01-01T00:00:00Z`, with seven fraction digits only when
/// the value has a fraction.
pub fn datetime_to_string(ticks: i64) -> String {
    let full = format_datetime(ticks);
    if ticks.rem_euclid(TICKS_PER_SECOND) == 0 {
        // "....:ssZ" without ".0000000"
        format!("{}Z", &full[..full.len() - 9])
    } else {
        full
    }
}

/// A real as Kusto prints it in text: .NET's shortest round-trip form, `NaN`,
/// `Infinity`. Like .NET, decimal exponents from -5 down or from 15 up switch to
/// scientific notation with a signed, two-digit exponent (`1E+15`, `2.5E-07`).
pub fn real_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sci = format!("{v:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return format!("{v}");
    };
    match exp.parse::<i32>() {
        Ok(e) if v != 0.0 && !(-5 < e && e < 15) => {
            let sign = if e < 0 { '-' } else { '+' };
            format!("{mantissa}E{sign}{:02}", e.abs())
        }
        _ => format!("{v}"),
    }
}

/// The text of a dynamic value: a JSON string loses its quotes, everything else is
/// compact JSON.
pub fn dynamic_text_to_string(text: &str) -> String {
    // Fast path for the common `tostring(d.Key)` of a string: no JSON tree is built.
    if text.starts_with('"')
        && let Ok(s) = serde_json::from_str::<String>(text)
    {
        return s;
    }
    match json_text_to_value(text) {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn to_kusto_strings(array: &ArrayRef, input_is_dynamic: bool) -> DfResult<ArrayRef> {
    let n = array.len();
    let mut out = StringBuilder::with_capacity(n, n * 8);
    match array.data_type() {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 | DataType::Dictionary(..) => {
            let utf8 = cast(array, &DataType::Utf8)?;
            let a = utf8.as_string::<i32>();
            for i in 0..n {
                if a.is_null(i) {
                    out.append_value("");
                } else if input_is_dynamic {
                    out.append_value(dynamic_text_to_string(a.value(i)));
                } else {
                    out.append_value(a.value(i));
                }
            }
        }
        DataType::Timestamp(..) => {
            let ns = cast(array, &DataType::Timestamp(TimeUnit::Nanosecond, None))?;
            let v = cast(&ns, &DataType::Int64)?;
            let a = v.as_primitive::<Int64Type>();
            for i in 0..n {
                if a.is_null(i) {
                    out.append_value("");
                } else {
                    out.append_value(datetime_to_string(a.value(i).div_euclid(100)));
                }
            }
        }
        DataType::Duration(_) => {
            let ns = cast(array, &DataType::Duration(TimeUnit::Nanosecond))?;
            let v = cast(&ns, &DataType::Int64)?;
            let a = v.as_primitive::<Int64Type>();
            for i in 0..n {
                if a.is_null(i) {
                    out.append_value("");
                } else {
                    out.append_value(format_timespan(a.value(i) / 100));
                }
            }
        }
        DataType::Float64 | DataType::Float32 => {
            let v = cast(array, &DataType::Float64)?;
            let a = v.as_primitive::<Float64Type>();
            for i in 0..n {
                if a.is_null(i) {
                    out.append_value("");
                } else {
                    out.append_value(real_to_string(a.value(i)));
                }
            }
        }
        _ => {
            for i in 0..n {
                match array_value_to_json(array.as_ref(), i) {
                    Ok(Value::Null) => out.append_value(""),
                    Ok(Value::String(s)) => out.append_value(s),
                    Ok(other) => out.append_value(other.to_string()),
                    Err(e) => return exec_err!("tostring: {e}"),
                }
            }
        }
    }
    Ok(Arc::new(out.finish()))
}

/// `tostring(x)`. Two instances exist because dynamic and string share Arrow's Utf8:
/// the planner picks the dynamic one when the argument's Kusto type is dynamic.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToStringUdf {
    input_is_dynamic: bool,
    signature: Signature,
}

impl ToStringUdf {
    pub fn new(input_is_dynamic: bool) -> Self {
        ToStringUdf {
            input_is_dynamic,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ToStringUdf {
    fn name(&self) -> &str {
        if self.input_is_dynamic {
            "kql_tostring_dynamic"
        } else {
            "kql_tostring"
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return exec_err!("tostring takes one argument");
        };
        match arg {
            ColumnarValue::Array(a) => Ok(ColumnarValue::Array(to_kusto_strings(
                a,
                self.input_is_dynamic,
            )?)),
            ColumnarValue::Scalar(s) => {
                let a = to_kusto_strings(&s.to_array()?, self.input_is_dynamic)?;
                Ok(ColumnarValue::Scalar(
                    datafusion::scalar::ScalarValue::try_from_array(&a, 0)?,
                ))
            }
        }
    }
}

/// Arrow list (from `array_agg`) → dynamic JSON array text. A null list (no input
/// rows) is the empty array, as `make_list` over nothing is `[]`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ListToDynamicUdf {
    elements_are_json: bool,
    /// `make_set`: keep only the first occurrence of each value, in order.
    distinct: bool,
    signature: Signature,
}

impl ListToDynamicUdf {
    pub fn new(elements_are_json: bool, distinct: bool) -> Self {
        ListToDynamicUdf {
            elements_are_json,
            distinct,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

fn list_to_json_text(
    array: &ArrayRef,
    elements_are_json: bool,
    distinct: bool,
) -> DfResult<ArrayRef> {
    let n = array.len();
    let mut out = StringBuilder::with_capacity(n, n * 16);
    for i in 0..n {
        if array.is_null(i) {
            out.append_value("[]");
            continue;
        }
        let inner = match array.data_type() {
            DataType::List(_) => array.as_list::<i32>().value(i),
            DataType::LargeList(_) => array.as_list::<i64>().value(i),
            other => return exec_err!("make_list: expected a list, got {other}"),
        };
        let utf8 = if elements_are_json {
            Some(cast(&inner, &DataType::Utf8)?)
        } else {
            None
        };
        let mut items = Vec::with_capacity(inner.len());
        // Serialized forms of the values kept so far: a linear scan would be quadratic.
        let mut seen = std::collections::HashSet::new();
        for j in 0..inner.len() {
            let v = match &utf8 {
                Some(text) if !text.is_null(j) => {
                    json_text_to_value(text.as_string::<i32>().value(j))
                }
                _ => match array_value_to_json(inner.as_ref(), j) {
                    Ok(v) => v,
                    Err(e) => return exec_err!("make_list: {e}"),
                },
            };
            if !distinct || seen.insert(v.to_string()) {
                items.push(v);
            }
        }
        out.append_value(Value::Array(items).to_string());
    }
    Ok(Arc::new(out.finish()))
}

impl ScalarUDFImpl for ListToDynamicUdf {
    fn name(&self) -> &str {
        match (self.elements_are_json, self.distinct) {
            (false, false) => "kql_list_to_dynamic",
            (true, false) => "kql_json_list_to_dynamic",
            (false, true) => "kql_set_to_dynamic",
            (true, true) => "kql_json_set_to_dynamic",
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let [arg] = args.args.as_slice() else {
            return exec_err!("make_list takes one argument");
        };
        let array = arg.to_array(args.number_rows)?;
        Ok(ColumnarValue::Array(list_to_json_text(
            &array,
            self.elements_are_json,
            self.distinct,
        )?))
    }
}

pub fn tostring_udf(input_is_dynamic: bool) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(ToStringUdf::new(input_is_dynamic)))
}

pub fn list_to_dynamic_udf(elements_are_json: bool, distinct: bool) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(ListToDynamicUdf::new(
        elements_are_json,
        distinct,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_print_without_a_zero_fraction() {
        assert_eq!(datetime_to_string(0), "1970-01-01T00:00:00Z");
        assert_eq!(datetime_to_string(5), "1970-01-01T00:00:00.0000005Z");
    }

    #[test]
    fn reals_print_as_dotnet_does() {
        assert_eq!(real_to_string(1.0), "1");
        assert_eq!(real_to_string(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(real_to_string(1e15), "1E+15");
        assert_eq!(real_to_string(123456789012345.0), "123456789012345");
        assert_eq!(real_to_string(-2.5e-7), "-2.5E-07");
        assert_eq!(real_to_string(0.0001), "0.0001");
    }

    #[test]
    fn dynamic_strings_lose_their_quotes() {
        assert_eq!(dynamic_text_to_string("\"abc\""), "abc");
        assert_eq!(dynamic_text_to_string("{\"a\": [1, 2]}"), "{\"a\":[1,2]}");
    }
}
