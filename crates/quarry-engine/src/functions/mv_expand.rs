//! The per-row lists `mv-expand` unnests.
//!
//! Kusto expands several columns in parallel: a row yields as many rows as its longest
//! expansion (capped by `limit`), shorter ones are padded with nulls, a null value
//! yields one null, an empty array or bag yields nothing. So that DataFusion's unnest
//! (which zips lists of different lengths its own way) never has to decide, each
//! column's list is built here already padded to the row's common length.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, Int64Builder, ListBuilder, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::{Map, Value};

use super::dynamic::In;
use super::json::{array_value_to_json, json_text_to_value};

/// What one `mv-expand` list UDF produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MvList {
    /// The elements of the argument at this position, as JSON text.
    Elements(usize),
    /// `with_itemindex`: 0, 1, 2, ...
    Index,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MvListUdf {
    name: String,
    which: MvList,
    /// `kind=array`: a bag property expands to `[key, value]` instead of `{key: value}`.
    bag_as_array: bool,
    limit: Option<usize>,
    inputs: Vec<In>,
    signature: Signature,
}

pub fn mv_list_udf(
    which: MvList,
    bag_as_array: bool,
    limit: Option<usize>,
    inputs: Vec<In>,
) -> Arc<ScalarUDF> {
    let tag = match which {
        MvList::Elements(i) => format!("e{i}"),
        MvList::Index => "index".into(),
    };
    Arc::new(ScalarUDF::from(MvListUdf {
        name: format!("kql_mv_expand_{tag}"),
        which,
        bag_as_array,
        limit,
        inputs,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

/// The values one dynamic value expands to.
pub fn expand_value(v: Value, bag_as_array: bool) -> Vec<Value> {
    match v {
        Value::Array(items) => items,
        Value::Object(m) => m
            .into_iter()
            .map(|(k, v)| {
                if bag_as_array {
                    Value::Array(vec![Value::String(k), v])
                } else {
                    let mut one = Map::new();
                    one.insert(k, v);
                    Value::Object(one)
                }
            })
            .collect(),
        other => vec![other],
    }
}

fn element_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
}

impl ScalarUDFImpl for MvListUdf {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(match self.which {
            MvList::Elements(_) => element_type(),
            MvList::Index => DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
        })
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let n = args.number_rows;
        let mut columns = Vec::with_capacity(args.args.len());
        for (i, a) in args.args.iter().enumerate() {
            let array = a.to_array(n)?;
            let input = self.inputs.get(i).copied().unwrap_or(In::Json);
            columns.push(match (input, array.data_type()) {
                (In::Json, _) => (true, cast(&array, &DataType::Utf8)?),
                (In::Value, DataType::Dictionary(_, v)) => (false, cast(&array, v)?),
                (In::Value, _) => (false, array),
            });
        }
        let value_at = |c: &(bool, ArrayRef), row: usize| -> DfResult<Value> {
            let (is_json, array) = c;
            if array.is_null(row) {
                return Ok(Value::Null);
            }
            if *is_json {
                return Ok(json_text_to_value(array.as_string::<i32>().value(row)));
            }
            match array_value_to_json(array.as_ref(), row) {
                Ok(v) => Ok(v),
                Err(e) => exec_err!("mv-expand: {e}"),
            }
        };
        let limit = self.limit.unwrap_or(usize::MAX);
        let mut texts = ListBuilder::new(StringBuilder::new());
        let mut index = ListBuilder::new(Int64Builder::new());
        for row in 0..n {
            let mut len = 0;
            let mut mine = Vec::new();
            for (i, c) in columns.iter().enumerate() {
                let expanded = expand_value(value_at(c, row)?, self.bag_as_array);
                len = len.max(expanded.len());
                if self.which == MvList::Elements(i) {
                    mine = expanded;
                }
            }
            let len = len.min(limit);
            match self.which {
                MvList::Index => {
                    for j in 0..len {
                        index.values().append_value(j as i64);
                    }
                    index.append(true);
                }
                MvList::Elements(_) => {
                    let mut items = mine.into_iter();
                    for _ in 0..len {
                        match items.next() {
                            None | Some(Value::Null) => texts.values().append_null(),
                            Some(v) => texts.values().append_value(v.to_string()),
                        }
                    }
                    texts.append(true);
                }
            }
        }
        let out: ArrayRef = match self.which {
            MvList::Index => Arc::new(index.finish()),
            MvList::Elements(_) => Arc::new(texts.finish()),
        };
        Ok(ColumnarValue::Array(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bags_expand_to_one_property_each() {
        let bag = json!({"a": 1, "b": 2});
        assert_eq!(
            expand_value(bag.clone(), false),
            vec![json!({"a": 1}), json!({"b": 2})]
        );
        assert_eq!(
            expand_value(bag, true),
            vec![json!(["a", 1]), json!(["b", 2])]
        );
        assert_eq!(expand_value(json!([]), false), Vec::<Value>::new());
        assert_eq!(expand_value(Value::Null, false), vec![Value::Null]);
        assert_eq!(expand_value(json!(5), false), vec![json!(5)]);
    }
}
