//! Kusto scalar types on Arrow.
//!
//! Most Kusto types have an obvious Arrow home. `guid` and `dynamic` do not: both are
//! stored as Utf8 (the canonical guid text; compact JSON text), so the Kusto type is
//! written into the Arrow field's metadata under [`KQL_TYPE_KEY`]. Everything that
//! creates a column of those types must go through [`field_for`] or [`metadata_for`].

use std::collections::HashMap;

use datafusion::arrow::datatypes::{DataType, Field, TimeUnit};
use datafusion::common::metadata::FieldMetadata;
pub use kql_syntax::ast::ScalarType;

/// Field metadata key that carries the Kusto type when Arrow's type is ambiguous.
pub const KQL_TYPE_KEY: &str = "kql.type";

/// The time zone every datetime column carries.
pub const UTC: &str = "UTC";

/// The Arrow type that stores a Kusto type.
pub fn arrow_type(ty: ScalarType) -> DataType {
    match ty {
        ScalarType::Bool => DataType::Boolean,
        ScalarType::Int => DataType::Int32,
        ScalarType::Long => DataType::Int64,
        ScalarType::Real => DataType::Float64,
        ScalarType::Decimal => DataType::Decimal128(38, 18),
        ScalarType::String | ScalarType::Guid | ScalarType::Dynamic => DataType::Utf8,
        ScalarType::DateTime => DataType::Timestamp(TimeUnit::Nanosecond, Some(UTC.into())),
        ScalarType::Timespan => DataType::Duration(TimeUnit::Nanosecond),
    }
}

/// The metadata marking a Utf8 field as guid or dynamic; `None` for the other types.
pub fn metadata_for(ty: ScalarType) -> Option<FieldMetadata> {
    let tag = match ty {
        ScalarType::Guid => "guid",
        ScalarType::Dynamic => "dynamic",
        _ => return None,
    };
    let map: std::collections::BTreeMap<String, String> =
        [(KQL_TYPE_KEY.to_string(), tag.to_string())]
            .into_iter()
            .collect();
    Some(FieldMetadata::from(map))
}

/// A nullable Arrow field holding a Kusto type.
pub fn field_for(name: &str, ty: ScalarType) -> Field {
    let field = Field::new(name, arrow_type(ty), true);
    match ty {
        ScalarType::Guid | ScalarType::Dynamic => {
            let tag = if ty == ScalarType::Guid {
                "guid"
            } else {
                "dynamic"
            };
            field.with_metadata(HashMap::from([(KQL_TYPE_KEY.to_string(), tag.to_string())]))
        }
        _ => field,
    }
}

/// The Kusto type of a field: its metadata tag if any, else the type its Arrow type maps to.
pub fn kql_type_of(field: &Field) -> ScalarType {
    match field.metadata().get(KQL_TYPE_KEY).map(String::as_str) {
        Some("guid") => ScalarType::Guid,
        Some("dynamic") => ScalarType::Dynamic,
        _ => kql_type_of_arrow(field.data_type()),
    }
}

/// The Kusto type an Arrow type maps to when no metadata says otherwise.
///
/// Arrow types with no Kusto equivalent map to the nearest one that can hold their
/// values (unsigned counts from DataFusion aggregates are longs, lists are dynamic).
pub fn kql_type_of_arrow(dt: &DataType) -> ScalarType {
    match dt {
        DataType::Boolean => ScalarType::Bool,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
            ScalarType::Int
        }
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => ScalarType::Long,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => ScalarType::Real,
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => ScalarType::Decimal,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => ScalarType::DateTime,
        DataType::Duration(_) | DataType::Interval(_) => ScalarType::Timespan,
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::ListView(_)
        | DataType::LargeListView(_)
        | DataType::FixedSizeList(..)
        | DataType::Struct(_)
        | DataType::Map(..) => ScalarType::Dynamic,
        DataType::Dictionary(_, value) => kql_type_of_arrow(value),
        _ => ScalarType::String,
    }
}

/// True for every Arrow type that holds Kusto strings.
pub fn is_string_type(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => true,
        DataType::Dictionary(_, value) => is_string_type(value),
        _ => false,
    }
}

/// The type name the API puts in a response schema.
pub fn api_type_name(ty: ScalarType) -> &'static str {
    match ty {
        ScalarType::Bool => "Boolean",
        ScalarType::Int => "Int32",
        ScalarType::Long => "Int64",
        ScalarType::Real => "Double",
        ScalarType::Decimal => "Decimal",
        ScalarType::String => "String",
        ScalarType::DateTime => "DateTime",
        ScalarType::Timespan => "TimeSpan",
        ScalarType::Guid => "Guid",
        ScalarType::Dynamic => "Object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_and_dynamic_survive_the_round_trip_through_metadata() {
        for ty in [
            ScalarType::Bool,
            ScalarType::Int,
            ScalarType::Long,
            ScalarType::Real,
            ScalarType::Decimal,
            ScalarType::String,
            ScalarType::DateTime,
            ScalarType::Timespan,
            ScalarType::Guid,
            ScalarType::Dynamic,
        ] {
            assert_eq!(kql_type_of(&field_for("c", ty)), ty);
        }
    }

    #[test]
    fn string_encodings_are_all_strings() {
        let dict = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        assert!(is_string_type(&dict));
        assert_eq!(kql_type_of_arrow(&DataType::Utf8View), ScalarType::String);
        assert_eq!(kql_type_of_arrow(&dict), ScalarType::String);
    }
}
