//! The series functions with some algorithm in them: filling gaps, filters, seasonal
//! means, line fitting. Pure functions over JSON values, used by [`super::series`].

use serde_json::{Map, Value, json};

use super::series::num;

/// Whether an element is "missing": null, or equal to the caller's placeholder.
fn is_missing(v: &Value, placeholder: &Value) -> bool {
    if v.is_null() {
        return true;
    }
    match (v.as_f64(), placeholder.as_f64()) {
        (Some(x), Some(p)) => x == p,
        _ => false,
    }
}

/// Missing elements take the value after them; trailing ones stay as they are.
pub(crate) fn fill_backward(items: &[Value], placeholder: &Value) -> Vec<Value> {
    let mut out = items.to_vec();
    let mut next: Option<Value> = None;
    for v in out.iter_mut().rev() {
        if is_missing(v, placeholder) {
            if let Some(n) = &next {
                *v = n.clone();
            }
        } else {
            next = Some(v.clone());
        }
    }
    out
}

/// Missing elements take the value before them; leading ones stay as they are.
pub(crate) fn fill_forward(items: &[Value], placeholder: &Value) -> Vec<Value> {
    let mut out = items.to_vec();
    let mut prev: Option<Value> = None;
    for v in out.iter_mut() {
        if is_missing(v, placeholder) {
            if let Some(p) = &prev {
                *v = p.clone();
            }
        } else {
            prev = Some(v.clone());
        }
    }
    out
}

pub(crate) fn fill_const(items: &[Value], constant: &Value, placeholder: &Value) -> Vec<Value> {
    items
        .iter()
        .map(|v| {
            if is_missing(v, placeholder) {
                constant.clone()
            } else {
                v.clone()
            }
        })
        .collect()
}

/// Linear interpolation between present values. Edges take the nearest value when
/// `fill_edges`; an array with no value at all is filled with `constant`. When every
/// present value is an integer the result stays integral (truncated), as in Kusto.
pub(crate) fn fill_linear(
    items: &[Value],
    placeholder: &Value,
    fill_edges: bool,
    constant: Value,
) -> Vec<Value> {
    let present: Vec<(usize, f64)> = items
        .iter()
        .enumerate()
        .filter(|(_, v)| !is_missing(v, placeholder))
        .filter_map(|(i, v)| v.as_f64().map(|x| (i, x)))
        .collect();
    if present.is_empty() {
        return vec![constant; items.len()];
    }
    let integral = items
        .iter()
        .filter(|v| !is_missing(v, placeholder))
        .all(|v| v.is_i64() || v.is_u64());
    let make = |x: f64| {
        if integral {
            json!(x.trunc() as i64)
        } else {
            num(x)
        }
    };
    let mut out = items.to_vec();
    for w in present.windows(2) {
        let ((i0, x0), (i1, x1)) = (w[0], w[1]);
        for (k, slot) in out.iter_mut().enumerate().take(i1).skip(i0 + 1) {
            let t = (k - i0) as f64 / (i1 - i0) as f64;
            *slot = make(x0 + (x1 - x0) * t);
        }
    }
    if fill_edges {
        let (first, last) = (present[0], present[present.len() - 1]);
        for slot in out.iter_mut().take(first.0) {
            *slot = items[first.0].clone();
        }
        for slot in out.iter_mut().skip(last.0 + 1) {
            *slot = items[last.0].clone();
        }
    }
    out
}

/// Infinite impulse response filter, normalised by `a[0]`; nulls count as 0.
pub(crate) fn iir(
    x: &[Option<f64>],
    b: &[Option<f64>],
    a: &[Option<f64>],
) -> Result<Value, String> {
    let b: Vec<f64> = b.iter().map(|v| v.unwrap_or(0.0)).collect();
    let a: Vec<f64> = a.iter().map(|v| v.unwrap_or(0.0)).collect();
    let a0 = match a.first() {
        Some(v) if *v != 0.0 => *v,
        _ => return Err("series_iir: the first denominator coefficient must not be 0".into()),
    };
    let mut y: Vec<f64> = Vec::with_capacity(x.len());
    for n in 0..x.len() {
        let mut acc = 0.0;
        for (i, bi) in b.iter().enumerate() {
            if i <= n {
                acc += bi * x[n - i].unwrap_or(0.0);
            }
        }
        for (j, aj) in a.iter().enumerate().skip(1) {
            if j <= n {
                acc -= aj * y[n - j];
            }
        }
        y.push(acc / a0);
    }
    Ok(Value::Array(y.into_iter().map(num).collect()))
}

