//! Row kernels of Kusto's string functions (see [`super::rowwise`] for the calling
//! convention). Positions and lengths are counted in characters, as Kusto counts them.
//! Kusto's regular expressions are RE2; the `regex` crate implements the same dialect.

use std::borrow::Cow;

use super::rowwise::{In, Out, Scratch};

type R<'a> = Result<Out<'a>, String>;

fn arg<'a>(args: &[In<'a>], i: usize) -> In<'a> {
    args.get(i).copied().unwrap_or(In::Null)
}

/// `trim(regex, text)`: removes leading and trailing matches of `regex`.
pub fn trim<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let (pattern, text) = (arg(args, 0).str(), arg(args, 1));
    let text = text.str();
    let start = trim_start_len(&pattern, &text, sc)?;
    let rest = slice_cow(text, start, None);
    let end = trim_end_len(&pattern, &rest, sc)?;
    Ok(Out::Str(slice_cow(rest, 0, Some(end))))
}

pub fn trim_start<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let (pattern, text) = (arg(args, 0).str(), arg(args, 1).str());
    let start = trim_start_len(&pattern, &text, sc)?;
    Ok(Out::Str(slice_cow(text, start, None)))
}

pub fn trim_end<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let (pattern, text) = (arg(args, 0).str(), arg(args, 1).str());
    let end = trim_end_len(&pattern, &text, sc)?;
    Ok(Out::Str(slice_cow(text, 0, Some(end))))
}

fn slice_cow(s: Cow<'_, str>, from: usize, to: Option<usize>) -> Cow<'_, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(&b[from..to.unwrap_or(b.len())]),
        Cow::Owned(o) => Cow::Owned(o[from..to.unwrap_or(o.len())].to_string()),
    }
}

/// The byte length of the run of `pattern` matches at the start of `text`.
fn trim_start_len(pattern: &str, text: &str, sc: &mut Scratch) -> Result<usize, String> {
    let re = sc.regex(&format!("^(?:{pattern})+"))?;
    Ok(re.find(text).map_or(0, |m| m.end()))
}

/// Where the run of `pattern` matches at the end of `text` begins.
fn trim_end_len(pattern: &str, text: &str, sc: &mut Scratch) -> Result<usize, String> {
    let re = sc.regex(&format!("(?:{pattern})+$"))?;
    Ok(re.find(text).map_or(text.len(), |m| m.start()))
}

/// `extract(regex, group, text)`: the group of the first match, `""` when none.
pub fn extract<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let pattern = arg(args, 0).str();
    let Some(group) = arg(args, 1).i64() else {
        return Ok(Out::Null);
    };
    let In::Str(text) = arg(args, 2) else {
        let owned = arg(args, 2).str().into_owned();
        let re = sc.regex(&pattern)?;
        let found = usize::try_from(group)
            .ok()
            .and_then(|g| re.captures(&owned).and_then(|c| c.get(g)))
            .map(|m| m.as_str().to_string());
        return Ok(Out::owned(found.unwrap_or_default()));
    };
    let re = sc.regex(&pattern)?;
    let found = usize::try_from(group)
        .ok()
        .and_then(|g| re.captures(text).and_then(|c| c.get(g)))
        .map(|m| m.as_str());
    Ok(Out::borrowed(found.unwrap_or("")))
}

