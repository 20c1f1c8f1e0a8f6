//! `buildschema(DynamicExpr)`: the minimal schema admitting every value. A schema is a
//! primitive type name (`"long"`, `"double"`, `"string"`, `"bool"`), a container
//! `{name: schema, ...}` (arrays are containers whose one key is `` `indexer` ``), or a
//! union `[schema, ...]` of distinct alternatives with at most one container.
//! Keys and alternatives keep the order in which they are first seen.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result as DfResult, exec_err};
use datafusion::logical_expr::ScalarUDF;
use serde_json::{Map, Value};

use super::array_udf::array_udf;
use super::json::json_text_to_value;

const INDEXER: &str = "`indexer`";

/// One alternative of a schema.
#[derive(Debug, Clone, PartialEq)]
enum Alt {
    Primitive(&'static str),
    Container(Vec<(String, Schema)>),
}

/// A schema: its alternatives (one for a plain type, several for a union).
#[derive(Debug, Clone, PartialEq, Default)]
struct Schema(Vec<Alt>);

impl Schema {
    /// The schema of one value; None for null, which every schema admits.
    fn of(value: &Value) -> Option<Schema> {
        let alt = match value {
            Value::Null => return None,
            Value::Bool(_) => Alt::Primitive("bool"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Alt::Primitive("long"),
            Value::Number(_) => Alt::Primitive("double"),
            Value::String(_) => Alt::Primitive("string"),
            Value::Array(items) => {
                let mut element = Schema::default();
                for item in items {
                    if let Some(s) = Schema::of(item) {
                        element.merge(s);
                    }
                }
                if element.0.is_empty() {
                    Alt::Container(Vec::new())
                } else {
                    Alt::Container(vec![(INDEXER.to_string(), element)])
                }
            }
            Value::Object(fields) => Alt::Container(
                fields
                    .iter()
                    .filter_map(|(k, v)| Schema::of(v).map(|s| (k.clone(), s)))
                    .collect(),
            ),
        };
        Some(Schema(vec![alt]))
    }

    fn merge(&mut self, other: Schema) {
        for alt in other.0 {
            self.add(alt);
        }
    }

    fn add(&mut self, alt: Alt) {
        match alt {
            Alt::Primitive(p) => {
                if !self.0.contains(&Alt::Primitive(p)) {
                    self.0.push(Alt::Primitive(p));
                }
            }
            Alt::Container(fields) => {
                let existing = self.0.iter_mut().find_map(|a| match a {
                    Alt::Container(f) => Some(f),
                    Alt::Primitive(_) => None,
                });
                match existing {
                    None => self.0.push(Alt::Container(fields)),
                    Some(mine) => {
                        for (key, schema) in fields {
                            match mine.iter_mut().find(|(k, _)| *k == key) {
                                Some((_, s)) => s.merge(schema),
                                None => mine.push((key, schema)),
                            }
                        }
                    }
                }
            }
        }
    }

    fn to_json(&self) -> Value {
        let alt_json = |alt: &Alt| match alt {
            Alt::Primitive(p) => Value::String((*p).to_string()),
            Alt::Container(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, s)| (k.clone(), s.to_json()))
                    .collect::<Map<String, Value>>(),
            ),
        };
        match self.0.as_slice() {
            [] => Value::Null,
            [one] => alt_json(one),
            many => Value::Array(many.iter().map(alt_json).collect()),
        }
    }
}

/// The schema of a list of dynamic values (JSON texts), as JSON text; None when every
/// value is null.
pub fn build_schema<'a>(values: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut schema = Schema::default();
    for text in values {
        if let Some(s) = Schema::of(&json_text_to_value(text)) {
            schema.merge(s);
        }
    }
    (!schema.0.is_empty()).then(|| schema.to_json().to_string())
}

fn kernel(args: &[ArrayRef]) -> DfResult<ArrayRef> {
    let Some(lists) = args.first() else {
        return exec_err!("buildschema takes one argument");
    };
    let mut out = StringBuilder::new();
    match lists.data_type() {
        DataType::List(_) => {
            let lists = lists.as_list::<i32>();
            for i in 0..lists.len() {
                if lists.is_null(i) {
                    out.append_null();
                    continue;
                }
                let texts = cast(&lists.value(i), &DataType::Utf8)?;
                let texts = texts.as_string::<i32>();
                let values = (0..texts.len())
                    .filter(|&j| texts.is_valid(j))
                    .map(|j| texts.value(j));
                out.append_option(build_schema(values));
            }
        }
        other => return exec_err!("buildschema expects a list, got {other}"),
    }
    Ok(Arc::new(out.finish()))
}

/// `kql_buildschema(list of dynamic texts)` → the schema as dynamic JSON text.
pub fn buildschema_udf() -> Arc<ScalarUDF> {
    array_udf("kql_buildschema", 1, DataType::Utf8, kernel)
}

#[cfg(test)]
mod tests {
    use super::build_schema;

    #[test]
    fn unions_and_containers_merge_in_first_seen_order() {
        let schema = build_schema([
            r#"{"a": 2, "b": [true]}"#,
            r#"{"a": "s", "c": {"d": 1.5}}"#,
            r#"{"c": 7, "b": ["x", false]}"#,
        ]);
        assert_eq!(
            schema.as_deref(),
            Some(
                r#"{"a":["long","string"],"b":{"`indexer`":["bool","string"]},"c":[{"d":"double"},"long"]}"#
            )
        );
    }

    #[test]
    fn nulls_only_give_no_schema() {
        assert_eq!(build_schema(["null"]), None);
        assert_eq!(build_schema(["3"]).as_deref(), Some(r#""long""#));
    }
}