/// Finite impulse response filter over the window ending at each point (or centred on
/// it); points outside the series contribute nothing.
pub(crate) fn fir(
    x: &[Option<f64>],
    filter: &[Option<f64>],
    normalize: bool,
    center: bool,
) -> Value {
    let mut f: Vec<f64> = filter.iter().map(|v| v.unwrap_or(0.0)).collect();
    if normalize {
        let s: f64 = f.iter().sum();
        if s != 0.0 {
            f.iter_mut().for_each(|v| *v /= s);
        }
    }
    let len = f.len() as i64;
    let shift = if center { len / 2 } else { 0 };
    let out = (0..x.len() as i64)
        .map(|n| {
            let mut acc = 0.0;
            for (i, fi) in f.iter().enumerate() {
                let k = n - (len - 1) + i as i64 + shift;
                if k >= 0
                    && let Some(Some(v)) = x.get(k as usize)
                {
                    acc += fi * v;
                }
            }
            num(acc)
        })
        .collect();
    Value::Array(out)
}

/// Each point replaced by the median of the points at the same phase of `period`
/// (the seasonal component Kusto's `series_seasonal` returns).
pub(crate) fn seasonal(x: &[Option<f64>], period: usize) -> Value {
    let period = period.max(1);
    let mut phases: Vec<Vec<f64>> = vec![Vec::new(); period];
    for (i, v) in x.iter().enumerate() {
        if let Some(v) = v {
            phases[i % period].push(*v);
        }
    }
    let medians: Vec<Option<f64>> = phases
        .into_iter()
        .map(|mut p| {
            if p.is_empty() {
                return None;
            }
            p.sort_by(f64::total_cmp);
            let m = p.len() / 2;
            Some(if p.len() % 2 == 1 {
                p[m]
            } else {
                (p[m - 1] + p[m]) / 2.0
            })
        })
        .collect();
    Value::Array(
        (0..x.len())
            .map(|i| medians[i % period].map_or(Value::Null, num))
            .collect(),
    )
}

/// Least-squares line over x = 1..n: rsquare, slope, variance, rvariance, interception,
/// line_fit (Kusto's `series_fit_line_dynamic` bag).
pub(crate) fn fit_line(y: &[Option<f64>]) -> Value {
    let points: Vec<(f64, f64)> = y
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| ((i + 1) as f64, v)))
        .collect();
    let n = points.len() as f64;
    let mut bag = Map::new();
    if points.len() < 2 {
        for key in ["rsquare", "slope", "variance", "rvariance", "interception"] {
            bag.insert(key.into(), Value::Null);
        }
        bag.insert("line_fit".into(), json!([]));
        return Value::Object(bag);
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - my).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let residual: f64 = points
        .iter()
        .map(|p| (p.1 - (intercept + slope * p.0)).powi(2))
        .sum();
    let rsquare = if syy == 0.0 {
        1.0
    } else {
        1.0 - residual / syy
    };
    bag.insert("rsquare".into(), num(rsquare));
    bag.insert("slope".into(), num(slope));
    bag.insert("variance".into(), num(syy / (n - 1.0)));
    bag.insert("rvariance".into(), num(residual / (n - 1.0)));
    bag.insert("interception".into(), num(intercept));
    let line: Vec<Value> = (1..=y.len())
        .map(|i| num(intercept + slope * i as f64))
        .collect();
    bag.insert("line_fit".into(), Value::Array(line));
    Value::Object(bag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills() {
        let a = [
            json!(null),
            json!(2),
            json!(null),
            json!(null),
            json!(8),
            json!(null),
        ];
        assert_eq!(
            fill_forward(&a, &Value::Null),
            vec![
                json!(null),
                json!(2),
                json!(2),
                json!(2),
                json!(8),
                json!(8)
            ]
        );
        assert_eq!(
            fill_backward(&a, &Value::Null),
            vec![
                json!(2),
                json!(2),
                json!(8),
                json!(8),
                json!(8),
                json!(null)
            ]
        );
        assert_eq!(
            fill_linear(&a, &Value::Null, false, json!(0)),
            vec![
                json!(null),
                json!(2),
                json!(4),
                json!(6),
                json!(8),
                json!(null)
            ]
        );
        assert_eq!(
            fill_const(&[json!(-1), json!(3)], &json!(0), &json!(-1)),
            vec![json!(0), json!(3)]
        );
    }

    #[test]
    fn filters() {
        let x = [Some(1.0), Some(2.0), Some(3.0)];
        // Running sum: y[n] = x[n] + y[n-1].
        assert_eq!(
            iir(&x, &[Some(1.0)], &[Some(1.0), Some(-1.0)]),
            Ok(json!([1.0, 3.0, 6.0]))
        );
        assert_eq!(
            fir(&x, &[Some(1.0), Some(1.0)], false, false),
            json!([1.0, 3.0, 5.0])
        );
        assert_eq!(
            seasonal(&[Some(1.0), Some(2.0), Some(3.0), Some(4.0), Some(9.0)], 2),
            json!([3.0, 3.0, 3.0, 3.0, 3.0])
        );
    }
}
