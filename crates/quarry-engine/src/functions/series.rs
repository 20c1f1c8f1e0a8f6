//! Kusto's `series_*` functions over dynamic numeric arrays.
//!
//! A series is stored as dynamic JSON text, so every function here is one scalar UDF
//! ([`SeriesUdf`]) that parses its arguments row by row into JSON values, computes on
//! `f64`s, and writes JSON text back (or a real, for the reducing functions). The
//! arithmetic lives in plain functions over [`Value`]s so it is unit-testable without
//! Arrow.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Builder, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::{Map, Number, Value, json};

use super::json::{array_value_to_json, json_text_to_value};
use super::series_ops::{
    fill_backward, fill_const, fill_forward, fill_linear, fir, fit_line, iir, seasonal,
};

/// What a series function returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeriesOutput {
    /// A dynamic value (array or bag) as JSON text.
    Dynamic,
    /// A real.
    Real,
}

/// Every `series_*` function Quarry knows, with what it returns.
pub fn series_output(name: &str) -> Option<SeriesOutput> {
    Some(match name {
        "series_sum"
        | "series_dot_product"
        | "series_cosine_similarity"
        | "series_pearson_correlation" => SeriesOutput::Real,
        _ if unary_op(name).is_some() || binary_op(name).is_some() => SeriesOutput::Dynamic,
        "series_stats_dynamic"
        | "series_fill_backward"
        | "series_fill_forward"
        | "series_fill_const"
        | "series_fill_linear"
        | "series_iir"
        | "series_fir"
        | "series_seasonal"
        | "series_fit_line_dynamic" => SeriesOutput::Dynamic,
        _ => return None,
    })
}

/// `Some(f)` for the element-wise functions of one series.
fn unary_op(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "series_abs" => f64::abs,
        "series_acos" => f64::acos,
        "series_asin" => f64::asin,
        "series_atan" => f64::atan,
        "series_ceiling" => f64::ceil,
        "series_cos" => f64::cos,
        "series_exp" => f64::exp,
        "series_floor" => f64::floor,
        "series_log" => f64::ln,
        "series_sign" => |x: f64| {
            if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            }
        },
        "series_sin" => f64::sin,
        "series_sqrt" => f64::sqrt,
        "series_tan" => f64::tan,
        _ => return None,
    })
}

#[derive(Clone, Copy)]
enum Binary {
    Arith(fn(f64, f64) -> f64, Option<fn(i64, i64) -> Option<i64>>),
    Compare(fn(f64, f64) -> bool),
}

/// The element-wise functions of two series (or a series and a scalar).
fn binary_op(name: &str) -> Option<Binary> {
    Some(match name {
        "series_add" => Binary::Arith(|a, b| a + b, Some(i64::checked_add)),
        "series_subtract" => Binary::Arith(|a, b| a - b, Some(i64::checked_sub)),
        "series_multiply" => Binary::Arith(|a, b| a * b, Some(i64::checked_mul)),
        "series_divide" => Binary::Arith(|a, b| a / b, None),
        "series_pow" => Binary::Arith(f64::powf, None),
        "series_greater" => Binary::Compare(|a, b| a > b),
        "series_greater_equals" => Binary::Compare(|a, b| a >= b),
        "series_less" => Binary::Compare(|a, b| a < b),
        "series_less_equals" => Binary::Compare(|a, b| a <= b),
        "series_equals" => Binary::Compare(|a, b| a == b),
        "series_not_equals" => Binary::Compare(|a, b| a != b),
        _ => return None,
    })
}

