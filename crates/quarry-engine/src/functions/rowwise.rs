//! A generic scalar UDF that applies a plain Rust function row by row.
//!
//! Kusto has dozens of small string and IP functions whose logic is a few lines each;
//! writing a full `ScalarUDFImpl` per function would bury that logic in Arrow plumbing.
//! [`RowUdf`] does the plumbing once: it reads every Arrow string encoding (Utf8,
//! Utf8View, LargeUtf8, Dictionary) without copying, evaluates a dictionary-encoded
//! first argument once per distinct value when the other arguments are constants, keeps
//! constant calls constant (so the planner can fold them), and hands the kernel borrowed
//! `&str`s so that kernels which return a slice of their input allocate nothing.
//!
//! Strings are never null in Kusto: a null string argument reaches the kernel as `""`.
//! Numeric arguments keep their nulls ([`In::Null`]).

use std::borrow::Cow;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::common::{Result as DfResult, ScalarValue, exec_datafusion_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

/// One argument value of one row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum In<'a> {
    Null,
    Str(&'a str),
    I64(i64),
    F64(f64),
    Bool(bool),
}

impl<'a> In<'a> {
    /// The value as text (`""` for null; numbers in their plain form).
    pub fn str(&self) -> Cow<'a, str> {
        match *self {
            In::Str(s) => Cow::Borrowed(s),
            In::Null => Cow::Borrowed(""),
            In::I64(v) => Cow::Owned(v.to_string()),
            In::F64(v) => Cow::Owned(v.to_string()),
            In::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        }
    }

    pub fn i64(&self) -> Option<i64> {
        match *self {
            In::I64(v) => Some(v),
            In::F64(v) if v.is_finite() => Some(v as i64),
            In::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn f64(&self) -> Option<f64> {
        match *self {
            In::I64(v) => Some(v as f64),
            In::F64(v) => Some(v),
            In::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// One row's result.
#[derive(Debug, Clone, PartialEq)]
pub enum Out<'a> {
    Null,
    Str(Cow<'a, str>),
    I64(i64),
    F64(f64),
    Bool(bool),
}

impl<'a> Out<'a> {
    pub fn owned(s: String) -> Self {
        Out::Str(Cow::Owned(s))
    }
    pub fn borrowed(s: &'a str) -> Self {
        Out::Str(Cow::Borrowed(s))
    }
    pub fn opt_i64(v: Option<i64>) -> Self {
        v.map_or(Out::Null, Out::I64)
    }
    pub fn opt_bool(v: Option<bool>) -> Self {
        v.map_or(Out::Null, Out::Bool)
    }
    pub fn opt_str(v: Option<String>) -> Self {
        v.map_or(Out::Null, Out::owned)
    }
}

/// What a kernel may keep between rows of one batch: compiled regexes and parsed JSON,
/// so a constant pattern is compiled once per batch rather than once per row.
#[derive(Default)]
pub struct Scratch {
    regexes: Vec<(String, Regex)>,
    json: Option<(String, serde_json::Value)>,
}

/// How many distinct patterns a batch keeps compiled (patterns varying per row beyond
/// this are recompiled; a bounded cache keeps memory flat).
const REGEX_CACHE: usize = 16;

impl Scratch {
    /// The compiled `pattern`, from the cache when seen before.
    pub fn regex(&mut self, pattern: &str) -> Result<&Regex, String> {
        if let Some(i) = self.regexes.iter().position(|(p, _)| p == pattern) {
            return Ok(&self.regexes[i].1);
        }
        let compiled = Regex::new(pattern).map_err(|e| format!("invalid regex: {e}"))?;
        if self.regexes.len() >= REGEX_CACHE {
            self.regexes.remove(0);
        }
        self.regexes.push((pattern.to_string(), compiled));
        Ok(&self.regexes[self.regexes.len() - 1].1)
    }

    /// `text` parsed as JSON (null when it is not JSON), cached for repeated constants.
    pub fn json(&mut self, text: &str) -> &serde_json::Value {
        let hit = matches!(&self.json, Some((t, _)) if t == text);
        if !hit {
            let v = serde_json::from_str(text).unwrap_or(serde_json::Value::Null);
            self.json = Some((text.to_string(), v));
        }
        match &self.json {
            Some((_, v)) => v,
            None => &serde_json::Value::Null,
        }
    }
}

/// A row kernel. Errors abort the query with the message (they are for malformed
/// patterns, which the planner also checks up front when the pattern is a literal).
pub type RowFn = for<'a> fn(&[In<'a>], &mut Scratch) -> Result<Out<'a>, String>;

/// The Arrow type a kernel's results are collected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutType {
    Utf8,
    Int64,
    Float64,
    Boolean,
}

impl OutType {
    fn data_type(self) -> DataType {
        match self {
            OutType::Utf8 => DataType::Utf8,
            OutType::Int64 => DataType::Int64,
            OutType::Float64 => DataType::Float64,
            OutType::Boolean => DataType::Boolean,
        }
    }
}

#[derive(Debug)]
pub struct RowUdf {
    name: String,
    kernel: RowFn,
    out: OutType,
    signature: Signature,
}

impl PartialEq for RowUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.out == other.out
    }
}
impl Eq for RowUdf {}
impl std::hash::Hash for RowUdf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.out.hash(state);
    }
}

