//! Literal values and scalar type names.

/// Kusto's scalar types, as written in schemas, `let` parameters and `typeof()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    Bool,
    Int,
    Long,
    Real,
    Decimal,
    String,
    DateTime,
    Timespan,
    Guid,
    Dynamic,
}

impl ScalarType {
    /// Every spelling Kusto accepts, including the .NET aliases.
    pub fn from_name(name: &str) -> Option<ScalarType> {
        Some(match name {
            "bool" | "boolean" => ScalarType::Bool,
            "int" | "int32" => ScalarType::Int,
            "long" | "int64" => ScalarType::Long,
            "real" | "double" => ScalarType::Real,
            "decimal" => ScalarType::Decimal,
            "string" => ScalarType::String,
            "datetime" | "date" => ScalarType::DateTime,
            "timespan" | "time" => ScalarType::Timespan,
            "guid" | "uniqueid" => ScalarType::Guid,
            "dynamic" => ScalarType::Dynamic,
            _ => return None,
        })
    }

    /// The canonical KQL name.
    pub fn name(self) -> &'static str {
        match self {
            ScalarType::Bool => "bool",
            ScalarType::Int => "int",
            ScalarType::Long => "long",
            ScalarType::Real => "real",
            ScalarType::Decimal => "decimal",
            ScalarType::String => "string",
            ScalarType::DateTime => "datetime",
            ScalarType::Timespan => "timespan",
            ScalarType::Guid => "guid",
            ScalarType::Dynamic => "dynamic",
        }
    }
}

/// A literal as written in the query, already decoded: strings unescaped, datetimes and
/// timespans converted to 100-nanosecond ticks (Kusto's own resolution).
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `long(null)`, `datetime(null)`, ...: a null of a known type.
    Null(ScalarType),
    Bool(bool),
    /// `int(5)`; a bare `5` is a long.
    Int(i32),
    Long(i64),
    Real(f64),
    /// `decimal(1.5)`, kept as its decimal text.
    Decimal(String),
    String(String),
    /// Ticks since 1970-01-01T00:00:00Z.
    DateTime(i64),
    /// Ticks.
    Timespan(i64),
    /// Lower-case hyphenated form.
    Guid(String),
    Dynamic(DynValue),
}

/// The value inside `dynamic(...)`: JSON plus Kusto's typed literals.
#[derive(Debug, Clone, PartialEq)]
pub enum DynValue {
    Null,
    Bool(bool),
    Long(i64),
    Real(f64),
    String(String),
    DateTime(i64),
    Timespan(i64),
    Guid(String),
    Array(Vec<DynValue>),
    Object(Vec<(String, DynValue)>),
}
