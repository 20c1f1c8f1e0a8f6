//! `search [kind=case_sensitive] [in (T1, Device*)] Predicate` and `T | search Predicate`,
//! and the `*` column of `where * has "x"`.
//!
//! A search is a union of its tables (`withsource=$table`) filtered by its predicate,
//! where the predicate's own terms are rewritten first (Kusto's search predicate syntax):
//! a bare `"term"` is `* has "term"`, `Column:"term"` is `Column has "term"`, and a
//! `*` in a term picks the operator (`"err*"`: hasprefix, `"*err"`: hassuffix, `"*err*"`:
//! contains). `* has "x"` is the same operator on every column, or'ed.

use datafusion::common::DFSchema;
use datafusion::logical_expr::LogicalPlan;
use kql_syntax::Span;
use kql_syntax::ast::{
    Arg, BinaryOp, Expr, ExprKind, Ident, Literal, LogicalOp, OpParam, Search, StrOp, Union,
};

use crate::error::{QueryError, Result};
use crate::planner::{Planner, param_name};
use crate::types::{ScalarType, kql_type_of};

pub(crate) fn plan_search(
    planner: &mut Planner<'_>,
    input: Option<LogicalPlan>,
    search: &Search,
) -> Result<LogicalPlan> {
    let case_sensitive = match param_name(&search.params, "kind") {
        None | Some("default" | "case_insensitive") => false,
        Some("case_sensitive") => true,
        Some(other) => {
            return Err(QueryError::semantic(
                format!("'search' operator: unknown kind '{other}'"),
                search.predicate.span,
            ));
        }
    };
    let plan = match input {
        Some(plan) => plan,
        None => {
            let span = search.predicate.span;
            let tables = if search.tables.is_empty() {
                vec![Expr::new(ExprKind::Name(Ident::new("*", span)), span)]
            } else {
                search.tables.clone()
            };
            let with_source = OpParam {
                name: Ident::new("withsource", span),
                value: Expr::new(ExprKind::Name(Ident::new("$table", span)), span),
            };
            let union = Union {
                params: vec![with_source],
                tables,
            };
            super::union::plan_union(planner, None, &union)?
        }
    };
    let predicate = search_terms(&search.predicate, case_sensitive);
    crate::planner::operators::plan_where(planner, plan, &predicate)
}

/// The search predicate with its terms made into ordinary predicates.
fn search_terms(e: &Expr, case_sensitive: bool) -> Expr {
    let span = e.span;
    match &e.kind {
        ExprKind::Literal(Literal::String(term)) => {
            term_predicate(Expr::new(ExprKind::Star, span), term, case_sensitive, span)
        }
        ExprKind::SearchColumn { column, term } => match &term.kind {
            ExprKind::Literal(Literal::String(t)) => {
                let col = Expr::new(ExprKind::Name(column.clone()), column.span);
                term_predicate(col, t, case_sensitive, span)
            }
            _ => str_op(
                Expr::new(ExprKind::Name(column.clone()), column.span),
                StrOp::Has,
                (**term).clone(),
                case_sensitive,
                span,
            ),
        },
        ExprKind::Logical { .. } => map_operands(e, &|o| search_terms(o, case_sensitive)),
        ExprKind::Call { name, .. } if name.name == "not" => {
            map_operands(e, &|o| search_terms(o, case_sensitive))
        }
        _ => e.clone(),
    }
}

