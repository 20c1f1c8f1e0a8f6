//! `T | partition [hint.*] by Column ( sub-query )` (or `{ sub-query }`): runs the
//! sub-query on the rows of each distinct value of Column (null being a value of its
//! own) and unions the results, each keeping the sub-query's own column order. The
//! input is run to completion at planning time (see `materialize`), the partitions are
//! taken in order of first appearance. Hints choose Kusto's execution strategy and
//! change no result.

use std::collections::HashMap;

use datafusion::arrow::array::UInt32Array;
use datafusion::arrow::compute::take_record_batch;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::{Ident, Operator, SubQuery};

use crate::error::{QueryError, Result};
use crate::planner::Planner;
use crate::planner::materialize::{arrow_error, collect_one, plan_of};

/// More partitions than this are refused rather than planned as one huge union.
const MAX_PARTITIONS: usize = 10_000;

/// The row indices of each distinct value of column `key`, in order of first
/// appearance.
fn partition_rows(
    batch: &datafusion::arrow::record_batch::RecordBatch,
    key: usize,
) -> Result<Vec<Vec<u32>>> {
    let column = batch.column(key);
    let mut index: HashMap<ScalarValue, usize> = HashMap::new();
    let mut parts: Vec<Vec<u32>> = Vec::new();
    for row in 0..batch.num_rows() {
        let value = ScalarValue::try_from_array(column, row)?;
        let at = *index.entry(value).or_insert_with(|| {
            parts.push(Vec::new());
            parts.len() - 1
        });
        let row = u32::try_from(row)
            .map_err(|_| QueryError::not_supported("partition of more than 4G rows"))?;
        parts[at].push(row);
    }
    Ok(parts)
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    by: &Ident,
    body: &SubQuery,
) -> Result<LogicalPlan> {
    let SubQuery::Ops(ops) = body else {
        return Err(QueryError::not_supported(
            "partition with a sub-query that does not start with an operator",
        ));
    };
    let key = input
        .schema()
        .fields()
        .iter()
        .position(|f| f.name() == &by.name)
        .ok_or_else(|| {
            QueryError::semantic(
                format!(
                    "'partition' operator: Failed to resolve column named '{}'",
                    by.name
                ),
                by.span,
            )
        })?;
    let batch = collect_one(input.clone())?;
    let parts = partition_rows(&batch, key)?;
    if parts.len() > MAX_PARTITIONS {
        return Err(QueryError::not_supported(format!(
            "partition into more than {MAX_PARTITIONS} partitions"
        )));
    }
    let run = |planner: &mut Planner<'_>, plan: LogicalPlan, ops: &[Operator]| {
        ops.iter()
            .try_fold(plan, |plan, op| super::plan_operator(planner, plan, op))
    };
    if parts.is_empty() {
        // No partitions, no rows; the sub-query over the input gives the columns.
        let shape = run(planner, input, ops)?;
        return Ok(LogicalPlanBuilder::from(shape).limit(0, Some(0))?.build()?);
    }
    let mut outputs: Vec<LogicalPlan> = Vec::with_capacity(parts.len());
    for rows in parts {
        let part = take_record_batch(&batch, &UInt32Array::from(rows)).map_err(arrow_error)?;
        let out = run(planner, plan_of(part)?, ops)?;
        if let Some(first) = outputs.first()
            && first.schema().fields() != out.schema().fields()
        {
            return Err(QueryError::not_supported(
                "partition whose sub-query gives different columns for different partitions",
            ));
        }
        outputs.push(out);
    }
    let mut outputs = outputs.into_iter();
    let Some(first) = outputs.next() else {
        return Err(QueryError::Execution(
            "partition: no partition was planned".into(),
        ));
    };
    let mut builder = LogicalPlanBuilder::from(first);
    for out in outputs {
        builder = builder.union(out)?;
    }
    Ok(builder.build()?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{ArrayRef, Int64Array};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::arrow::record_batch::RecordBatch;

    use super::partition_rows;

    #[test]
    fn rows_group_by_value_in_first_seen_order_with_null_apart() {
        let column: ArrayRef = Arc::new(Int64Array::from(vec![
            Some(3),
            None,
            Some(1),
            Some(3),
            None,
        ]));
        let schema = Arc::new(Schema::new(vec![Field::new("k", DataType::Int64, true)]));
        let batch = RecordBatch::try_new(schema, vec![column]).ok();
        let parts = batch.map(|b| partition_rows(&b, 0).ok());
        assert_eq!(parts, Some(Some(vec![vec![0, 3], vec![1, 4], vec![2]])));
    }
}
