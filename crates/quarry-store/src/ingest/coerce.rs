//! JSON and CSV text to a column's Kusto type, with the conversions Kusto's own `to*()`
//! functions make: `"42"` is a fine long, `1.9` becomes 1, `"true"` is a bool, an object
//! in a string column is its JSON text. What cannot be converted is an error naming the
//! value, so that the record is rejected rather than silently nulled.

use std::borrow::Cow;

use kql_syntax::ast::ScalarType;
use kql_syntax::time;

use super::scan::{Kind, Scanner, Value};
use crate::batch::Cell;

/// Coerces one JSON value, given as its exact text, to `ty`.
pub fn json_cell(raw: &str, ty: ScalarType) -> Result<Cell<'_>, String> {
    let mut s = Scanner::new(raw);
    let value = s
        .value()
        .and_then(|v| s.end().map(|()| v))
        .map_err(|_| format!("'{}' is not well-formed JSON", shorten(raw)))?;
    value_cell(value, ty)
}

/// Coerces one scanned JSON value to `ty`.
pub fn value_cell(value: Value<'_>, ty: ScalarType) -> Result<Cell<'_>, String> {
    let raw = value.raw;
    match value.kind {
        Kind::Null => Ok(Cell::Null),
        Kind::Str { .. } => match ty {
            // A string in a dynamic column is a JSON string value: its text as it came.
            ScalarType::Dynamic => Ok(Cell::Str(Cow::Borrowed(raw))),
            _ => match value.string() {
                Some(s) => text_cell(s?, ty),
                None => Err("malformed string".into()),
            },
        },
        Kind::Object { compact } | Kind::Array { compact } => match ty {
            ScalarType::String | ScalarType::Dynamic if compact => {
                Ok(Cell::Str(Cow::Borrowed(raw)))
            }
            ScalarType::String | ScalarType::Dynamic => {
                let v: serde_json::Value = serde_json::from_str(raw).map_err(|e| e.to_string())?;
                Ok(Cell::Str(Cow::Owned(v.to_string())))
            }
            _ => Err(format!(
                "JSON {} is not a {}",
                value.kind.describe(),
                ty.name()
            )),
        },
        Kind::Bool(v) => match ty {
            ScalarType::Bool => Ok(Cell::Bool(v)),
            ScalarType::Int => Ok(Cell::Int(v as i32)),
            ScalarType::Long => Ok(Cell::Long(v as i64)),
            ScalarType::Real => Ok(Cell::Real(v as i64 as f64)),
            ScalarType::String | ScalarType::Dynamic => Ok(Cell::Str(Cow::Borrowed(raw))),
            _ => Err(format!("{raw} is not a {}", ty.name())),
        },
        Kind::Number => number_cell(raw, ty),
    }
}

/// A JSON number to `ty`.
fn number_cell(raw: &str, ty: ScalarType) -> Result<Cell<'_>, String> {
    let bad = || format!("'{}' is not a {}", shorten(raw), ty.name());
    match ty {
        ScalarType::Long => integer(raw).map(Cell::Long).ok_or_else(bad),
        ScalarType::Int => integer(raw)
            .and_then(|v| i32::try_from(v).ok())
            .map(Cell::Int)
            .ok_or_else(bad),
        ScalarType::Real => raw.parse::<f64>().map(Cell::Real).map_err(|_| bad()),
        ScalarType::Bool => raw
            .parse::<f64>()
            .map(|v| Cell::Bool(v != 0.0))
            .map_err(|_| bad()),
        ScalarType::Decimal => raw
            .parse::<f64>()
            .map(|_| Cell::Str(Cow::Borrowed(raw)))
            .map_err(|_| bad()),
        ScalarType::String | ScalarType::Dynamic => {
            raw.parse::<f64>().map_err(|_| bad())?;
            Ok(Cell::Str(Cow::Borrowed(raw)))
        }
        ScalarType::Timespan => integer(raw).map(Cell::Timespan).ok_or_else(bad),
        ScalarType::DateTime | ScalarType::Guid => Err(bad()),
    }
}

/// A long from a JSON number or numeric text: integers exactly, reals truncated.
fn integer(raw: &str) -> Option<i64> {
    if let Ok(v) = raw.parse::<i64>() {
        return Some(v);
    }
    let f = raw.parse::<f64>().ok()?;
    (f.is_finite() && f.abs() < 9.2e18).then_some(f.trunc() as i64)
}

