//! Quarry's event store: the Defender tables of each tenant, ingested durably and kept
//! as Parquet partitions for the retention window.
//!
//! - [`schema`]: the stored Arrow schema of each Defender table.
//! - [`ingest`]: streaming-export envelopes, NDJSON and CSV into record batches.
//! - [`wal`]: the write-ahead log; an ingest is acknowledged only once fsync'd.
//! - [`tenant`]: one tenant's store: log, in-memory tail, Parquet files, manifest.
//! - [`provider`]: the DataFusion table that scans it, pruned by day and statistics.
//! - [`footer_cache`]: Parquet footers kept in memory, and the query's cache counters.

pub mod batch;
pub mod clock;
pub mod error;
pub mod footer_cache;
pub mod ingest;
pub mod manifest;
mod parquet_io;
pub mod provider;
pub mod schema;
mod store;
pub mod tenant;
pub mod wal;

pub use error::{Result, StoreError};
pub use ingest::{Format, IngestReport, TenantRouting};
pub use provider::RowFilter;
pub use store::{ParsedInput, Store, TenantCatalog, check_tenant_id};
pub use tenant::{TenantConfig, TenantStore};
