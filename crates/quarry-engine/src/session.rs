//! The engine: a DataFusion session with a bounded memory pool, and `run`, which takes
//! a query from text to batches with a wall-clock timeout and measured statistics.
//!
//! Every figure in a query's statistics is the query's own, even with other queries
//! running: CPU from its planning polls and its operators' metrics ([`crate::cpu`]),
//! memory from its own [`QueryPool`], cache counters from its own [`CacheStats`].

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::TaskContext;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::MemoryPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::{SessionState, SessionStateBuilder};
use datafusion::optimizer::{Optimizer, OptimizerRule};
use datafusion::physical_plan::{ExecutionPlan, execute_stream};
use datafusion::prelude::{SessionConfig, SessionContext};
use futures::StreamExt;

use crate::cache_stats::CacheStats;
use crate::catalog::Catalog;
use crate::cpu::{executed_compute, on_thread_cpu, process_cpu_times, split};
use crate::error::{QueryError, Result};
use crate::memory::{QueryPool, SharedPool, shared_pool};
use crate::planner::Planner;
use crate::response::{DatasetStatistics, QueryStats, success_body};

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Bytes the operators of all running queries may reserve together.
    pub memory_limit: usize,
    /// How many queries the caller lets run at once. Each query may reserve at most
    /// `memory_limit / max_concurrent_queries`, so that many fit together and a large
    /// query cannot starve the others. 1 gives a lone query the whole pool.
    pub max_concurrent_queries: usize,
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
            max_concurrent_queries: 1,
            target_partitions: std::thread::available_parallelism().map_or(2, |n| n.get()),
            timeout: Duration::from_secs(180),
            spill_to_disk: false,
        }
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
    pool: Arc<SharedPool>,
    config: EngineConfig,
}

/// What a query has cost so far, readable while it runs and after its future was
/// dropped: the CPU of its planning and of its operators (whose metrics live as long as
/// the plan, which the meter keeps).
pub struct QueryMeter {
    planning_cpu: Mutex<Duration>,
    plan: Mutex<Option<Arc<dyn ExecutionPlan>>>,
    /// The process's CPU (user + kernel) when the meter was made: the bound (see `cpu`).
    process_start: Duration,
}

impl Default for QueryMeter {
    fn default() -> Self {
        let (user, kernel) = process_cpu_times();
        QueryMeter {
            planning_cpu: Mutex::new(Duration::ZERO),
            plan: Mutex::new(None),
            process_start: user + kernel,
        }
    }
}

impl QueryMeter {
    fn planned(&self, cpu: Duration) {
        if let Ok(mut p) = self.planning_cpu.lock() {
            *p = cpu;
        }
    }

    fn executing(&self, plan: Arc<dyn ExecutionPlan>) {
        if let Ok(mut p) = self.plan.lock() {
            *p = Some(plan);
        }
    }

    /// CPU used so far: planning plus the operators' compute time, at most what the
    /// whole process used since the meter was made. (Operator timers are wall time around
    /// each piece of work, so on an oversubscribed machine they also count time the
    /// thread was preempted; the process's own CPU bounds them.)
    pub fn cpu(&self) -> Duration {
        let (user, kernel) = process_cpu_times();
        let process = (user + kernel).saturating_sub(self.process_start);
        self.unbounded_cpu().min(process)
    }

    fn unbounded_cpu(&self) -> Duration {
        let planning = self.planning_cpu.lock().map(|p| *p).unwrap_or_default();
        let executing = self
            .plan
            .lock()
            .ok()
            .and_then(|p| p.as_ref().map(|plan| executed_compute(plan.as_ref())))
            .unwrap_or_default();
        planning + executing
    }
}

