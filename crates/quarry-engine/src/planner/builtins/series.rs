//! The `series_*` family: functions over dynamic numeric arrays (the output of
//! `make-series`), each planned as a call of its [`crate::functions::series`] UDF.

use super::{Args, CallCtx};
use crate::error::Result;
use crate::functions::series::{SeriesOutput, series_output, series_udf};
use crate::planner::TypedExpr;
use crate::types::ScalarType;

/// How many arguments each function takes (min, max).
fn arity(name: &str) -> (usize, usize) {
    match name {
        "series_sum" | "series_fit_line_dynamic" => (1, 1),
        "series_stats_dynamic" | "series_fill_backward" | "series_fill_forward" => (1, 2),
        "series_seasonal" => (1, 2),
        "series_fill_const" => (2, 3),
        "series_fill_linear" => (1, 4),
        "series_iir" => (3, 3),
        "series_fir" => (2, 4),
        "series_cosine_similarity" => (2, 4),
        "series_dot_product" | "series_pearson_correlation" => (2, 2),
        _ if name.starts_with("series_")
            && matches!(
                name,
                "series_add"
                    | "series_subtract"
                    | "series_multiply"
                    | "series_divide"
                    | "series_pow"
                    | "series_greater"
                    | "series_greater_equals"
                    | "series_less"
                    | "series_less_equals"
                    | "series_equals"
                    | "series_not_equals"
            ) =>
        {
            (2, 2)
        }
        _ => (1, 1),
    }
}

pub(crate) fn plan(name: &str, args: &mut Args, _cx: &CallCtx) -> Result<Option<TypedExpr>> {
    let (Some(output), Some(udf)) = (series_output(name), series_udf(name)) else {
        return Ok(None);
    };
    let (min, max) = arity(name);
    args.expect_between(min, max)?;
    let values = std::mem::take(&mut args.values)
        .into_iter()
        .map(|v| v.expr)
        .collect();
    let ty = match output {
        SeriesOutput::Dynamic => ScalarType::Dynamic,
        SeriesOutput::Real => ScalarType::Real,
    };
    Ok(Some(TypedExpr::new(udf.call(values), ty)))
}
