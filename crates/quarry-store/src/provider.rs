//! The DataFusion table over one tenant's table: Parquet files plus the in-memory tail.
//!
//! - Files are pruned by their time range against the retention window and against time
//!   bounds found in the query's filters (`Timestamp > ago(7d)` reads seven days).
//! - The filters are also pushed into the Parquet scan (DataFusion's filter pushdown), so
//!   row-group statistics and the page index skip data (`DeviceName == "x"`).
//! - Above the scan sits a filter that nothing in a query can remove: rows older than
//!   the retention window, and rows a [`RowFilter`] excludes (device-group access), are
//!   never produced.
//! - Parquet footers come from the store's [`crate::footer_cache`], which also counts the
//!   query's cache statistics.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::Session;
use datafusion::common::stats::{Precision, Statistics};
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::datasource::TableType;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result as DfResult;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, TableProviderFilterPushDown};
use datafusion::physical_expr::expressions::Column as PhysicalColumn;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::projection::{ProjectionExec, ProjectionExpr};
use datafusion::physical_plan::union::UnionExec;
use datafusion::prelude::lit;

use quarry_engine::CacheStats;

use crate::footer_cache::CachingReaderFactory;
use crate::schema::StoredTable;
use crate::tenant::TenantStore;

/// A per-query restriction on rows, applied below the query: the API's device-group
/// access uses it. Returns a predicate over the table's columns, or None for no
/// restriction on this table.
pub trait RowFilter: Send + Sync + fmt::Debug {
    fn predicate(&self, table: &StoredTable) -> Option<Expr>;
}

pub struct TenantTable {
    store: Arc<TenantStore>,
    table: &'static StoredTable,
    row_filter: Option<Arc<dyn RowFilter>>,
}

impl fmt::Debug for TenantTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantTable({}/{})", self.store.id(), self.table.name())
    }
}

impl TenantTable {
    pub fn new(
        store: Arc<TenantStore>,
        table: &'static StoredTable,
        row_filter: Option<Arc<dyn RowFilter>>,
    ) -> Self {
        TenantTable {
            store,
            table,
            row_filter,
        }
    }
}

fn column(name: &str) -> Expr {
    Expr::Column(datafusion::common::Column::new_unqualified(name))
}

fn timestamp_literal(ticks: i64) -> Expr {
    lit(ScalarValue::TimestampNanosecond(
        Some(ticks.saturating_mul(100)),
        Some(quarry_engine::types::UTC.into()),
    ))
}

/// Time bounds (ticks, inclusive) that `filters` put on `time_column`.
pub fn time_bounds(filters: &[Expr], time_column: &str) -> (i64, i64) {
    let mut lo = i64::MIN;
    let mut hi = i64::MAX;
    for f in filters {
        collect_bounds(f, time_column, &mut lo, &mut hi);
    }
    (lo, hi)
}

fn literal_ticks(e: &Expr) -> Option<i64> {
    match e {
        Expr::Literal(ScalarValue::TimestampNanosecond(Some(v), _), _) => Some(v.div_euclid(100)),
        Expr::Literal(ScalarValue::TimestampMicrosecond(Some(v), _), _) => {
            Some(v.saturating_mul(10))
        }
        Expr::Literal(ScalarValue::TimestampMillisecond(Some(v), _), _) => {
            Some(v.saturating_mul(10_000))
        }
        Expr::Literal(ScalarValue::TimestampSecond(Some(v), _), _) => {
            Some(v.saturating_mul(10_000_000))
        }
        Expr::Cast(c) => literal_ticks(&c.expr),
        Expr::TryCast(c) => literal_ticks(&c.expr),
        _ => None,
    }
}

fn is_time_column(e: &Expr, time_column: &str) -> bool {
    match e {
        Expr::Column(c) => c.name == time_column,
        Expr::Cast(c) => is_time_column(&c.expr, time_column),
        _ => false,
    }
}

fn collect_bounds(e: &Expr, time_column: &str, lo: &mut i64, hi: &mut i64) {
    match e {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::And,
            right,
        }) => {
            collect_bounds(left, time_column, lo, hi);
            collect_bounds(right, time_column, lo, hi);
        }
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let (op, value) = if is_time_column(left, time_column) {
                (*op, literal_ticks(right))
            } else if is_time_column(right, time_column) {
                (op.swap().unwrap_or(*op), literal_ticks(left))
            } else {
                return;
            };
            let Some(v) = value else { return };
            match op {
                Operator::Gt | Operator::GtEq => *lo = (*lo).max(v),
                Operator::Lt | Operator::LtEq => *hi = (*hi).min(v),
                Operator::Eq => {
                    *lo = (*lo).max(v);
                    *hi = (*hi).min(v);
                }
                _ => {}
            }
        }
        Expr::Between(b) if !b.negated && is_time_column(&b.expr, time_column) => {
            if let Some(v) = literal_ticks(&b.low) {
                *lo = (*lo).max(v);
            }
            if let Some(v) = literal_ticks(&b.high) {
                *hi = (*hi).min(v);
            }
        }
        _ => {}
    }
}

