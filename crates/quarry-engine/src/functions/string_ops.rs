//! Kusto's string predicates (`=~`, `has`, `contains`, `startswith`, `in~`, ...) as
//! scalar UDFs over Arrow string arrays.
//!
//! Why UDFs and not `lower(x) = lower(y)`: lowering allocates a new string per row, and
//! `has` (whole-term matching) has no SQL equivalent at all. These kernels fold ASCII
//! case byte by byte and only fall back to Unicode lowering when the needle itself is
//! not ASCII. Dictionary columns are evaluated once per distinct value.
//!
//! Null haystacks are FALSE (never null), so a negated operator (`!has`) on a null
//! input is TRUE, as in Kusto where strings are never null.

use std::sync::Arc;

use super::string_scan;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result as DfResult, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

/// Which comparison a predicate makes between the haystack and one needle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrMatch {
    Equals,
    Has,
    HasPrefix,
    HasSuffix,
    Contains,
    StartsWith,
    EndsWith,
}

/// How several needles combine: `has_any`/`in~` need one match, `has_all` needs all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quantifier {
    Any,
    All,
}

pub(super) fn is_term_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// A needle prepared once per batch.
pub(super) struct Needle {
    /// Lower-cased when matching is case-insensitive.
    pub(super) bytes: Vec<u8>,
    /// Case-insensitive matching of a non-ASCII needle: lower the haystack first.
    unicode_fold: bool,
    case_sensitive: bool,
    pub(super) starts_with_term_char: bool,
    pub(super) ends_with_term_char: bool,
}

impl Needle {
    pub(super) fn new(text: &str, case_sensitive: bool) -> Self {
        let folded = if case_sensitive {
            text.to_string()
        } else {
            text.to_lowercase()
        };
        let bytes = folded.into_bytes();
        Needle {
            unicode_fold: !case_sensitive && !text.is_ascii(),
            case_sensitive,
            starts_with_term_char: bytes.first().is_some_and(|&b| is_term_byte(b)),
            ends_with_term_char: bytes.last().is_some_and(|&b| is_term_byte(b)),
            bytes,
        }
    }

    fn eq_at(&self, hay: &[u8], at: usize) -> bool {
        let n = self.bytes.len();
        match hay.get(at..at + n) {
            Some(window) if self.case_sensitive || self.unicode_fold => window == self.bytes,
            Some(window) => window.eq_ignore_ascii_case(&self.bytes),
            None => false,
        }
    }

    /// Start offsets of every occurrence of the needle in `hay`, in order.
    fn occurrences<'h>(&'h self, hay: &'h [u8]) -> Box<dyn Iterator<Item = usize> + 'h> {
        let n = self.bytes.len();
        if n == 0 {
            return Box::new(0..=hay.len());
        }
        if self.case_sensitive || self.unicode_fold {
            return Box::new(memchr::memmem::find_iter(hay, &self.bytes));
        }
        let first = self.bytes[0];
        let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
        Box::new(
            memchr::memchr2_iter(lower, upper, hay)
                .filter(move |&at| at + n <= hay.len() && self.eq_at(hay, at)),
        )
    }

    fn left_edge_ok(&self, hay: &[u8], at: usize) -> bool {
        !self.starts_with_term_char || at == 0 || !is_term_byte(hay[at - 1])
    }

    fn right_edge_ok(&self, hay: &[u8], end: usize) -> bool {
        !self.ends_with_term_char || end >= hay.len() || !is_term_byte(hay[end])
    }

    pub(super) fn matches(&self, kind: StrMatch, hay: &str) -> bool {
        if self.unicode_fold {
            let lowered = hay.to_lowercase();
            return self.matches_bytes(kind, lowered.as_bytes());
        }
        self.matches_bytes(kind, hay.as_bytes())
    }

    fn matches_bytes(&self, kind: StrMatch, hay: &[u8]) -> bool {
        let n = self.bytes.len();
        match kind {
            StrMatch::Equals => hay.len() == n && self.eq_at(hay, 0),
            StrMatch::StartsWith => self.eq_at(hay, 0),
            StrMatch::EndsWith => hay.len() >= n && self.eq_at(hay, hay.len() - n),
            StrMatch::Contains => self.occurrences(hay).next().is_some(),
            StrMatch::Has => {
                n == 0
                    || self
                        .occurrences(hay)
                        .any(|at| self.left_edge_ok(hay, at) && self.right_edge_ok(hay, at + n))
            }
            StrMatch::HasPrefix => {
                n == 0 || self.occurrences(hay).any(|at| self.left_edge_ok(hay, at))
            }
            StrMatch::HasSuffix => {
                n == 0
                    || self
                        .occurrences(hay)
                        .any(|at| self.right_edge_ok(hay, at + n))
            }
        }
    }
}

