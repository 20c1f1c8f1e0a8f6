//! Row kernels of Kusto's IPv4/IPv6 functions.
//!
//! Addresses may carry a `/prefix`; comparisons use the smallest prefix among the
//! operands and an explicit prefix argument. IPv4 addresses compared as IPv6 are
//! IPv4-mapped (`::ffff:a.b.c.d`), and a prefix written after IPv4 notation counts
//! IPv4 bits (so it adds 96). Invalid input gives null.

use serde_json::Value;

use super::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

fn arg<'a>(args: &[In<'a>], i: usize) -> In<'a> {
    args.get(i).copied().unwrap_or(In::Null)
}

/// Strict dotted-quad: four decimal octets.
pub fn parse_v4_addr(text: &str) -> Option<u32> {
    let mut parts = text.split('.');
    let mut value = 0u32;
    for _ in 0..4 {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u32 = p.parse().ok()?;
        if octet > 255 {
            return None;
        }
        value = (value << 8) | octet;
    }
    parts.next().is_none().then_some(value)
}

/// `a.b.c.d[/n]` → (address, prefix).
pub fn parse_v4(text: &str) -> Option<(u32, u32)> {
    let text = text.trim();
    match text.split_once('/') {
        Some((addr, prefix)) => {
            let p: u32 = prefix.trim().parse().ok()?;
            (p <= 32).then_some(())?;
            Some((parse_v4_addr(addr.trim())?, p))
        }
        None => Some((parse_v4_addr(text)?, 32)),
    }
}

fn mask_v4(prefix: u32) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.min(32))
    }
}

fn fmt_v4(v: u32) -> String {
    std::net::Ipv4Addr::from(v).to_string()
}

/// An IPv4 argument given as text or as a long.
fn v4_arg(a: In<'_>) -> Option<(u32, u32)> {
    match a {
        In::I64(v) => u32::try_from(v).ok().map(|v| (v, 32)),
        In::Null => None,
        other => parse_v4(&other.str()),
    }
}

/// An optional prefix argument: valid range 0..=max.
fn prefix_arg(args: &[In<'_>], i: usize, max: u32) -> Option<Option<u32>> {
    if args.len() <= i {
        return Some(None);
    }
    let p = arg(args, i).i64()?;
    (0..=i64::from(max)).contains(&p).then_some(Some(p as u32))
}

pub fn parse_ipv4<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::opt_i64(
        parse_v4(&arg(args, 0).str()).map(|(a, p)| i64::from(a & mask_v4(p))),
    ))
}

pub fn parse_ipv4_mask<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some((a, p)), Some(Some(m))) = (parse_v4(&arg(args, 0).str()), prefix_arg(args, 1, 32))
    else {
        return Ok(Out::Null);
    };
    Ok(Out::I64(i64::from(a & mask_v4(p.min(m)))))
}

fn masked_v4(args: &[In<'_>]) -> Option<(u32, u32)> {
    let (a, p) = v4_arg(arg(args, 0))?;
    let m = prefix_arg(args, 1, 32)?.unwrap_or(32);
    let p = p.min(m);
    Some((a & mask_v4(p), p))
}

/// `format_ipv4(ip[, prefix])`: empty when invalid.
pub fn format_ipv4<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::owned(
        masked_v4(args).map(|(a, _)| fmt_v4(a)).unwrap_or_default(),
    ))
}

pub fn format_ipv4_mask<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::owned(
        masked_v4(args)
            .map(|(a, p)| format!("{}/{p}", fmt_v4(a)))
            .unwrap_or_default(),
    ))
}

pub fn ipv4_netmask_suffix<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::opt_i64(
        parse_v4(&arg(args, 0).str()).map(|(_, p)| i64::from(p)),
    ))
}

pub fn ipv4_is_private<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some((a, p)) = parse_v4(&arg(args, 0).str()) else {
        return Ok(Out::Null);
    };
    let inside = |net: u32, bits: u32| p >= bits && (a & mask_v4(bits)) == net;
    Ok(Out::Bool(
        inside(0x0A00_0000, 8) || inside(0xAC10_0000, 12) || inside(0xC0A8_0000, 16),
    ))
}

