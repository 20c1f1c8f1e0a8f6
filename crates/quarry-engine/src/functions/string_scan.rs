//! The byte-level kernels behind the string predicates, for needles that need no Unicode
//! case folding (every needle of a case-sensitive predicate, every ASCII needle of a
//! case-insensitive one).
//!
//! Two shapes, picked by what the predicate has to look at:
//! - **Anchored** (`==`, `=~`, `startswith`, `endswith`, `in~`): a monomorphised loop over
//!   the offsets that rejects on length before touching bytes. No closure call per row, no
//!   allocation.
//! - **Searching** (`contains`, `has`, `hasprefix`, `hassuffix`): one SIMD `memmem` pass
//!   over the batch's whole value buffer (lower-cased once when case-insensitive), mapping
//!   each hit back to its row through the offsets and skipping to the next row once a row
//!   matched. Rare needles, the hunting case, cost about one read of the buffer.
//!
//! Dictionary columns are evaluated once per distinct value and gathered by key. The
//! result is never null: a null haystack is false.

use std::collections::HashSet;

use datafusion::arrow::array::BooleanBufferBuilder;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, GenericStringArray, OffsetSizeTrait,
};
use datafusion::arrow::buffer::BooleanBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result as DfResult;
use memchr::memmem::Finder;

use super::string_ops::{Needle, Quantifier, StrMatch, is_term_byte};

/// Evaluates `kind` with `needles` (none of them needing Unicode folding) over `hay`.
pub(super) fn evaluate(
    hay: &ArrayRef,
    kind: StrMatch,
    quantifier: Quantifier,
    needles: &[Needle],
    case_sensitive: bool,
) -> DfResult<BooleanArray> {
    if let DataType::Dictionary(..) = hay.data_type() {
        let dict = hay.as_any_dictionary();
        let per_value = evaluate(dict.values(), kind, quantifier, needles, case_sensitive)?;
        let keys = dict.normalized_keys();
        let key_nulls = dict.keys().logical_nulls();
        let bits = BooleanBuffer::collect_bool(keys.len(), |i| {
            key_nulls.as_ref().is_none_or(|n| n.is_valid(i))
                && per_value.values().len() > keys[i]
                && per_value.value(keys[i])
        });
        return Ok(BooleanArray::new(bits, None));
    }
    match quantifier {
        Quantifier::Any if needles.is_empty() => {
            return Ok(BooleanArray::new(BooleanBuffer::new_unset(hay.len()), None));
        }
        Quantifier::Any if kind == StrMatch::Equals && needles.len() > 4 => {
            return equals_any_by_hash(hay, needles, case_sensitive);
        }
        _ => {}
    }
    let mut combined: Option<BooleanBuffer> = None;
    for needle in needles {
        let one = evaluate_one(hay, kind, needle, case_sensitive)?;
        combined = Some(match (combined, quantifier) {
            (None, _) => one,
            (Some(acc), Quantifier::Any) => &acc | &one,
            (Some(acc), Quantifier::All) => &acc & &one,
        });
    }
    let bits = combined.unwrap_or_else(|| BooleanBuffer::new_set(hay.len()));
    // Null rows are false, whatever the kernels saw in their (arbitrary) value slots.
    let bits = match hay.logical_nulls() {
        Some(nulls) => &bits & nulls.inner(),
        None => bits,
    };
    Ok(BooleanArray::new(bits, None))
}

fn evaluate_one(
    hay: &ArrayRef,
    kind: StrMatch,
    needle: &Needle,
    case_sensitive: bool,
) -> DfResult<BooleanBuffer> {
    match hay.data_type() {
        DataType::Utf8 => Ok(on_offsets(
            hay.as_string::<i32>(),
            kind,
            needle,
            case_sensitive,
        )),
        DataType::LargeUtf8 => Ok(on_offsets(
            hay.as_string::<i64>(),
            kind,
            needle,
            case_sensitive,
        )),
        DataType::Utf8View if !is_search(kind) => {
            let a = hay.as_string_view();
            let matcher = Anchored::new(kind, needle, case_sensitive);
            Ok(BooleanBuffer::collect_bool(a.len(), |i| {
                matcher.matches(a.value(i).as_bytes())
            }))
        }
        DataType::Null => Ok(BooleanBuffer::new_unset(hay.len())),
        // Views are copied into one contiguous buffer for the searching kernels: one
        // copy is cheaper than a search per row.
        _ => {
            let utf8 = cast(hay, &DataType::Utf8)?;
            evaluate_one(&utf8, kind, needle, case_sensitive)
        }
    }
}

