//! Arrow values as JSON: how Kusto's `dynamic` sees ordinary values.
//!
//! Used for `make_list`/`make_set` results (stored as dynamic JSON text) and as the
//! fallback formatter for Arrow types the response module has no special case for.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, TimeUnit,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use kql_syntax::time::{format_datetime, format_timespan};
use serde_json::{Map, Value, json};

use crate::error::{QueryError, Result};

fn float_value(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or_else(
        || {
            Value::String(
                if v.is_nan() {
                    "NaN"
                } else if v > 0.0 {
                    "Infinity"
                } else {
                    "-Infinity"
                }
                .into(),
            )
        },
        Value::Number,
    )
}

/// The JSON value of row `i` of `array`. Strings stay strings; callers that know a
/// string column holds JSON text use [`json_text_to_value`] instead.
pub fn array_value_to_json(array: &dyn Array, i: usize) -> Result<Value> {
    if array.is_null(i) {
        return Ok(Value::Null);
    }
    let err = |e: datafusion::arrow::error::ArrowError| QueryError::Execution(e.to_string());
    Ok(match array.data_type() {
        DataType::Boolean => Value::Bool(array.as_boolean().value(i)),
        DataType::Int8 => json!(array.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => json!(array.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => json!(array.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => json!(array.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => json!(array.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => json!(array.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => json!(array.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => json!(array.as_primitive::<UInt64Type>().value(i)),
        DataType::Float32 => float_value(array.as_primitive::<Float32Type>().value(i) as f64),
        DataType::Float64 => float_value(array.as_primitive::<Float64Type>().value(i)),
        DataType::Utf8 => Value::String(array.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Value::String(array.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Value::String(array.as_string_view().value(i).to_string()),
        DataType::Timestamp(..) => {
            let one = array.slice(i, 1);
            let ns = cast(&one, &DataType::Timestamp(TimeUnit::Nanosecond, None)).map_err(err)?;
            let v = cast(&ns, &DataType::Int64).map_err(err)?;
            Value::String(format_datetime(
                v.as_primitive::<Int64Type>().value(0).div_euclid(100),
            ))
        }
        DataType::Duration(_) => {
            let one = array.slice(i, 1);
            let ns = cast(&one, &DataType::Duration(TimeUnit::Nanosecond)).map_err(err)?;
            let v = cast(&ns, &DataType::Int64).map_err(err)?;
            Value::String(format_timespan(
                v.as_primitive::<Int64Type>().value(0) / 100,
            ))
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            let inner = list.value(i);
            Value::Array(
                (0..inner.len())
                    .map(|j| array_value_to_json(inner.as_ref(), j))
                    .collect::<Result<_>>()?,
            )
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            let inner = list.value(i);
            Value::Array(
                (0..inner.len())
                    .map(|j| array_value_to_json(inner.as_ref(), j))
                    .collect::<Result<_>>()?,
            )
        }
        DataType::Struct(fields) => {
            let s = array.as_struct();
            let mut obj = Map::new();
            for (f, col) in fields.iter().zip(s.columns()) {
                obj.insert(f.name().clone(), array_value_to_json(col.as_ref(), i)?);
            }
            Value::Object(obj)
        }
        DataType::Dictionary(..) | DataType::Decimal128(..) | DataType::Decimal256(..) => {
            let target = if matches!(array.data_type(), DataType::Dictionary(..)) {
                DataType::Utf8
            } else {
                DataType::Float64
            };
            let one = cast(&array.slice(i, 1), &target).map_err(err)?;
            array_value_to_json(one.as_ref(), 0)?
        }
        _ => {
            let one = cast(&array.slice(i, 1), &DataType::Utf8).map_err(err)?;
            array_value_to_json(one.as_ref(), 0)?
        }
    })
}

/// Parses stored dynamic text; text that is not JSON is kept as a JSON string.
pub fn json_text_to_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}
