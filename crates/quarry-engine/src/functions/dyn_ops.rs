//! The semantics of Kusto's dynamic-value functions, as pure functions over JSON
//! values. `Value::Null` stands for a null argument and for a null result.
//!
//! Kusto returns null (not an error) when an argument has the wrong shape at run time,
//! e.g. `array_length` of a property bag; these functions do the same.

use std::cmp::Ordering;

use datafusion::common::Result as DfResult;
use serde_json::{Map, Value};

use super::jsonpath::{Step, parse_key};

/// The most elements `range()`, `repeat()` and friends build, as in Kusto.
pub const MAX_ARRAY_LEN: usize = 1_048_576;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DynOp {
    /// `d.a[0]...`: the value at a fixed path.
    Path(Vec<Step>),
    /// `d[k]` with a computed key: a string selects a property, a number an element.
    Get,
    ParseJson,
    /// `dynamic_to_json()`: compact JSON with keys sorted.
    ToJsonSorted,
    GetType,
    ArrayLength,
    PackArray,
    /// `bag_pack(k1, v1, ...)`
    Pack,
    /// `pack_all()`, `bag_pack_columns()`: the names are fixed; the flag drops null and
    /// empty values.
    PackNamed(Vec<String>, bool),
    ArrayConcat,
    ArraySlice,
    ArrayReverse,
    ArraySort {
        desc: bool,
    },
    ArrayIndexOf,
    ArrayIff,
    Rotate {
        right: bool,
    },
    Shift {
        right: bool,
    },
    ArraySplit,
    ArraySum,
    BagKeys,
    BagMerge,
    /// `make_bag`'s last step: an array of bag texts (or bags) merged, first key wins.
    MergeBagTexts,
    BagRemoveKeys,
    BagSetKey,
    BagHasKey,
    BagZip,
    SetHasElement,
    SetUnion,
    SetIntersect,
    SetDifference,
    JaccardIndex,
    Zip,
    Repeat,
    StrcatArray,
    Split,
    /// `range(start, stop, step)` over numbers.
    Range,
    /// `mv-expand ... to typeof(T)`: elements that are not of the type become null.
    CastTo(CastTarget),
    Treepath,
}

/// The element types `mv-expand ... to typeof()` casts to without a dedicated kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CastTarget {
    Long,
    Real,
    Bool,
    /// Strings keep their text; other values become their JSON text.
    String,
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::Bool(b) => Some(i64::from(*b)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Kusto's equality of dynamic elements: numbers by value, everything else exactly.
pub fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

/// The order `array_sort_*` uses among non-null values: numbers, then strings, then
/// the rest by their text.
fn json_cmp(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            _ => 4,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i.cmp(&j),
            _ => x
                .as_f64()
                .partial_cmp(&y.as_f64())
                .unwrap_or(Ordering::Equal),
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

/// The text a value contributes to strings (`strcat_array`, `tostring`).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The value at `steps` under `root`, if any.
pub fn walk<'a>(root: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    let mut cur = root;
    for step in steps {
        cur = match (step, cur) {
            (Step::Key(k), Value::Object(m)) => m.get(k)?,
            (Step::Index(i), Value::Array(a)) => {
                let idx = if *i < 0 { a.len() as i64 + i } else { *i };
                a.get(usize::try_from(idx).ok()?)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

fn get(root: &Value, key: &Value) -> Value {
    let step = match key {
        Value::String(s) => Step::Key(s.clone()),
        Value::Number(_) => match as_i64(key) {
            Some(i) => Step::Index(i),
            None => return Value::Null,
        },
        _ => return Value::Null,
    };
    walk(root, std::slice::from_ref(&step))
        .cloned()
        .unwrap_or(Value::Null)
}

fn parse_json(v: &Value) -> Value {
    match v {
        Value::String(s) if s.is_empty() => Value::Null,
        Value::String(s) => serde_json::from_str(s).unwrap_or_else(|_| v.clone()),
        other => other.clone(),
    }
}

fn sorted_keys(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted_keys(v)))
                    .collect(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted_keys).collect()),
        other => other.clone(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "real",
        Value::Number(n) => match n.as_i64() {
            Some(i) if i32::try_from(i).is_ok() => "int",
            _ => "long",
        },
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "dictionary",
    }
}

/// `[start, end)` of a Kusto index range over `len` elements: negative indexes count
/// from the end, and both ends are clamped.
fn clamp_index(i: i64, len: usize) -> usize {
    let len_i = len as i64;
    let i = if i < 0 { len_i + i } else { i };
    i.clamp(0, len_i) as usize
}

fn distinct_push(out: &mut Vec<Value>, v: &Value) {
    if !out.iter().any(|x| json_eq(x, v)) {
        out.push(v.clone());
    }
}

fn arrays(args: &[Value]) -> Option<Vec<&Vec<Value>>> {
    args.iter().map(Value::as_array).collect()
}

fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        _ => None,
    }
}

