//! Kusto's string functions: regex extraction and replacement, trims, search, encodings,
//! hashes, compression, punycode, URL/path/CSV/version/command-line parsing.
//!
//! Every function is a [`row_udf`] over a kernel in `functions::{text, encoding,
//! parsers}`; this file checks arity, converts arguments to the types the kernel reads
//! (text via Kusto's `tostring`, numbers as Int64) and says what the result's Kusto type
//! is. Literal regex patterns are compiled here once so that a bad pattern is a
//! semantic error naming the function rather than a failure at execution.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::{Expr, cast};

use super::core::{convert, tostring};
use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::functions::encoding as enc;
use crate::functions::parsers;
use crate::functions::rowwise::{In, Out, OutType, RowFn, Scratch, row_udf};
use crate::functions::text;
use crate::planner::TypedExpr;
use crate::types::ScalarType;

/// How one argument is handed to the kernel.
#[derive(Clone, Copy)]
pub(crate) enum A {
    /// Kusto's `tostring` text (datetimes in their short form).
    Text,
    /// Full round-trip text: datetimes with all seven fraction digits (what Kusto hashes
    /// and reverses).
    Full,
    /// An Int64 (null when not a number).
    Long,
    /// Dynamic JSON text as it is; other types as text.
    Json,
}

fn out_type(ty: ScalarType) -> OutType {
    match ty {
        ScalarType::Long | ScalarType::Int => OutType::Int64,
        ScalarType::Real => OutType::Float64,
        ScalarType::Bool => OutType::Boolean,
        _ => OutType::Utf8,
    }
}

fn datetime_full_text<'a>(args: &[In<'a>], _: &mut Scratch) -> Result<Out<'a>, String> {
    Ok(match args.first() {
        Some(In::I64(ns)) => Out::owned(kql_syntax::time::format_datetime(ns.div_euclid(100))),
        _ => Out::borrowed(""),
    })
}

pub(crate) fn prepare(value: TypedExpr, how: A) -> Expr {
    match how {
        A::Long => match value.ty {
            ScalarType::Long => value.expr,
            ScalarType::String | ScalarType::Dynamic | ScalarType::Guid => {
                convert(value, ScalarType::Long).expr
            }
            _ => cast(value.expr, DataType::Int64),
        },
        A::Json if value.ty == ScalarType::Dynamic => value.expr,
        A::Full if value.ty == ScalarType::DateTime => {
            let ns = cast(value.expr, DataType::Int64);
            row_udf("kql_datetime_full_text", datetime_full_text, OutType::Utf8).call(vec![ns])
        }
        _ => tostring(value).expr,
    }
}

/// `kernel(args)` with each argument prepared as `how` says (the last entry repeats
/// for variadic tails).
pub(crate) fn call(
    name: &str,
    kernel: RowFn,
    values: &[TypedExpr],
    how: &[A],
    ty: ScalarType,
) -> TypedExpr {
    let args = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = how.get(i).or(how.last()).copied().unwrap_or(A::Text);
            prepare(v.clone(), h)
        })
        .collect();
    let udf = row_udf(&format!("kql_{name}"), kernel, out_type(ty));
    TypedExpr::new(udf.call(args), ty)
}

/// .NET ticks between 0001-01-01 and the Unix epoch.
const EPOCH_TICKS: i64 = 621_355_968_000_000_000;

/// `hash()`: text hashes its UTF-8 bytes; numbers, datetimes and timespans their
/// binary value (datetimes as .NET ticks), which is what Kusto's results match.
fn hash_xxhash64(name: &str, v: &[TypedExpr]) -> TypedExpr {
    use datafusion::logical_expr::{Operator, binary_expr};
    let lit = |x: i64| Expr::Literal(ScalarValue::Int64(Some(x)), None);
    let ticks = |e: Expr| binary_expr(cast(e, DataType::Int64), Operator::Divide, lit(100));
    let (value, kernel): (Expr, RowFn) = match v[0].ty {
        ScalarType::DateTime => (
            binary_expr(ticks(v[0].expr.clone()), Operator::Plus, lit(EPOCH_TICKS)),
            enc::hash_xxhash64_i64,
        ),
        ScalarType::Timespan => (ticks(v[0].expr.clone()), enc::hash_xxhash64_i64),
        ScalarType::Long | ScalarType::Int => (
            cast(v[0].expr.clone(), DataType::Int64),
            enc::hash_xxhash64_i64,
        ),
        ScalarType::Real => (
            cast(v[0].expr.clone(), DataType::Float64),
            enc::hash_xxhash64_f64,
        ),
        _ => (prepare(v[0].clone(), A::Text), enc::hash_xxhash64),
    };
    let mut exprs = vec![value];
    if let Some(m) = v.get(1) {
        exprs.push(prepare(m.clone(), A::Long));
    }
    let udf = row_udf(
        &format!("kql_{name}_{}", v[0].ty.name()),
        kernel,
        OutType::Int64,
    );
    TypedExpr::new(udf.call(exprs), ScalarType::Long)
}

