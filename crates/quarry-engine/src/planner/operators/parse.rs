//! `parse` and `parse-where`: a pattern of string constants, columns (`Name[:type]`)
//! and `*` wildcards, turned into one regex matched once per row.
//!
//! - `kind=simple` (default): constants are literal text; a row matches when every
//!   constant is found in order and every typed column converts (strict).
//! - `kind=relaxed`: the same, but a column that does not convert is null on its own.
//! - `kind=regex [flags=..]`: constants are regex fragments; `*` and string columns are
//!   greedy (`.*`, `(.*)`) as Kusto's are, so that flag `U` makes them lazy; numeric
//!   columns only match numbers.
//!
//! Simple and relaxed patterns are anchored at the start (a leading `*` skips text) and
//! a trailing column takes the rest of the string. Unmatched rows get nulls;
//! `parse-where` drops them instead.

use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, and, is_not_null, when};
use kql_syntax::ast::{self, OpParam, ParsePart};

use crate::error::{QueryError, Result};
use crate::functions::parse_ops::{Extract, extract_udf};
use crate::planner::builtins::core::tostring;
use crate::planner::builtins::{CallCtx, plan_builtin};
use crate::planner::expr::ExprCtx;
use crate::planner::{Planner, TypedExpr, column, column_names};
use crate::types::ScalarType;

const STRUCT_COL: &str = "__quarry_parse";
const OK_COL: &str = "__quarry_parse_ok";
/// The name of the regex group that captures the i-th column: `qc0`, `qc1`, ...
pub(crate) const GROUP_PREFIX: &str = "qc";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Simple,
    Relaxed,
    Regex,
}

