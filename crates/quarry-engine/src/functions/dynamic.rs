//! One UDF shape for every function over Kusto's `dynamic` values.
//!
//! A dynamic value is stored as compact JSON text (Utf8). Each function in this family
//! is a pure function over `serde_json::Value`s ([`DynOp::apply`], in `dyn_ops`); this
//! file turns Arrow columns into those values and the results back into a column.
//!
//! Two Kusto types share Arrow's Utf8, so the UDF carries, per argument, whether the
//! text is JSON (a dynamic argument) or a plain value (a string is a JSON string).
//!
//! Speed: a dictionary-encoded argument that is the only column argument is evaluated
//! once per dictionary value, and constant arguments are converted once per batch.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, DictionaryArray, Float64Builder, Int64Builder,
    StringBuilder,
};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{
    ArrowDictionaryKeyType, DataType, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::common::{Result as DfResult, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

pub use super::dyn_ops::DynOp;
use super::json::{array_value_to_json, json_text_to_value};

/// How one argument's Arrow value becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum In {
    /// Text holding JSON (Kusto dynamic); text that is not JSON is a JSON string.
    Json,
    /// A typed value: strings stay strings, datetimes become their text, ...
    Value,
}

/// The Kusto type of the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Out {
    Dynamic,
    Long,
    Real,
    Bool,
    String,
}

