//! `datatable(A:type, ...) [v1, v2, ...]`: values row by row, each converted to its
//! column's declared type.

use std::sync::Arc;

use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::LogicalPlan;
use kql_syntax::Span;
use kql_syntax::ast::{ColumnDecl, Expr};

use super::scan_batches;
use crate::error::{QueryError, Result};
use crate::functions::json::array_value_to_json;
use crate::planner::Planner;
use crate::planner::expr::{ExprCtx, cast_to};
use crate::planner::literal::eval_constant;
use crate::types::{ScalarType, arrow_type, field_for};

/// A scalar of another type as dynamic JSON text (`datatable(d:dynamic)["x", 1]`).
fn to_dynamic_text(value: &ScalarValue) -> Result<ScalarValue> {
    if value.is_null() {
        return Ok(ScalarValue::Utf8(None));
    }
    let json = array_value_to_json(value.to_array()?.as_ref(), 0)?;
    Ok(ScalarValue::Utf8(Some(json.to_string())))
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    columns: &[ColumnDecl],
    values: &[Expr],
    span: Span,
) -> Result<LogicalPlan> {
    if columns.is_empty() || !values.len().is_multiple_of(columns.len()) {
        return Err(QueryError::semantic(
            format!(
                "'datatable' operator: {} values do not fill rows of {} columns",
                values.len(),
                columns.len()
            ),
            span,
        ));
    }
    let empty = DFSchema::empty();
    let ctx = ExprCtx::new(&empty, "datatable");
    let mut cells: Vec<Vec<ScalarValue>> = vec![Vec::new(); columns.len()];
    for (i, value) in values.iter().enumerate() {
        let decl = &columns[i % columns.len()];
        let planned = planner.plan_scalar(value, &ctx)?;
        let scalar = if decl.ty == ScalarType::Dynamic && planned.ty != ScalarType::Dynamic {
            to_dynamic_text(&eval_constant(planned.expr)?)?
        } else {
            let converted = cast_to(planned, decl.ty, &empty)?;
            eval_constant(converted.expr)?.cast_to(&arrow_type(decl.ty))?
        };
        cells[i % columns.len()].push(scalar);
    }
    let schema = Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| field_for(&c.name.name, c.ty))
            .collect::<Vec<_>>(),
    ));
    let batch = if values.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        let arrays = cells
            .into_iter()
            .map(|column| ScalarValue::iter_to_array(column))
            .collect::<datafusion::error::Result<Vec<_>>>()?;
        RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| QueryError::Execution(e.to_string()))?
    };
    scan_batches("datatable", schema, vec![batch])
}