fn set_path(target: &mut Value, steps: &[Step], value: Value) {
    let Some((first, rest)) = steps.split_first() else {
        *target = value;
        return;
    };
    match (first, target) {
        (Step::Key(k), Value::Object(m)) => {
            let slot = m
                .entry(k.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !rest.is_empty() && !slot.is_object() && !slot.is_array() {
                *slot = Value::Object(Map::new());
            }
            set_path(slot, rest, value);
        }
        (Step::Index(i), Value::Array(a)) => {
            let idx = clamp_index(*i, a.len());
            if let Some(slot) = a.get_mut(idx) {
                set_path(slot, rest, value);
            }
        }
        _ => {}
    }
}

fn remove_path(target: &mut Value, steps: &[Step]) {
    let Some((last, parents)) = steps.split_last() else {
        return;
    };
    let mut cur = target;
    for step in parents {
        cur = match (step, cur) {
            (Step::Key(k), Value::Object(m)) => match m.get_mut(k) {
                Some(v) => v,
                None => return,
            },
            (Step::Index(i), Value::Array(a)) => {
                let idx = clamp_index(*i, a.len());
                match a.get_mut(idx) {
                    Some(v) => v,
                    None => return,
                }
            }
            _ => return,
        };
    }
    match (last, cur) {
        (Step::Key(k), Value::Object(m)) => {
            m.shift_remove(k);
        }
        (Step::Index(i), Value::Array(a)) => {
            let idx = clamp_index(*i, a.len());
            if idx < a.len() {
                a.remove(idx);
            }
        }
        _ => {}
    }
}

fn key_steps(key: &Value) -> Option<Vec<Step>> {
    match key {
        Value::String(s) => parse_key(s),
        _ => None,
    }
}

fn treepath(v: &Value, prefix: &str, out: &mut Vec<Value>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if k.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    format!("{prefix}.{k}")
                } else {
                    format!("{prefix}['{k}']")
                };
                out.push(Value::String(p.clone()));
                treepath(child, &p, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            let p = format!("{prefix}[0]");
            out.push(Value::String(p.clone()));
            // Kusto lists an array's element paths once, as [0].
            let mut seen = Vec::new();
            for child in a {
                let mut sub = Vec::new();
                treepath(child, &p, &mut sub);
                for s in sub {
                    distinct_push(&mut seen, &s);
                }
            }
            out.extend(seen);
        }
        _ => {}
    }
}

