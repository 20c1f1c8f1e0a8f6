//! `percentile`, `percentiles`, `percentilesw` and their `_array` forms, by Kusto's
//! nearest-rank definition: the smallest value whose cumulative (weighted) count
//! reaches `p/100` of the total.
//!
//! Exact: the accumulator keeps the group's values (as (value, weight) pairs, merged
//! by partial aggregation like any other state). Kusto estimates with T-Digest; on
//! the sizes where the two differ, the estimate's own error is larger than the gap.
//! Values arrive as Int64 (integers, datetimes and timespans as nanoseconds, so
//! nothing is lost to floating point) or as Float64.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{Result as DfResult, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PercentileUdaf {
    name: String,
    /// The percents, as `f64::to_bits` (so the struct can be `Eq + Hash`).
    percents: Vec<u64>,
    weighted: bool,
    /// Return all percents as a list (`percentiles_array`) rather than one value.
    as_list: bool,
    float: bool,
    signature: Signature,
}

impl PercentileUdaf {
    fn value_type(&self) -> DataType {
        if self.float {
            DataType::Float64
        } else {
            DataType::Int64
        }
    }
}

fn list_of(dt: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", dt, true)))
}

impl AggregateUDFImpl for PercentileUdaf {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(if self.as_list {
            list_of(self.value_type())
        } else {
            self.value_type()
        })
    }
    fn state_fields(&self, args: StateFieldsArgs) -> DfResult<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(
                format!("{}_values", args.name),
                list_of(self.value_type()),
                true,
            )),
            Arc::new(Field::new(
                format!("{}_weights", args.name),
                list_of(DataType::Int64),
                true,
            )),
        ])
    }
    fn accumulator(&self, _: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        Ok(Box::new(PercentileAccumulator {
            percents: self.percents.iter().map(|b| f64::from_bits(*b)).collect(),
            weighted: self.weighted,
            as_list: self.as_list,
            float: self.float,
            values: Vec::new(),
            weights: Vec::new(),
        }))
    }
}

#[derive(Debug)]
struct PercentileAccumulator {
    percents: Vec<f64>,
    weighted: bool,
    as_list: bool,
    float: bool,
    /// Values as f64 bits or i64, depending on `float`.
    values: Vec<i64>,
    weights: Vec<i64>,
}

impl PercentileAccumulator {
    fn push(&mut self, values: &ArrayRef, weights: Option<&ArrayRef>) -> DfResult<()> {
        let target = if self.float {
            DataType::Float64
        } else {
            DataType::Int64
        };
        let values = cast(values, &target)?;
        let weights = weights.map(|w| cast(w, &DataType::Int64)).transpose()?;
        for i in 0..values.len() {
            if values.is_null(i) {
                continue;
            }
            let w = match &weights {
                Some(w) if w.is_null(i) => continue,
                Some(w) => w.as_primitive::<Int64Type>().value(i),
                None => 1,
            };
            if w <= 0 {
                continue;
            }
            let v = if self.float {
                let f = values.as_primitive::<Float64Type>().value(i);
                if f.is_nan() {
                    continue;
                }
                f.to_bits() as i64
            } else {
                values.as_primitive::<Int64Type>().value(i)
            };
            self.values.push(v);
            self.weights.push(w);
        }
        Ok(())
    }

    fn key(&self, v: i64) -> f64 {
        if self.float {
            f64::from_bits(v as u64)
        } else {
            v as f64
        }
    }

    fn results(&self) -> Vec<Option<i64>> {
        let mut pairs: Vec<(i64, i64)> = self
            .values
            .iter()
            .copied()
            .zip(self.weights.iter().copied())
            .collect();
        if self.float {
            pairs.sort_by(|a, b| self.key(a.0).total_cmp(&self.key(b.0)));
        } else {
            pairs.sort_by_key(|p| p.0);
        }
        let total: i128 = pairs.iter().map(|p| i128::from(p.1)).sum();
        self.percents
            .iter()
            .map(|p| {
                if pairs.is_empty() {
                    return None;
                }
                let rank = ((p / 100.0) * total as f64).ceil().max(1.0) as i128;
                let mut cumulative: i128 = 0;
                for (v, w) in &pairs {
                    cumulative += i128::from(*w);
                    if cumulative >= rank {
                        return Some(*v);
                    }
                }
                pairs.last().map(|p| p.0)
            })
            .collect()
    }