/// A UDF named `name` (give each kernel its own name: plans compare UDFs by name).
pub fn row_udf(name: &str, kernel: RowFn, out: OutType) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(RowUdf {
        name: name.to_string(),
        kernel,
        out,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

/// One argument column, read without copying.
enum Col {
    Utf8(ArrayRef),
    LargeUtf8(ArrayRef),
    View(ArrayRef),
    I64(ArrayRef),
    F64(ArrayRef),
    Bool(ArrayRef),
    Null,
}

impl Col {
    fn new(array: &ArrayRef) -> DfResult<Col> {
        Ok(match array.data_type() {
            DataType::Utf8 => Col::Utf8(array.clone()),
            DataType::LargeUtf8 => Col::LargeUtf8(array.clone()),
            DataType::Utf8View => Col::View(array.clone()),
            DataType::Int64 => Col::I64(array.clone()),
            DataType::Float64 => Col::F64(array.clone()),
            DataType::Boolean => Col::Bool(array.clone()),
            DataType::Null => Col::Null,
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64 => Col::I64(cast(array, &DataType::Int64)?),
            DataType::Float16 | DataType::Float32 | DataType::Decimal128(..) => {
                Col::F64(cast(array, &DataType::Float64)?)
            }
            _ => Col::Utf8(cast(array, &DataType::Utf8)?),
        })
    }

    fn get(&self, i: usize) -> In<'_> {
        match self {
            Col::Utf8(a) => In::Str(str_at(a.as_string::<i32>(), i)),
            Col::LargeUtf8(a) => In::Str(str_at(a.as_string::<i64>(), i)),
            Col::View(a) => {
                let a = a.as_string_view();
                In::Str(if a.is_null(i) { "" } else { a.value(i) })
            }
            Col::I64(a) if !a.is_null(i) => In::I64(a.as_primitive::<Int64Type>().value(i)),
            Col::F64(a) if !a.is_null(i) => In::F64(a.as_primitive::<Float64Type>().value(i)),
            Col::Bool(a) if !a.is_null(i) => In::Bool(a.as_boolean().value(i)),
            _ => In::Null,
        }
    }
}

fn str_at<O: datafusion::arrow::array::OffsetSizeTrait>(
    a: &datafusion::arrow::array::GenericStringArray<O>,
    i: usize,
) -> &str {
    if a.is_null(i) { "" } else { a.value(i) }
}

enum Builder {
    Utf8(StringBuilder),
    Int64(Int64Builder),
    Float64(Float64Builder),
    Boolean(BooleanBuilder),
}

impl Builder {
    fn new(out: OutType, rows: usize) -> Self {
        match out {
            OutType::Utf8 => Builder::Utf8(StringBuilder::with_capacity(rows, rows * 16)),
            OutType::Int64 => Builder::Int64(Int64Builder::with_capacity(rows)),
            OutType::Float64 => Builder::Float64(Float64Builder::with_capacity(rows)),
            OutType::Boolean => Builder::Boolean(BooleanBuilder::with_capacity(rows)),
        }
    }

    fn push(&mut self, v: Out<'_>) {
        match (self, v) {
            (Builder::Utf8(b), Out::Str(s)) => b.append_value(s),
            (Builder::Utf8(b), Out::I64(v)) => b.append_value(v.to_string()),
            (Builder::Int64(b), Out::I64(v)) => b.append_value(v),
            (Builder::Int64(b), Out::Bool(v)) => b.append_value(i64::from(v)),
            (Builder::Float64(b), Out::F64(v)) => b.append_value(v),
            (Builder::Float64(b), Out::I64(v)) => b.append_value(v as f64),
            (Builder::Boolean(b), Out::Bool(v)) => b.append_value(v),
            (Builder::Utf8(b), _) => b.append_null(),
            (Builder::Int64(b), _) => b.append_null(),
            (Builder::Float64(b), _) => b.append_null(),
            (Builder::Boolean(b), _) => b.append_null(),
        }
    }

    fn finish(self) -> ArrayRef {
        match self {
            Builder::Utf8(mut b) => Arc::new(b.finish()),
            Builder::Int64(mut b) => Arc::new(b.finish()),
            Builder::Float64(mut b) => Arc::new(b.finish()),
            Builder::Boolean(mut b) => Arc::new(b.finish()),
        }
    }
}

/// Applies `kernel` to `rows` rows of `arrays` (all of that length).
pub fn apply(kernel: RowFn, out: OutType, arrays: &[ArrayRef], rows: usize) -> DfResult<ArrayRef> {
    let cols = arrays.iter().map(Col::new).collect::<DfResult<Vec<_>>>()?;
    let mut scratch = Scratch::default();
    let mut builder = Builder::new(out, rows);
    let mut row: Vec<In<'_>> = Vec::with_capacity(cols.len());
    for i in 0..rows {
        row.clear();
        row.extend(cols.iter().map(|c| c.get(i)));
        let v = kernel(&row, &mut scratch).map_err(|e| exec_datafusion_err!("{e}"))?;
        builder.push(v);
    }
    Ok(builder.finish())
}

impl ScalarUDFImpl for RowUdf {
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
        let rows = args.number_rows;
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        if all_scalar {
            let arrays = args
                .args
                .iter()
                .map(|a| a.to_array(1))
                .collect::<DfResult<Vec<_>>>()?;
            let result = apply(self.kernel, self.out, &arrays, 1)?;
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?));
        }
        // A dictionary first argument with constant others: once per distinct value.
        if let Some(ColumnarValue::Array(first)) = args.args.first()
            && matches!(first.data_type(), DataType::Dictionary(..))
            && args.args[1..]
                .iter()
                .all(|a| matches!(a, ColumnarValue::Scalar(_)))
        {
            let dict = first.as_any_dictionary();
            let values = dict.values();
            let mut arrays = vec![values.clone()];
            for a in &args.args[1..] {
                arrays.push(a.to_array(values.len())?);
            }
            let per_value = apply(self.kernel, self.out, &arrays, values.len())?;
            let mut gathered = take(per_value.as_ref(), dict.keys(), None)?;
            if dict.keys().null_count() > 0 {
                // A null key is a null (empty) string: evaluate that once too.
                let empty = ColumnarValue::Scalar(ScalarValue::Utf8(None)).to_array(1)?;
                let mut arrays = vec![empty];
                for a in &args.args[1..] {
                    arrays.push(a.to_array(1)?);
                }
                let for_null = apply(self.kernel, self.out, &arrays, 1)?;
                let keys_null = datafusion::arrow::compute::is_null(dict.keys())?;
                let filler =
                    datafusion::arrow::compute::kernels::concat::concat(&vec![
                        for_null.as_ref();
                        gathered.len()
                    ])?;
                gathered =
                    datafusion::arrow::compute::kernels::zip::zip(&keys_null, &filler, &gathered)?;
            }
            return Ok(ColumnarValue::Array(gathered));
        }
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<DfResult<Vec<_>>>()?;
        Ok(ColumnarValue::Array(apply(
            self.kernel,
            self.out,
            &arrays,
            rows,
        )?))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use datafusion::arrow::array::{DictionaryArray, StringArray};
    use datafusion::arrow::datatypes::Int32Type;

    /// Runs a kernel on one row of constants (test helper for the kernel files).
    pub(crate) fn run1(kernel: RowFn, args: &[In<'_>]) -> Result<Out<'static>, String> {
        let mut scratch = Scratch::default();
        kernel(args, &mut scratch).map(|o| match o {
            Out::Str(s) => Out::Str(Cow::Owned(s.into_owned())),
            Out::Null => Out::Null,
            Out::I64(v) => Out::I64(v),
            Out::F64(v) => Out::F64(v),
            Out::Bool(v) => Out::Bool(v),
        })
    }

    fn upper<'a>(args: &[In<'a>], _: &mut Scratch) -> Result<Out<'a>, String> {
        Ok(Out::owned(args[0].str().to_uppercase()))
    }

    #[test]
    fn null_strings_reach_kernels_as_empty_and_dictionaries_work() -> DfResult<()> {
        let dict: DictionaryArray<Int32Type> = vec![Some("ab"), None, Some("ab"), Some("c")]
            .into_iter()
            .collect();
        let udf = row_udf("t_upper", upper, OutType::Utf8);
        let args = ScalarFunctionArgs {
            args: vec![ColumnarValue::Array(Arc::new(dict))],
            arg_fields: vec![Arc::new(datafusion::arrow::datatypes::Field::new(
                "a",
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                true,
            ))],
            number_rows: 4,
            return_field: Arc::new(datafusion::arrow::datatypes::Field::new(
                "r",
                DataType::Utf8,
                true,
            )),
            config_options: Arc::new(Default::default()),
        };
        let ColumnarValue::Array(out) = udf.invoke_with_args(args)? else {
            panic!("expected an array");
        };
        let out = cast(&out, &DataType::Utf8)?;
        let expected: ArrayRef = Arc::new(StringArray::from(vec!["AB", "", "AB", "C"]));
        assert_eq!(&out, &expected);
        Ok(())
    }
}