/// `target has term`, with the operator a `*` in the term asks for.
fn term_predicate(target: Expr, term: &str, case_sensitive: bool, span: Span) -> Expr {
    let lit = |s: &str| Expr::new(ExprKind::Literal(Literal::String(s.to_string())), span);
    let inner = term.trim_matches('*');
    let (op, needle) = match (term.starts_with('*'), term.ends_with('*') && term.len() > 1) {
        _ if term.is_empty() || inner.is_empty() => (StrOp::Contains, ""),
        (true, true) => (StrOp::Contains, inner),
        (false, true) => (StrOp::HasPrefix, inner),
        (true, false) => (StrOp::HasSuffix, inner),
        (false, false) => (StrOp::Has, term),
    };
    if needle.contains('*') {
        // `"te*ma"`: a wildcard inside the term.
        let pattern = needle
            .split('*')
            .map(regex_escape)
            .collect::<Vec<_>>()
            .join(".*");
        let pattern = if case_sensitive {
            pattern
        } else {
            format!("(?i){pattern}")
        };
        return Expr::new(
            ExprKind::Binary {
                op: BinaryOp::MatchesRegex,
                left: Box::new(target),
                right: Box::new(lit(&pattern)),
            },
            span,
        );
    }
    str_op(target, op, lit(needle), case_sensitive, span)
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn str_op(left: Expr, kind: StrOp, right: Expr, case_sensitive: bool, span: Span) -> Expr {
    Expr::new(
        ExprKind::Binary {
            op: BinaryOp::Str {
                kind,
                negated: false,
                case_sensitive,
            },
            left: Box::new(left),
            right: Box::new(right),
        },
        span,
    )
}

/// `predicate` with every `* op x` replaced by `(C1 op x or C2 op x or ...)` over the
/// columns of `schema` (each read as text, as Kusto's `*` does). None when it has none.
pub(crate) fn expand_star(predicate: &Expr, schema: &DFSchema) -> Option<Expr> {
    if !mentions_star(predicate) {
        return None;
    }
    Some(expand(predicate, schema))
}

fn mentions_star(e: &Expr) -> bool {
    let mut found = false;
    e.for_each_child(&mut |c| found |= mentions_star(c));
    found || matches!(&e.kind, ExprKind::Binary { left, .. } if matches!(left.kind, ExprKind::Star))
}

fn expand(e: &Expr, schema: &DFSchema) -> Expr {
    let span = e.span;
    match &e.kind {
        ExprKind::Binary { op, left, right } if matches!(left.kind, ExprKind::Star) => {
            let operands: Vec<Expr> = schema
                .fields()
                .iter()
                .filter(|f| !f.name().starts_with("__"))
                .map(|f| {
                    let name = Expr::new(ExprKind::Name(Ident::new(f.name(), span)), span);
                    let column = match kql_type_of(f) {
                        ScalarType::String => name,
                        _ => Expr::new(
                            ExprKind::Call {
                                name: Ident::new("tostring", span),
                                args: vec![Arg {
                                    name: None,
                                    value: name,
                                }],
                            },
                            span,
                        ),
                    };
                    Expr::new(
                        ExprKind::Binary {
                            op: *op,
                            left: Box::new(column),
                            right: right.clone(),
                        },
                        span,
                    )
                })
                .collect();
            match operands.len() {
                0 => Expr::new(ExprKind::Literal(Literal::Bool(false)), span),
                _ => Expr::new(
                    ExprKind::Logical {
                        op: LogicalOp::Or,
                        operands,
                    },
                    span,
                ),
            }
        }
        ExprKind::Logical { .. } | ExprKind::Call { .. } => map_operands(e, &|o| expand(o, schema)),
        _ => e.clone(),
    }
}

/// `e` (an and/or chain or a call) with `f` applied to its operands or arguments.
fn map_operands(e: &Expr, f: &dyn Fn(&Expr) -> Expr) -> Expr {
    let kind = match &e.kind {
        ExprKind::Logical { op, operands } => ExprKind::Logical {
            op: *op,
            operands: operands.iter().map(f).collect(),
        },
        ExprKind::Call { name, args } => ExprKind::Call {
            name: name.clone(),
            args: args
                .iter()
                .map(|a| Arg {
                    name: a.name.clone(),
                    value: f(&a.value),
                })
                .collect(),
        },
        other => other.clone(),
    };
    Expr::new(kind, e.span)
}
