//! A scalar UDF made from a plain function over whole Arrow arrays.
//!
//! Most of Kusto's datetime and math functions that DataFusion lacks are a loop over
//! one or two primitive arrays; writing a `ScalarUDFImpl` for each would be boilerplate.
//! [`ArrayUdf`] wraps `fn(&[ArrayRef]) -> Result<ArrayRef>` with a fixed return type.
//! Scalar arguments are expanded to arrays of the batch's length first.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// The kernel: the arguments, all of the batch's length, to the result array.
pub type Kernel = fn(&[ArrayRef]) -> DfResult<ArrayRef>;

#[derive(Debug)]
pub struct ArrayUdf {
    name: &'static str,
    arity: usize,
    output: DataType,
    kernel: Kernel,
    signature: Signature,
}

// Identity is the name: each name is registered with exactly one kernel.
impl PartialEq for ArrayUdf {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for ArrayUdf {}
impl Hash for ArrayUdf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for ArrayUdf {
    fn name(&self) -> &str {
        self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(self.output.clone())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        if args.args.len() != self.arity {
            return exec_err!("{} takes {} arguments", self.name, self.arity);
        }
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(args.number_rows))
            .collect::<DfResult<Vec<_>>>()?;
        let out = (self.kernel)(&arrays)?;
        if out.data_type() != &self.output {
            return Ok(ColumnarValue::Array(cast(&out, &self.output)?));
        }
        Ok(ColumnarValue::Array(out))
    }
}

/// A UDF named `name` taking `arity` arguments of any type and returning `output`.
pub fn array_udf(
    name: &'static str,
    arity: usize,
    output: DataType,
    kernel: Kernel,
) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(ArrayUdf {
        name,
        arity,
        output,
        kernel,
        signature: Signature::any(arity, Volatility::Immutable),
    }))
}

/// An argument as Int64 (datetimes and timespans give their nanoseconds).
pub fn i64s(a: &ArrayRef) -> DfResult<Int64Array> {
    let a = match a.data_type() {
        DataType::Timestamp(..) | DataType::Duration(_) => cast(a, &DataType::Int64)?,
        DataType::Int64 => a.clone(),
        _ => cast(a, &DataType::Int64)?,
    };
    Ok(a.as_primitive::<Int64Type>().clone())
}

/// An argument as Float64.
pub fn f64s(a: &ArrayRef) -> DfResult<Float64Array> {
    let a = cast(a, &DataType::Float64)?;
    Ok(a.as_primitive::<Float64Type>().clone())
}

/// The `i`-th value of an Int64 array, None when null.
pub fn opt_i64(a: &Int64Array, i: usize) -> Option<i64> {
    (!a.is_null(i)).then(|| a.value(i))
}

/// The `i`-th value of a Float64 array, None when null.
pub fn opt_f64(a: &Float64Array, i: usize) -> Option<f64> {
    (!a.is_null(i)).then(|| a.value(i))
}
