//! Numeric functions DataFusion lacks (`erf`, `erfc`, `gamma`, `loggamma`,
//! `bitset_count_ones`) and `gettype()` of dynamic values, which depends on each value.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, AsArray, Float64Array, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use datafusion::logical_expr::ScalarUDF;
use serde_json::Value;

use super::array_udf::{Kernel, array_udf, f64s, i64s, opt_f64};
use super::json::json_text_to_value;

/// Real → real functions by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealFn {
    Erf,
    Erfc,
    Gamma,
    LogGamma,
}

fn map_real(args: &[ArrayRef], f: fn(f64) -> f64) -> DfResult<ArrayRef> {
    let x = f64s(&args[0])?;
    Ok(Arc::new(
        x.iter().map(|v| v.map(f)).collect::<Float64Array>(),
    ))
}

pub fn real_udf(f: RealFn) -> Arc<ScalarUDF> {
    let (name, kernel): (&'static str, Kernel) = match f {
        RealFn::Erf => ("kql_erf", |a| map_real(a, libm::erf)),
        RealFn::Erfc => ("kql_erfc", |a| map_real(a, libm::erfc)),
        RealFn::Gamma => ("kql_gamma", |a| map_real(a, libm::tgamma)),
        RealFn::LogGamma => ("kql_loggamma", |a| map_real(a, libm::lgamma)),
    };
    array_udf(name, 1, DataType::Float64, kernel)
}

/// The continued fraction of the incomplete beta function (modified Lentz's method).
fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { 1.0 / TINY } else { 1.0 / d };
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { 1.0 / TINY } else { 1.0 / d };
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// `beta_cdf(x, alpha, beta)`: the regularized incomplete beta function; NaN outside
/// `0 <= x <= 1` or for non-positive shape parameters.
pub fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if !(0.0..=1.0).contains(&x) || a <= 0.0 || b <= 0.0 || a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 || x == 1.0 {
        return x;
    }
    let ln_front =
        libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    // The continued fraction converges fast for x below the mean; use symmetry above.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(x, a, b) / a
    } else {
        1.0 - front * beta_cf(1.0 - x, b, a) / b
    }
}

/// `beta_inv(p, alpha, beta)`: the `x` with `beta_cdf(x) = p`, by bisection. Null for
/// `p` outside `[0, 1]`, NaN for non-positive shape parameters.
pub fn beta_inv(p: f64, a: f64, b: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    if a <= 0.0 || b <= 0.0 || a.is_nan() || b.is_nan() {
        return Some(f64::NAN);
    }
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if beta_cdf(mid, a, b) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-17 {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

/// `beta_cdf` (`inverse` false) or `beta_inv` over three real arguments.
pub fn beta_udf(inverse: bool) -> Arc<ScalarUDF> {
    fn kernel(args: &[ArrayRef], inverse: bool) -> DfResult<ArrayRef> {
        let (x, a, b) = (f64s(&args[0])?, f64s(&args[1])?, f64s(&args[2])?);
        Ok(Arc::new(
            (0..x.len())
                .map(|i| {
                    let (x, a, b) = (opt_f64(&x, i)?, opt_f64(&a, i)?, opt_f64(&b, i)?);
                    if inverse {
                        beta_inv(x, a, b)
                    } else {
                        Some(beta_cdf(x, a, b))
                    }
                })
                .collect::<Float64Array>(),
        ))
    }
    let (name, k): (&'static str, Kernel) = if inverse {
        ("kql_beta_inv", |a| kernel(a, true))
    } else {
        ("kql_beta_cdf", |a| kernel(a, false))
    };
    array_udf(name, 3, DataType::Float64, k)
}

/// `bitset_count_ones(long)`: the number of set bits of the 64-bit two's complement.
pub fn count_ones_udf() -> Arc<ScalarUDF> {
    array_udf("kql_bitset_count_ones", 1, DataType::Int64, |args| {
        let x = i64s(&args[0])?;
        Ok(Arc::new(
            x.iter()
                .map(|v| v.map(|v| i64::from(v.count_ones())))
                .collect::<Int64Array>(),
        ))
    })
}

/// The Kusto type name of one dynamic value, as `gettype()` reports it.
pub fn dynamic_type_name(text: Option<&str>) -> &'static str {
    let Some(text) = text else {
        return "null";
    };
    match json_text_to_value(text) {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "long",
        Value::Number(_) => "real",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "dictionary",
    }
}

/// `gettype(dynamic)`, per value.
pub fn dynamic_gettype_udf() -> Arc<ScalarUDF> {
    array_udf("kql_gettype_dynamic", 1, DataType::Utf8, |args| {
        let text = cast(&args[0], &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        Ok(Arc::new(
            text.iter()
                .map(|v| Some(dynamic_type_name(v)))
                .collect::<StringArray>(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_distribution() {
        // Beta(1, 1) is uniform; Beta(2, 2) has cdf 3x^2 - 2x^3.
        assert!((beta_cdf(0.3, 1.0, 1.0) - 0.3).abs() < 1e-12);
        assert!((beta_cdf(0.25, 2.0, 2.0) - (3.0 * 0.0625 - 2.0 * 0.015625)).abs() < 1e-12);
        assert!(beta_cdf(1.5, 2.0, 2.0).is_nan());
        assert!(beta_cdf(0.5, -1.0, 2.0).is_nan());
        let x = beta_inv(0.156_25, 2.0, 2.0).unwrap_or(f64::NAN);
        assert!((x - 0.25).abs() < 1e-9, "{x}");
        assert_eq!(beta_inv(1.5, 2.0, 2.0), None);
        assert!(beta_inv(0.5, -1.0, 2.0).is_some_and(f64::is_nan));
    }

    #[test]
    fn dynamic_values_name_their_types() {
        assert_eq!(dynamic_type_name(None), "null");
        assert_eq!(dynamic_type_name(Some("[1]")), "array");
        assert_eq!(dynamic_type_name(Some("{\"a\":1}")), "dictionary");
        assert_eq!(dynamic_type_name(Some("1")), "long");
        assert_eq!(dynamic_type_name(Some("1.5")), "real");
        assert_eq!(dynamic_type_name(Some("\"x\"")), "string");
    }
}
