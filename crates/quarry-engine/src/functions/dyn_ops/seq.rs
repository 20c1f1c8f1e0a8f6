//! The sequence-building and searching functions of the dynamic family: `range()`,
//! `array_sort_*`, `array_index_of`, `split`.

use serde_json::Value;

use super::{MAX_ARRAY_LEN, as_f64, as_i64, clamp_index, json_cmp, json_eq, value_text};

pub(super) fn range(args: &[Value]) -> Value {
    let (start, stop) = match (args.first(), args.get(1)) {
        (Some(a), Some(b)) => (a, b),
        _ => return Value::Null,
    };
    let step = args.get(2).cloned().unwrap_or(Value::from(1));
    let all_int = [start, stop, &step]
        .iter()
        .all(|v| matches!(v, Value::Number(n) if n.as_i64().is_some()));
    if all_int {
        let (Some(a), Some(b), Some(s)) = (as_i64(start), as_i64(stop), as_i64(&step)) else {
            return Value::Null;
        };
        if s == 0 {
            return Value::Null;
        }
        let mut out = Vec::new();
        let mut x = a;
        while (s > 0 && x <= b || s < 0 && x >= b) && out.len() < MAX_ARRAY_LEN {
            out.push(Value::from(x));
            match x.checked_add(s) {
                Some(next) => x = next,
                None => break,
            }
        }
        return Value::Array(out);
    }
    let (Some(a), Some(b), Some(s)) = (as_f64(start), as_f64(stop), as_f64(&step)) else {
        return Value::Null;
    };
    if s == 0.0 || !s.is_finite() {
        return Value::Null;
    }
    let mut out = Vec::new();
    let mut k = 0.0;
    loop {
        let x = a + k * s;
        if !(s > 0.0 && x <= b || s < 0.0 && x >= b) || out.len() >= MAX_ARRAY_LEN {
            break;
        }
        out.push(serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number));
        k += 1.0;
    }
    Value::Array(out)
}

/// `array_sort_asc/desc(a1 [, a2 ...] [, nulls_last])`: sorts `a1`, and reorders the
/// other arrays (which must be as long) the same way. Several arrays give an array of
/// the sorted arrays.
pub(super) fn sort_arrays(args: &[Value], desc: bool) -> Value {
    let (nulls_last, arrays) = match args.split_last() {
        Some((Value::Bool(b), rest)) => (*b, rest),
        _ => (true, args),
    };
    let Some(all) = super::arrays(arrays) else {
        return Value::Null;
    };
    let Some(first) = all.first() else {
        return Value::Null;
    };
    if all.iter().any(|a| a.len() != first.len()) {
        return Value::Null;
    }
    let (mut order, nulls): (Vec<usize>, Vec<usize>) =
        (0..first.len()).partition(|&i| !first[i].is_null());
    order.sort_by(|&i, &j| json_cmp(&first[i], &first[j]));
    if desc {
        order.reverse();
    }
    let order: Vec<usize> = if nulls_last {
        order.into_iter().chain(nulls).collect()
    } else {
        nulls.into_iter().chain(order).collect()
    };
    let permute = |a: &Vec<Value>| Value::Array(order.iter().map(|&i| a[i].clone()).collect());
    match all.as_slice() {
        [one] => permute(one),
        many => Value::Array(many.iter().map(|a| permute(a)).collect()),
    }
}

pub(super) fn index_of(args: &[Value]) -> Value {
    let (Some(Value::Array(a)), Some(needle)) = (args.first(), args.get(1)) else {
        return Value::Null;
    };
    let start = args.get(2).and_then(as_i64).unwrap_or(0);
    let length = args.get(3).and_then(as_i64).unwrap_or(-1);
    let occurrence = args.get(4).and_then(as_i64).unwrap_or(1);
    if occurrence < 0 || length < -1 {
        return Value::Null;
    }
    let from = clamp_index(start, a.len());
    let to = if length == -1 {
        a.len()
    } else {
        from.saturating_add(length as usize).min(a.len())
    };
    let mut seen = 0;
    for (i, v) in a.iter().enumerate().take(to).skip(from) {
        if json_eq(v, needle) {
            seen += 1;
            if seen >= occurrence.max(1) {
                return Value::from(i as i64);
            }
        }
    }
    Value::from(-1)
}

pub(super) fn split(args: &[Value]) -> Value {
    let text = args.first().map(value_text).unwrap_or_default();
    let delim = args.get(1).map(value_text).unwrap_or_default();
    let parts: Vec<Value> = if delim.is_empty() {
        vec![Value::String(text)]
    } else {
        text.split(delim.as_str())
            .map(|p| Value::String(p.to_string()))
            .collect()
    };
    match args.get(2) {
        None | Some(Value::Null) => Value::Array(parts),
        Some(i) => match as_i64(i).and_then(|i| usize::try_from(i).ok()) {
            Some(i) => Value::Array(parts.get(i).cloned().into_iter().collect()),
            None => Value::Array(vec![]),
        },
    }
}
