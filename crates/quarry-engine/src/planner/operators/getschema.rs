//! `T | getschema`: one row per column of the input: ColumnName, ColumnOrdinal,
//! DataType (the .NET type name Kusto reports) and ColumnType (the Kusto type name).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int32Array, StringArray};
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::logical_expr::LogicalPlan;

use crate::error::{QueryError, Result};
use crate::planner::sources::scan_batches;
use crate::types::{ScalarType, field_for, kql_type_of};

/// The CLR type name Kusto shows for each scalar type.
fn clr_name(ty: ScalarType) -> &'static str {
    match ty {
        ScalarType::Bool => "System.SByte",
        ScalarType::Int => "System.Int32",
        ScalarType::Long => "System.Int64",
        ScalarType::Real => "System.Double",
        ScalarType::Decimal => "System.Data.SqlTypes.SqlDecimal",
        ScalarType::String => "System.String",
        ScalarType::DateTime => "System.DateTime",
        ScalarType::Timespan => "System.TimeSpan",
        ScalarType::Guid => "System.Guid",
        ScalarType::Dynamic => "System.Object",
    }
}

pub(crate) fn plan(input: LogicalPlan) -> Result<LogicalPlan> {
    let fields = input.schema().fields();
    let names: Vec<String> = fields.iter().map(|f| f.name().clone()).collect();
    let types: Vec<ScalarType> = fields.iter().map(|f| kql_type_of(f)).collect();
    let ordinals: Vec<i32> = (0..names.len())
        .map(|i| i32::try_from(i).unwrap_or(i32::MAX))
        .collect();
    let schema = Arc::new(Schema::new(vec![
        field_for("ColumnName", ScalarType::String),
        field_for("ColumnOrdinal", ScalarType::Int),
        field_for("DataType", ScalarType::String),
        field_for("ColumnType", ScalarType::String),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(names)),
        Arc::new(Int32Array::from(ordinals)),
        Arc::new(StringArray::from(
            types.iter().map(|t| clr_name(*t)).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            types.iter().map(|t| t.name()).collect::<Vec<_>>(),
        )),
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)
        .map_err(|e| QueryError::Execution(e.to_string()))?;
    scan_batches("getschema", schema, vec![batch])
}