fn literal_text(e: &TypedExpr) -> Option<&str> {
    match &e.expr {
        Expr::Literal(ScalarValue::Utf8(Some(s)), _) => Some(s),
        _ => None,
    }
}

fn check_regex(name: &str, pattern: &TypedExpr, cx: &CallCtx) -> Result<()> {
    if let Some(p) = literal_text(pattern)
        && let Err(e) = regex::Regex::new(p)
    {
        return Err(QueryError::semantic(
            format!(
                "'{}' operator: {name}(): invalid regular expression: {e}",
                cx.operator
            ),
            cx.span,
        ));
    }
    Ok(())
}

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    use A::{Full, Json, Long, Text};
    use ScalarType::{Bool, Dynamic, Guid, Long as L, String as S};
    let arity = |min: usize, max: usize| args.expect_between(min, max);
    let v = &args.values;
    let planned = match name {
        "trim" | "trim_start" | "trim_end" => {
            arity(2, 2)?;
            check_regex(name, &v[0], cx)?;
            let k: RowFn = match name {
                "trim" => text::trim,
                "trim_start" => text::trim_start,
                _ => text::trim_end,
            };
            call(name, k, v, &[Text], S)
        }
        "extract" => {
            arity(3, 4)?;
            check_regex(name, &v[0], cx)?;
            let found = call(name, text::extract, &v[..3], &[Text, Long, Text], S);
            match v.get(3) {
                // `typeof(T)`: the planner hands it over as a typed null.
                Some(t) if t.ty != S => convert(found, t.ty),
                _ => found,
            }
        }
        "extract_all" | "extractall" => {
            arity(2, 3)?;
            check_regex(name, &v[0], cx)?;
            let how: &[A] = if v.len() == 3 {
                &[Text, Json, Text]
            } else {
                &[Text]
            };
            call(name, text::extract_all, v, how, Dynamic)
        }
        "replace_regex" => {
            arity(3, 3)?;
            check_regex(name, &v[1], cx)?;
            call(name, text::replace_regex, v, &[Text], S)
        }
        // Legacy `replace(regex, rewrite, text)`.
        "replace" => {
            arity(3, 3)?;
            check_regex(name, &v[0], cx)?;
            let reordered = [v[2].clone(), v[0].clone(), v[1].clone()];
            call(name, text::replace_regex, &reordered, &[Text], S)
        }
        "replace_string" => {
            arity(3, 3)?;
            call(name, text::replace_string, v, &[Text], S)
        }
        "replace_strings" => {
            arity(3, 3)?;
            call(name, text::replace_strings, v, &[Text, Json, Json], S)
        }
        "indexof" => {
            arity(2, 5)?;
            call(name, text::indexof, v, &[Text, Text, Long], L)
        }
        "countof" => {
            arity(2, 3)?;
            call(name, text::countof, v, &[Text], L)
        }
        "reverse" => {
            arity(1, 1)?;
            call(name, text::reverse, v, &[Full], S)
        }
        "strrep" => {
            arity(2, 3)?;
            call(name, text::strrep, v, &[Text, Long, Text], S)
        }
        "string_size" => {
            arity(1, 1)?;
            call(name, text::string_size, v, &[Text], L)
        }
        "strcmp" => {
            arity(2, 2)?;
            call(name, text::strcmp, v, &[Text], L)
        }
        "isascii" => {
            arity(1, 1)?;
            call(name, text::isascii, v, &[Text], Bool)
        }
        "isutf8" => {
            arity(1, 1)?;
            call(name, text::isutf8, v, &[Text], Bool)
        }
        "translate" => {
            arity(3, 3)?;
            call(name, text::translate, v, &[Text], S)
        }
        "unicode_codepoints_from_string" => {
            arity(1, 1)?;
            call(
                name,
                text::unicode_codepoints_from_string,
                v,
                &[Text],
                Dynamic,
            )
        }
        "unicode_codepoints_to_string" => {
            if v.is_empty() {
                return Err(args.arity_error());
            }
            let how: Vec<A> = v
                .iter()
                .map(|x| if x.ty == Dynamic { Json } else { Long })
                .collect();
            call(name, text::unicode_codepoints_to_string, v, &how, S)
        }
        "format_bytes" => {
            arity(1, 4)?;
            let size = TypedExpr::new(cast(v[0].expr.clone(), DataType::Float64), ScalarType::Real);
            let mut all = vec![size];
            all.extend(v[1..].iter().cloned());
            let udf = row_udf("kql_format_bytes", text::format_bytes, OutType::Utf8);
            let mut exprs = vec![all[0].expr.clone()];
            for (i, x) in all.iter().enumerate().skip(1) {
                exprs.push(prepare(x.clone(), if i == 2 { Text } else { Long }));
            }
            TypedExpr::new(udf.call(exprs), S)
        }
        "base64_encode_tostring" | "base64_encodestring" => {
            arity(1, 1)?;
            call(name, enc::base64_encode_tostring, v, &[Text], S)
        }
        "base64_decode_tostring" | "base64_decodestring" => {
            arity(1, 1)?;
            call(name, enc::base64_decode_tostring, v, &[Text], S)
        }
        "base64_decode_toarray" => {
            arity(1, 1)?;
            call(name, enc::base64_decode_toarray, v, &[Text], Dynamic)
        }
        "base64_encode_fromarray" => {
            arity(1, 1)?;
            call(name, enc::base64_encode_fromarray, v, &[Json], S)
        }
        "base64_encode_fromguid" => {
            arity(1, 1)?;
            call(name, enc::base64_encode_fromguid, v, &[Text], S)
        }
        "base64_decode_toguid" => {
            arity(1, 1)?;
            call(name, enc::base64_decode_toguid, v, &[Text], Guid)
        }
        "url_encode" | "url_encode_component" => {
            arity(1, 1)?;
            call(name, enc::url_encode, v, &[Text], S)
        }
        "url_decode" => {
            arity(1, 1)?;
            call(name, enc::url_decode, v, &[Text], S)
        }
        "gzip_compress_to_base64_string" => {
            arity(1, 1)?;
            call(name, enc::gzip_compress, v, &[Text], S)
        }
        "gzip_decompress_from_base64_string" => {
            arity(1, 1)?;
            call(name, enc::gzip_decompress, v, &[Text], S)
        }
        "zlib_compress_to_base64_string" => {
            arity(1, 1)?;
            call(name, enc::zlib_compress, v, &[Text], S)
        }
        "zlib_decompress_from_base64_string" => {
            arity(1, 1)?;
            call(name, enc::zlib_decompress, v, &[Text], S)
        }
        "hash" | "hash_xxhash64" => {
            arity(1, 2)?;
            hash_xxhash64(name, v)
        }
        "hash_md5" => {
            arity(1, 1)?;
            call(name, enc::hash_md5, v, &[Full], S)
        }
        "hash_sha1" => {
            arity(1, 1)?;
            call(name, enc::hash_sha1, v, &[Full], S)
        }
        "hash_sha256" => {
            arity(1, 1)?;
            call(name, enc::hash_sha256, v, &[Full], S)
        }
        "punycode_from_string" => {
            arity(1, 1)?;
            call(name, enc::punycode_from_string, v, &[Text], S)
        }
        "punycode_to_string" => {
            arity(1, 1)?;
            call(name, enc::punycode_to_string, v, &[Text], S)
        }
        "punycode_domain_to_string" => {
            arity(1, 1)?;
            call(name, enc::punycode_domain_to_string, v, &[Text], S)
        }
        "punycode_domain_from_string" => {
            arity(1, 1)?;
            call(name, enc::punycode_domain_from_string, v, &[Text], S)
        }
        "parse_url" | "parseurl" => {
            arity(1, 1)?;
            call(name, parsers::parse_url, v, &[Text], Dynamic)
        }
        "parse_urlquery" | "parseurlquery" => {
            arity(1, 1)?;
            call(name, parsers::parse_urlquery, v, &[Text], Dynamic)
        }
        "parse_path" => {
            arity(1, 1)?;
            call(name, parsers::parse_path, v, &[Text], Dynamic)
        }
        "parse_csv" => {
            arity(1, 1)?;
            call(name, parsers::parse_csv, v, &[Text], Dynamic)
        }
        "parse_command_line" => {
            arity(2, 2)?;
            call(name, parsers::parse_command_line, v, &[Text], Dynamic)
        }
        "parse_version" => {
            arity(1, 1)?;
            let digits = call(name, parsers::parse_version, v, &[Text], S);
            TypedExpr::new(
                cast(digits.expr, DataType::Decimal128(38, 0)),
                ScalarType::Decimal,
            )
        }
        _ => return Ok(None),
    };
    Ok(Some(planned))
}

#[cfg(test)]
mod tests {
    use crate::planner::literal::eval_constant;
    use datafusion::common::ScalarValue;

    use super::*;

    fn lit(s: &str) -> TypedExpr {
        TypedExpr::new(
            Expr::Literal(ScalarValue::Utf8(Some(s.into())), None),
            ScalarType::String,
        )
    }

    #[test]
    fn constant_calls_fold_to_constants() -> Result<()> {
        let e = call(
            "reverse",
            text::reverse,
            &[lit("abc")],
            &[A::Text],
            ScalarType::String,
        );
        assert_eq!(
            eval_constant(e.expr)?,
            ScalarValue::Utf8(Some("cba".into()))
        );
        let null = TypedExpr::new(
            Expr::Literal(ScalarValue::Utf8(None), None),
            ScalarType::String,
        );
        let e = call(
            "strlen_bytes",
            text::string_size,
            &[null],
            &[A::Text],
            ScalarType::Long,
        );
        assert_eq!(eval_constant(e.expr)?, ScalarValue::Int64(Some(0)));
        Ok(())
    }
}