/// Evaluates `pred` on every string of `array` (any Arrow string encoding); nulls are
/// false. Dictionaries are evaluated on their values and then gathered by key.
pub fn eval_strings(array: &ArrayRef, pred: &dyn Fn(&str) -> bool) -> DfResult<BooleanArray> {
    let result = match array.data_type() {
        // Packed straight into a bitmap with no validity buffer: the result is never
        // null, and skipping the Option/builder round trip is most of the kernel's cost.
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            bits(a.len(), |i| a.is_valid(i) && pred(a.value(i)))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            bits(a.len(), |i| a.is_valid(i) && pred(a.value(i)))
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            bits(a.len(), |i| a.is_valid(i) && pred(a.value(i)))
        }
        DataType::Dictionary(..) => {
            let dict = array.as_any_dictionary();
            let per_value: ArrayRef = Arc::new(eval_strings(dict.values(), pred)?);
            let gathered = take(per_value.as_ref(), dict.keys(), None)?;
            let gathered = gathered.as_boolean();
            bits(gathered.len(), |i| {
                gathered.is_valid(i) && gathered.value(i)
            })
        }
        DataType::Null => BooleanArray::from(vec![false; array.len()]),
        _ => {
            let utf8 = cast(array, &DataType::Utf8)?;
            return eval_strings(&utf8, pred);
        }
    };
    Ok(result)
}

fn bits(len: usize, f: impl FnMut(usize) -> bool) -> BooleanArray {
    BooleanArray::new(BooleanBuffer::collect_bool(len, f), None)
}

fn scalar_text(v: &ScalarValue) -> Option<String> {
    if v.is_null() {
        return None;
    }
    match v {
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Some(s.clone()),
        ScalarValue::Dictionary(_, inner) => scalar_text(inner),
        other => Some(other.to_string()),
    }
}

/// One predicate family member, e.g. `has` case-insensitive with one needle, or
/// `has_all` case-insensitive with many. Arguments: haystack, then the needles.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct StringPredicateUdf {
    name: String,
    kind: StrMatch,
    case_sensitive: bool,
    quantifier: Quantifier,
    signature: Signature,
}

impl StringPredicateUdf {
    pub fn new(kind: StrMatch, case_sensitive: bool, quantifier: Quantifier) -> Self {
        let base = match kind {
            StrMatch::Equals => "equals",
            StrMatch::Has => "has",
            StrMatch::HasPrefix => "hasprefix",
            StrMatch::HasSuffix => "hassuffix",
            StrMatch::Contains => "contains",
            StrMatch::StartsWith => "startswith",
            StrMatch::EndsWith => "endswith",
        };
        let q = match quantifier {
            Quantifier::Any => "any",
            Quantifier::All => "all",
        };
        let cs = if case_sensitive { "_cs" } else { "" };
        StringPredicateUdf {
            name: format!("kql_{base}_{q}{cs}"),
            kind,
            case_sensitive,
            quantifier,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }

    fn combine(&self, needles: &[Needle], hay: &str) -> bool {
        match self.quantifier {
            Quantifier::Any => needles.iter().any(|n| n.matches(self.kind, hay)),
            Quantifier::All => needles.iter().all(|n| n.matches(self.kind, hay)),
        }
    }
}

impl ScalarUDFImpl for StringPredicateUdf {
    fn name(&self) -> &str {
        &self.name
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> DfResult<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> DfResult<ColumnarValue> {
        let rows = args.number_rows;
        let Some((haystack, needles)) = args.args.split_first() else {
            return exec_err!("{} needs a haystack", self.name);
        };
        let all_scalar = needles
            .iter()
            .all(|n| matches!(n, ColumnarValue::Scalar(_)));
        if all_scalar {
            let texts: Vec<String> = needles
                .iter()
                .filter_map(|n| match n {
                    ColumnarValue::Scalar(s) => scalar_text(s),
                    ColumnarValue::Array(_) => None,
                })
                .collect();
            let hay = haystack.to_array(rows)?;
            let prepared: Vec<Needle> = texts
                .iter()
                .map(|t| Needle::new(t, self.case_sensitive))
                .collect();
            let result = if prepared.iter().all(|n| !n.unicode_fold) {
                string_scan::evaluate(
                    &hay,
                    self.kind,
                    self.quantifier,
                    &prepared,
                    self.case_sensitive,
                )?
            } else if prepared.is_empty() && self.quantifier == Quantifier::Any {
                BooleanArray::from(vec![false; hay.len()])
            } else {
                eval_strings(&hay, &|s| self.combine(&prepared, s))?
            };
            return match haystack {
                ColumnarValue::Scalar(_) => Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                    &result, 0,
                )?)),
                ColumnarValue::Array(_) => Ok(ColumnarValue::Array(Arc::new(result))),
            };
        }
        // Needles that vary per row: prepare them row by row.
        let hay = cast(&haystack.to_array(rows)?, &DataType::Utf8)?;
        let needle_arrays = needles
            .iter()
            .map(|n| cast(&n.to_array(rows)?, &DataType::Utf8).map_err(Into::into))
            .collect::<DfResult<Vec<ArrayRef>>>()?;
        let hay = hay.as_string::<i32>();
        let mut out = Vec::with_capacity(rows);
        for i in 0..rows {
            if hay.is_null(i) {
                out.push(false);
                continue;
            }
            let prepared: Vec<Needle> = needle_arrays
                .iter()
                .filter(|a| !a.is_null(i))
                .map(|a| Needle::new(a.as_string::<i32>().value(i), self.case_sensitive))
                .collect();
            out.push(self.combine(&prepared, hay.value(i)));
        }
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(out))))
    }
}