impl DynOp {
    pub fn apply(&self, args: &[Value]) -> DfResult<Value> {
        let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
        let long = |i: usize| args.get(i).and_then(as_i64);
        Ok(match self {
            DynOp::Path(steps) => walk(arg(0), steps).cloned().unwrap_or(Value::Null),
            DynOp::Get => get(arg(0), arg(1)),
            DynOp::ParseJson => parse_json(arg(0)),
            DynOp::ToJsonSorted => match arg(0) {
                Value::Null => Value::Null,
                v => Value::String(sorted_keys(v).to_string()),
            },
            DynOp::GetType => Value::String(type_name(arg(0)).into()),
            DynOp::ArrayLength => match arg(0) {
                Value::Array(a) => Value::from(a.len() as i64),
                _ => Value::Null,
            },
            DynOp::PackArray => Value::Array(args.to_vec()),
            DynOp::Pack => {
                let mut m = Map::new();
                for pair in args.chunks(2) {
                    if let [k, v] = pair {
                        m.insert(value_text(k), v.clone());
                    }
                }
                Value::Object(m)
            }
            DynOp::PackNamed(names, skip_empty) => {
                let mut m = Map::new();
                for (name, v) in names.iter().zip(args) {
                    let empty = match v {
                        Value::Null => true,
                        Value::String(s) => s.is_empty(),
                        _ => false,
                    };
                    if !(*skip_empty && empty) {
                        m.insert(name.clone(), v.clone());
                    }
                }
                Value::Object(m)
            }
            DynOp::ArrayConcat => match arrays(args) {
                Some(all) => Value::Array(all.into_iter().flatten().cloned().collect()),
                None => Value::Null,
            },
            DynOp::ArraySlice => match (arg(0), long(1), long(2)) {
                (Value::Array(a), Some(s), e) => {
                    let from = clamp_index(s, a.len());
                    let to = match e {
                        Some(e) if e < 0 => clamp_index(e, a.len()) + 1,
                        Some(e) => clamp_index(e, a.len()).min(a.len().saturating_sub(1)) + 1,
                        None => a.len(),
                    }
                    .min(a.len());
                    Value::Array(a.get(from..to).map(<[Value]>::to_vec).unwrap_or_default())
                }
                _ => Value::Null,
            },
            DynOp::ArrayReverse => match arg(0) {
                Value::Array(a) => Value::Array(a.iter().rev().cloned().collect()),
                _ => Value::Null,
            },
            DynOp::ArraySort { desc } => sort_arrays(args, *desc),
            DynOp::ArrayIndexOf => index_of(args),
            DynOp::ArrayIff => match arg(0) {
                Value::Array(cond) => {
                    let pick = |side: &Value, i: usize| match side {
                        Value::Array(a) => a.get(i).cloned().unwrap_or(Value::Null),
                        other => other.clone(),
                    };
                    Value::Array(
                        cond.iter()
                            .enumerate()
                            .map(|(i, c)| match truthy(c) {
                                Some(true) => pick(arg(1), i),
                                Some(false) => pick(arg(2), i),
                                None => Value::Null,
                            })
                            .collect(),
                    )
                }
                _ => Value::Null,
            },
            DynOp::Rotate { right } => match (arg(0), long(1)) {
                (Value::Array(a), Some(n)) if !a.is_empty() => {
                    let len = a.len() as i64;
                    let left = if *right { -n } else { n }.rem_euclid(len) as usize;
                    let mut out = a.clone();
                    out.rotate_left(left);
                    Value::Array(out)
                }
                (Value::Array(a), Some(_)) => Value::Array(a.clone()),
                _ => Value::Null,
            },
            DynOp::Shift { right } => match (arg(0), long(1)) {
                (Value::Array(a), Some(n)) => {
                    let fill = arg(2).clone();
                    let n = if *right { -n } else { n };
                    let len = a.len() as i64;
                    let out = (0..len)
                        .map(|i| {
                            let src = i + n;
                            if (0..len).contains(&src) {
                                a[src as usize].clone()
                            } else {
                                fill.clone()
                            }
                        })
                        .collect();
                    Value::Array(out)
                }
                _ => Value::Null,
            },
            DynOp::ArraySplit => match arg(0) {
                Value::Array(a) => {
                    let raw: Vec<i64> = match arg(1) {
                        Value::Array(ix) => ix.iter().filter_map(as_i64).collect(),
                        v => as_i64(v).into_iter().collect(),
                    };
                    let mut cuts: Vec<usize> =
                        raw.into_iter().map(|i| clamp_index(i, a.len())).collect();
                    cuts.sort_unstable();
                    let mut out = Vec::with_capacity(cuts.len() + 1);
                    let mut from = 0;
                    for c in cuts.into_iter().chain(std::iter::once(a.len())) {
                        let c = c.max(from);
                        out.push(Value::Array(a[from..c].to_vec()));
                        from = c;
                    }
                    Value::Array(out)
                }
                _ => Value::Null,
            },
            DynOp::ArraySum => match arg(0) {
                Value::Array(a) => {
                    let mut sum = 0.0;
                    for v in a {
                        match v {
                            Value::Number(n) => sum += n.as_f64().unwrap_or(0.0),
                            _ => return Ok(Value::Null),
                        }
                    }
                    serde_json::Number::from_f64(sum).map_or(Value::Null, Value::Number)
                }
                _ => Value::Null,
            },
            DynOp::BagKeys => match arg(0) {
                Value::Object(m) => Value::Array(m.keys().cloned().map(Value::String).collect()),
                _ => Value::Null,
            },
            DynOp::BagMerge => {
                let mut m = Map::new();
                for bag in args {
                    if let Value::Object(b) = bag {
                        for (k, v) in b {
                            if !m.contains_key(k) {
                                m.insert(k.clone(), v.clone());
                            }
                        }
                    }
                }
                Value::Object(m)
            }
            DynOp::MergeBagTexts => {
                let mut m = Map::new();
                if let Value::Array(items) = arg(0) {
                    for item in items {
                        let bag = match item {
                            Value::String(text) => {
                                serde_json::from_str(text).unwrap_or(Value::Null)
                            }
                            other => other.clone(),
                        };
                        if let Value::Object(b) = bag {
                            for (k, v) in b {
                                m.entry(k).or_insert(v);
                            }
                        }
                    }
                }
                Value::Object(m)
            }
            DynOp::BagRemoveKeys => match (arg(0), arg(1)) {
                (Value::Object(_), Value::Array(keys)) => {
                    let mut out = arg(0).clone();
                    for k in keys {
                        if let Some(steps) = key_steps(k) {
                            remove_path(&mut out, &steps);
                        }
                    }
                    out
                }
                (Value::Object(_), _) => arg(0).clone(),
                _ => Value::Null,
            },
            DynOp::BagSetKey => match (arg(0), key_steps(arg(1))) {
                (Value::Object(_), Some(steps)) => {
                    let mut out = arg(0).clone();
                    set_path(&mut out, &steps, arg(2).clone());
                    out
                }
                _ => Value::Null,
            },
            DynOp::BagHasKey => match (arg(0), key_steps(arg(1))) {
                (Value::Object(_), Some(steps)) => Value::Bool(walk(arg(0), &steps).is_some()),
                _ => Value::Null,
            },
            DynOp::BagZip => match arg(0) {
                Value::Array(keys) => {
                    let mut m = Map::new();
                    for (i, k) in keys.iter().enumerate() {
                        if let Value::String(k) = k {
                            let v = match arg(1) {
                                Value::Array(vals) => vals.get(i).cloned().unwrap_or(Value::Null),
                                _ => Value::Null,
                            };
                            m.insert(k.clone(), v);
                        }
                    }
                    Value::Object(m)
                }
                _ => Value::Null,
            },
            DynOp::SetHasElement => match arg(0) {
                Value::Array(a) => Value::Bool(a.iter().any(|v| json_eq(v, arg(1)))),
                _ => Value::Null,
            },
            DynOp::SetUnion => match arrays(args) {
                Some(all) => {
                    let mut out = Vec::new();
                    for v in all.into_iter().flatten() {
                        distinct_push(&mut out, v);
                    }
                    Value::Array(out)
                }
                None => Value::Null,
            },
            DynOp::SetIntersect | DynOp::SetDifference => match arrays(args) {
                Some(all) => {
                    let (first, rest) = match all.split_first() {
                        Some(x) => x,
                        None => return Ok(Value::Null),
                    };
                    let intersect = matches!(self, DynOp::SetIntersect);
                    let mut out = Vec::new();
                    for v in first.iter() {
                        let keep = if intersect {
                            rest.iter().all(|r| r.iter().any(|x| json_eq(x, v)))
                        } else {
                            !rest.iter().any(|r| r.iter().any(|x| json_eq(x, v)))
                        };
                        if keep {
                            distinct_push(&mut out, v);
                        }
                    }
                    Value::Array(out)
                }
                None => Value::Null,
            },
            DynOp::JaccardIndex => match (arg(0), arg(1)) {
                (Value::Array(a), Value::Array(b)) => {
                    let mut union = Vec::new();
                    for v in a.iter().chain(b) {
                        distinct_push(&mut union, v);
                    }
                    if union.is_empty() {
                        return Ok(Value::Null);
                    }
                    let common = union
                        .iter()
                        .filter(|v| {
                            a.iter().any(|x| json_eq(x, v)) && b.iter().any(|x| json_eq(x, v))
                        })
                        .count();
                    serde_json::Number::from_f64(common as f64 / union.len() as f64)
                        .map_or(Value::Null, Value::Number)
                }
                _ => Value::Null,
            },
            DynOp::Zip => match arrays(args) {
                Some(all) => {
                    let len = all.iter().map(|a| a.len()).max().unwrap_or(0);
                    Value::Array(
                        (0..len)
                            .map(|i| {
                                Value::Array(
                                    all.iter()
                                        .map(|a| a.get(i).cloned().unwrap_or(Value::Null))
                                        .collect(),
                                )
                            })
                            .collect(),
                    )
                }
                None => Value::Null,
            },
            DynOp::Repeat => match long(1) {
                Some(n) => Value::Array(vec![
                    arg(0).clone();
                    n.clamp(0, MAX_ARRAY_LEN as i64) as usize
                ]),
                None => Value::Null,
            },
            DynOp::StrcatArray => match arg(0) {
                Value::Array(a) => {
                    let delim = value_text(arg(1));
                    Value::String(a.iter().map(value_text).collect::<Vec<_>>().join(&delim))
                }
                _ => Value::Null,
            },
            DynOp::Split => split(args),
            DynOp::Range => range(args),
            DynOp::CastTo(target) => cast_element(arg(0), *target),
            DynOp::Treepath => match arg(0) {
                v @ (Value::Object(_) | Value::Array(_)) => {
                    let mut out = Vec::new();
                    treepath(v, "$", &mut out);
                    Value::Array(out)
                }
                _ => Value::Array(vec![]),
            },
        })
    }
}

/// A strict cast of one expanded element: Kusto's `to typeof()` does not parse text.
fn cast_element(v: &Value, target: CastTarget) -> Value {
    match (target, v) {
        (_, Value::Null) => Value::Null,
        (CastTarget::Long, Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map_or(Value::Null, Value::from),
        (CastTarget::Real, Value::Number(_)) => v.clone(),
        (CastTarget::Bool, Value::Bool(_)) => v.clone(),
        (CastTarget::String, _) => Value::String(value_text(v)),
        _ => Value::Null,
    }
}

mod seq;
use seq::{index_of, range, sort_arrays, split};

#[cfg(test)]
mod tests;
