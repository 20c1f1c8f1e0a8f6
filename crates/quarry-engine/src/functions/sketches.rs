//! The values behind `tdigest()`: Quarry's digest is exact, a dynamic array whose
//! elements are values (weight 1) or `[value, weight]` pairs. `percentile_tdigest()`
//! and `rank_tdigest()` read it.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Float64Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::ScalarUDF;
use serde_json::Value;

use super::array_udf::{array_udf, f64s, opt_f64};
use super::json::json_text_to_value;

/// The (value, weight) pairs of a digest, sorted by value; None when it is not one.
pub fn digest_points(text: &str) -> Option<Vec<(f64, f64)>> {
    let Value::Array(items) = json_text_to_value(text) else {
        return None;
    };
    let mut points = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Number(n) => points.push((n.as_f64()?, 1.0)),
            Value::Array(pair) => match pair.as_slice() {
                [Value::Number(v), Value::Number(w)] => points.push((v.as_f64()?, w.as_f64()?)),
                _ => return None,
            },
            Value::Null => {}
            _ => return None,
        }
    }
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(points)
}

/// The weighted nearest-rank percentile: the smallest value whose cumulative weight
/// reaches `p` percent of the total.
pub fn digest_percentile(points: &[(f64, f64)], p: f64) -> Option<f64> {
    let total: f64 = points.iter().map(|(_, w)| w).sum();
    if points.is_empty() || total <= 0.0 {
        return None;
    }
    let target = (p / 100.0 * total).max(f64::MIN_POSITIVE);
    let mut cumulative = 0.0;
    for (v, w) in points {
        cumulative += w;
        if cumulative >= target - 1e-9 {
            return Some(*v);
        }
    }
    points.last().map(|(v, _)| *v)
}

/// The total weight of the values at most `v`.
pub fn digest_rank(points: &[(f64, f64)], v: f64) -> f64 {
    points
        .iter()
        .take_while(|(x, _)| *x <= v)
        .map(|(_, w)| w)
        .sum()
}

/// `kql_percentile_tdigest(digest, percentile)`.
pub fn percentile_tdigest_udf() -> Arc<ScalarUDF> {
    array_udf("kql_percentile_tdigest", 2, DataType::Float64, |args| {
        let text = cast(&args[0], &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        let p = f64s(&args[1])?;
        Ok(Arc::new(
            (0..text.len())
                .map(|i| {
                    let points = text.is_valid(i).then(|| digest_points(text.value(i)))??;
                    digest_percentile(&points, opt_f64(&p, i)?)
                })
                .collect::<Float64Array>(),
        ))
    })
}

/// `kql_rank_tdigest(digest, value)`.
pub fn rank_tdigest_udf() -> Arc<ScalarUDF> {
    array_udf("kql_rank_tdigest", 2, DataType::Int64, |args| {
        let text = cast(&args[0], &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        let v = f64s(&args[1])?;
        Ok(Arc::new(
            (0..text.len())
                .map(|i| {
                    let points = text.is_valid(i).then(|| digest_points(text.value(i)))??;
                    Some(digest_rank(&points, opt_f64(&v, i)?).round() as i64)
                })
                .collect::<Int64Array>(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_digests_rank_and_percentile() {
        let points = digest_points("[[1.0, 1], [2.0, 2]]").unwrap_or_default();
        assert_eq!(digest_percentile(&points, 50.0), Some(2.0));
        assert_eq!(digest_percentile(&points, 30.0), Some(1.0));
        let plain = digest_points("[5, 1, 3, 2, 4]").unwrap_or_default();
        assert_eq!(digest_rank(&plain, 3.0), 3.0);
        assert_eq!(digest_percentile(&plain, 100.0), Some(5.0));
        assert_eq!(digest_points("{\"a\":1}"), None);
    }
}
