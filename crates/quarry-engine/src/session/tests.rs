//! Per-query resources: CPU time and memory belong to the query that used them, even
//! when other queries run at the same time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use datafusion::arrow::array::Int64Array;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;

use super::*;
use crate::catalog::MemCatalog;
use crate::types::{ScalarType, field_for};

/// A one-row table that takes `wait` of wall time, and next to no CPU, to produce.
#[derive(Debug)]
struct Sleepy {
    schema: SchemaRef,
    wait: Duration,
}

impl PartitionStream for Sleepy {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let schema = Arc::clone(&self.schema);
        let wait = self.wait;
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![Arc::new(Int64Array::from(vec![1]))],
        );
        let rows = futures::stream::once(async move {
            tokio::time::sleep(wait).await;
            batch.map_err(Into::into)
        });
        Box::pin(RecordBatchStreamAdapter::new(schema, rows))
    }
}

fn sleepy_catalog(wait: Duration) -> TestResult<Arc<dyn Catalog>> {
    let schema: SchemaRef = Arc::new(Schema::new(vec![field_for("x", ScalarType::Long)]));
    let table =
        StreamingTable::try_new(Arc::clone(&schema), vec![Arc::new(Sleepy { schema, wait })])?;
    let mut catalog = MemCatalog::new();
    catalog.add_provider("Slow", Arc::new(table));
    Ok(Arc::new(catalog))
}

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

fn cpu(stats: &QueryStats) -> Duration {
    stats.cpu_user + stats.cpu_kernel
}

const HEAVY: &str =
    "range x from 1 to 2000000 step 1 | summarize c = count() by k = x % 1000 | count";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_is_not_charged_for_the_cpu_of_concurrent_queries() -> TestResult {
    let engine = Arc::new(Engine::new(EngineConfig::default())?);
    let catalog = sleepy_catalog(Duration::from_millis(1500))?;
    // Heavy queries run back to back until the idle one is done.
    let stop = Arc::new(AtomicBool::new(false));
    let heavy = {
        let (engine, catalog, stop) = (engine.clone(), catalog.clone(), stop.clone());
        tokio::spawn(async move {
            let mut outputs = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                outputs.push(engine.run(HEAVY, catalog.clone()).await);
            }
            outputs
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (user0, kernel0) = process_cpu_times();
    let idle = engine.run("Slow | count", catalog).await?;
    let (user1, kernel1) = process_cpu_times();
    stop.store(true, Ordering::Relaxed);
    let heavy = heavy.await?;
    let process = (user1 + kernel1).saturating_sub(user0 + kernel0);

    assert!(idle.stats.execution_time >= Duration::from_millis(1500));
    // The process was busy while the idle query waited; the idle query was charged
    // only a sliver of that.
    assert!(
        cpu(&idle.stats) * 10 < process,
        "idle query charged {:?} while the process used {process:?}",
        cpu(&idle.stats)
    );
    let mut heavy_cpu = Vec::new();
    for output in heavy {
        heavy_cpu.push(cpu(&output?.stats));
    }
    let most = heavy_cpu.iter().max().copied().unwrap_or_default();
    assert!(
        cpu(&idle.stats) * 10 < most,
        "idle {:?}, heavy {heavy_cpu:?}",
        cpu(&idle.stats)
    );
    Ok(())
}

#[tokio::test]
async fn a_lone_query_reports_its_cpu() -> TestResult {
    let engine = Engine::new(EngineConfig::default())?;
    let catalog: Arc<dyn Catalog> = Arc::new(MemCatalog::new());
    let out = engine.run(HEAVY, catalog).await?;
    assert!(
        cpu(&out.stats) > Duration::from_millis(1),
        "{:?}",
        out.stats
    );
    assert!(cpu(&out.stats) <= out.stats.execution_time * 4);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_hungry_query_does_not_starve_a_small_one() -> TestResult {
    let engine = Arc::new(Engine::new(EngineConfig {
        memory_limit: 32 << 20,
        max_concurrent_queries: 2,
        ..EngineConfig::default()
    })?);
    assert_eq!(engine.memory_share(), 16 << 20);
    let catalog: Arc<dyn Catalog> = Arc::new(MemCatalog::new());
    let hungry = {
        let (engine, catalog) = (engine.clone(), catalog.clone());
        tokio::spawn(async move {
            engine
                .run(
                    "range x from 1 to 4000000 step 1 | summarize count() by x",
                    catalog,
                )
                .await
        })
    };
    let small = engine
        .run(
            "range x from 1 to 50000 step 1 | summarize c = count() by x | count",
            catalog,
        )
        .await?;
    match hungry.await? {
        Err(e @ QueryError::ResourcesExhausted) => assert_eq!(
            e.to_string(),
            "Query stopped due to excessive resource consumption."
        ),
        other => panic!("the hungry query should exceed its share: {other:?}"),
    }
    assert_eq!(small.row_count(), 1);
    assert!(small.stats.peak_memory_bytes > 0);
    assert!(small.stats.peak_memory_bytes <= engine.memory_share() as u64);
    // The failed query's tasks release their reservations as they wind down, which
    // under a loaded test run was seen to take over a second.
    for _ in 0..500 {
        if engine.reserved_memory() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(engine.reserved_memory(), 0);
    Ok(())
}