/// A JSON number for `v`; NaN and infinities (which JSON lacks) become null.
pub(crate) fn num(v: f64) -> Value {
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// The numeric elements of an array (`None` for nulls and non-numbers); `None` when
/// the value is not an array.
pub(crate) fn numbers(v: &Value) -> Option<Vec<Option<f64>>> {
    match v {
        Value::Array(items) => Some(items.iter().map(Value::as_f64).collect()),
        _ => None,
    }
}

/// The value of an optional numeric argument.
fn scalar(v: Option<&Value>) -> Option<f64> {
    v.and_then(|v| match v {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    })
}

fn unary(items: &[Value], f: fn(f64) -> f64, keep_ints: bool) -> Value {
    Value::Array(
        items
            .iter()
            .map(|x| match (x.as_i64(), x.as_f64()) {
                (Some(i), _) if keep_ints => {
                    let r = f(i as f64);
                    if r.fract() == 0.0 && r.abs() < 9.0e15 {
                        json!(r as i64)
                    } else {
                        num(r)
                    }
                }
                (_, Some(v)) => num(f(v)),
                _ => Value::Null,
            })
            .collect(),
    )
}

/// One side of a binary function: an array, or a scalar broadcast to every position.
enum Side<'a> {
    Array(&'a [Value]),
    Scalar(&'a Value),
}

impl Side<'_> {
    fn len(&self) -> Option<usize> {
        match self {
            Side::Array(a) => Some(a.len()),
            Side::Scalar(_) => None,
        }
    }
    fn get(&self, i: usize) -> Option<&Value> {
        match self {
            Side::Array(a) => a.get(i),
            Side::Scalar(v) => Some(v),
        }
    }
}

fn side(v: &Value) -> Side<'_> {
    match v {
        Value::Array(a) => Side::Array(a),
        other => Side::Scalar(other),
    }
}

/// Element-wise binary function; missing or non-numeric elements give null.
fn binary(a: &Value, b: &Value, op: Binary) -> Value {
    let (a, b) = (side(a), side(b));
    let n = match (a.len(), b.len()) {
        (Some(x), Some(y)) => x.max(y),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => 1,
    };
    let out = (0..n)
        .map(|i| {
            let (x, y) = (a.get(i), b.get(i));
            let (Some(xf), Some(yf)) = (x.and_then(Value::as_f64), y.and_then(Value::as_f64))
            else {
                return Value::Null;
            };
            match op {
                Binary::Compare(f) => Value::Bool(f(xf, yf)),
                Binary::Arith(f, int_f) => {
                    let ints = (x.and_then(Value::as_i64), y.and_then(Value::as_i64));
                    match (int_f, ints) {
                        (Some(g), (Some(xi), Some(yi))) => {
                            g(xi, yi).map_or(Value::Null, |r| json!(r))
                        }
                        _ => num(f(xf, yf)),
                    }
                }
            }
        })
        .collect();
    Value::Array(out)
}

/// Pairs of numeric elements at the same positions, over the shorter length (a scalar
/// on either side is broadcast).
fn pairs(a: &Value, b: &Value) -> Vec<(f64, f64)> {
    let (a, b) = (side(a), side(b));
    let n = match (a.len(), b.len()) {
        (Some(x), Some(y)) => x.min(y),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => 0,
    };
    (0..n)
        .filter_map(|i| {
            Some((
                a.get(i).and_then(Value::as_f64)?,
                b.get(i).and_then(Value::as_f64)?,
            ))
        })
        .collect()
}

fn dot_product(a: &Value, b: &Value) -> Option<f64> {
    let p = pairs(a, b);
    if p.is_empty() {
        return None;
    }
    Some(p.iter().map(|(x, y)| x * y).sum())
}

fn cosine_similarity(a: &Value, b: &Value, ma: Option<f64>, mb: Option<f64>) -> Option<f64> {
    let norm = |v: &Value| -> f64 {
        numbers(v)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .map(|x| x * x)
            .sum::<f64>()
            .sqrt()
    };
    let dot = dot_product(a, b)?;
    let ma = ma.unwrap_or_else(|| norm(a));
    let mb = mb.unwrap_or_else(|| norm(b));
    Some(dot / (ma * mb))
}

