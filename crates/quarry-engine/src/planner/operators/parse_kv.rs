//! `parse-kv Expr as (Key:type, ...) with (options)`: pulls the values of the named
//! keys out of key/value text. Options: `pair_delimiter`, `kv_delimiter` (defaults
//! `' '` and `'='`), `quote` (one character, or two: opening and closing), `escape`,
//! `greedy=true` (a value runs to the next `key=` instead of the next delimiter), or
//! `regex` (groups 1 and 2 of each match are a key and its value). Missing keys and
//! values that do not convert are null; rows are never dropped.

use datafusion::logical_expr::LogicalPlan;
use kql_syntax::ast::{self, ColumnDecl, OpParam};

use super::parse::{extend_with_extraction, param_text};
use crate::error::{QueryError, Result};
use crate::functions::parse_ops::{Extract, KvMode, extract_udf};
use crate::planner::Planner;

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    source: &ast::Expr,
    columns: &[ColumnDecl],
    options: &[OpParam],
) -> Result<LogicalPlan> {
    let (mut pair, mut kv) = (" ".to_string(), "=".to_string());
    let mut quotes = Vec::new();
    let mut escape = None;
    let mut greedy = false;
    let mut regex = None;
    for o in options {
        let bad = || {
            QueryError::semantic(
                format!("'parse-kv' operator: invalid value for '{}'", o.name.name),
                o.value.span,
            )
        };
        let value = param_text(o).ok_or_else(bad)?;
        match o.name.name.as_str() {
            "pair_delimiter" => pair = value,
            "kv_delimiter" => kv = value,
            "quote" => {
                let chars: Vec<char> = value.chars().collect();
                quotes = match chars.as_slice() {
                    [q] => vec![(*q, *q)],
                    [open, close] => vec![(*open, *close)],
                    _ => return Err(bad()),
                };
            }
            "escape" => {
                let mut chars = value.chars();
                escape = Some(chars.next().ok_or_else(bad)?);
            }
            "greedy" => greedy = value.eq_ignore_ascii_case("true"),
            "regex" => {
                let compiled = regex::Regex::new(&value).map_err(|e| {
                    QueryError::semantic(
                        format!("'parse-kv' operator: invalid regex: {e}"),
                        o.value.span,
                    )
                })?;
                if compiled.captures_len() < 3 {
                    return Err(QueryError::semantic(
                        "'parse-kv' operator: the regex needs two capture groups (key, value)",
                        o.value.span,
                    ));
                }
                regex = Some(value);
            }
            other => {
                return Err(QueryError::semantic(
                    format!("'parse-kv' operator: unknown option '{other}'"),
                    o.name.span,
                ));
            }
        }
    }
    if pair.is_empty() || kv.is_empty() {
        return Err(QueryError::semantic(
            "'parse-kv' operator: delimiters cannot be empty",
            source.span,
        ));
    }
    let mode = match regex {
        Some(r) => KvMode::Regex(r),
        None => KvMode::Delimited {
            pair,
            kv,
            quotes,
            escape,
            greedy,
        },
    };
    let keys = columns.iter().map(|c| c.name.name.clone()).collect();
    let typed: Vec<_> = columns
        .iter()
        .map(|c| (c.name.name.clone(), c.ty))
        .collect();
    let udf = extract_udf(Extract::Kv { mode, keys }, typed.len());
    extend_with_extraction(
        planner, input, source, "parse-kv", udf, &typed, false, false,
    )
}