impl Out {
    fn data_type(self) -> DataType {
        match self {
            Out::Dynamic | Out::String => DataType::Utf8,
            Out::Long => DataType::Int64,
            Out::Real => DataType::Float64,
            Out::Bool => DataType::Boolean,
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DynUdf {
    name: String,
    op: DynOp,
    inputs: Vec<In>,
    out: Out,
    signature: Signature,
}

/// `op(args)` as a UDF; `inputs` says, per argument, whether it is JSON text.
pub fn dyn_udf(name: &str, op: DynOp, inputs: Vec<In>, out: Out) -> Arc<ScalarUDF> {
    let suffix: String = inputs
        .iter()
        .map(|i| if *i == In::Json { 'j' } else { 'v' })
        .collect();
    Arc::new(ScalarUDF::from(DynUdf {
        name: format!("kql_{name}_{suffix}"),
        op,
        inputs,
        out,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

/// The JSON value of stored dynamic text, or of a null.
fn json_of(text: Option<&str>) -> Value {
    match text {
        None => Value::Null,
        Some(t) => json_text_to_value(t),
    }
}

/// One argument, converted for a whole batch.
enum Prepared {
    Const(Value),
    /// JSON text per row.
    Text(ArrayRef),
    /// Typed values per row.
    Typed(ArrayRef),
}

impl Prepared {
    fn value(&self, i: usize) -> DfResult<Value> {
        Ok(match self {
            Prepared::Const(v) => v.clone(),
            Prepared::Text(a) => {
                let s = a.as_string::<i32>();
                json_of((!s.is_null(i)).then(|| s.value(i)))
            }
            Prepared::Typed(a) => match array_value_to_json(a.as_ref(), i) {
                Ok(v) => v,
                Err(e) => return exec_err!("{e}"),
            },
        })
    }
}

fn prepare_array(array: &ArrayRef, input: In) -> DfResult<Prepared> {
    let plain = match array.data_type() {
        DataType::Dictionary(_, value) => cast(array, value)?,
        _ => array.clone(),
    };
    Ok(match input {
        In::Json => Prepared::Text(cast(&plain, &DataType::Utf8)?),
        In::Value => match plain.data_type() {
            DataType::Utf8View | DataType::LargeUtf8 => {
                Prepared::Typed(cast(&plain, &DataType::Utf8)?)
            }
            _ => Prepared::Typed(plain),
        },
    })
}

fn scalar_value(s: &ScalarValue, input: In) -> DfResult<Value> {
    let array = s.to_array()?;
    match prepare_array(&array, input)? {
        p @ (Prepared::Text(_) | Prepared::Typed(_)) => p.value(0),
        Prepared::Const(v) => Ok(v),
    }
}

/// Accumulates results in the output's Arrow type.
enum Sink {
    Text(StringBuilder, bool),
    Long(Int64Builder),
    Real(Float64Builder),
    Bool(BooleanBuilder),
}

impl Sink {
    fn new(out: Out, n: usize) -> Self {
        match out {
            Out::Dynamic => Sink::Text(StringBuilder::with_capacity(n, n * 16), true),
            Out::String => Sink::Text(StringBuilder::with_capacity(n, n * 16), false),
            Out::Long => Sink::Long(Int64Builder::with_capacity(n)),
            Out::Real => Sink::Real(Float64Builder::with_capacity(n)),
            Out::Bool => Sink::Bool(BooleanBuilder::with_capacity(n)),
        }
    }

    fn push(&mut self, v: Value) {
        match self {
            Sink::Text(b, true) => match v {
                Value::Null => b.append_null(),
                other => b.append_value(other.to_string()),
            },
            // Kusto strings are never null: a missing value is the empty string.
            Sink::Text(b, false) => match v {
                Value::Null => b.append_value(""),
                Value::String(s) => b.append_value(s),
                other => b.append_value(other.to_string()),
            },
            Sink::Long(b) => b.append_option(match &v {
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
                Value::Bool(x) => Some(i64::from(*x)),
                _ => None,
            }),
            Sink::Real(b) => b.append_option(match &v {
                Value::Number(n) => n.as_f64(),
                _ => None,
            }),
            Sink::Bool(b) => b.append_option(v.as_bool()),
        }
    }

    fn finish(self) -> ArrayRef {
        match self {
            Sink::Text(mut b, _) => Arc::new(b.finish()),
            Sink::Long(mut b) => Arc::new(b.finish()),
            Sink::Real(mut b) => Arc::new(b.finish()),
            Sink::Bool(mut b) => Arc::new(b.finish()),
        }
    }
}

impl DynUdf {
    /// Evaluates over `n` rows of prepared arguments.
    fn eval_rows(&self, prepared: &[Prepared], n: usize) -> DfResult<ArrayRef> {
        let mut sink = Sink::new(self.out, n);
        let mut row = Vec::with_capacity(prepared.len());
        for i in 0..n {
            row.clear();
            for p in prepared {
                row.push(p.value(i)?);
            }
            sink.push(self.op.apply(&row)?);
        }
        Ok(sink.finish())
    }

    fn input(&self, i: usize) -> In {
        self.inputs.get(i).copied().unwrap_or(In::Value)
    }

    /// The single dictionary-encoded column argument, if that is the only column.
    fn sole_dictionary(args: &[ColumnarValue]) -> Option<usize> {
        let mut arrays = args
            .iter()
            .enumerate()
            .filter(|(_, a)| matches!(a, ColumnarValue::Array(_)));
        let (i, first) = arrays.next()?;
        if arrays.next().is_some() {
            return None;
        }
        match first {
            ColumnarValue::Array(a) if matches!(a.data_type(), DataType::Dictionary(..)) => Some(i),
            _ => None,
        }
    }
}

fn dictionary_parts(array: &ArrayRef) -> Option<(ArrayRef, ArrayRef)> {
    fn parts<K: ArrowDictionaryKeyType>(a: &dyn Array) -> Option<(ArrayRef, ArrayRef)> {
        let d: &DictionaryArray<K> = a.as_any().downcast_ref()?;
        Some((d.values().clone(), Arc::new(d.keys().clone())))
    }
    let DataType::Dictionary(key, _) = array.data_type() else {
        return None;
    };
    let a = array.as_ref();
    match key.as_ref() {
        DataType::Int8 => parts::<Int8Type>(a),
        DataType::Int16 => parts::<Int16Type>(a),
        DataType::Int32 => parts::<Int32Type>(a),
        DataType::Int64 => parts::<Int64Type>(a),
        DataType::UInt8 => parts::<UInt8Type>(a),
        DataType::UInt16 => parts::<UInt16Type>(a),
        DataType::UInt32 => parts::<UInt32Type>(a),
        DataType::UInt64 => parts::<UInt64Type>(a),
        _ => None,
    }
}

impl ScalarUDFImpl for DynUdf {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(self.out.data_type())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let n = args.number_rows;
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        // Dictionary fast path: evaluate once per distinct value, then spread by key.
        if let Some(d) = Self::sole_dictionary(&args.args)
            && let ColumnarValue::Array(array) = &args.args[d]
            && let Some((values, keys)) = dictionary_parts(array)
        {
            let mut prepared = Vec::with_capacity(args.args.len());
            for (i, a) in args.args.iter().enumerate() {
                prepared.push(match a {
                    ColumnarValue::Scalar(s) => Prepared::Const(scalar_value(s, self.input(i))?),
                    ColumnarValue::Array(_) => prepare_array(&values, self.input(i))?,
                });
            }
            let per_value = self.eval_rows(&prepared, values.len())?;
            return Ok(ColumnarValue::Array(take(per_value.as_ref(), &keys, None)?));
        }
        let mut prepared = Vec::with_capacity(args.args.len());
        for (i, a) in args.args.iter().enumerate() {
            prepared.push(match a {
                ColumnarValue::Scalar(s) => Prepared::Const(scalar_value(s, self.input(i))?),
                ColumnarValue::Array(array) => prepare_array(array, self.input(i))?,
            });
        }
        if all_scalar {
            let one = self.eval_rows(&prepared, 1)?;
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&one, 0)?));
        }
        Ok(ColumnarValue::Array(self.eval_rows(&prepared, n)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int32Array, StringArray};
    use datafusion::arrow::datatypes::Field;
    use datafusion::config::ConfigOptions;

    fn run(udf: &ScalarUDF, args: Vec<ColumnarValue>, n: usize) -> ArrayRef {
        let arg_fields = args
            .iter()
            .map(|a| Arc::new(Field::new("a", a.data_type(), true)))
            .collect();
        let out = udf
            .invoke_with_args(ScalarFunctionArgs {
                args,
                arg_fields,
                number_rows: n,
                return_field: Arc::new(Field::new("r", DataType::Int64, true)),
                config_options: Arc::new(ConfigOptions::default()),
            })
            .and_then(|c| c.to_array(n));
        match out {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn dictionary_columns_are_evaluated_per_value() {
        let udf = dyn_udf(
            "array_length",
            DynOp::ArrayLength,
            vec![In::Json],
            Out::Long,
        );
        let values = StringArray::from(vec![Some("[1,2]"), None, Some("x")]);
        let keys = Int32Array::from(vec![0, 1, 0, 2]);
        let dict = DictionaryArray::<Int32Type>::try_new(keys, Arc::new(values));
        let dict = match dict {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        let out = run(&udf, vec![ColumnarValue::Array(Arc::new(dict))], 4);
        let out = out.as_primitive::<Int64Type>();
        assert_eq!(out.value(0), 2);
        assert!(out.is_null(1));
        assert_eq!(out.value(2), 2);
        assert!(out.is_null(3));
    }
}