/// -1, 0, 1 comparing two IPv4 addresses under the common prefix.
fn cmp_v4(a: &str, b: &str, prefix: Option<u32>) -> Option<i64> {
    let (x, px) = parse_v4(a)?;
    let (y, py) = parse_v4(b)?;
    let m = mask_v4(px.min(py).min(prefix.unwrap_or(32)));
    Some(match (x & m).cmp(&(y & m)) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    })
}

pub fn ipv4_compare<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(prefix) = prefix_arg(args, 2, 32) else {
        return Ok(Out::Null);
    };
    Ok(Out::opt_i64(cmp_v4(
        &arg(args, 0).str(),
        &arg(args, 1).str(),
        prefix,
    )))
}

pub fn ipv4_is_match<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(prefix) = prefix_arg(args, 2, 32) else {
        return Ok(Out::Null);
    };
    Ok(Out::opt_bool(
        cmp_v4(&arg(args, 0).str(), &arg(args, 1).str(), prefix).map(|c| c == 0),
    ))
}

/// Whether `ip` lies in `range` (the range's prefix decides).
fn in_range_v4(ip: &str, range: &str) -> Option<bool> {
    let (x, _) = parse_v4(ip)?;
    let (y, p) = parse_v4(range)?;
    let m = mask_v4(p);
    Some(x & m == y & m)
}

pub fn ipv4_is_in_range<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::opt_bool(in_range_v4(
        &arg(args, 0).str(),
        &arg(args, 1).str(),
    )))
}

/// The text arguments after the first, with dynamic arrays flattened.
fn list_args(args: &[In<'_>], sc: &mut Scratch) -> Vec<String> {
    let mut out = Vec::new();
    for a in args.iter().skip(1) {
        let text = a.str();
        if text.trim_start().starts_with('[') {
            if let Value::Array(items) = sc.json(&text) {
                out.extend(items.iter().filter_map(|v| v.as_str().map(str::to_string)));
            }
        } else {
            out.push(text.into_owned());
        }
    }
    out
}

pub fn ipv4_is_in_any_range<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let ip = arg(args, 0).str();
    if parse_v4(&ip).is_none() {
        return Ok(Out::Null);
    }
    let ranges = list_args(args, sc);
    Ok(Out::Bool(
        ranges.iter().any(|r| in_range_v4(&ip, r).unwrap_or(false)),
    ))
}

/// `ipv4_range_to_cidr_list(start, end)`: the fewest CIDR blocks covering the range.
pub fn ipv4_range_to_cidr_list<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some((start, _)), Some((end, _))) =
        (parse_v4(&arg(args, 0).str()), parse_v4(&arg(args, 1).str()))
    else {
        return Ok(Out::Null);
    };
    let (mut cur, end) = (u64::from(start), u64::from(end));
    let mut blocks = Vec::new();
    while cur <= end {
        let mut size = if cur == 0 {
            1u64 << 32
        } else {
            cur & cur.wrapping_neg()
        };
        while cur + size - 1 > end {
            size >>= 1;
        }
        let prefix = 32 - size.trailing_zeros();
        blocks.push(Value::String(format!("{}/{prefix}", fmt_v4(cur as u32))));
        cur += size;
    }
    Ok(Out::owned(Value::Array(blocks).to_string()))
}

/// Candidate IPv4 addresses in free text: maximal runs of digits and dots bounded by
/// characters that are not letters or digits.
fn ipv4_tokens(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                i += 1;
            }
            let bounded_left = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            let bounded_right = i >= bytes.len() || !bytes[i].is_ascii_alphanumeric();
            if bounded_left && bounded_right {
                return Some(text[start..i].trim_end_matches('.'));
            }
        }
        None
    })
}

fn has_v4(text: &str, ips: &[String], prefix: bool) -> bool {
    let targets: Vec<&str> = ips
        .iter()
        .map(String::as_str)
        .filter(|ip| {
            if prefix {
                parse_v4_addr(ip).is_some() || valid_v4_prefix(ip)
            } else {
                parse_v4_addr(ip).is_some()
            }
        })
        .collect();
    if targets.is_empty() {
        return false;
    }
    ipv4_tokens(text).any(|tok| {
        parse_v4_addr(tok).is_some()
            && targets.iter().any(|t| {
                if prefix {
                    tok.starts_with(t) && (t.ends_with('.') || tok.len() == t.len())
                } else {
                    tok == *t
                }
            })
    })
}

