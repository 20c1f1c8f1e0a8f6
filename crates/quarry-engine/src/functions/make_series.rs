//! The two UDFs that finish `make-series`: a dense array from the per-bin aggregates
//! of one group, and the axis array (the bin starts).
//!
//! The operator aggregates per (group, bin index) with DataFusion's own aggregation,
//! collects each group's bin indices and values with `array_agg`, and then these turn
//! the sparse lists into Kusto's dense dynamic arrays.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use kql_syntax::time::{format_datetime, format_timespan};
use serde_json::{Value, json};

use super::json::{array_value_to_json, json_text_to_value};
use super::series::num;

/// Longest series Quarry builds: a guard against `step` typos that would allocate
/// billions of elements.
pub const MAX_SERIES_LEN: i64 = 10_000_000;

/// `series_from_bins(indices, values, n, default)` → dense JSON array of length `n`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SeriesFromBinsUdf {
    /// The values are dynamic JSON text (parse rather than quote them).
    values_are_json: bool,
    signature: Signature,
}

fn list_values(list: &ArrayRef, i: usize) -> DfResult<Option<ArrayRef>> {
    if list.is_null(i) {
        return Ok(None);
    }
    Ok(Some(match list.data_type() {
        DataType::List(_) => list.as_list::<i32>().value(i),
        DataType::LargeList(_) => list.as_list::<i64>().value(i),
        other => return exec_err!("make-series: expected a list, got {other}"),
    }))
}

fn to_json(array: &dyn Array, j: usize, is_json: bool) -> DfResult<Value> {
    if is_json && !array.is_null(j) {
        let text = cast(&array.slice(j, 1), &DataType::Utf8)?;
        return Ok(json_text_to_value(text.as_string::<i32>().value(0)));
    }
    array_value_to_json(array, j).or_else(|e| exec_err!("{e}"))
}

impl ScalarUDFImpl for SeriesFromBinsUdf {
    fn name(&self) -> &str {
        if self.values_are_json {
            "kql_series_from_json_bins"
        } else {
            "kql_series_from_bins"
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<DfResult<_>>()?;
        let [indices, values, lens, default] = arrays.as_slice() else {
            return exec_err!("make-series: series_from_bins takes 4 arguments");
        };
        let lens = cast(lens, &DataType::Int64)?;
        let lens = lens.as_primitive::<Int64Type>();
        let mut out = StringBuilder::with_capacity(rows, rows * 32);
        for i in 0..rows {
            let n = if lens.is_null(i) { 0 } else { lens.value(i) };
            if !(0..=MAX_SERIES_LEN).contains(&n) {
                return exec_err!("make-series: the series would have {n} elements");
            }
            let fill = to_json(default.as_ref(), i, self.values_are_json)?;
            let mut series = vec![fill; n as usize];
            if let (Some(idx), Some(vals)) = (list_values(indices, i)?, list_values(values, i)?) {
                let idx = cast(&idx, &DataType::Int64)?;
                let idx = idx.as_primitive::<Int64Type>();
                for j in 0..idx.len().min(vals.len()) {
                    if idx.is_null(j) {
                        continue;
                    }
                    let k = idx.value(j);
                    if (0..n).contains(&k) && !vals.is_null(j) {
                        series[k as usize] = to_json(vals.as_ref(), j, self.values_are_json)?;
                    }
                }
            }
            out.append_value(Value::Array(series).to_string());
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

pub fn series_from_bins_udf(values_are_json: bool) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(SeriesFromBinsUdf {
        values_are_json,
        signature: Signature::any(4, Volatility::Immutable),
    }))
}

/// How axis values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AxisKind {
    /// Nanoseconds since the epoch → datetime text.
    DateTime,
    /// Nanoseconds → timespan text.
    Timespan,
    Long,
    Real,
}

/// `series_axis(start, n, step)` → `[start, start+step, ...]` as a JSON array.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SeriesAxisUdf {
    kind: AxisKind,
    signature: Signature,
}

impl ScalarUDFImpl for SeriesAxisUdf {
    fn name(&self) -> &str {
        match self.kind {
            AxisKind::DateTime => "kql_series_axis_datetime",
            AxisKind::Timespan => "kql_series_axis_timespan",
            AxisKind::Long => "kql_series_axis_long",
            AxisKind::Real => "kql_series_axis_real",
        }
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Utf8)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<DfResult<_>>()?;
        let [start, lens, step] = arrays.as_slice() else {
            return exec_err!("make-series: series_axis takes 3 arguments");
        };
        let lens = cast(lens, &DataType::Int64)?;
        let lens = lens.as_primitive::<Int64Type>();
        let (start_f, step_f) = (
            cast(start, &DataType::Float64)?,
            cast(step, &DataType::Float64)?,
        );
        let (start_i, step_i) = (
            cast(start, &DataType::Int64)?,
            cast(step, &DataType::Int64)?,
        );
        let mut out = StringBuilder::with_capacity(rows, rows * 64);
        for i in 0..rows {
            if start.is_null(i) || lens.is_null(i) || step.is_null(i) {
                out.append_value("[]");
                continue;
            }
            let n = lens.value(i);
            if !(0..=MAX_SERIES_LEN).contains(&n) {
                return exec_err!("make-series: the series would have {n} elements");
            }
            let items: Vec<Value> = if self.kind == AxisKind::Real {
                let (s, d) = (
                    start_f.as_primitive::<Float64Type>().value(i),
                    step_f.as_primitive::<Float64Type>().value(i),
                );
                (0..n).map(|k| num(s + d * k as f64)).collect()
            } else {
                let (s, d) = (
                    start_i.as_primitive::<Int64Type>().value(i),
                    step_i.as_primitive::<Int64Type>().value(i),
                );
                (0..n)
                    .map(|k| {
                        let v = s.saturating_add(d.saturating_mul(k));
                        match self.kind {
                            AxisKind::DateTime => Value::String(format_datetime(v.div_euclid(100))),
                            AxisKind::Timespan => Value::String(format_timespan(v / 100)),
                            _ => json!(v),
                        }
                    })
                    .collect()
            };
            out.append_value(Value::Array(items).to_string());
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

pub fn series_axis_udf(kind: AxisKind) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(SeriesAxisUdf {
        kind,
        signature: Signature::any(3, Volatility::Immutable),
    }))
}