fn is_search(kind: StrMatch) -> bool {
    matches!(
        kind,
        StrMatch::Contains | StrMatch::Has | StrMatch::HasPrefix | StrMatch::HasSuffix
    )
}

fn on_offsets<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    kind: StrMatch,
    needle: &Needle,
    case_sensitive: bool,
) -> BooleanBuffer {
    let offsets = a.value_offsets();
    let values = a.value_data();
    if is_search(kind) {
        return search(offsets, values, kind, needle, case_sensitive);
    }
    let matcher = Anchored::new(kind, needle, case_sensitive);
    let n = needle.bytes.len();
    // Two passes: a branch-free pass over the offsets keeps the rows whose length can
    // match, then only those rows' bytes are compared. Most rows fail on length, and the
    // first pass has no unpredictable branch.
    let rows = a.len();
    let (starts, ends) = (&offsets[..rows], &offsets[1..=rows]);
    let length_ok = match kind {
        StrMatch::Equals => BooleanBuffer::collect_bool(rows, |i| {
            ends[i].as_usize().wrapping_sub(starts[i].as_usize()) == n
        }),
        _ => BooleanBuffer::collect_bool(rows, |i| {
            ends[i].as_usize().wrapping_sub(starts[i].as_usize()) >= n
        }),
    };
    let mut out = BooleanBufferBuilder::new(rows);
    out.append_buffer(&length_ok);
    for i in length_ok.set_indices() {
        let (start, end) = (starts[i].as_usize(), ends[i].as_usize());
        let window = match kind {
            StrMatch::Equals | StrMatch::StartsWith => values.get(start..start + n),
            _ => values.get(end - n..end),
        };
        if !window.is_some_and(|w| matcher.same(w)) {
            out.set_bit(i, false);
        }
    }
    out.finish()
}

/// `==`, `startswith` and `endswith` against one needle.
struct Anchored<'n> {
    kind: StrMatch,
    needle: &'n [u8],
    /// The needle as 8-byte words: at offsets 0, 8, 16, ... and, when the length is not a
    /// multiple of 8, one more word ending at the last byte (overlapping the one before),
    /// so that a window is compared in whole words with no byte-by-byte tail. Needles
    /// shorter than 8 bytes are one zero-padded word.
    words: Vec<(usize, u64, u64)>,
}

impl<'n> Anchored<'n> {
    fn new(kind: StrMatch, needle: &'n Needle, case_sensitive: bool) -> Self {
        // Per byte, 0x20 where the byte is an ASCII letter and case folds: `h | mask ==
        // needle` then accepts exactly the byte and its other case.
        let mask: Vec<u8> = needle
            .bytes
            .iter()
            .map(|b| {
                if !case_sensitive && b.is_ascii_alphabetic() {
                    0x20
                } else {
                    0
                }
            })
            .collect();
        let n = needle.bytes.len();
        let mut offsets: Vec<usize> = (0..n / 8).map(|k| k * 8).collect();
        if !n.is_multiple_of(8) {
            offsets.push(n.saturating_sub(8));
        }
        let words = offsets
            .into_iter()
            .map(|at| (at, padded_word(&needle.bytes, at), padded_word(&mask, at)))
            .collect();
        Anchored {
            kind,
            needle: &needle.bytes,
            words,
        }
    }

    /// `window` equals the needle, folding ASCII case where the mask says.
    #[inline(always)]
    fn same(&self, window: &[u8]) -> bool {
        if window.len() != self.needle.len() {
            return false;
        }
        let mut diff = 0u64;
        for &(at, needle, mask) in &self.words {
            diff |= (padded_word(window, at) | mask) ^ needle;
        }
        diff == 0
    }

    #[inline]
    fn matches(&self, hay: &[u8]) -> bool {
        let n = self.needle.len();
        if hay.len() < n {
            return false;
        }
        match self.kind {
            StrMatch::Equals => hay.len() == n && self.same(hay),
            StrMatch::StartsWith => self.same(&hay[..n]),
            StrMatch::EndsWith => self.same(&hay[hay.len() - n..]),
            // Not reached: the searching kinds go through `search`.
            _ => false,
        }
    }
}