/// `10.`, `10.1.`, `10.1.2.`: one to three octets each followed by a dot.
fn valid_v4_prefix(p: &str) -> bool {
    let Some(body) = p.strip_suffix('.') else {
        return false;
    };
    let parts: Vec<&str> = body.split('.').collect();
    (1..=3).contains(&parts.len())
        && parts.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && o.parse::<u32>().is_ok_and(|v| v <= 255)
        })
}

pub fn has_ipv4<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let ips = list_args(args, sc);
    Ok(Out::Bool(has_v4(&arg(args, 0).str(), &ips, false)))
}

pub fn has_ipv4_prefix<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let ips = list_args(args, sc);
    Ok(Out::Bool(has_v4(&arg(args, 0).str(), &ips, true)))
}

/// An IPv6 (or IPv4, mapped) address with its prefix in IPv6 bits.
pub fn parse_v6(text: &str) -> Option<(u128, u32)> {
    let text = text.trim();
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a.trim(), Some(p.trim().parse::<u32>().ok()?)),
        None => (text, None),
    };
    if let Some(v4) = parse_v4_addr(addr) {
        let p = prefix.unwrap_or(32);
        (p <= 32).then_some(())?;
        return Some(((0xffffu128 << 32) | u128::from(v4), 96 + p));
    }
    let parsed: std::net::Ipv6Addr = addr.parse().ok()?;
    let mut value = u128::from(parsed);
    let has_v4_tail = addr.contains('.');
    if has_v4_tail {
        // `::a.b.c.d` is read as the IPv4-mapped address.
        value = (0xffffu128 << 32) | (value & 0xffff_ffff);
    }
    let p = match prefix {
        Some(p) if has_v4_tail => {
            (p <= 32).then_some(())?;
            96 + p
        }
        Some(p) => {
            (p <= 128).then_some(())?;
            p
        }
        None => 128,
    };
    Some((value, p))
}

fn mask_v6(prefix: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix.min(128))
    }
}

fn fmt_v6_full(v: u128) -> String {
    let groups: Vec<String> = (0..8)
        .rev()
        .map(|i| format!("{:04x}", (v >> (i * 16)) & 0xffff))
        .collect();
    groups.join(":")
}

pub fn parse_ipv6<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::opt_str(
        parse_v6(&arg(args, 0).str()).map(|(a, p)| fmt_v6_full(a & mask_v6(p))),
    ))
}

pub fn parse_ipv6_mask<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (Some((a, p)), Some(Some(m))) = (parse_v6(&arg(args, 0).str()), prefix_arg(args, 1, 128))
    else {
        return Ok(Out::Null);
    };
    Ok(Out::owned(fmt_v6_full(a & mask_v6(p.min(m)))))
}

fn cmp_v6(a: &str, b: &str, prefix: Option<u32>) -> Option<i64> {
    let (x, px) = parse_v6(a)?;
    let (y, py) = parse_v6(b)?;
    let m = mask_v6(px.min(py).min(prefix.unwrap_or(128)));
    Some(match (x & m).cmp(&(y & m)) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    })
}

pub fn ipv6_compare<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(prefix) = prefix_arg(args, 2, 128) else {
        return Ok(Out::Null);
    };
    Ok(Out::opt_i64(cmp_v6(
        &arg(args, 0).str(),
        &arg(args, 1).str(),
        prefix,
    )))
}

pub fn ipv6_is_match<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(prefix) = prefix_arg(args, 2, 128) else {
        return Ok(Out::Null);
    };
    Ok(Out::opt_bool(
        cmp_v6(&arg(args, 0).str(), &arg(args, 1).str(), prefix).map(|c| c == 0),
    ))
}

fn in_range_v6(ip: &str, range: &str) -> Option<bool> {
    let (x, _) = parse_v6(ip)?;
    let (y, p) = parse_v6(range)?;
    let m = mask_v6(p);
    Some(x & m == y & m)
}

pub fn ipv6_is_in_range<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::opt_bool(in_range_v6(
        &arg(args, 0).str(),
        &arg(args, 1).str(),
    )))
}

