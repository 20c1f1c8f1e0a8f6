//! The API bodies: the success body `{"Stats", "Schema", "Results"}` and the error body.
//!
//! One module for both so that the CLI and the server print byte-identical answers.

use std::time::Duration;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, Schema,
    TimeUnit, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::record_batch::RecordBatch;
use kql_syntax::time::{format_datetime, format_timespan};
use serde_json::{Map, Value, json};

use crate::error::{QueryError, Result};
use crate::functions::json::array_value_to_json;
use crate::types::{ScalarType, api_type_name, kql_type_of};

/// Cache counters, as the service reports them per tier.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheCounters {
    pub hits: u64,
    pub misses: u64,
}

/// One `dataset_statistics` entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DatasetStatistics {
    pub table_row_count: u64,
    pub table_size: u64,
}

/// Measured figures of one query run. Whoever runs the query fills these in; this
/// module only lays them out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryStats {
    pub execution_time: Duration,
    pub cpu_user: Duration,
    pub cpu_kernel: Duration,
    pub peak_memory_bytes: u64,
    pub memory_cache: CacheCounters,
    pub disk_cache: CacheCounters,
    pub dataset_statistics: Vec<DatasetStatistics>,
}

/// .NET `hh:mm:ss.fffffff`, as the CPU figures are printed.
fn format_cpu(d: Duration) -> String {
    let ticks = (d.as_nanos() / 100) as u64;
    let total_secs = ticks / 10_000_000;
    let frac = ticks % 10_000_000;
    format!(
        "{:02}:{:02}:{:02}.{frac:07}",
        total_secs / 3600,
        total_secs / 60 % 60,
        total_secs % 60
    )
}

fn cache_json(c: CacheCounters) -> Value {
    json!({"hits": c.hits, "misses": c.misses, "total": c.hits + c.misses})
}

/// The `Stats` object.
pub fn stats_json(stats: &QueryStats) -> Value {
    json!({
        "ExecutionTime": stats.execution_time.as_secs_f64(),
        "resource_usage": {
            "cache": {
                "memory": cache_json(stats.memory_cache),
                "disk": cache_json(stats.disk_cache),
            },
            "cpu": {
                "user": format_cpu(stats.cpu_user),
                "kernel": format_cpu(stats.cpu_kernel),
                "total cpu": format_cpu(stats.cpu_user + stats.cpu_kernel),
            },
            "memory": {"peak_per_node": stats.peak_memory_bytes},
        },
        "dataset_statistics": stats.dataset_statistics.iter().map(|d| json!({
            "table_row_count": d.table_row_count,
            "table_size": d.table_size,
        })).collect::<Vec<_>>(),
    })
}

/// The `Schema` list: Name/Type pairs in column order.
pub fn schema_json(schema: &Schema) -> Value {
    Value::Array(
        schema
            .fields()
            .iter()
            .map(|f| json!({"Name": f.name(), "Type": api_type_name(kql_type_of(f))}))
            .collect(),
    )
}

/// The success body. `schema` is the logical schema (it carries the Kusto types);
/// batch columns are matched to it by position.
pub fn success_body(batches: &[RecordBatch], schema: &Schema, stats: &QueryStats) -> Result<Value> {
    let mut body = Map::new();
    body.insert("Stats".into(), stats_json(stats));
    body.insert("Schema".into(), schema_json(schema));
    body.insert(
        "Results".into(),
        Value::Array(result_rows(batches, schema)?),
    );
    Ok(Value::Object(body))
}

/// Rows as JSON objects keyed by column name, in column order.
pub fn result_rows(batches: &[RecordBatch], schema: &Schema) -> Result<Vec<Value>> {
    let types: Vec<ScalarType> = schema.fields().iter().map(|f| kql_type_of(f)).collect();
    let mut rows = Vec::new();
    for batch in batches {
        if batch.num_columns() != types.len() {
            return Err(QueryError::Execution(format!(
                "result batch has {} columns, schema has {}",
                batch.num_columns(),
                types.len()
            )));
        }
        let columns = batch
            .columns()
            .iter()
            .zip(&types)
            .map(|(a, ty)| column_values(a, *ty))
            .collect::<Result<Vec<_>>>()?;
        for row in 0..batch.num_rows() {
            let mut obj = Map::with_capacity(types.len());
            for (field, values) in schema.fields().iter().zip(&columns) {
                obj.insert(field.name().clone(), values[row].clone());
            }
            rows.push(Value::Object(obj));
        }
    }
    Ok(rows)
}