fn pearson(a: &Value, b: &Value) -> Option<f64> {
    let (xa, xb) = (numbers(a)?, numbers(b)?);
    if xa.len() != xb.len() || xa.is_empty() {
        return None;
    }
    let p: Vec<(f64, f64)> = xa
        .into_iter()
        .zip(xb)
        .filter_map(|(x, y)| Some((x?, y?)))
        .collect();
    let n = p.len() as f64;
    if p.is_empty() {
        return None;
    }
    let (mx, my) = (
        p.iter().map(|q| q.0).sum::<f64>() / n,
        p.iter().map(|q| q.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &p {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// `series_stats_dynamic`: the bag of min/max (with their first index), avg, sample
/// stdev/variance, sum and len. Without `ignore_nonfinite`, a null or non-finite
/// element makes every statistic null.
pub(crate) fn stats(v: &Value, ignore_nonfinite: bool) -> Value {
    let items = numbers(v).unwrap_or_default();
    let len = items.len();
    let any_missing = items.iter().any(|x| !x.is_some_and(f64::is_finite));
    let values: Vec<(usize, f64)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.filter(|x| x.is_finite()).map(|x| (i, x)))
        .collect();
    let mut bag = Map::new();
    if values.is_empty() || (any_missing && !ignore_nonfinite) {
        for key in [
            "min", "min_idx", "max", "max_idx", "avg", "stdev", "variance", "sum",
        ] {
            bag.insert(key.into(), Value::Null);
        }
        bag.insert("len".into(), json!(len));
        return Value::Object(bag);
    }
    let (mut min, mut max) = (values[0], values[0]);
    for &(i, x) in &values {
        if x < min.1 {
            min = (i, x);
        }
        if x > max.1 {
            max = (i, x);
        }
    }
    let n = values.len() as f64;
    let sum: f64 = values.iter().map(|v| v.1).sum();
    let avg = sum / n;
    let variance = if values.len() > 1 {
        values.iter().map(|v| (v.1 - avg).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    bag.insert("min".into(), num(min.1));
    bag.insert("min_idx".into(), json!(min.0));
    bag.insert("max".into(), num(max.1));
    bag.insert("max_idx".into(), json!(max.0));
    bag.insert("avg".into(), num(avg));
    bag.insert("stdev".into(), num(variance.sqrt()));
    bag.insert("variance".into(), num(variance));
    bag.insert("sum".into(), num(sum));
    bag.insert("len".into(), json!(len));
    Value::Object(bag)
}

/// What one row of a series function produces.
pub(crate) enum Computed {
    Json(Value),
    Real(Option<f64>),
}

/// Computes `name` over one row's arguments. `Err` carries a message for arguments
/// that can never work (the planner checks arity; values are checked here).
pub(crate) fn compute(name: &str, args: &[Value]) -> Result<Computed, String> {
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
    let first = arg(0);
    let array = || match first {
        Value::Array(a) => Some(a.as_slice()),
        _ => None,
    };
    if let Some(f) = unary_op(name) {
        let keep_ints = matches!(name, "series_abs" | "series_sign");
        return Ok(Computed::Json(
            array().map_or(Value::Null, |a| unary(a, f, keep_ints)),
        ));
    }
    if let Some(op) = binary_op(name) {
        if !first.is_array() && !arg(1).is_array() {
            return Ok(Computed::Json(Value::Null));
        }
        return Ok(Computed::Json(binary(first, arg(1), op)));
    }
    Ok(match name {
        "series_sum" => {
            Computed::Real(numbers(first).map(|v| v.into_iter().flatten().sum::<f64>()))
        }
        "series_dot_product" => Computed::Real(dot_product(first, arg(1))),
        "series_cosine_similarity" => Computed::Real(cosine_similarity(
            first,
            arg(1),
            scalar(args.get(2)),
            scalar(args.get(3)),
        )),
        "series_pearson_correlation" => Computed::Real(pearson(first, arg(1))),
        "series_stats_dynamic" => Computed::Json(if first.is_array() {
            stats(first, arg(1).as_bool().unwrap_or(false))
        } else {
            Value::Null
        }),
        "series_fill_backward"
        | "series_fill_forward"
        | "series_fill_const"
        | "series_fill_linear" => {
            let Some(a) = array() else {
                return Ok(Computed::Json(Value::Null));
            };
            Computed::Json(Value::Array(match name {
                "series_fill_backward" => fill_backward(a, arg(1)),
                "series_fill_forward" => fill_forward(a, arg(1)),
                "series_fill_const" => fill_const(a, arg(1), arg(2)),
                _ => fill_linear(
                    a,
                    arg(1),
                    arg(2).as_bool().unwrap_or(true),
                    args.get(3).cloned().unwrap_or(json!(0)),
                ),
            }))
        }
        "series_iir" => {
            let (Some(x), Some(b), Some(a)) = (numbers(first), numbers(arg(1)), numbers(arg(2)))
            else {
                return Ok(Computed::Json(Value::Null));
            };
            Computed::Json(iir(&x, &b, &a)?)
        }
        "series_fir" => {
            let (Some(x), Some(filter)) = (numbers(first), numbers(arg(1))) else {
                return Ok(Computed::Json(Value::Null));
            };
            Computed::Json(fir(
                &x,
                &filter,
                arg(2).as_bool().unwrap_or(true),
                arg(3).as_bool().unwrap_or(false),
            ))
        }
        "series_seasonal" => {
            let Some(x) = numbers(first) else {
                return Ok(Computed::Json(Value::Null));
            };
            let period = scalar(args.get(1)).unwrap_or(-1.0);
            if period <= 0.0 {
                return Err(
                    "series_seasonal: automatic period detection is not supported".to_string(),
                );
            }
            Computed::Json(seasonal(&x, period as usize))
        }
        "series_fit_line_dynamic" => {
            Computed::Json(numbers(first).map_or(Value::Null, |x| fit_line(&x)))
        }
        other => return Err(format!("unknown series function '{other}'")),
    })
}

/// One UDF per `series_*` function name; arguments of any type.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SeriesUdf {
    name: String,
    output: SeriesOutput,
    signature: Signature,
}

/// Row `i` of an argument as JSON: strings are parsed as dynamic text.
fn arg_value(array: &ArrayRef, i: usize) -> DfResult<Value> {
    if array.is_null(i) {
        return Ok(Value::Null);
    }
    match array.data_type() {
        DataType::Utf8 => Ok(json_text_to_value(array.as_string::<i32>().value(i))),
        DataType::LargeUtf8 => Ok(json_text_to_value(array.as_string::<i64>().value(i))),
        DataType::Utf8View => Ok(json_text_to_value(array.as_string_view().value(i))),
        _ => array_value_to_json(array.as_ref(), i).or_else(|e| exec_err!("{e}")),
    }
}

impl ScalarUDFImpl for SeriesUdf {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(match self.output {
            SeriesOutput::Dynamic => DataType::Utf8,
            SeriesOutput::Real => DataType::Float64,
        })
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let n = args.number_rows;
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(n))
            .collect::<DfResult<_>>()?;
        let mut strings = StringBuilder::new();
        let mut reals = Float64Builder::new();
        let mut row = Vec::with_capacity(arrays.len());
        for i in 0..n {
            row.clear();
            for a in &arrays {
                row.push(arg_value(a, i)?);
            }
            match compute(&self.name, &row) {
                Ok(Computed::Json(Value::Null)) => strings.append_null(),
                Ok(Computed::Json(v)) => strings.append_value(v.to_string()),
                Ok(Computed::Real(v)) => reals.append_option(v.filter(|x| !x.is_nan())),
                Err(message) => return exec_err!("{message}"),
            }
        }
        Ok(ColumnarValue::Array(match self.output {
            SeriesOutput::Dynamic => Arc::new(strings.finish()),
            SeriesOutput::Real => Arc::new(reals.finish()),
        }))
    }
}

/// The UDF for a `series_*` function, or None when Quarry does not know the name.
pub fn series_udf(name: &str) -> Option<Arc<ScalarUDF>> {
    let output = series_output(name)?;
    Some(Arc::new(ScalarUDF::from(SeriesUdf {
        name: name.to_string(),
        output,
        signature: Signature::variadic_any(Volatility::Immutable),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, args: &[Value]) -> Value {
        match compute(name, args) {
            Ok(Computed::Json(v)) => v,
            Ok(Computed::Real(v)) => v.map_or(Value::Null, num),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn element_wise_functions_keep_nulls_and_lengths() {
        assert_eq!(
            run("series_abs", &[json!([-2, null, 3.5])]),
            json!([2, null, 3.5])
        );
        assert_eq!(run("series_sign", &[json!([-7, 0, 9])]), json!([-1, 0, 1]));
        assert_eq!(
            run("series_add", &[json!([1, 2, 3]), json!([10, 20])]),
            json!([11, 22, null])
        );
        assert_eq!(
            run("series_multiply", &[json!([1, 2]), json!(3)]),
            json!([3, 6])
        );
        assert_eq!(
            run("series_less_equals", &[json!([1, 5]), json!([2, 5])]),
            json!([true, true])
        );
    }

    #[test]
    fn reductions() {
        assert_eq!(run("series_sum", &[json!([1, 2, null, 4])]), json!(7.0));
        assert_eq!(
            run("series_dot_product", &[json!([1, 2, 3]), json!([2, 2])]),
            json!(6.0)
        );
        let r = run(
            "series_pearson_correlation",
            &[json!([1, 2, 3]), json!([3, 2, 1])],
        );
        assert!((r.as_f64().unwrap_or(0.0) + 1.0).abs() < 1e-12);
        let s = stats(&json!([5, 1, 9, 1]), false);
        assert_eq!(s["min_idx"], json!(1));
        assert_eq!(s["max"], json!(9.0));
        assert_eq!(s["len"], json!(4));
    }
}