/// The 8 bytes of `bytes` from `at`, zero-padded past its end.
#[inline(always)]
fn padded_word(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(chunk) => u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8])),
        None => {
            let mut buf = [0u8; 8];
            let tail = bytes.get(at..).unwrap_or(&[]);
            buf[..tail.len().min(8)].copy_from_slice(&tail[..tail.len().min(8)]);
            u64::from_ne_bytes(buf)
        }
    }
}

/// The searching kernel: hits of the needle in the whole value buffer, mapped to rows.
fn search<O: OffsetSizeTrait>(
    offsets: &[O],
    values: &[u8],
    kind: StrMatch,
    needle: &Needle,
    case_sensitive: bool,
) -> BooleanBuffer {
    let rows = offsets.len().saturating_sub(1);
    let n = needle.bytes.len();
    let (first, last) = match (offsets.first(), offsets.last()) {
        (Some(f), Some(l)) => (f.as_usize(), l.as_usize().min(values.len())),
        _ => return BooleanBuffer::new_unset(0),
    };
    if n == 0 {
        return BooleanBuffer::new_set(rows);
    }
    if case_sensitive {
        search_in(offsets, &values[..last], 0, kind, needle, rows)
    } else {
        let lowered = values[first..last].to_ascii_lowercase();
        search_in(offsets, &lowered, first, kind, needle, rows)
    }
}

/// Searches `hay`, which holds the value buffer from byte `base` on.
fn search_in<O: OffsetSizeTrait>(
    offsets: &[O],
    hay: &[u8],
    base: usize,
    kind: StrMatch,
    needle: &Needle,
    rows: usize,
) -> BooleanBuffer {
    let n = needle.bytes.len();
    let finder = Finder::new(&needle.bytes);
    let mut hits = vec![false; rows];
    let row_start = |r: usize| offsets[r].as_usize() - base;
    let row_end = |r: usize| offsets[r + 1].as_usize() - base;
    let mut row = 0;
    let mut pos = if rows > 0 { row_start(0) } else { hay.len() };
    while pos < hay.len() && row < rows {
        let Some(found) = finder.find(&hay[pos..]) else {
            break;
        };
        let at = pos + found;
        while row < rows && row_end(row) <= at {
            row += 1;
        }
        if row >= rows {
            break;
        }
        let (start, end) = (row_start(row), row_end(row));
        if at + n > end {
            // The hit straddles two rows: look again one byte further.
            pos = at + 1;
            continue;
        }
        let left_ok = !needle.starts_with_term_char || at == start || !is_term_byte(hay[at - 1]);
        let right_ok = !needle.ends_with_term_char || at + n == end || !is_term_byte(hay[at + n]);
        let ok = match kind {
            StrMatch::Has => left_ok && right_ok,
            StrMatch::HasPrefix => left_ok,
            StrMatch::HasSuffix => right_ok,
            _ => true,
        };
        if ok {
            hits[row] = true;
            row += 1;
            pos = end;
        } else {
            pos = at + 1;
        }
    }
    BooleanBuffer::from(hits)
}

/// `in~`/`in` with many needles: one hash lookup per row. Case folding reuses one buffer.
fn equals_any_by_hash(
    hay: &ArrayRef,
    needles: &[Needle],
    case_sensitive: bool,
) -> DfResult<BooleanArray> {
    let set: HashSet<&[u8]> = needles.iter().map(|n| n.bytes.as_slice()).collect();
    let (shortest, longest) = needles.iter().fold((usize::MAX, 0), |(lo, hi), n| {
        (lo.min(n.bytes.len()), hi.max(n.bytes.len()))
    });
    let mut folded: Vec<u8> = Vec::with_capacity(longest);
    let mut probe = |s: &[u8]| {
        if s.len() < shortest || s.len() > longest {
            return false;
        }
        if case_sensitive {
            return set.contains(s);
        }
        folded.clear();
        folded.extend(s.iter().map(u8::to_ascii_lowercase));
        set.contains(folded.as_slice())
    };
    let bits = match hay.data_type() {
        DataType::Utf8 => by_row(hay.as_string::<i32>(), &mut probe),
        DataType::LargeUtf8 => by_row(hay.as_string::<i64>(), &mut probe),
        _ => {
            let utf8 = cast(hay, &DataType::Utf8)?;
            by_row(utf8.as_string::<i32>(), &mut probe)
        }
    };
    let bits = match hay.logical_nulls() {
        Some(nulls) => &bits & nulls.inner(),
        None => bits,
    };
    Ok(BooleanArray::new(bits, None))
}

