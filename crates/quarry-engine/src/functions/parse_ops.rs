//! The extraction kernels behind the `parse` and `parse-kv` operators.
//!
//! Both return one Struct column of Utf8 fields `c0..cN` (one per output column), so
//! that each input string is matched once however many columns the operator makes;
//! the planner then reads the fields and converts them to the declared types.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringBuilder, StructArray};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{Result as DfResult, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use regex::Regex;

/// How `parse-kv` finds its pairs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KvMode {
    /// A regex whose first two groups are the key and the value.
    Regex(String),
    Delimited {
        pair: String,
        kv: String,
        /// Opening and closing quote characters.
        quotes: Vec<(char, char)>,
        escape: Option<char>,
        /// A value runs until the next `key=` rather than the next pair delimiter.
        greedy: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Extract {
    /// `parse`: a regex whose groups 1..=N are the columns.
    Pattern(String),
    /// `parse-kv`: the values of these keys.
    Kv { mode: KvMode, keys: Vec<String> },
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ExtractUdf {
    name: String,
    how: Extract,
    fields: usize,
    signature: Signature,
}

pub fn extract_udf(how: Extract, fields: usize) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(ExtractUdf {
        name: "kql_parse_extract".into(),
        how,
        fields,
        signature: Signature::any(1, Volatility::Immutable),
    }))
}

fn struct_fields(n: usize) -> Fields {
    (0..n)
        .map(|i| Field::new(format!("c{i}"), DataType::Utf8, true))
        .collect()
}

impl ExtractUdf {
    /// The `fields` values for one text, or None when the text does not match.
    fn extract(&self, re: Option<&Regex>, text: &str, out: &mut Vec<Option<String>>) -> bool {
        out.clear();
        match (&self.how, re) {
            (Extract::Pattern(_), Some(re)) => match re.captures(text) {
                Some(c) => {
                    out.extend(
                        (0..self.fields)
                            .map(|i| c.name(&format!("qc{i}")).map(|m| m.as_str().to_string())),
                    );
                    true
                }
                None => false,
            },
            (Extract::Kv { mode, keys }, _) => {
                out.resize(keys.len(), None);
                let mut put = |k: &str, v: String| {
                    if let Some(i) = keys.iter().position(|key| key == k)
                        && out[i].is_none()
                    {
                        out[i] = Some(v);
                    }
                };
                match (mode, re) {
                    (KvMode::Regex(_), Some(re)) => {
                        for c in re.captures_iter(text) {
                            if let (Some(k), Some(v)) = (c.get(1), c.get(2)) {
                                put(k.as_str(), v.as_str().to_string());
                            }
                        }
                    }
                    (KvMode::Delimited { .. }, _) => {
                        for (k, v) in kv_pairs(mode, text) {
                            put(&k, v);
                        }
                    }
                    _ => {}
                }
                true
            }
            _ => false,
        }
    }
}

/// Reads a possibly quoted token starting at `chars[*i]`, stopping (when unquoted) at
/// any of `stops`.
fn read_token(
    chars: &[char],
    i: &mut usize,
    quotes: &[(char, char)],
    escape: Option<char>,
    stop: &dyn Fn(&[char], usize) -> bool,
) -> String {
    let mut out = String::new();
    if let Some(&(_, close)) = chars
        .get(*i)
        .and_then(|c| quotes.iter().find(|q| q.0 == *c))
    {
        *i += 1;
        while *i < chars.len() {
            let c = chars[*i];
            if Some(c) == escape && *i + 1 < chars.len() {
                out.push(chars[*i + 1]);
                *i += 2;
                continue;
            }
            *i += 1;
            if c == close {
                break;
            }
            out.push(c);
        }
        return out;
    }
    while *i < chars.len() && !stop(chars, *i) {
        out.push(chars[*i]);
        *i += 1;
    }
    out
}

fn starts_with_at(chars: &[char], i: usize, pat: &[char]) -> bool {
    !pat.is_empty() && chars.len() >= i + pat.len() && chars[i..i + pat.len()] == *pat
}

