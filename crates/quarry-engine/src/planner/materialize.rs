//! Operators whose output depends on the data row by row in ways DataFusion's
//! operators cannot express (`scan`, several `evaluate` plugins) run their input to
//! completion at planning time and continue from an in-memory table.
//!
//! The input still runs on DataFusion, under its own wall-clock limit; what is held in
//! memory is the operator's input and output, so these operators suit the modest
//! tables they are used on in hunting queries.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::{Expr, LogicalPlan};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::prelude::SessionContext;

use kql_syntax::ast;

use super::Planner;
use super::expr::ExprCtx;
use super::sources::scan_batches;
use crate::error::{QueryError, Result};

/// How long an input may run before the planner gives up on it.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Runs `plan` to completion on a private runtime (the planner is synchronous).
pub(crate) fn collect(plan: LogicalPlan) -> Result<Vec<RecordBatch>> {
    let run = move || -> Result<Vec<RecordBatch>> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| QueryError::Execution(format!("materializing an input: {e}")))?;
        rt.block_on(async {
            let work = async {
                let ctx = SessionContext::new();
                let frame = ctx.execute_logical_plan(plan).await?;
                Ok::<_, QueryError>(frame.collect().await?)
            };
            tokio::time::timeout(TIMEOUT, work)
                .await
                .map_err(|_| QueryError::Timeout)?
        })
    };
    std::thread::scope(|s| s.spawn(run).join())
        .map_err(|_| QueryError::Execution("materializing an input: the thread failed".into()))?
}

/// `plan`'s rows as one batch with the plan's schema (metadata included).
pub(crate) fn collect_one(plan: LogicalPlan) -> Result<RecordBatch> {
    let schema: SchemaRef = Arc::new(plan.schema().as_arrow().clone());
    let batches = collect(plan)?;
    concat_batches(&schema, &batches).map_err(arrow_error)
}

/// An Arrow error as the engine's error.
pub(crate) fn arrow_error(e: datafusion::arrow::error::ArrowError) -> QueryError {
    QueryError::from(datafusion::error::DataFusionError::ArrowError(
        Box::new(e),
        None,
    ))
}

/// A plan over `batch` (a fresh table name each time, so that two of them can meet in
/// one plan).
pub(crate) fn plan_of(batch: RecordBatch) -> Result<LogicalPlan> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    scan_batches(
        &format!("__quarry_materialized_{n}"),
        batch.schema(),
        vec![batch],
    )
}

/// A batch of `fields` from rows of scalar values (one value per field per row).
pub(crate) fn batch_of_rows(fields: Vec<Field>, rows: &[Vec<ScalarValue>]) -> Result<RecordBatch> {
    let schema = Arc::new(Schema::new(fields));
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for (i, field) in schema.fields().iter().enumerate() {
        columns.push(column_of(field.data_type(), rows.iter().map(|r| r.get(i)))?);
    }
    RecordBatch::try_new_with_options(
        schema,
        columns,
        &datafusion::arrow::record_batch::RecordBatchOptions::new()
            .with_row_count(Some(rows.len())),
    )
    .map_err(arrow_error)
}

/// One column of type `ty` from values (a missing value is null).
pub(crate) fn column_of<'a>(
    ty: &DataType,
    values: impl Iterator<Item = Option<&'a ScalarValue>>,
) -> Result<ArrayRef> {
    let null = ScalarValue::try_from(ty)?;
    let values: Vec<ScalarValue> = values
        .map(|v| match v {
            Some(v) if v.data_type() == *ty => Ok(v.clone()),
            Some(v) if v.is_null() => Ok(null.clone()),
            Some(v) => v.cast_to(ty),
            None => Ok(null.clone()),
        })
        .collect::<std::result::Result<_, _>>()?;
    if values.is_empty() {
        return Ok(datafusion::arrow::array::new_empty_array(ty));
    }
    Ok(ScalarValue::iter_to_array(values)?)
}

/// A scalar expression compiled against a schema, evaluated one row at a time.
pub(crate) struct RowExpr {
    expr: Arc<dyn PhysicalExpr>,
}

impl RowExpr {
    pub(crate) fn new(expr: Expr, schema: &DFSchema) -> Result<Self> {
        let ctx = SessionContext::new();
        Ok(RowExpr {
            expr: ctx.create_physical_expr(expr, schema)?,
        })
    }

    /// The value of the expression on a one-row batch.
    pub(crate) fn eval(&self, row: &RecordBatch) -> Result<ScalarValue> {
        let value = self.expr.evaluate(row)?.into_array(1)?;
        Ok(ScalarValue::try_from_array(&value, 0)?)
    }
}

/// The value of a constant expression (no columns), e.g. a declared default or a
/// plugin's constant argument.
pub(crate) fn constant(planner: &mut Planner<'_>, e: &ast::Expr) -> Result<ScalarValue> {
    let empty = DFSchema::empty();
    let planned = planner.plan_scalar(e, &ExprCtx::new(&empty, "evaluate"))?;
    let row = RecordBatch::try_new_with_options(
        Arc::new(Schema::empty()),
        vec![],
        &datafusion::arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(1)),
    )
    .map_err(arrow_error)?;
    RowExpr::new(planned.expr, &empty)?.eval(&row)
}

/// The values of row `i` of `batch`.
pub(crate) fn row_values(batch: &RecordBatch, i: usize) -> Result<Vec<ScalarValue>> {
    batch
        .columns()
        .iter()
        .map(|c| Ok(ScalarValue::try_from_array(c, i)?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_typed_columns() {
        let fields = vec![
            Field::new("a", DataType::Int64, true),
            Field::new("b", DataType::Utf8, true),
        ];
        let rows = vec![
            vec![
                ScalarValue::Int64(Some(1)),
                ScalarValue::Utf8(Some("x".into())),
            ],
            vec![ScalarValue::Int32(Some(2)), ScalarValue::Null],
        ];
        let batch = batch_of_rows(fields.clone(), &rows).ok();
        assert_eq!(batch.as_ref().map(|b| b.num_rows()), Some(2));
        let empty = batch_of_rows(fields, &[]).ok();
        assert_eq!(empty.map(|b| b.num_rows()), Some(0));
    }
}
