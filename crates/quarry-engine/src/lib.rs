//! Quarry's KQL engine: plans KQL (parsed by `kql-syntax`) into DataFusion logical
//! plans with Kusto's semantics, runs them, and lays results out as the advanced
//! hunting API does.
//!
//! - [`types`]: Kusto types on Arrow (guid/dynamic marked in field metadata).
//! - [`planner`]: KQL → `LogicalPlan`, one file per operator and source.
//! - [`functions`]: Kusto's string predicates and conversions as scalar UDFs.
//! - [`session`]: the [`Engine`], memory limit, timeout, statistics.
//! - [`response`]: the API success and error bodies.

pub mod cache_stats;
pub mod catalog;
mod cpu;
pub mod error;
pub mod functions;
mod memory;
pub mod planner;
pub mod response;
pub mod session;
pub mod types;
mod yield_points;

pub use cache_stats::CacheStats;
pub use catalog::{Catalog, MemCatalog};
pub use error::QueryError;
pub use response::{QueryStats, error_body};
pub use session::{Engine, EngineConfig, QueryMeter, QueryOutput};
