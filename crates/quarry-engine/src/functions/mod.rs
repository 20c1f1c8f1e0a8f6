//! Kusto's scalar functions that DataFusion has no faithful equivalent for, as UDFs.
//! One file per family.

pub mod array_udf;
pub mod bag_keys;
pub mod buildschema;
pub mod collect;
pub mod conversion;
pub mod datetime;
pub mod datetime_format;
pub mod dyn_ops;
pub mod dynamic;
pub mod encoding;
pub mod geo;
pub mod ip;
pub mod json;
pub mod jsonpath;
pub mod make_series;
pub mod mv_expand;
pub mod numeric;
pub mod parse_ops;
pub mod parsers;
pub mod percentile;
pub mod rowwise;
pub mod series;
mod series_ops;
pub mod sketches;
pub mod string_ops;
mod string_scan;
pub mod text;
pub mod units;

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

/// Every Quarry UDF, for registration on a session (plans carry their own handles, so
/// registration is for discoverability and `ctx.udf(name)` lookups).
pub fn all_udfs() -> Vec<Arc<ScalarUDF>> {
    let mut out = string_ops::all_string_predicates();
    out.push(conversion::tostring_udf(false));
    out.push(conversion::tostring_udf(true));
    for elements_are_json in [false, true] {
        for distinct in [false, true] {
            out.push(conversion::list_to_dynamic_udf(elements_are_json, distinct));
        }
    }
    out
}