fn float_json(v: f64) -> Value {
    if v.is_nan() {
        Value::String("NaN".into())
    } else if v.is_infinite() {
        Value::String(if v > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

fn arrow_err(e: datafusion::arrow::error::ArrowError) -> QueryError {
    QueryError::Execution(e.to_string())
}

macro_rules! primitive_values {
    ($array:expr, $t:ty, $conv:expr) => {{
        let a = $array.as_primitive::<$t>();
        (0..a.len())
            .map(|i| {
                if a.is_null(i) {
                    Value::Null
                } else {
                    $conv(a.value(i))
                }
            })
            .collect()
    }};
}

/// JSON values of one column, formatted the way the API prints its Kusto type.
pub fn column_values(array: &ArrayRef, ty: ScalarType) -> Result<Vec<Value>> {
    let n = array.len();
    let values: Vec<Value> = match array.data_type() {
        DataType::Boolean => {
            let a = array.as_boolean();
            (0..n)
                .map(|i| {
                    if a.is_null(i) {
                        Value::Null
                    } else {
                        Value::Bool(a.value(i))
                    }
                })
                .collect()
        }
        DataType::Int8 => primitive_values!(array, Int8Type, |v: i8| json!(v)),
        DataType::Int16 => primitive_values!(array, Int16Type, |v: i16| json!(v)),
        DataType::Int32 => primitive_values!(array, Int32Type, |v: i32| json!(v)),
        DataType::Int64 => primitive_values!(array, Int64Type, |v: i64| json!(v)),
        DataType::UInt8 => primitive_values!(array, UInt8Type, |v: u8| json!(v)),
        DataType::UInt16 => primitive_values!(array, UInt16Type, |v: u16| json!(v)),
        DataType::UInt32 => primitive_values!(array, UInt32Type, |v: u32| json!(v)),
        DataType::UInt64 => primitive_values!(array, UInt64Type, |v: u64| json!(v)),
        DataType::Float32 => primitive_values!(array, Float32Type, |v: f32| float_json(v as f64)),
        DataType::Float64 => primitive_values!(array, Float64Type, float_json),
        DataType::Decimal128(..) | DataType::Decimal256(..) => {
            let as_f64 = cast(array, &DataType::Float64).map_err(arrow_err)?;
            primitive_values!(as_f64, Float64Type, float_json)
        }
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => {
            let ns =
                cast(array, &DataType::Timestamp(TimeUnit::Nanosecond, None)).map_err(arrow_err)?;
            let as_i64 = cast(&ns, &DataType::Int64).map_err(arrow_err)?;
            primitive_values!(as_i64, Int64Type, |v: i64| Value::String(format_datetime(
                v.div_euclid(100)
            )))
        }
        DataType::Duration(_) => {
            let ns = cast(array, &DataType::Duration(TimeUnit::Nanosecond)).map_err(arrow_err)?;
            let as_i64 = cast(&ns, &DataType::Int64).map_err(arrow_err)?;
            primitive_values!(as_i64, Int64Type, |v: i64| Value::String(format_timespan(
                v / 100
            )))
        }
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 | DataType::Dictionary(..) => {
            let utf8 = cast(array, &DataType::Utf8).map_err(arrow_err)?;
            let a = utf8.as_string::<i32>();
            (0..n)
                .map(|i| {
                    if a.is_null(i) {
                        Value::Null
                    } else if ty == ScalarType::Dynamic {
                        serde_json::from_str(a.value(i))
                            .unwrap_or_else(|_| Value::String(a.value(i).to_string()))
                    } else {
                        Value::String(a.value(i).to_string())
                    }
                })
                .collect()
        }
        _ => (0..n)
            .map(|i| array_value_to_json(array.as_ref(), i))
            .collect::<Result<Vec<_>>>()?,
    };
    Ok(values)
}

/// A readable grid for terminals (the CLI's `--format table`).
pub fn pretty_table(output: &crate::session::QueryOutput) -> Result<String> {
    datafusion::arrow::util::pretty::pretty_format_batches_with_schema(
        output.schema.clone(),
        &output.batches,
    )
    .map(|t| t.to_string())
    .map_err(arrow_err)
}

fn csv_field(v: &Value) -> String {
    let text = match v {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// CSV: a header of column names, then one line per row, values as the API prints them.
pub fn csv_text(output: &crate::session::QueryOutput) -> Result<String> {
    let names: Vec<&String> = output.schema.fields().iter().map(|f| f.name()).collect();
    let mut text = names
        .iter()
        .map(|n| csv_field(&Value::String((*n).clone())))
        .collect::<Vec<_>>()
        .join(",");
    text.push('\n');
    for row in result_rows(&output.batches, &output.schema)? {
        let line = names
            .iter()
            .map(|n| csv_field(row.get(n.as_str()).unwrap_or(&Value::Null)))
            .collect::<Vec<_>>()
            .join(",");
        text.push_str(&line);
        text.push('\n');
    }
    Ok(text)
}

/// The error body. `target` is the request's tracking id.
pub fn error_body(error: &QueryError, query: &str, target: &str) -> Value {
    let message = match error {
        QueryError::Syntax(e) => e.message.clone(),
        other => other.to_string(),
    };
    let mut detail = Map::new();
    detail.insert("code".into(), json!(error.details_code()));
    detail.insert("message".into(), json!(message));
    if let Some(span) = error.span() {
        let (line, column) = kql_syntax::span::line_col(query, span.start as usize);
        detail.insert("line".into(), json!(line));
        detail.insert("column".into(), json!(column));
        detail.insert("offset".into(), json!(span.start));
    }
    json!({
        "error": {
            "code": "BadRequest",
            "message": message,
            "target": target,
            "details": [Value::Object(detail)],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use datafusion::arrow::array::{
        DurationNanosecondArray, Float64Array, StringArray, TimestampNanosecondArray,
    };
    use datafusion::arrow::datatypes::Field;

    use crate::types::field_for;

    #[test]
    fn values_print_in_the_api_forms() -> Result<()> {
        let schema = Schema::new(vec![
            field_for("T", ScalarType::DateTime),
            field_for("D", ScalarType::Timespan),
            field_for("R", ScalarType::Real),
            field_for("J", ScalarType::Dynamic),
        ]);
        let batch = RecordBatch::try_new(
            Arc::new(schema.clone()),
            vec![
                Arc::new(
                    TimestampNanosecondArray::from(vec![Some(1_598_769_515_766_435_600), None])
                        .with_timezone("UTC"),
                ),
                Arc::new(DurationNanosecondArray::from(vec![
                    Some(90_061_000_000_000),
                    Some(-1_500_000_000),
                ])),
                Arc::new(Float64Array::from(vec![f64::NAN, 1.5])),
                Arc::new(StringArray::from(vec![Some(r#"{"a":[1,2]}"#), None])),
            ],
        )
        .map_err(arrow_err)?;
        let rows = result_rows(&[batch], &schema)?;
        assert_eq!(
            rows[0],
            json!({"T": "2020-08-30T06:38:35.7664356Z", "D": "1.01:01:01", "R": "NaN", "J": {"a": [1, 2]}})
        );
        assert_eq!(
            rows[1],
            json!({"T": null, "D": "-00:00:01.5000000", "R": 1.5, "J": null})
        );
        Ok(())
    }

    #[test]
    fn schema_uses_dotnet_type_names() {
        let schema = Schema::new(vec![
            Field::new("n", DataType::Int64, true),
            field_for("g", ScalarType::Guid),
            field_for("o", ScalarType::Dynamic),
        ]);
        assert_eq!(
            schema_json(&schema),
            json!([{"Name":"n","Type":"Int64"},{"Name":"g","Type":"Guid"},{"Name":"o","Type":"Object"}])
        );
    }

    #[test]
    fn cpu_times_are_dotnet_timespans() {
        assert_eq!(
            format_cpu(Duration::from_millis(19_062)),
            "00:00:19.0620000"
        );
    }

    #[test]
    fn errors_carry_line_and_column() {
        let err = QueryError::semantic("boom", kql_syntax::Span::new(4, 5));
        let body = error_body(&err, "T\n| x", "id");
        assert_eq!(body["error"]["details"][0]["code"], "SemanticError");
        assert_eq!(body["error"]["details"][0]["line"], 2);
        assert_eq!(body["error"]["details"][0]["column"], 3);
    }
}