/// A constant operator parameter's text (`kind=regex`, `flags="Ui"`).
pub(crate) fn param_text(p: &OpParam) -> Option<String> {
    match &p.value.kind {
        ast::ExprKind::Name(id) => Some(id.name.clone()),
        ast::ExprKind::Literal(ast::Literal::String(s)) => Some(s.clone()),
        ast::ExprKind::Literal(ast::Literal::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

fn build_regex(kind: Kind, flags: &str, pattern: &[ParsePart]) -> String {
    let mut re = String::from("^");
    if !flags.is_empty() {
        re = format!("(?{flags})^");
    }
    let mut column_index = 0;
    for (i, part) in pattern.iter().enumerate() {
        // Before a `*`, a lazy column would match nothing: numbers take their digits.
        let before_star = matches!(pattern.get(i + 1), Some(ParsePart::Star));
        match part {
            ParsePart::Literal(text) if kind == Kind::Regex => re.push_str(&format!("(?:{text})")),
            ParsePart::Literal(text) => re.push_str(&regex::escape(text)),
            ParsePart::Star if kind == Kind::Regex => re.push_str(".*"),
            ParsePart::Star => re.push_str(".*?"),
            ParsePart::Column { ty, .. } => {
                // Named groups: a regex constant may hold groups of its own.
                let body = match (kind, ty) {
                    (Kind::Regex, Some(ScalarType::Long | ScalarType::Int)) => r"-?\d+",
                    (Kind::Regex, Some(ScalarType::Real)) => r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?",
                    (Kind::Regex, _) => ".*",
                    (_, Some(ScalarType::Long | ScalarType::Int)) if before_star => r"-?\d+",
                    (_, Some(ScalarType::Real)) if before_star => {
                        r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
                    }
                    _ => ".*?",
                };
                re.push_str(&format!("(?P<{}{column_index}>{body})", GROUP_PREFIX));
                column_index += 1;
            }
        }
    }
    if kind != Kind::Regex && matches!(pattern.last(), Some(ParsePart::Column { .. })) {
        re.push('$');
    }
    re
}

/// The builtin that converts extracted text to `ty`.
pub(crate) fn conversion_function(ty: ScalarType) -> Option<&'static str> {
    Some(match ty {
        ScalarType::String => return None,
        ScalarType::Long => "tolong",
        ScalarType::Int => "toint",
        ScalarType::Real => "toreal",
        ScalarType::Bool => "tobool",
        ScalarType::DateTime => "todatetime",
        ScalarType::Timespan => "totimespan",
        ScalarType::Guid => "toguid",
        ScalarType::Dynamic => "parse_json",
        ScalarType::Decimal => "todecimal",
    })
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    where_: bool,
    params: &[OpParam],
    source: &ast::Expr,
    pattern: &[ParsePart],
) -> Result<LogicalPlan> {
    let operator = if where_ { "parse-where" } else { "parse" };
    let mut kind = Kind::Simple;
    let mut flags = String::new();
    for p in params {
        let value = param_text(p).unwrap_or_default();
        match (p.name.name.as_str(), value.as_str()) {
            ("kind", "simple") => kind = Kind::Simple,
            ("kind", "relaxed") => kind = Kind::Relaxed,
            ("kind", "regex") => kind = Kind::Regex,
            ("flags", f) if f.chars().all(|c| "imsUx".contains(c)) => flags = f.to_string(),
            (name, v) => {
                return Err(QueryError::semantic(
                    format!("'{operator}' operator: unsupported parameter {name}={v}"),
                    p.name.span,
                ));
            }
        }
    }
    if kind != Kind::Regex && !flags.is_empty() {
        return Err(QueryError::semantic(
            format!("'{operator}' operator: flags apply only to kind=regex"),
            source.span,
        ));
    }
    let columns: Vec<(String, ScalarType)> = pattern
        .iter()
        .filter_map(|p| match p {
            ParsePart::Column { name, ty } => {
                Some((name.name.clone(), ty.unwrap_or(ScalarType::String)))
            }
            _ => None,
        })
        .collect();
    let re = build_regex(kind, &flags, pattern);
    if let Err(e) = regex::Regex::new(&re) {
        return Err(QueryError::semantic(
            format!("'{operator}' operator: invalid pattern: {e}"),
            source.span,
        ));
    }
    let strict = kind != Kind::Relaxed;
    let udf = extract_udf(Extract::Pattern(re), columns.len());
    extend_with_extraction(
        planner, input, source, operator, udf, &columns, strict, where_,
    )
}

/// Adds `columns` (extracted by `udf` from `source` as a struct of strings, then
/// converted) to `input`; `strict`: a failed conversion nulls the whole row's
/// extraction; `filter`: unmatched rows are dropped.
#[allow(clippy::too_many_arguments)]
pub(crate) fn extend_with_extraction(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    source: &ast::Expr,
    operator: &'static str,
    udf: std::sync::Arc<datafusion::logical_expr::ScalarUDF>,
    columns: &[(String, ScalarType)],
    strict: bool,
    filter: bool,
) -> Result<LogicalPlan> {
    let schema = input.schema().clone();
    let ctx = ExprCtx::new(&schema, operator);
    let text = tostring(planner.plan_scalar(source, &ctx)?);
    let existing = column_names(&input);
    let mut exprs: Vec<Expr> = existing.iter().map(|n| column(n)).collect();
    exprs.push(udf.call(vec![text.expr]).alias(STRUCT_COL));
    let plan1 = LogicalPlanBuilder::from(input).project(exprs)?.build()?;
    let schema1 = plan1.schema().clone();
    let mut converted = Vec::with_capacity(columns.len());
    let mut ok = is_not_null(column(STRUCT_COL));
    for (i, (name, ty)) in columns.iter().enumerate() {
        let field = get_field(column(STRUCT_COL), format!("c{i}"));
        let value = match conversion_function(*ty) {
            None => TypedExpr::new(field, ScalarType::String),
            Some(f) => {
                let cx = CallCtx {
                    name: f,
                    operator,
                    span: source.span,
                    schema: &schema1,
                    now_ns: planner.now_ns(),
                };
                let arg = TypedExpr::new(field, ScalarType::String);
                let planned = plan_builtin(vec![arg], &cx)?.ok_or_else(|| {
                    QueryError::not_supported(format!(
                        "'{operator}' into a column of type {}",
                        ty.name()
                    ))
                })?;
                if strict {
                    ok = and(ok, is_not_null(planned.expr.clone()));
                }
                planned
            }
        };
        converted.push((name.clone(), value));
    }
    let mut out: Vec<Expr> = Vec::new();
    let gate = |v: TypedExpr| -> Result<TypedExpr> {
        if strict {
            let e = when(column(OK_COL), v.expr).end()?;
            Ok(TypedExpr::new(e, v.ty))
        } else {
            Ok(v)
        }
    };
    // The gate needs `ok` as a column: compute it in its own projection first.
    let mut with_ok: Vec<Expr> = column_names(&plan1).iter().map(|n| column(n)).collect();
    with_ok.push(ok.alias(OK_COL));
    let plan2 = LogicalPlanBuilder::from(plan1).project(with_ok)?.build()?;
    let mut plan2 = if filter {
        LogicalPlanBuilder::from(plan2)
            .filter(column(OK_COL))?
            .build()?
    } else {
        plan2
    };
    let mut added = Vec::new();
    for name in &existing {
        match converted.iter().find(|(n, _)| n == name) {
            Some((_, v)) => out.push(gate(v.clone())?.named(name)),
            None => out.push(column(name)),
        }
    }
    for (name, v) in &converted {
        if !existing.contains(name) && !added.contains(name) {
            out.push(gate(v.clone())?.named(name));
            added.push(name.clone());
        }
    }
    plan2 = LogicalPlanBuilder::from(plan2).project(out)?.build()?;
    Ok(plan2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_syntax::ast::Ident;

    fn col(name: &str, ty: Option<ScalarType>) -> ParsePart {
        ParsePart::Column {
            name: Ident {
                name: name.into(),
                span: Default::default(),
            },
            ty,
        }
    }

    #[test]
    fn patterns_become_anchored_regexes() {
        let p = vec![
            ParsePart::Star,
            ParsePart::Literal("id=".into()),
            col("Id", Some(ScalarType::Long)),
            ParsePart::Literal(", name=".into()),
            col("Name", None),
        ];
        let re = build_regex(Kind::Simple, "", &p);
        assert_eq!(re, r"^.*?id=(?P<qc0>.*?), name=(?P<qc1>.*?)$");
        let caps = regex::Regex::new(&re).ok().and_then(|r| {
            r.captures("x id=7, name=a.b")
                .map(|c| (c["qc0"].to_string(), c["qc1"].to_string()))
        });
        assert_eq!(caps, Some(("7".into(), "a.b".into())));
        let re = build_regex(Kind::Regex, "U", &p);
        assert_eq!(re, r"(?U)^.*(?:id=)(?P<qc0>-?\d+)(?:, name=)(?P<qc1>.*)");
    }

    #[test]
    fn a_number_before_a_star_takes_its_digits() {
        let p = vec![
            ParsePart::Literal("n=".into()),
            col("N", Some(ScalarType::Long)),
            ParsePart::Star,
            ParsePart::Literal("m=".into()),
            col("M", None),
        ];
        let re = build_regex(Kind::Simple, "", &p);
        let n = regex::Regex::new(&re)
            .ok()
            .and_then(|r| r.captures("n=42, k=1, m=x").map(|c| c["qc0"].to_string()));
        assert_eq!(n.as_deref(), Some("42"));
    }

    #[test]
    fn groups_inside_regex_constants_do_not_shift_columns() {
        let p = vec![
            ParsePart::Literal("a=".into()),
            col("A", None),
            ParsePart::Literal("(,)b=".into()),
            col("B", Some(ScalarType::Long)),
        ];
        let re = build_regex(Kind::Regex, "", &p);
        let b = regex::Regex::new(&re)
            .ok()
            .and_then(|r| r.captures("a=x,b=5").map(|c| c["qc1"].to_string()));
        assert_eq!(b.as_deref(), Some("5"));
    }
}