    fn scalar(&self, v: Option<i64>) -> ScalarValue {
        if self.float {
            ScalarValue::Float64(v.map(|b| f64::from_bits(b as u64)))
        } else {
            ScalarValue::Int64(v)
        }
    }

    fn stored_list(&self) -> ScalarValue {
        let dt = if self.float {
            DataType::Float64
        } else {
            DataType::Int64
        };
        let items: Vec<ScalarValue> = self.values.iter().map(|v| self.scalar(Some(*v))).collect();
        ScalarValue::List(ScalarValue::new_list_nullable(&items, &dt))
    }
}

impl Accumulator for PercentileAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        let Some(v) = values.first() else {
            return Ok(());
        };
        let w = if self.weighted { values.get(1) } else { None };
        self.push(v, w)
    }
    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        let results = self.results();
        if self.as_list {
            let dt = if self.float {
                DataType::Float64
            } else {
                DataType::Int64
            };
            let items: Vec<ScalarValue> = results.into_iter().map(|r| self.scalar(r)).collect();
            return Ok(ScalarValue::List(ScalarValue::new_list_nullable(
                &items, &dt,
            )));
        }
        Ok(self.scalar(results.first().copied().flatten()))
    }
    fn size(&self) -> usize {
        size_of_val(self) + (self.values.capacity() + self.weights.capacity()) * 8
    }
    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        let weights: Vec<ScalarValue> = self
            .weights
            .iter()
            .map(|w| ScalarValue::Int64(Some(*w)))
            .collect();
        Ok(vec![
            self.stored_list(),
            ScalarValue::List(ScalarValue::new_list_nullable(&weights, &DataType::Int64)),
        ])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> DfResult<()> {
        let [values, weights] = states else {
            return exec_err!("percentile: unexpected state");
        };
        let (values, weights) = (values.as_list::<i32>(), weights.as_list::<i32>());
        for i in 0..values.len() {
            if values.is_null(i) || weights.is_null(i) {
                continue;
            }
            let (v, w) = (values.value(i), weights.value(i));
            // Stored values are already in the accumulator's own representation.
            if self.float {
                let v = v.as_any().downcast_ref::<Float64Array>();
                let w = w.as_any().downcast_ref::<Int64Array>();
                if let (Some(v), Some(w)) = (v, w) {
                    for j in 0..v.len().min(w.len()) {
                        self.values.push(v.value(j).to_bits() as i64);
                        self.weights.push(w.value(j));
                    }
                }
            } else {
                let v = v.as_any().downcast_ref::<Int64Array>();
                let w = w.as_any().downcast_ref::<Int64Array>();
                if let (Some(v), Some(w)) = (v, w) {
                    self.values.extend(v.values().iter().copied());
                    self.weights.extend(w.values().iter().copied());
                }
            }
        }
        Ok(())
    }
}

/// The percentile aggregate over Float64 (`float`) or Int64 input; with `weighted`
/// it takes a second (weight) argument.
pub fn percentile_udaf(
    percents: &[f64],
    weighted: bool,
    as_list: bool,
    float: bool,
) -> Arc<AggregateUDF> {
    let bits: Vec<u64> = percents.iter().map(|p| p.to_bits()).collect();
    let name = format!(
        "kql_percentile{}{}_{}",
        if weighted { "w" } else { "" },
        if as_list { "_array" } else { "" },
        percents
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("_")
    );
    Arc::new(AggregateUDF::from(PercentileUdaf {
        name,
        percents: bits,
        weighted,
        as_list,
        float,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(values: &[i64], weights: &[i64], percents: &[f64]) -> Vec<Option<i64>> {
        let a = PercentileAccumulator {
            percents: percents.to_vec(),
            weighted: true,
            as_list: true,
            float: false,
            values: values.to_vec(),
            weights: weights.to_vec(),
        };
        a.results()
    }

    #[test]
    fn nearest_rank() {
        assert_eq!(
            acc(&[5, 1, 4, 2, 3], &[1; 5], &[0.0, 20.0, 50.0, 100.0]),
            vec![Some(1), Some(1), Some(3), Some(5)]
        );
        // Weighted: 7 (w4), 9 (w1): the median is 7.
        assert_eq!(acc(&[9, 7], &[1, 4], &[50.0, 90.0]), vec![Some(7), Some(9)]);
        assert_eq!(acc(&[], &[], &[50.0]), vec![None]);
    }
}
