//! `EXPLAIN` and `EXPLAIN ANALYZE` for KQL: the plans a query compiles to, and, when
//! analysed, the executed plan with each operator's rows, compute time and spills. This is
//! what to read when a query is slower than it should be.

use std::fmt::Write as _;
use std::sync::Arc;

use datafusion::physical_plan::display::DisplayableExecutionPlan;
use datafusion::physical_plan::displayable;

use super::{Engine, QueryMeter};
use crate::cache_stats::CacheStats;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::memory::QueryPool;
use crate::planner::Planner;

impl Engine {
    /// The optimised logical plan and the physical plan of `query`; with `analyze`, the
    /// query runs (its rows are discarded) and the physical plan carries its metrics.
    pub async fn explain(
        &self,
        query: &str,
        catalog: Arc<dyn Catalog>,
        analyze: bool,
    ) -> Result<String> {
        let ast = kql_syntax::parse(query)?;
        let now_ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX);
        let logical = Planner::new(catalog.as_ref(), now_ns).plan_query(&ast)?;
        let optimized = self.state.optimize(&logical)?;
        let mut text = String::new();
        let _ = writeln!(text, "== Logical plan ==\n{}", optimized.display_indent());
        if !analyze {
            let physical = self.state.create_physical_plan(&logical).await?;
            let _ = write!(
                text,
                "\n== Physical plan ==\n{}",
                displayable(physical.as_ref()).indent(true)
            );
            return Ok(text);
        }
        let pool = Arc::new(QueryPool::new(Arc::clone(&self.pool), self.memory_share()));
        let cache = Arc::new(CacheStats::default());
        let meter = QueryMeter::default();
        let run = self.execute(query, catalog, pool, cache, &meter);
        let done = tokio::time::timeout(self.config.timeout, run)
            .await
            .map_err(|_| crate::error::QueryError::Timeout)??;
        let rows: usize = done.batches.iter().map(|b| b.num_rows()).sum();
        let _ = write!(
            text,
            "\n== Executed plan ({rows} rows, planning {:.1} ms CPU) ==\n{}",
            done.planning_cpu.as_secs_f64() * 1e3,
            DisplayableExecutionPlan::with_metrics(done.plan.as_ref()).indent(true)
        );
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EngineConfig, MemCatalog};

    #[tokio::test]
    async fn explain_shows_the_plans_and_analyze_the_metrics() -> Result<()> {
        let engine = Engine::new(EngineConfig::default())?;
        let catalog: Arc<dyn Catalog> = Arc::new(MemCatalog::new());
        let query = "range x from 1 to 1000 step 1 | where x % 7 == 0 | summarize count()";
        let plain = engine.explain(query, Arc::clone(&catalog), false).await?;
        assert!(plain.contains("== Logical plan =="), "{plain}");
        assert!(plain.contains("AggregateExec"), "{plain}");
        assert!(!plain.contains("output_rows"), "{plain}");
        let analyzed = engine.explain(query, catalog, true).await?;
        assert!(analyzed.contains("(1 rows"), "{analyzed}");
        assert!(analyzed.contains("output_rows=142"), "{analyzed}");
        Ok(())
    }
}
