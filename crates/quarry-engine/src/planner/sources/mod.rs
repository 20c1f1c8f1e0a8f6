//! Tabular sources: what can start a pipeline without an input. One file each.

mod datatable;
mod print;
mod range;
pub(crate) mod search;
pub(crate) mod union;

use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::default_table_source::provider_as_source;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::Span;
use kql_syntax::ast::Source;

use super::Planner;
use crate::error::{QueryError, Result};

pub(crate) fn plan_source(
    planner: &mut Planner<'_>,
    source: &Source,
    span: Span,
) -> Result<LogicalPlan> {
    match source {
        Source::Print(items) => print::plan(planner, items),
        Source::Datatable { columns, values } => datatable::plan(planner, columns, values, span),
        Source::Range {
            column,
            from,
            to,
            step,
        } => range::plan(planner, column, from, to, step, span),
        Source::Union(union) => union::plan_union(planner, None, union),
        Source::ExternalData { .. } => Err(QueryError::not_supported("source 'externaldata'")),
        Source::Search(search) => search::plan_search(planner, None, search),
        Source::Find { .. } => Err(QueryError::not_supported("source 'find'")),
        Source::Evaluate { .. } => Err(QueryError::not_supported("source 'evaluate'")),
    }
}

/// A plan that scans batches held in memory (datatable, range).
pub(crate) fn scan_batches(
    name: &str,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
) -> Result<LogicalPlan> {
    let table = MemTable::try_new(schema, vec![batches])?;
    Ok(LogicalPlanBuilder::scan(name, provider_as_source(Arc::new(table)), None)?.build()?)
}