/// The key/value pairs of `text` in delimiter mode.
pub fn kv_pairs(mode: &KvMode, text: &str) -> Vec<(String, String)> {
    let KvMode::Delimited {
        pair,
        kv,
        quotes,
        escape,
        greedy,
    } = mode
    else {
        return Vec::new();
    };
    let chars: Vec<char> = text.chars().collect();
    let pair: Vec<char> = pair.chars().collect();
    let kv: Vec<char> = kv.chars().collect();
    // Whether a new `key<kv>` starts right after the pair delimiter at `at`.
    let next_key_at = |c: &[char], at: usize| -> bool {
        let mut j = at + pair.len();
        while j < c.len() && !starts_with_at(c, j, &pair) {
            if starts_with_at(c, j, &kv) {
                return j > at + pair.len();
            }
            j += 1;
        }
        false
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        while starts_with_at(&chars, i, &pair) {
            i += pair.len();
        }
        if i >= chars.len() {
            break;
        }
        let key = read_token(&chars, &mut i, quotes, *escape, &|c, at| {
            starts_with_at(c, at, &kv) || starts_with_at(c, at, &pair)
        });
        if !starts_with_at(&chars, i, &kv) {
            continue;
        }
        i += kv.len();
        let value = read_token(&chars, &mut i, quotes, *escape, &|c, at| {
            starts_with_at(c, at, &pair) && (!*greedy || next_key_at(c, at))
        });
        out.push((key.trim().to_string(), value));
    }
    out
}

impl ScalarUDFImpl for ExtractUdf {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Struct(struct_fields(self.fields)))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let Some(input) = args.args.first() else {
            return datafusion::common::exec_err!("parse: missing input");
        };
        let text = cast(&input.to_array(rows)?, &DataType::Utf8)?;
        let text = text.as_string::<i32>();
        let pattern = match &self.how {
            Extract::Pattern(p) => Some(p.as_str()),
            Extract::Kv {
                mode: KvMode::Regex(p),
                ..
            } => Some(p.as_str()),
            Extract::Kv { .. } => None,
        };
        let re = pattern
            .map(Regex::new)
            .transpose()
            .map_err(|e| datafusion::common::DataFusionError::Execution(e.to_string()))?;
        let mut builders: Vec<StringBuilder> =
            (0..self.fields).map(|_| StringBuilder::new()).collect();
        let mut valid = Vec::with_capacity(rows);
        let mut values = Vec::with_capacity(self.fields);
        for i in 0..rows {
            let s = if text.is_null(i) { "" } else { text.value(i) };
            let ok = self.extract(re.as_ref(), s, &mut values);
            valid.push(ok);
            for (b, v) in builders
                .iter_mut()
                .zip(values.iter().chain(std::iter::repeat(&None)))
            {
                match v {
                    Some(v) if ok => b.append_value(v),
                    _ => b.append_null(),
                }
            }
        }
        let columns: Vec<ArrayRef> = builders
            .into_iter()
            .map(|mut b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        let array = StructArray::try_new(
            struct_fields(self.fields),
            columns,
            Some(NullBuffer::from(valid)),
        )?;
        let array: ArrayRef = Arc::new(array);
        if matches!(input, ColumnarValue::Scalar(_)) {
            return Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &array, 0,
            )?));
        }
        Ok(ColumnarValue::Array(array))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delimited(greedy: bool, quotes: Vec<(char, char)>, escape: Option<char>) -> KvMode {
        KvMode::Delimited {
            pair: " ".into(),
            kv: "=".into(),
            quotes,
            escape,
            greedy,
        }
    }

    #[test]
    fn key_values_with_quotes_escapes_and_greed() {
        let m = delimited(false, vec![('"', '"')], Some('\\'));
        let pairs = kv_pairs(&m, r#"a=1 "b c"="x \"y\"" d=4"#);
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "1".into()),
                ("b c".into(), r#"x "y""#.into()),
                ("d".into(), "4".into())
            ]
        );
        let m = delimited(true, vec![], None);
        let pairs = kv_pairs(&m, "who=Ann Lee where=Old Town");
        assert_eq!(
            pairs,
            vec![
                ("who".into(), "Ann Lee".into()),
                ("where".into(), "Old Town".into())
            ]
        );
        let m = delimited(false, vec![('(', ')')], None);
        assert_eq!(kv_pairs(&m, "k=(v w)"), vec![("k".into(), "v w".into())]);
    }
}