pub fn string_predicate_udf(
    kind: StrMatch,
    case_sensitive: bool,
    quantifier: Quantifier,
) -> Arc<ScalarUDF> {
    Arc::new(ScalarUDF::from(StringPredicateUdf::new(
        kind,
        case_sensitive,
        quantifier,
    )))
}

/// Every member of the family, for registration on a session.
pub fn all_string_predicates() -> Vec<Arc<ScalarUDF>> {
    let kinds = [
        StrMatch::Equals,
        StrMatch::Has,
        StrMatch::HasPrefix,
        StrMatch::HasSuffix,
        StrMatch::Contains,
        StrMatch::StartsWith,
        StrMatch::EndsWith,
    ];
    let mut out = Vec::new();
    for kind in kinds {
        for cs in [false, true] {
            for q in [Quantifier::Any, Quantifier::All] {
                out.push(string_predicate_udf(kind, cs, q));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(kind: StrMatch, cs: bool, needle: &str, hay: &str) -> bool {
        Needle::new(needle, cs).matches(kind, hay)
    }

    #[test]
    fn has_matches_whole_terms_only() {
        assert!(m(StrMatch::Has, false, "cmd", "C:\\Windows\\CMD.exe /c"));
        assert!(!m(StrMatch::Has, false, "cmd", "cmdline.exe"));
        assert!(!m(StrMatch::Has, false, "exe", "notepad.exes"));
        assert!(m(StrMatch::Has, false, "cmd.exe", "run cmd.exe now"));
        assert!(!m(StrMatch::Has, false, "md.exe", "run cmd.exe now"));
        assert!(!m(StrMatch::Has, true, "CMD", "cmd"));
    }

    #[test]
    fn prefixes_and_suffixes_look_at_one_edge() {
        assert!(m(StrMatch::HasPrefix, false, "power", "run PowerShell"));
        assert!(!m(StrMatch::HasPrefix, false, "shell", "run PowerShell"));
        assert!(m(StrMatch::HasSuffix, false, "shell", "run PowerShell now"));
    }

    #[test]
    fn case_folding_covers_ascii_and_unicode() {
        assert!(m(StrMatch::Equals, false, "ABC", "abc"));
        assert!(!m(StrMatch::Equals, true, "ABC", "abc"));
        assert!(m(StrMatch::Contains, false, "ÄB", "xxäbyy"));
        assert!(m(StrMatch::StartsWith, false, "he", "Hello"));
        assert!(m(StrMatch::EndsWith, false, "LO", "Hello"));
    }

    #[test]
    fn dictionary_columns_and_nulls() -> DfResult<()> {
        use datafusion::arrow::array::DictionaryArray;
        use datafusion::arrow::datatypes::Int32Type;
        let dict: DictionaryArray<Int32Type> =
            vec![Some("Alpha beta"), None, Some("gamma"), Some("Alpha beta")]
                .into_iter()
                .collect();
        let array: ArrayRef = Arc::new(dict);
        let needle = Needle::new("alpha", false);
        let result = eval_strings(&array, &|s| needle.matches(StrMatch::Has, s))?;
        assert_eq!(result, BooleanArray::from(vec![true, false, false, true]));
        Ok(())
    }
}
