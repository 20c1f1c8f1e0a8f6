//! Yield points after operators whose output outgrows their input.
//!
//! DataFusion makes leaves cooperative (they spend Tokio's task budget per batch), but a
//! join or an unnest can produce millions of batches from a few input batches without
//! touching a leaf. Its consumer then polls it in one long synchronous loop, and neither
//! a timeout nor a cancelled request can stop the query. Wrapping such operators in
//! [`CooperativeExec`] spends budget per output batch, so the task yields regularly and
//! the timeout fires.

use std::sync::Arc;

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::Result;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::coop::CooperativeExec;

#[derive(Debug, Default)]
pub struct YieldAfterAmplifiers;

/// Operators whose output can be far larger than their input.
fn amplifies(plan: &dyn ExecutionPlan) -> bool {
    matches!(
        plan.name(),
        "HashJoinExec"
            | "NestedLoopJoinExec"
            | "CrossJoinExec"
            | "SortMergeJoinExec"
            | "SymmetricHashJoinExec"
            | "UnnestExec"
    )
}

impl PhysicalOptimizerRule for YieldAfterAmplifiers {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            if amplifies(node.as_ref()) {
                Ok(Transformed::yes(
                    Arc::new(CooperativeExec::new(node)) as Arc<dyn ExecutionPlan>
                ))
            } else {
                Ok(Transformed::no(node))
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "YieldAfterAmplifiers"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