fn by_row<O: OffsetSizeTrait>(
    a: &GenericStringArray<O>,
    probe: &mut impl FnMut(&[u8]) -> bool,
) -> BooleanBuffer {
    let offsets = a.value_offsets();
    let values = a.value_data();
    BooleanBuffer::collect_bool(a.len(), |i| {
        values
            .get(offsets[i].as_usize()..offsets[i + 1].as_usize())
            .is_some_and(&mut *probe)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{LargeStringArray, StringArray, StringViewArray};

    use super::*;

    /// The reference: the row-at-a-time matcher in string_ops.
    fn reference(
        rows: &[Option<&str>],
        kind: StrMatch,
        q: Quantifier,
        needles: &[&str],
        cs: bool,
    ) -> Vec<bool> {
        let prepared: Vec<Needle> = needles.iter().map(|n| Needle::new(n, cs)).collect();
        rows.iter()
            .map(|r| match r {
                None => false,
                Some(s) => match q {
                    Quantifier::Any => prepared.iter().any(|n| n.matches(kind, s)),
                    Quantifier::All => prepared.iter().all(|n| n.matches(kind, s)),
                },
            })
            .collect()
    }

    fn run(
        array: ArrayRef,
        kind: StrMatch,
        q: Quantifier,
        needles: &[&str],
        cs: bool,
    ) -> Vec<bool> {
        let prepared: Vec<Needle> = needles.iter().map(|n| Needle::new(n, cs)).collect();
        let out = evaluate(&array, kind, q, &prepared, cs).expect("evaluate");
        assert_eq!(out.null_count(), 0);
        out.iter().map(|b| b.unwrap_or(false)).collect()
    }

    const KINDS: [StrMatch; 7] = [
        StrMatch::Equals,
        StrMatch::Has,
        StrMatch::HasPrefix,
        StrMatch::HasSuffix,
        StrMatch::Contains,
        StrMatch::StartsWith,
        StrMatch::EndsWith,
    ];

    #[test]
    fn agrees_with_the_row_matcher_on_every_encoding() {
        let rows = [
            Some("cmd.exe /c whoami"),
            None,
            Some("CMD"),
            Some(""),
            Some("xcmd cmdx cmd"),
            Some("powershell -enc AAAA"),
            Some("cm"),
            Some("d.exe"),
            Some("run Cmd.Exe"),
            Some("cmdcmd"),
        ];
        let needle_sets: [&[&str]; 7] = [
            &["cmd"],
            &["CMD.exe"],
            &["md"],
            &[""],
            &["cmd", "enc"],
            &["a", "b", "c", "cmd", "CM", "d.exe"],
            &[".exe"],
        ];
        let encodings: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(rows.to_vec())),
            Arc::new(LargeStringArray::from(rows.to_vec())),
            Arc::new(StringViewArray::from(rows.to_vec())),
            {
                let dict: datafusion::arrow::array::DictionaryArray<
                    datafusion::arrow::datatypes::Int32Type,
                > = rows.iter().copied().collect();
                Arc::new(dict)
            },
            // A slice, so that the offsets do not start at zero.
            Arc::new(
                StringArray::from([&[Some("zz cmd")], &rows[..]].concat()).slice(1, rows.len()),
            ),
        ];
        for array in &encodings {
            for kind in KINDS {
                for needles in needle_sets {
                    for cs in [false, true] {
                        for q in [Quantifier::Any, Quantifier::All] {
                            assert_eq!(
                                run(Arc::clone(array), kind, q, needles, cs),
                                reference(&rows, kind, q, needles, cs),
                                "{kind:?} {q:?} {needles:?} cs={cs} on {}",
                                array.data_type()
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn hits_that_straddle_rows_do_not_count() {
        let array: ArrayRef = Arc::new(StringArray::from(vec!["abc", "def", "cd"]));
        assert_eq!(
            run(array, StrMatch::Contains, Quantifier::Any, &["cd"], false),
            vec![false, false, true]
        );
    }
}
