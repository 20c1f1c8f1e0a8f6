//! Kusto's IPv4/IPv6 functions: parsing, masks, comparisons, ranges, and finding
//! addresses in free text. Kernels live in `functions::ip`; arguments are handed over
//! as text (dynamic arrays as their JSON), prefixes as Int64.

use super::strings::{A, call};
use super::{Args, CallCtx};
use crate::error::Result;
use crate::functions::ip as k;
use crate::functions::rowwise::RowFn;
use crate::planner::TypedExpr;
use crate::types::ScalarType;

pub(crate) fn plan(name: &str, args: &mut Args, _cx: &CallCtx) -> Result<Option<TypedExpr>> {
    use A::{Json, Long, Text};
    use ScalarType::{Bool, Dynamic, Long as L, String as S};
    let fmt_how = [ipv4_form(&args.values), Long];
    // (kernel, min args, max args, argument forms, result type)
    let (kernel, min, max, how, ty): (RowFn, usize, usize, &[A], ScalarType) = match name {
        "parse_ipv4" => (k::parse_ipv4, 1, 1, &[Text], L),
        "parse_ipv4_mask" => (k::parse_ipv4_mask, 2, 2, &[Text, Long], L),
        "format_ipv4" => (k::format_ipv4, 1, 2, &fmt_how, S),
        "format_ipv4_mask" => (k::format_ipv4_mask, 1, 2, &fmt_how, S),
        "ipv4_netmask_suffix" => (k::ipv4_netmask_suffix, 1, 1, &[Text], L),
        "ipv4_is_private" => (k::ipv4_is_private, 1, 1, &[Text], Bool),
        "ipv4_compare" => (k::ipv4_compare, 2, 3, &[Text, Text, Long], L),
        "ipv4_is_match" => (k::ipv4_is_match, 2, 3, &[Text, Text, Long], Bool),
        "ipv4_is_in_range" => (k::ipv4_is_in_range, 2, 2, &[Text], Bool),
        "ipv4_is_in_any_range" => (k::ipv4_is_in_any_range, 2, usize::MAX, &[Text, Json], Bool),
        "ipv4_range_to_cidr_list" => (k::ipv4_range_to_cidr_list, 2, 2, &[Text], Dynamic),
        "has_ipv4" => (k::has_ipv4, 2, 2, &[Text], Bool),
        "has_ipv4_prefix" => (k::has_ipv4_prefix, 2, 2, &[Text], Bool),
        "has_any_ipv4" => (k::has_ipv4, 2, usize::MAX, &[Text, Json], Bool),
        "has_any_ipv4_prefix" => (k::has_ipv4_prefix, 2, usize::MAX, &[Text, Json], Bool),
        "parse_ipv6" => (k::parse_ipv6, 1, 1, &[Text], S),
        "parse_ipv6_mask" => (k::parse_ipv6_mask, 2, 2, &[Text, Long], S),
        "ipv6_compare" => (k::ipv6_compare, 2, 3, &[Text, Text, Long], L),
        "ipv6_is_match" => (k::ipv6_is_match, 2, 3, &[Text, Text, Long], Bool),
        "ipv6_is_in_range" => (k::ipv6_is_in_range, 2, 2, &[Text], Bool),
        "ipv6_is_in_any_range" => (k::ipv6_is_in_any_range, 2, usize::MAX, &[Text, Json], Bool),
        _ => return Ok(None),
    };
    args.expect_between(min, max)?;
    Ok(Some(call(name, kernel, &args.values, how, ty)))
}

/// `format_ipv4` takes the address as text or as a number.
fn ipv4_form(v: &[TypedExpr]) -> A {
    match v.first().map(|x| x.ty) {
        Some(ScalarType::Long | ScalarType::Int) => A::Long,
        _ => A::Text,
    }
}