/// `extract_all(regex, [groups,] text)`: every match, as an array of strings (one
/// group) or of arrays (several); null when nothing matches.
pub fn extract_all<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    use serde_json::Value;
    let pattern = arg(args, 0).str().into_owned();
    let (groups_text, text) = if args.len() >= 3 {
        (Some(arg(args, 1).str().into_owned()), arg(args, 2).str())
    } else {
        (None, arg(args, 1).str())
    };
    let selectors: Option<Vec<Value>> = match &groups_text {
        Some(t) => match sc.json(t) {
            Value::Array(items) => Some(items.clone()),
            _ => return Ok(Out::Null),
        },
        None => None,
    };
    let re = sc.regex(&pattern)?;
    let names: Vec<Option<&str>> = re.capture_names().collect();
    let indexes: Vec<usize> = match &selectors {
        Some(sel) => {
            let mut out = Vec::with_capacity(sel.len());
            for s in sel {
                let idx = match s {
                    Value::Number(n) => n.as_u64().map(|v| v as usize),
                    Value::String(name) => names.iter().position(|n| *n == Some(name.as_str())),
                    _ => None,
                };
                match idx {
                    Some(i) if i < names.len() => out.push(i),
                    _ => return Err(format!("extract_all(): capture group {s} does not exist")),
                }
            }
            out
        }
        None if names.len() <= 1 => vec![0],
        None => (1..names.len()).collect(),
    };
    let mut matches = Vec::new();
    for caps in re.captures_iter(&text) {
        let pick = |i: usize| Value::String(caps.get(i).map_or("", |m| m.as_str()).to_string());
        if indexes.len() == 1 && selectors.is_none() {
            matches.push(pick(indexes[0]));
        } else {
            matches.push(Value::Array(indexes.iter().map(|&i| pick(i)).collect()));
        }
    }
    if matches.is_empty() {
        return Ok(Out::Null);
    }
    Ok(Out::owned(Value::Array(matches).to_string()))
}

/// `\1`..`\9` (Kusto's group references) to the regex crate's `${1}`; `$` escaped.
fn rewrite_template(rewrite: &str) -> String {
    let mut out = String::with_capacity(rewrite.len() + 8);
    let mut chars = rewrite.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    out.push_str("${");
                    out.push(*d);
                    out.push('}');
                    chars.next();
                }
                _ => out.push('\\'),
            },
            '$' => out.push_str("$$"),
            other => out.push(other),
        }
    }
    out
}

/// `replace_regex(text, regex, rewrite)`.
pub fn replace_regex<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let (text, pattern, rewrite) = (arg(args, 0).str(), arg(args, 1).str(), arg(args, 2).str());
    let template = rewrite_template(&rewrite);
    let re = sc.regex(&pattern)?;
    Ok(Out::owned(
        re.replace_all(&text, template.as_str()).into_owned(),
    ))
}

/// `replace_string(text, lookup, rewrite)`: non-overlapping, left to right.
pub fn replace_string<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (text, lookup, rewrite) = (arg(args, 0).str(), arg(args, 1).str(), arg(args, 2).str());
    if lookup.is_empty() || !text.contains(lookup.as_ref()) {
        return Ok(Out::Str(text));
    }
    Ok(Out::owned(text.replace(lookup.as_ref(), &rewrite)))
}

/// `replace_strings(text, lookups, rewrites)`: earlier lookups take precedence; a
/// replaced region is not matched again; non-string rewrites leave the match as is.
pub fn replace_strings<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    use serde_json::Value;
    let text = arg(args, 0).str();
    let lookups = match sc.json(&arg(args, 1).str()) {
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    };
    let rewrites = match sc.json(&arg(args, 2).str()) {
        Value::Array(a) => a.clone(),
        _ => Vec::new(),
    };
    // Claimed byte ranges, with their replacement (None: keep the original text).
    let mut claimed: Vec<(usize, usize, Option<String>)> = Vec::new();
    for (i, lookup) in lookups.iter().enumerate() {
        let Value::String(needle) = lookup else {
            continue;
        };
        if needle.is_empty() {
            continue;
        }
        let rewrite = match rewrites.get(i) {
            Some(Value::String(r)) => Some(r.clone()),
            _ => None,
        };
        for (at, _) in text.match_indices(needle.as_str()) {
            let end = at + needle.len();
            if claimed.iter().all(|&(s, e, _)| end <= s || at >= e) {
                claimed.push((at, end, rewrite.clone()));
            }
        }
    }
    if claimed.is_empty() {
        return Ok(Out::Str(text));
    }
    claimed.sort_by_key(|c| c.0);
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (s, e, rewrite) in claimed {
        out.push_str(&text[pos..s]);
        out.push_str(rewrite.as_deref().unwrap_or(&text[s..e]));
        pos = e;
    }
    out.push_str(&text[pos..]);
    Ok(Out::owned(out))
}