pub fn ipv6_is_in_any_range<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let ip = arg(args, 0).str();
    if parse_v6(&ip).is_none() {
        return Ok(Out::Null);
    }
    let ranges = list_args(args, sc);
    Ok(Out::Bool(
        ranges.iter().any(|r| in_range_v6(&ip, r).unwrap_or(false)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    fn s(v: &str) -> In<'_> {
        In::Str(v)
    }

    #[test]
    fn ipv4_parsing_and_masks() {
        assert_eq!(parse_v4("10.0.0.1"), Some((0x0A00_0001, 32)));
        assert_eq!(parse_v4("10.0.0.256"), None);
        assert_eq!(parse_v4("10.0.0"), None);
        assert_eq!(parse_v4("10.0.0.1/33"), None);
        assert_eq!(
            run1(parse_ipv4, &[s("10.0.0.9/24")]),
            Ok(Out::I64(0x0A00_0000))
        );
        assert_eq!(run1(parse_ipv4, &[In::Null]), Ok(Out::Null));
        assert_eq!(
            run1(format_ipv4_mask, &[s("10.1.2.3"), In::I64(16)]),
            Ok(Out::owned("10.1.0.0/16".into()))
        );
        assert_eq!(
            run1(format_ipv4, &[In::I64(0x0A00_0001)]),
            Ok(Out::owned("10.0.0.1".into()))
        );
        assert_eq!(
            run1(format_ipv4, &[s("10.0.0.1"), In::I64(-1)]),
            Ok(Out::owned(String::new()))
        );
    }

    #[test]
    fn ipv4_predicates() {
        assert_eq!(
            run1(ipv4_is_private, &[s("172.16.5.5")]),
            Ok(Out::Bool(true))
        );
        assert_eq!(run1(ipv4_is_private, &[s("8.8.8.8")]), Ok(Out::Bool(false)));
        assert_eq!(
            run1(ipv4_is_in_range, &[s("10.2.3.4"), s("10.0.0.0/8")]),
            Ok(Out::Bool(true))
        );
        assert_eq!(
            run1(
                ipv4_is_in_any_range,
                &[s("10.2.3.4"), s(r#"["1.0.0.0/8","10.0.0.0/8"]"#)]
            ),
            Ok(Out::Bool(true))
        );
        assert_eq!(
            run1(ipv4_compare, &[s("10.0.0.1"), s("10.0.0.2")]),
            Ok(Out::I64(-1))
        );
        assert_eq!(
            run1(ipv4_is_match, &[s("10.0.0.1"), s("10.0.0.2"), In::I64(24)]),
            Ok(Out::Bool(true))
        );
        assert_eq!(
            run1(has_ipv4, &[s("from 10.0.0.1: ok"), s("10.0.0.1")]),
            Ok(Out::Bool(true))
        );
        assert_eq!(
            run1(has_ipv4, &[s("x10.0.0.1"), s("10.0.0.1")]),
            Ok(Out::Bool(false))
        );
        assert_eq!(
            run1(has_ipv4_prefix, &[s("ip 10.0.0.1"), s("10.0.")]),
            Ok(Out::Bool(true))
        );
        assert_eq!(
            run1(has_ipv4_prefix, &[s("ip 10.0.0.1"), s("10.0")]),
            Ok(Out::Bool(false))
        );
    }

    #[test]
    fn cidr_lists() {
        assert_eq!(
            run1(ipv4_range_to_cidr_list, &[s("10.0.0.0"), s("10.0.2.255")]),
            Ok(Out::owned(r#"["10.0.0.0/23","10.0.2.0/24"]"#.into()))
        );
    }

    #[test]
    fn ipv6() {
        assert_eq!(
            run1(parse_ipv6, &[s("1.2.3.4")]),
            Ok(Out::owned("0000:0000:0000:0000:0000:ffff:0102:0304".into()))
        );
        assert_eq!(
            run1(parse_ipv6_mask, &[s("fe80::1:2"), In::I64(112)]),
            Ok(Out::owned("fe80:0000:0000:0000:0000:0000:0001:0000".into()))
        );
        assert_eq!(
            run1(ipv6_compare, &[s("::ffff:1.2.3.4"), s("1.2.3.4")]),
            Ok(Out::I64(0))
        );
        assert_eq!(
            run1(ipv6_is_in_range, &[s("fe80::5"), s("fe80::/64")]),
            Ok(Out::Bool(true))
        );
        assert_eq!(run1(ipv6_is_match, &[s("nope"), s("::1")]), Ok(Out::Null));
    }
}