/// What `execute` hands back to `run`: the output, the executed plan (for its metrics)
/// and the CPU time planning took.
struct Executed {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    plan: Arc<dyn ExecutionPlan>,
    planning_cpu: Duration,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Result<Self> {
        let pool = shared_pool(config.memory_limit);
        let disk_mode = if config.spill_to_disk {
            DiskManagerMode::OsTmpDirectory
        } else {
            DiskManagerMode::Disabled
        };
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(pool.clone())
            .with_disk_manager_builder(DiskManagerBuilder::default().with_mode(disk_mode))
            .build_arc()?;
        // DataFusion's own DATAFUSION_* variables tune the session (documented in the
        // README); ours are the defaults when they are not set.
        let mut session_config = SessionConfig::from_env()?
            .with_target_partitions(config.target_partitions.max(1))
            .with_information_schema(false);
        let unset = |name: &str| std::env::var_os(name).is_none();
        let parquet = &mut session_config.options_mut().execution.parquet;
        // Late materialisation: hunting filters are selective, so decode the other
        // columns only for the rows that pass (and evaluate the cheapest filter first).
        if unset("DATAFUSION_EXECUTION_PARQUET_PUSHDOWN_FILTERS") {
            parquet.pushdown_filters = true;
        }
        if unset("DATAFUSION_EXECUTION_PARQUET_REORDER_FILTERS") {
            parquet.reorder_filters = true;
        }
        let state = SessionStateBuilder::new()
            .with_config(session_config)
            .with_runtime_env(runtime)
            .with_default_features()
            .with_optimizer_rules(logical_optimizer_rules())
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

    /// Bytes reserved in the memory pool right now, by all queries (zero when none runs).
    pub fn reserved_memory(&self) -> usize {
        self.pool.reserved()
    }

    /// The most one query may reserve: its fair share of the pool.
    pub fn memory_share(&self) -> usize {
        (self.config.memory_limit / self.config.max_concurrent_queries.max(1)).max(1)
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Parses, plans and executes `query`. Dropping the returned future cancels the
    /// query: execution is a stream pulled by this future alone.
    ///
    /// The statistics are this query's alone (see the module documentation). The CPU
    /// total is split into user and kernel time in the proportion the process showed
    /// over the query's lifetime.
    pub async fn run(&self, query: &str, catalog: Arc<dyn Catalog>) -> Result<QueryOutput> {
        self.run_metered(query, catalog, &QueryMeter::default())
            .await
    }

    /// `run`, recording into `meter` what the query has cost so far, so that a caller
    /// can charge a query that failed, timed out or was cancelled (its future dropped)
    /// for the CPU it used: those are the most expensive queries of all.
    pub async fn run_metered(
        &self,
        query: &str,
        catalog: Arc<dyn Catalog>,
        meter: &QueryMeter,
    ) -> Result<QueryOutput> {
        let started = Instant::now();
        let (user0, kernel0) = process_cpu_times();
        let pool = Arc::new(QueryPool::new(Arc::clone(&self.pool), self.memory_share()));
        let cache = Arc::new(CacheStats::default());
        let run = self.execute(query, catalog, Arc::clone(&pool), Arc::clone(&cache), meter);
        let done = tokio::time::timeout(self.config.timeout, run)
            .await
            .map_err(|_| QueryError::Timeout)??;
        let (user1, kernel1) = process_cpu_times();
        let cpu = meter.cpu();
        let (cpu_user, cpu_kernel) = split(
            cpu,
            user1.saturating_sub(user0),
            kernel1.saturating_sub(kernel0),
        );
        let rows: usize = done.batches.iter().map(RecordBatch::num_rows).sum();
        let bytes: usize = done
            .batches
            .iter()
            .map(RecordBatch::get_array_memory_size)
            .sum();
        let stats = QueryStats {
            execution_time: started.elapsed(),
            cpu_user,
            cpu_kernel,
            peak_memory_bytes: pool.peak() as u64,
            memory_cache: cache.memory(),
            disk_cache: cache.disk(),
            dataset_statistics: vec![DatasetStatistics {
                table_row_count: rows as u64,
                table_size: bytes as u64,
            }],
        };
        Ok(QueryOutput {
            schema: done.schema,
            batches: done.batches,
            stats,
        })
    }

    async fn execute(
        &self,
        query: &str,
        catalog: Arc<dyn Catalog>,
        pool: Arc<QueryPool>,
        cache: Arc<CacheStats>,
        meter: &QueryMeter,
    ) -> Result<Executed> {
        // The query's own session: its cache counters are where its table scans find
        // them, and its operators reserve memory through its own pool.
        let mut state = self.state.clone();
        state.config_mut().set_extension(cache);
        let (planned, planning_cpu) = on_thread_cpu(async {
            let plan = {
                let ast = kql_syntax::parse(query)?;
                let now_ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
                Planner::new(catalog.as_ref(), now_ns).plan_query(&ast)?
            };
            let schema: SchemaRef = Arc::new(plan.schema().as_arrow().clone());
            let physical = state.create_physical_plan(&plan).await?;
            Ok::<_, QueryError>((schema, physical))
        })
        .await;
        meter.planned(planning_cpu);
        let (schema, plan) = planned?;
        meter.executing(Arc::clone(&plan));
        let mut runtime = (**state.runtime_env()).clone();
        runtime.memory_pool = pool as Arc<dyn MemoryPool>;
        let task = TaskContext::from(&state).with_runtime(Arc::new(runtime));
        let mut stream = execute_stream(Arc::clone(&plan), Arc::new(task))?;
        let mut batches = Vec::new();
        while let Some(batch) = stream.next().await {
            batches.push(batch?);
        }
        Ok(Executed {
            schema,
            batches,
            plan,
            planning_cpu,
        })
    }
}

mod explain;

/// DataFusion's default logical rules, less the leaf-expression pushdown pair
/// (`extract_leaf_expressions`, `push_down_leaf_projections`). It moves struct field
/// access towards the scan, which KQL plans gain little from (dynamic values are JSON
/// text, not structs), and in DataFusion 55 it fails on a projection that carries a
/// table-qualified column through `parse`'s struct extraction ("qualified field name
/// ... and unqualified field name ... would be ambiguous").
fn logical_optimizer_rules() -> Vec<Arc<dyn OptimizerRule + Send + Sync>> {
    Optimizer::new()
        .rules
        .into_iter()
        .filter(|r| {
            !matches!(
                r.name(),
                "extract_leaf_expressions" | "push_down_leaf_projections"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