/// `indexof(source, lookup[, start[, length[, occurrence]]])`, in characters.
pub fn indexof<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let source = arg(args, 0).str();
    let lookup = arg(args, 1).str();
    let start = if args.len() > 2 {
        arg(args, 2).i64()
    } else {
        Some(0)
    };
    let length = if args.len() > 3 {
        arg(args, 3).i64()
    } else {
        Some(-1)
    };
    let occurrence = if args.len() > 4 {
        arg(args, 4).i64()
    } else {
        Some(1)
    };
    let (Some(start), Some(length), Some(occurrence)) = (start, length, occurrence) else {
        return Ok(Out::Null);
    };
    if length < -1 || occurrence < 1 {
        return Ok(Out::Null);
    }
    let chars: Vec<char> = source.chars().collect();
    let needle: Vec<char> = lookup.chars().collect();
    let n = chars.len() as i64;
    let mut from = if start < 0 { (n + start).max(0) } else { start };
    if from > n {
        return Ok(Out::I64(-1));
    }
    let mut found = -1;
    for _ in 0..occurrence {
        // Each further occurrence is searched from just after the previous one, over
        // the same window length.
        let end = if length < 0 {
            n
        } else {
            (from + length).min(n)
        };
        found = find_chars(&chars, &needle, from as usize, end as usize);
        if found < 0 {
            return Ok(Out::I64(-1));
        }
        from = found + 1;
    }
    Ok(Out::I64(found))
}

fn find_chars(hay: &[char], needle: &[char], from: usize, end: usize) -> i64 {
    if needle.is_empty() {
        return if from <= end { from as i64 } else { -1 };
    }
    if end < needle.len() {
        return -1;
    }
    (from..=end - needle.len())
        .find(|&i| hay[i..i + needle.len()] == *needle)
        .map_or(-1, |i| i as i64)
}

/// `countof(text, search[, kind])`: "normal" counts overlapping occurrences, "regex"
/// counts matches.
pub fn countof<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    let (text, search) = (arg(args, 0).str(), arg(args, 1).str());
    let kind = if args.len() > 2 {
        arg(args, 2).str()
    } else {
        Cow::Borrowed("normal")
    };
    if kind == "regex" {
        let re = sc.regex(&search)?;
        return Ok(Out::I64(re.find_iter(&text).count() as i64));
    }
    if search.is_empty() {
        return Ok(Out::I64(0));
    }
    let (hay, needle) = (text.as_bytes(), search.as_bytes());
    let mut count = 0;
    let mut from = 0;
    while let Some(at) = memchr::memmem::find(&hay[from..], needle) {
        count += 1;
        // Next candidate starts one character further (overlapping matches count).
        let step = text[from + at..].chars().next().map_or(1, char::len_utf8);
        from += at + step;
        if from > hay.len() {
            break;
        }
    }
    Ok(Out::I64(count))
}

pub fn reverse<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::owned(arg(args, 0).str().chars().rev().collect()))
}

/// `strrep(value, multiplier[, delimiter])`; the multiplier is capped at 1024.
pub fn strrep<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let value = arg(args, 0).str();
    let Some(times) = arg(args, 1).i64() else {
        return Ok(Out::Null);
    };
    let delimiter = arg(args, 2).str();
    let times = times.clamp(0, 1024) as usize;
    let mut out = String::with_capacity((value.len() + delimiter.len()) * times);
    for i in 0..times {
        if i > 0 {
            out.push_str(&delimiter);
        }
        out.push_str(&value);
    }
    Ok(Out::owned(out))
}

pub fn string_size<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::I64(arg(args, 0).str().len() as i64))
}

pub fn strcmp<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let (a, b) = (arg(args, 0).str(), arg(args, 1).str());
    Ok(Out::I64(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}

pub fn isascii<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::Bool(arg(args, 0).str().is_ascii()))
}

/// Arrow strings are valid UTF-8 by construction.
pub fn isutf8<'a>(_: &[In<'a>], _: &mut Scratch) -> R<'a> {
    Ok(Out::Bool(true))
}