/// Text (a JSON string's value, or a CSV field) to `ty`.
pub fn text_cell(s: Cow<'_, str>, ty: ScalarType) -> Result<Cell<'_>, String> {
    let bad = |s: &str| format!("'{}' is not a {}", shorten(s), ty.name());
    match ty {
        ScalarType::String => Ok(Cell::Str(s)),
        ScalarType::Dynamic => {
            // A string in a dynamic column is a JSON string value.
            let quoted = serde_json::to_string(s.as_ref()).map_err(|e| e.to_string())?;
            Ok(Cell::Str(Cow::Owned(quoted)))
        }
        _ if s.trim().is_empty() => Ok(Cell::Null),
        ScalarType::Long => integer(s.trim()).map(Cell::Long).ok_or_else(|| bad(&s)),
        ScalarType::Int => integer(s.trim())
            .and_then(|v| i32::try_from(v).ok())
            .map(Cell::Int)
            .ok_or_else(|| bad(&s)),
        ScalarType::Real => {
            let t = s.trim();
            let v = match t {
                "NaN" => f64::NAN,
                "Infinity" | "+Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                _ => t.parse::<f64>().map_err(|_| bad(&s))?,
            };
            Ok(Cell::Real(v))
        }
        ScalarType::Bool => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Cell::Bool(true)),
            "false" | "0" => Ok(Cell::Bool(false)),
            _ => Err(bad(&s)),
        },
        ScalarType::DateTime => time::parse_datetime(&s)
            .map(Cell::DateTime)
            .ok_or_else(|| bad(&s)),
        ScalarType::Timespan => time::parse_timespan(&s)
            .map(Cell::Timespan)
            .ok_or_else(|| bad(&s)),
        ScalarType::Guid => time::parse_guid(&s)
            .map(|g| Cell::Str(Cow::Owned(g)))
            .ok_or_else(|| bad(&s)),
        ScalarType::Decimal => {
            s.trim().parse::<f64>().map_err(|_| bad(&s))?;
            Ok(Cell::Str(s))
        }
    }
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(raw: &str, ty: ScalarType) -> Cell<'_> {
        json_cell(raw, ty).unwrap_or_else(|e| panic!("{raw} as {}: {e}", ty.name()))
    }

    #[test]
    fn numbers_follow_kusto_conversions() {
        assert_eq!(c("42", ScalarType::Long), Cell::Long(42));
        assert_eq!(c("\"42\"", ScalarType::Long), Cell::Long(42));
        assert_eq!(c("1.9", ScalarType::Long), Cell::Long(1));
        assert_eq!(c("true", ScalarType::Long), Cell::Long(1));
        assert_eq!(c("7", ScalarType::Int), Cell::Int(7));
        assert!(json_cell("99999999999", ScalarType::Int).is_err());
        assert_eq!(c("2", ScalarType::Real), Cell::Real(2.0));
        assert!(json_cell("\"abc\"", ScalarType::Long).is_err());
    }

    #[test]
    fn strings_objects_and_dynamics() {
        assert_eq!(
            c("\"a\\\"b\"", ScalarType::String),
            Cell::Str("a\"b".into())
        );
        assert_eq!(
            c("{\"k\": [1, 2]}", ScalarType::String),
            Cell::Str("{\"k\":[1,2]}".into())
        );
        assert_eq!(
            c("{\"k\":1}", ScalarType::Dynamic),
            Cell::Str("{\"k\":1}".into())
        );
        assert_eq!(c("\"x\"", ScalarType::Dynamic), Cell::Str("\"x\"".into()));
        assert_eq!(c("12", ScalarType::String), Cell::Str("12".into()));
        assert_eq!(c("null", ScalarType::String), Cell::Null);
    }

    #[test]
    fn datetimes_and_bools() {
        assert_eq!(
            c("\"1970-01-01T00:00:01Z\"", ScalarType::DateTime),
            Cell::DateTime(10_000_000)
        );
        assert!(json_cell("\"yesterday\"", ScalarType::DateTime).is_err());
        assert!(json_cell("5", ScalarType::DateTime).is_err());
        assert_eq!(c("\"True\"", ScalarType::Bool), Cell::Bool(true));
        assert_eq!(c("0", ScalarType::Bool), Cell::Bool(false));
        assert!(json_cell("[1]", ScalarType::Bool).is_err());
    }

    /// Nested JSON of any shape, compact or pretty-printed.
    fn nested_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "\\PC{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[a-z \\\\\"]{0,6}", inner, 0..5)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Objects and arrays are stored as compact JSON however they were written: the
        /// scanner's "already compact" verdict is only trusted when it is right.
        #[test]
        fn nested_json_is_stored_compact(v in nested_json(), pretty in proptest::bool::ANY) {
            proptest::prop_assume!(v.is_object() || v.is_array());
            let text = if pretty {
                serde_json::to_string_pretty(&v).expect("serializes")
            } else {
                serde_json::to_string(&v).expect("serializes")
            };
            for ty in [ScalarType::String, ScalarType::Dynamic] {
                let cell = json_cell(&text, ty).expect("well-formed");
                proptest::prop_assert_eq!(cell, Cell::Str(v.to_string().into()));
            }
        }
    }
}
