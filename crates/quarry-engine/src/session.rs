//! The engine: a DataFusion session with a bounded memory pool, and `run`, which takes
//! a query from text to batches with a wall-clock timeout and measured statistics.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::{
    GreedyMemoryPool, MemoryLimit, MemoryPool, MemoryReservation, TrackConsumersPool,
};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;

use crate::catalog::Catalog;
use crate::error::{QueryError, Result};
use crate::planner::Planner;
use crate::response::{DatasetStatistics, QueryStats, success_body};

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Bytes the operators of all running queries may reserve together.
    pub memory_limit: usize,
    pub target_partitions: usize,
    /// Wall-clock limit per query (the service's is three minutes).
    pub timeout: Duration,
    /// Whether operators may spill to disk instead of failing at the memory limit.
    /// Off by default: spilling aggregations were seen to hang under a small pool.
    pub spill_to_disk: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            memory_limit: 2 << 30,
            target_partitions: std::thread::available_parallelism().map_or(2, |n| n.get()),
            timeout: Duration::from_secs(180),
            spill_to_disk: false,
        }
    }
}

/// Wraps the pool to remember the largest reservation total, which DataFusion's own
/// metrics do not report.
#[derive(Debug)]
struct PeakTrackingPool {
    inner: TrackConsumersPool<GreedyMemoryPool>,
    peak: AtomicUsize,
}

impl PeakTrackingPool {
    fn note(&self) {
        self.peak
            .fetch_max(self.inner.reserved(), Ordering::Relaxed);
    }
}

impl fmt::Display for PeakTrackingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "peak-tracking {}", self.inner)
    }
}

impl MemoryPool for PeakTrackingPool {
    fn name(&self) -> &str {
        "peak_tracking"
    }
    fn register(&self, consumer: &datafusion::execution::memory_pool::MemoryConsumer) {
        self.inner.register(consumer)
    }
    fn unregister(&self, consumer: &datafusion::execution::memory_pool::MemoryConsumer) {
        self.inner.unregister(consumer)
    }
    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.inner.grow(reservation, additional);
        self.note();
    }
    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.inner.shrink(reservation, shrink)
    }
    fn try_grow(
        &self,
        reservation: &MemoryReservation,
        additional: usize,
    ) -> datafusion::error::Result<()> {
        self.inner.try_grow(reservation, additional)?;
        self.note();
        Ok(())
    }
    fn reserved(&self) -> usize {
        self.inner.reserved()
    }
    fn memory_limit(&self) -> MemoryLimit {
        self.inner.memory_limit()
    }
}

/// A finished query: the batches, the logical schema (which carries the Kusto types
/// in field metadata) and the measured statistics.
#[derive(Debug)]
pub struct QueryOutput {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub stats: QueryStats,
}

impl QueryOutput {
    /// The API success body.
    pub fn to_json(&self) -> Result<serde_json::Value> {
        success_body(&self.batches, &self.schema, &self.stats)
    }

    pub fn row_count(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// Runs KQL queries.
pub struct Engine {
    state: SessionState,
    pool: Arc<PeakTrackingPool>,
    config: EngineConfig,
}

/// User and kernel CPU time of the whole process so far.
fn process_cpu_times() -> (Duration, Duration) {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete `rusage` into the pointer it is given, which
    // points at memory of that type; on failure we do not read it.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    if rc != 0 {
        return (Duration::ZERO, Duration::ZERO);
    }
    // SAFETY: rc == 0, so the struct was initialised by the call above.
    let usage = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    (tv(usage.ru_utime), tv(usage.ru_stime))
}

impl Engine {
    pub fn new(config: EngineConfig) -> Result<Self> {
        let pool = Arc::new(PeakTrackingPool {
            inner: TrackConsumersPool::new(
                GreedyMemoryPool::new(config.memory_limit),
                std::num::NonZeroUsize::new(5).unwrap_or(std::num::NonZeroUsize::MIN),
            ),
            peak: AtomicUsize::new(0),
        });
        let disk_mode = if config.spill_to_disk {
            DiskManagerMode::OsTmpDirectory
        } else {
            DiskManagerMode::Disabled
        };
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(pool.clone())
            .with_disk_manager_builder(DiskManagerBuilder::default().with_mode(disk_mode))
            .build_arc()?;
        let session_config = SessionConfig::new()
            .with_target_partitions(config.target_partitions.max(1))
            .with_information_schema(false);
        let state = SessionStateBuilder::new()
            .with_config(session_config)
            .with_runtime_env(runtime)
            .with_default_features()
            .with_physical_optimizer_rule(Arc::new(crate::yield_points::YieldAfterAmplifiers))
            .build();
        let ctx = SessionContext::new_with_state(state);
        for udf in crate::functions::all_udfs() {
            ctx.register_udf(udf.as_ref().clone());
        }
        Ok(Engine {
            state: ctx.state(),
            pool,
            config,
        })
    }

    /// Bytes reserved in the memory pool right now (zero when no query runs).
    pub fn reserved_memory(&self) -> usize {
        self.pool.reserved()
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Parses, plans and executes `query`. Dropping the returned future cancels the
    /// query: execution is a stream pulled by this future alone.
    ///
    /// CPU time is the whole process's (getrusage), so concurrent queries share it; the
    /// memory peak is likewise the engine-wide pool's since this query began.
    pub async fn run(&self, query: &str, catalog: Arc<dyn Catalog>) -> Result<QueryOutput> {
        let started = Instant::now();
        let (user0, kernel0) = process_cpu_times();
        self.pool
            .peak
            .store(self.pool.reserved(), Ordering::Relaxed);
        let (schema, batches) =
            tokio::time::timeout(self.config.timeout, self.execute(query, catalog))
                .await
                .map_err(|_| QueryError::Timeout)??;
        let (user1, kernel1) = process_cpu_times();
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let bytes: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
        let stats = QueryStats {
            execution_time: started.elapsed(),
            cpu_user: user1.saturating_sub(user0),
            cpu_kernel: kernel1.saturating_sub(kernel0),
            peak_memory_bytes: self.pool.peak.load(Ordering::Relaxed) as u64,
            dataset_statistics: vec![DatasetStatistics {
                table_row_count: rows as u64,
                table_size: bytes as u64,
            }],
            ..QueryStats::default()
        };
        Ok(QueryOutput {
            schema,
            batches,
            stats,
        })
    }

    async fn execute(
        &self,
        query: &str,
        catalog: Arc<dyn Catalog>,
    ) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        let ast = kql_syntax::parse(query)?;
        let now_ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
        let plan = Planner::new(catalog.as_ref(), now_ns).plan_query(&ast)?;
        let schema: SchemaRef = Arc::new(plan.schema().as_arrow().clone());
        let ctx = SessionContext::new_with_state(self.state.clone());
        let frame = ctx.execute_logical_plan(plan).await?;
        let mut stream = frame.execute_stream().await?;
        let mut batches = Vec::new();
        while let Some(batch) = stream.next().await {
            batches.push(batch?);
        }
        Ok((schema, batches))
    }
}