/// `translate(searchList, replacementList, source)`: character by character; a
/// shorter replacement list repeats its last character; an empty one deletes.
pub fn translate<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let search: Vec<char> = arg(args, 0).str().chars().collect();
    let replace: Vec<char> = arg(args, 1).str().chars().collect();
    let source = arg(args, 2).str();
    let mut out = String::with_capacity(source.len());
    for c in source.chars() {
        match search.iter().position(|&s| s == c) {
            None => out.push(c),
            Some(i) => {
                if let Some(r) = replace.get(i).or(replace.last()) {
                    out.push(*r);
                }
            }
        }
    }
    Ok(Out::owned(out))
}

pub fn unicode_codepoints_from_string<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let points: Vec<serde_json::Value> = arg(args, 0)
        .str()
        .chars()
        .map(|c| serde_json::Value::from(c as u32))
        .collect();
    Ok(Out::owned(serde_json::Value::Array(points).to_string()))
}

/// `unicode_codepoints_to_string(values, ...)`: each argument a code point or an
/// array of them (arguments arrive as dynamic JSON text).
pub fn unicode_codepoints_to_string<'a>(args: &[In<'a>], sc: &mut Scratch) -> R<'a> {
    use serde_json::Value;
    let mut out = String::new();
    let mut push = |v: &Value| -> Result<(), String> {
        let c = v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .and_then(char::from_u32);
        match c {
            Some(c) => {
                out.push(c);
                Ok(())
            }
            None => Err(format!(
                "unicode_codepoints_to_string(): invalid code point {v}"
            )),
        }
    };
    for a in args {
        match a {
            In::I64(n) => push(&Value::from(*n))?,
            In::Str(text) => match sc.json(text).clone() {
                Value::Array(items) => {
                    for item in &items {
                        push(item)?;
                    }
                }
                Value::Null => {}
                other => push(&other)?,
            },
            _ => {}
        }
    }
    Ok(Out::owned(out))
}

