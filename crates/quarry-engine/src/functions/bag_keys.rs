//! Schema discovery for `evaluate bag_unpack()`: the keys of each row's property bag,
//! each tagged with the kind of its value, so the planner can choose column types.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::Value;

use super::json::json_text_to_value;

/// The one-letter kind of a bag value: long, real, string, bool, null, or other.
pub fn value_kind(v: &Value) -> char {
    match v {
        Value::Number(n) if n.is_f64() => 'r',
        Value::Number(_) => 'l',
        Value::String(_) => 's',
        Value::Bool(_) => 'b',
        Value::Null => 'n',
        _ => 'd',
    }
}

/// `kql_bag_key_kinds(bag)`: a list of `"<kind><key>"` per row (empty for non-bags).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct BagKeyKindsUdf {
    signature: Signature,
}

pub fn bag_key_kinds_udf() -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(BagKeyKindsUdf {
        signature: Signature::any(1, Volatility::Immutable),
    }))
}

impl ScalarUDFImpl for BagKeyKindsUdf {
    fn name(&self) -> &str {
        "kql_bag_key_kinds"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::List(Arc::new(Field::new(
            "item",
            DataType::Utf8,
            true,
        ))))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let n = args.number_rows;
        let mut out = ListBuilder::new(StringBuilder::new());
        if let Some(arg) = args.args.first() {
            let array: ArrayRef = cast(&arg.to_array(n)?, &DataType::Utf8)?;
            let text = array.as_string::<i32>();
            for i in 0..n {
                if !text.is_null(i)
                    && let Value::Object(m) = json_text_to_value(text.value(i))
                {
                    for (k, v) in &m {
                        out.values().append_value(format!("{}{k}", value_kind(v)));
                    }
                }
                out.append(true);
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}
