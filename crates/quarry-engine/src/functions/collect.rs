//! `make_list(x, N)`, `make_set(x, N)`, `make_list_with_nulls(x)`: collecting
//! aggregates with Kusto's size cap.
//!
//! DataFusion's `array_agg` has no size limit, so a capped `make_set` over millions
//! of rows would hold them all. This accumulator stops taking values at the cap (in
//! partial and final aggregation alike) and, for sets, de-duplicates as it goes.
//! The result is an Arrow list; the planner turns it into dynamic JSON like
//! `array_agg`'s.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result as DfResult, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};

/// Kusto's default cap for `make_list`/`make_set`.
pub const DEFAULT_MAX_SIZE: usize = 1_048_576;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CollectUdaf {
    name: String,
    distinct: bool,
    keep_nulls: bool,
    limit: usize,
    signature: Signature,
}

impl AggregateUDFImpl for CollectUdaf {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, args: &[DataType]) -> DfResult<DataType> {
        let Some(item) = args.first() else {
            return exec_err!("{} takes one argument", self.name);
        };
        Ok(DataType::List(Arc::new(Field::new(
            "item",
            item.clone(),
            true,
        ))))
    }
    fn state_fields(&self, args: StateFieldsArgs) -> DfResult<Vec<FieldRef>> {
        let item = args
            .input_fields
            .first()
            .map(|f| f.data_type().clone())
            .unwrap_or(DataType::Null);
        Ok(vec![Arc::new(Field::new(
            format!("{}_values", args.name),
            DataType::List(Arc::new(Field::new("item", item, true))),
            true,
        ))])
    }
    fn accumulator(&self, args: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        let item = args
            .exprs
            .first()
            .map(|e| e.data_type(args.schema))
            .transpose()?
            .unwrap_or(DataType::Null);
        Ok(Box::new(CollectAccumulator {
            item,
            values: Vec::new(),
            seen: HashSet::new(),
            distinct: self.distinct,
            keep_nulls: self.keep_nulls,
            limit: self.limit,
        }))
    }
}

#[derive(Debug)]
struct CollectAccumulator {
    item: DataType,
    values: Vec<ScalarValue>,
    seen: HashSet<ScalarValue>,
    distinct: bool,
    keep_nulls: bool,
    limit: usize,
}

impl CollectAccumulator {
    fn take(&mut self, array: &dyn Array) -> DfResult<()> {
        for i in 0..array.len() {
            if self.values.len() >= self.limit {
                break;
            }
            if array.is_null(i) && !self.keep_nulls {
                continue;
            }
            let v = ScalarValue::try_from_array(array, i)?;
            if self.distinct && !self.seen.insert(v.clone()) {
                continue;
            }
            self.values.push(v);
        }
        Ok(())
    }

    fn list(&self) -> ScalarValue {
        ScalarValue::List(ScalarValue::new_list_nullable(&self.values, &self.item))
    }
}

impl Accumulator for CollectAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        match values.first() {
            Some(v) => self.take(v.as_ref()),
            None => Ok(()),
        }
    }
    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        Ok(self.list())
    }
    fn size(&self) -> usize {
        size_of_val(self)
            + self.values.iter().map(ScalarValue::size).sum::<usize>()
            + self.seen.iter().map(ScalarValue::size).sum::<usize>()
    }
    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        Ok(vec![self.list()])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let Some(lists) = states.first() else {
            return Ok(());
        };
        let lists = lists.as_list::<i32>();
        for i in 0..lists.len() {
            if !lists.is_null(i) {
                self.take(lists.value(i).as_ref())?;
            }
        }
        Ok(())
    }
}

/// The collecting aggregate: `distinct` for sets, `keep_nulls` for
/// `make_list_with_nulls`, at most `limit` values.
pub fn collect_udaf(distinct: bool, keep_nulls: bool, limit: usize) -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::from(CollectUdaf {
        name: format!(
            "kql_collect_{}{}_{limit}",
            if distinct { "set" } else { "list" },
            if keep_nulls { "_nulls" } else { "" }
        ),
        distinct,
        keep_nulls,
        limit,
        signature: Signature::any(1, Volatility::Immutable),
    }))
}