/// `format_bytes(size[, precision[, units[, base]]])`.
pub fn format_bytes<'a>(args: &[In<'a>], _: &mut Scratch) -> R<'a> {
    let Some(size) = arg(args, 0).f64() else {
        return Ok(Out::borrowed(""));
    };
    let precision = if args.len() > 1 {
        arg(args, 1).i64().unwrap_or(0)
    } else {
        0
    }
    .clamp(0, 15);
    let units = arg(args, 2).str();
    let base = if args.len() > 3 {
        arg(args, 3).i64().unwrap_or(1024)
    } else {
        1024
    };
    if base != 1000 && base != 1024 {
        return Ok(Out::borrowed(""));
    }
    const UNITS: [&str; 7] = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB"];
    let requested = UNITS.iter().position(|u| {
        u.eq_ignore_ascii_case(&units) || (units.eq_ignore_ascii_case("B") && *u == "Bytes")
    });
    let step = base as f64;
    let exp = match requested {
        Some(e) => e,
        None => {
            let mut e = 0;
            let mut v = size.abs();
            while v >= step && e < UNITS.len() - 1 {
                v /= step;
                e += 1;
            }
            e
        }
    };
    let value = size / step.powi(exp as i32);
    let factor = 10f64.powi(precision as i32);
    let rounded = (value * factor).round() / factor;
    Ok(Out::owned(format!("{rounded} {}", UNITS[exp])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::rowwise::tests::run1;

    fn s(v: &str) -> In<'_> {
        In::Str(v)
    }
    fn text(o: Result<Out<'static>, String>) -> String {
        match o {
            Ok(Out::Str(s)) => s.into_owned(),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn trims_are_regex_runs() {
        assert_eq!(text(run1(trim, &[s("ab"), s("ababxab")])), "x");
        assert_eq!(text(run1(trim_start, &[s(r"\s+"), s("  x  ")])), "x  ");
        assert_eq!(text(run1(trim_end, &[s(r"\s+"), s("  x  ")])), "  x");
        assert_eq!(text(run1(trim, &[s("z"), In::Null])), "");
    }

    #[test]
    fn extract_and_extract_all() {
        assert_eq!(
            text(run1(extract, &[s(r"id=(\d+)"), In::I64(1), s("a id=42 b")])),
            "42"
        );
        assert_eq!(
            text(run1(extract, &[s(r"id=(\d+)"), In::I64(1), s("none")])),
            ""
        );
        assert_eq!(
            text(run1(extract_all, &[s(r"(\d)"), s("a1b2")])),
            r#"["1","2"]"#
        );
        assert_eq!(
            text(run1(extract_all, &[s(r"(\w)=(\d)"), s("a=1 b=2")])),
            r#"[["a","1"],["b","2"]]"#
        );
        assert_eq!(
            text(run1(
                extract_all,
                &[s(r"(?P<k>\w)=(\d)"), s(r#"["k"]"#), s("a=1")]
            )),
            r#"[["a"]]"#
        );
        assert_eq!(run1(extract_all, &[s(r"\d"), s("x")]), Ok(Out::Null));
    }

    #[test]
    fn replacements() {
        assert_eq!(
            text(run1(replace_regex, &[s("a1b22"), s(r"(\d+)"), s(r"<\1>")])),
            "a<1>b<22>"
        );
        assert_eq!(
            text(run1(replace_string, &[s("aXbX"), s("X"), s("$")])),
            "a$b$"
        );
        assert_eq!(
            text(run1(
                replace_strings,
                &[s("This is"), s(r#"["is","This"]"#), s(r#"["was","X"]"#)]
            )),
            "Thwas was"
        );
    }

    #[test]
    fn indexof_windows_and_occurrences() {
        let run = |a: &[In<'_>]| run1(indexof, a);
        assert_eq!(run(&[s("hello world"), s("o")]), Ok(Out::I64(4)));
        assert_eq!(
            run(&[
                s("hello world"),
                s("o"),
                In::I64(0),
                In::I64(-1),
                In::I64(2)
            ]),
            Ok(Out::I64(7))
        );
        assert_eq!(
            run(&[s("hello"), s("lo"), In::I64(0), In::I64(3)]),
            Ok(Out::I64(-1))
        );
        assert_eq!(run(&[s("hello"), s("l"), In::I64(-2)]), Ok(Out::I64(3)));
        assert_eq!(run(&[s("héllo"), s("l")]), Ok(Out::I64(2)));
        assert_eq!(run(&[s("x"), s("x"), In::Null]), Ok(Out::Null));
    }

    #[test]
    fn small_ones() {
        assert_eq!(run1(countof, &[s("aaaa"), s("aa")]), Ok(Out::I64(3)));
        assert_eq!(
            run1(countof, &[s("aaaa"), s("aa"), s("regex")]),
            Ok(Out::I64(2))
        );
        assert_eq!(text(run1(reverse, &[s("abc")])), "cba");
        assert_eq!(
            text(run1(strrep, &[s("ab"), In::I64(3), s("-")])),
            "ab-ab-ab"
        );
        assert_eq!(run1(string_size, &[s("é")]), Ok(Out::I64(2)));
        assert_eq!(run1(strcmp, &[s("a"), s("b")]), Ok(Out::I64(-1)));
        assert_eq!(
            text(run1(translate, &[s("abc"), s("x"), s("aabbd")])),
            "xxxxd"
        );
        assert_eq!(text(run1(translate, &[s("ab"), s(""), s("abc")])), "c");
        assert_eq!(
            text(run1(unicode_codepoints_from_string, &[s("Aé")])),
            "[65,233]"
        );
        assert_eq!(
            text(run1(
                unicode_codepoints_to_string,
                &[s("[72,105]"), In::I64(33)]
            )),
            "Hi!"
        );
        assert_eq!(text(run1(format_bytes, &[In::I64(2048)])), "2 KB");
        assert_eq!(
            text(run1(format_bytes, &[In::I64(1536), In::I64(1)])),
            "1.5 KB"
        );
        assert_eq!(text(run1(format_bytes, &[In::I64(100)])), "100 Bytes");
        assert_eq!(
            text(run1(format_bytes, &[In::I64(3 << 20), In::I64(0), s("KB")])),
            "3072 KB"
        );
    }
}