/// Splits files into at most `n` groups of similar total size, for parallel scans.
fn file_groups(files: Vec<PartitionedFile>, n: usize) -> Vec<FileGroup> {
    let n = n.max(1).min(files.len().max(1));
    let mut groups: Vec<(u64, Vec<PartitionedFile>)> = (0..n).map(|_| (0, Vec::new())).collect();
    let mut files = files;
    files.sort_by_key(|f| std::cmp::Reverse(f.object_meta.size));
    for f in files {
        if let Some(g) = groups.iter_mut().min_by_key(|g| g.0) {
            g.0 += f.object_meta.size;
            g.1.push(f);
        }
    }
    groups
        .into_iter()
        .filter(|g| !g.1.is_empty())
        .map(|g| FileGroup::new(g.1))
        .collect()
}

#[async_trait]
impl datafusion::catalog::TableProvider for TenantTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.table.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        // Used for pruning, and re-checked above the scan.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        let schema = &self.table.schema;
        let time_column = self.table.time_column();
        let window_start = self.store.window_start();
        let (lo, hi) = time_bounds(filters, time_column);
        let lo = lo.max(window_start);

        // Columns to read: the projection, plus what the guard filter needs.
        let wanted: Vec<usize> = projection
            .cloned()
            .unwrap_or_else(|| (0..schema.fields().len()).collect());
        let mut guard = column(time_column).gt_eq(timestamp_literal(window_start));
        if let Some(p) = self
            .row_filter
            .as_ref()
            .and_then(|f| f.predicate(self.table))
        {
            guard = guard.and(p);
        }
        let mut read = wanted.clone();
        for c in guard.column_refs() {
            if let Ok(i) = schema.index_of(&c.name)
                && !read.contains(&i)
            {
                read.push(i);
            }
        }

        let snapshot = self.store.snapshot(self.table.name());
        let mut inputs: Vec<Arc<dyn ExecutionPlan>> = Vec::new();
        let chosen: Vec<_> = snapshot
            .files
            .iter()
            .filter(|f| f.max_time >= lo && f.min_time <= hi)
            .collect();
        // Row counts from the manifest, so that DataFusion can pick a join's build side
        // (without them it builds on whichever side the query names first).
        let statistics = Statistics {
            num_rows: Precision::Exact(chosen.iter().map(|f| f.rows as usize).sum()),
            total_byte_size: Precision::Inexact(chosen.iter().map(|f| f.bytes as usize).sum()),
            column_statistics: Statistics::unknown_column(schema),
        };
        let files: Vec<PartitionedFile> = chosen
            .into_iter()
            .map(|f| {
                let abs = self.store.dir().join(&f.path);
                let path = abs.to_string_lossy().trim_start_matches('/').to_string();
                let mut file = PartitionedFile::new(path, f.bytes);
                // The footer cache tells file versions apart by modification time.
                if let Ok(modified) = std::fs::metadata(&abs).and_then(|m| m.modified()) {
                    file.object_meta.last_modified = modified.into();
                }
                file
            })
            .collect();
        if !files.is_empty() {
            // The query's own cache counters, put in its session config by the engine.
            let stats = state
                .config()
                .get_extension::<CacheStats>()
                .unwrap_or_default();
            let local = state
                .runtime_env()
                .object_store(ObjectStoreUrl::local_filesystem())?;
            let readers =
                CachingReaderFactory::new(local, Arc::clone(self.store.footer_cache()), stats);
            let source = ParquetSource::new(Arc::clone(schema))
                .with_table_parquet_options(state.table_options().parquet.clone())
                .with_parquet_file_reader_factory(Arc::new(readers));
            let config =
                FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), Arc::new(source))
                    .with_file_groups(file_groups(files, state.config().target_partitions()))
                    .with_projection_indices(Some(read.clone()))?
                    .with_statistics(statistics)
                    .build();
            inputs.push(DataSourceExec::from_data_source(config));
        }
        if !snapshot.batches.is_empty() {
            inputs.push(MemorySourceConfig::try_new_exec(
                &[snapshot.batches],
                Arc::clone(schema),
                Some(read.clone()),
            )?);
        }
        let read_schema = Arc::new(schema.project(&read)?);
        let input: Arc<dyn ExecutionPlan> = match inputs.len() {
            0 => Arc::new(EmptyExec::new(Arc::clone(&read_schema))),
            1 => inputs.remove(0),
            _ => UnionExec::try_new(inputs)?,
        };
        let df_schema = DFSchema::try_from(Arc::clone(&input.schema()))?;
        let predicate = state.create_physical_expr(guard, &df_schema)?;
        let filtered: Arc<dyn ExecutionPlan> = Arc::new(FilterExec::try_new(predicate, input)?);
        let exprs: Vec<ProjectionExpr> = wanted
            .iter()
            .enumerate()
            .map(|(pos, &i)| ProjectionExpr {
                expr: Arc::new(PhysicalColumn::new(schema.field(i).name(), pos)),
                alias: schema.field(i).name().clone(),
            })
            .collect();
        let projected: Arc<dyn ExecutionPlan> = Arc::new(ProjectionExec::try_new(exprs, filtered)?);
        let _ = limit; // A limit is applied above the scan: the guard filter comes first.
        Ok(projected)
    }
}
