//! AST → KQL text. Output parses back to the same tree: parentheses are added exactly
//! where precedence needs them, names that are not plain identifiers are bracketed, and
//! literals are written in forms the lexer reads back to the same value.

use crate::ast::*;
use crate::time::{format_datetime, format_timespan};
use std::fmt::Write;

pub fn print_query(q: &Query) -> String {
    let mut out = String::new();
    for (i, s) in q.statements.iter().enumerate() {
        if i > 0 {
            out.push_str(";\n");
        }
        statement(&mut out, s);
    }
    out
}

pub fn print_expr(e: &Expr) -> String {
    let mut out = String::new();
    expr(&mut out, e, 0);
    out
}

fn statement(out: &mut String, s: &Statement) {
    match s {
        Statement::Let(l) => {
            out.push_str("let ");
            ident(out, &l.name.name);
            out.push_str(" = ");
            match &l.value {
                LetValue::Expr(e) => expr(out, e, 0),
                LetValue::Function(def) => function_def(out, def),
                LetValue::View(def) => {
                    out.push_str("view ");
                    function_def(out, def);
                }
            }
        }
        Statement::Set { name, value, .. } => {
            out.push_str("set ");
            out.push_str(name);
            if let Some(v) = value {
                out.push_str(" = ");
                expr(out, v, 0);
            }
        }
        Statement::DeclareParameters { params, .. } => {
            out.push_str("declare query_parameters(");
            list(out, params, param);
            out.push(')');
        }
        Statement::Expr(e) => expr(out, e, 0),
    }
}

fn function_def(out: &mut String, def: &FunctionDef) {
    out.push('(');
    list(out, &def.params, param);
    out.push_str(") { ");
    for (i, s) in def.body.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        statement(out, s);
    }
    out.push_str(" }");
}

fn param(out: &mut String, p: &Param) {
    ident(out, &p.name.name);
    out.push(':');
    match &p.ty {
        ParamType::Scalar(t) => out.push_str(t.name()),
        ParamType::Tabular { columns, open } => {
            out.push('(');
            list(out, columns, column_decl);
            if *open {
                if !columns.is_empty() {
                    out.push_str(", ");
                }
                out.push('*');
            }
            out.push(')');
        }
    }
    if let Some(d) = &p.default {
        out.push_str(" = ");
        expr(out, d, precedence::UNARY);
    }
}

fn column_decl(out: &mut String, c: &ColumnDecl) {
    ident(out, &c.name.name);
    out.push(':');
    out.push_str(c.ty.name());
}

fn list<T>(out: &mut String, items: &[T], mut f: impl FnMut(&mut String, &T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        f(out, item);
    }
}

/// Words that cannot be written bare as a name.
fn needs_brackets(name: &str) -> bool {
    let mut chars = name.chars();
    let plain = match chars.next() {
        Some('$') => {
            chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        }
        Some(c) => {
            (c == '_' || c.is_alphabetic()) && chars.all(|c| c == '_' || c.is_alphanumeric())
        }
        None => false,
    };
    !plain || RESERVED_NAMES.contains(&name)
}

/// Words the parser reads as something other than a name in some position.
const RESERVED_NAMES: &[&str] = &[
    "and",
    "or",
    "by",
    "on",
    "with",
    "of",
    "from",
    "to",
    "step",
    "in",
    "has",
    "contains",
    "startswith",
    "endswith",
    "hasprefix",
    "hassuffix",
    "has_cs",
    "contains_cs",
    "startswith_cs",
    "endswith_cs",
    "hasprefix_cs",
    "hassuffix_cs",
    "has_any",
    "has_all",
    "between",
    "matches",
    "like",
    "likecs",
    "notlike",
    "notlikecs",
    "containscs",
    "notcontains",
    "notcontainscs",
    "notstartswith",
    "notendswith",
    "nothas",
    "notbetween",
    "asc",
    "desc",
    "nulls",
    "true",
    "false",
    "True",
    "False",
    "TRUE",
    "FALSE",
    "datetime",
    "date",
    "timespan",
    "time",
    "guid",
    "dynamic",
    "int",
    "long",
    "real",
    "double",
    "decimal",
    "bool",
    "boolean",
    "let",
    "set",
    "declare",
    "print",
    "range",
    "datatable",
    "externaldata",
    "union",
    "search",
    "find",
    "evaluate",
    "limit",
    "default",
    "view",
    "typeof",
    "as",
    "where",
    "project",
    "output",
    "declare",
    "kind",
    "withsource",
    "isfuzzy",
    "bagexpansion",
    "with_itemindex",
    "others",
    "first",
    "last",
];

fn ident(out: &mut String, name: &str) {
    if needs_brackets(name) {
        out.push_str("['");
        for c in name.chars() {
            escape_char(out, c, '\'');
        }
        out.push_str("']");
    } else {
        out.push_str(name);
    }
}

fn escape_char(out: &mut String, c: char, quote: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || c == '\u{7f}' => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
        c => out.push(c),
    }
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        escape_char(out, c, '"');
    }
    out.push('"');
}

fn real(out: &mut String, v: f64) {
    if v.is_nan() {
        out.push_str("real(nan)");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "real(+inf)" } else { "real(-inf)" });
    } else {
        let s = format!("{v:?}");
        // `1e300` is read back as a real; `1.0` too. Rust's `{:?}` always keeps one of them.
        out.push_str(&s);
    }
}

fn timespan(out: &mut String, ticks: i64) {
    let _ = write!(out, "timespan({})", format_timespan(ticks));
}

fn literal(out: &mut String, lit: &Literal) {
    match lit {
        Literal::Null(t) => {
            let _ = write!(out, "{}(null)", t.name());
        }
        Literal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Literal::Int(v) => {
            let _ = write!(out, "int({v})");
        }
        Literal::Long(v) => {
            let _ = write!(out, "{v}");
        }
        Literal::Real(v) => real(out, *v),
        Literal::Decimal(v) => {
            let _ = write!(out, "decimal({v})");
        }
        Literal::String(s) => string(out, s),
        Literal::DateTime(t) => {
            let _ = write!(out, "datetime({})", format_datetime(*t));
        }
        Literal::Timespan(t) => timespan(out, *t),
        Literal::Guid(g) => {
            let _ = write!(out, "guid({g})");
        }
        Literal::Dynamic(d) => {
            out.push_str("dynamic(");
            dyn_value(out, d);
            out.push(')');
        }
    }
}

fn dyn_value(out: &mut String, d: &DynValue) {
    match d {
        DynValue::Null => out.push_str("null"),
        DynValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        DynValue::Long(v) => {
            let _ = write!(out, "{v}");
        }
        DynValue::Real(v) if v.is_finite() => real(out, *v),
        DynValue::Real(_) => out.push_str("null"),
        DynValue::String(s) => string(out, s),
        DynValue::DateTime(t) => {
            let _ = write!(out, "datetime({})", format_datetime(*t));
        }
        DynValue::Timespan(t) => timespan(out, *t),
        DynValue::Guid(g) => {
            let _ = write!(out, "guid({g})");
        }
        DynValue::Array(items) => {
            out.push('[');
            list(out, items, dyn_value);
            out.push(']');
        }
        DynValue::Object(fields) => {
            out.push('{');
            list(out, fields, |out, (k, v)| {
                string(out, k);
                out.push(':');
                dyn_value(out, v);
            });
            out.push('}');
        }
    }
}

/// How tightly an expression binds, to decide on parentheses.
fn expr_precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Pipe { .. } | ExprKind::Source(_) => precedence::PIPE,
        ExprKind::Logical {
            op: LogicalOp::Or, ..
        } => precedence::OR,
        ExprKind::Logical {
            op: LogicalOp::And, ..
        } => precedence::AND,
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::InList { .. } | ExprKind::Between { .. } | ExprKind::SearchColumn { .. } => {
            precedence::COMPARISON
        }
        ExprKind::Unary { .. } => precedence::UNARY,
        // A negative literal reads as a unary minus to its neighbours.
        ExprKind::Literal(Literal::Long(v)) if *v < 0 => precedence::UNARY,
        ExprKind::Literal(Literal::Real(v)) if v.is_sign_negative() && v.is_finite() => {
            precedence::UNARY
        }
        ExprKind::Member { .. } | ExprKind::Index { .. } => precedence::POSTFIX,
        _ => precedence::PRIMARY,
    }
}

/// Writes `e`, in parentheses if it binds more loosely than `min`.
fn expr(out: &mut String, e: &Expr, min: u8) {
    stacker::maybe_grow(64 * 1024, 1024 * 1024, || {
        expr_in_parens_if_needed(out, e, min)
    })
}

fn expr_in_parens_if_needed(out: &mut String, e: &Expr, min: u8) {
    let prec = expr_precedence(e);
    let paren = prec < min;
    if paren {
        out.push('(');
    }
    expr_bare(out, e);
    if paren {
        out.push(')');
    }
}

fn expr_bare(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Literal(l) => literal(out, l),
        // `*` stands for every column in `search * has "x"`.
        ExprKind::Name(id) if id.name == "*" => out.push('*'),
        ExprKind::Name(id) => ident(out, &id.name),
        ExprKind::Star => out.push('*'),
        ExprKind::Call { name, args } => {
            // Call names only ever come from plain words.
            out.push_str(&name.name);
            out.push('(');
            list(out, args, |out, a| {
                if let Some(n) = &a.name {
                    ident(out, &n.name);
                    out.push_str(" = ");
                }
                expr(out, &a.value, 0);
            });
            out.push(')');
        }
        ExprKind::Member { target, name } => {
            expr(out, target, precedence::POSTFIX);
            out.push('.');
            ident(out, &name.name);
        }
        ExprKind::Index { target, index } => {
            expr(out, target, precedence::POSTFIX);
            out.push('[');
            expr(out, index, 0);
            out.push(']');
        }
        ExprKind::Unary { op, operand } => {
            out.push(match op {
                UnaryOp::Neg => '-',
                UnaryOp::Plus => '+',
            });
            // `-(5)`: a bare `-5` would come back as a negative literal.
            let literal_operand = matches!(
                operand.kind,
                ExprKind::Literal(Literal::Long(_) | Literal::Real(_) | Literal::Timespan(_))
            );
            if literal_operand {
                out.push('(');
                expr(out, operand, 0);
                out.push(')');
            } else {
                out.push(' ');
                expr(out, operand, precedence::UNARY);
            }
        }
        ExprKind::Binary { op, left, right } => {
            let p = op.precedence();
            // Comparisons do not chain in print: both sides parenthesised if comparisons.
            let (lmin, rmin) = if p == precedence::COMPARISON {
                (p + 1, p + 1)
            } else {
                (p, p + 1)
            };
            expr(out, left, lmin);
            out.push(' ');
            out.push_str(&op.symbol());
            out.push(' ');
            expr(out, right, rmin);
        }
        ExprKind::Logical { op, operands } => {
            let (word, p) = match op {
                LogicalOp::And => (" and ", precedence::AND),
                LogicalOp::Or => (" or ", precedence::OR),
            };
            for (i, o) in operands.iter().enumerate() {
                if i > 0 {
                    out.push_str(word);
                }
                expr(out, o, p + 1);
            }
        }
        ExprKind::InList {
            op,
            expr: x,
            list: items,
        } => {
            expr(out, x, precedence::COMPARISON + 1);
            out.push(' ');
            out.push_str(op.keyword());
            out.push_str(" (");
            list(out, items, |out, i| expr(out, i, 0));
            out.push(')');
        }
        ExprKind::Between {
            negated,
            expr: x,
            low,
            high,
        } => {
            expr(out, x, precedence::COMPARISON + 1);
            out.push_str(if *negated {
                " !between ("
            } else {
                " between ("
            });
            expr(out, low, precedence::COMPARISON + 1);
            out.push_str(" .. ");
            expr(out, high, precedence::COMPARISON + 1);
            out.push(')');
        }
        ExprKind::SearchColumn { column, term } => {
            ident(out, &column.name);
            out.push_str(": ");
            expr(out, term, precedence::COMPARISON + 1);
        }
        ExprKind::Pipe { source, ops } => {
            match &source.kind {
                ExprKind::Source(s) => self::source(out, s),
                _ => expr(out, source, precedence::PIPE + 1),
            }
            for op in ops {
                out.push_str("\n| ");
                operator(out, op);
            }
        }
        ExprKind::Source(s) => source(out, s),
    }
}

fn named(out: &mut String, n: &NamedExpr) {
    match n.names.len() {
        0 => {}
        1 => {
            ident(out, &n.names[0].name);
            out.push_str(" = ");
        }
        _ => {
            out.push('(');
            list(out, &n.names, |out, i| ident(out, &i.name));
            out.push_str(") = ");
        }
    }
    // A tuple or name target is followed by a scalar expression without pipes.
    expr(out, &n.expr, precedence::OR);
}

fn op_params(out: &mut String, params: &[OpParam]) {
    for p in params {
        out.push(' ');
        out.push_str(&p.name.name);
        out.push('=');
        expr(out, &p.value, precedence::UNARY);
    }
}

fn sort_key(out: &mut String, k: &SortKey) {
    expr(out, &k.expr, precedence::OR);
    match k.order {
        Some(SortOrder::Asc) => out.push_str(" asc"),
        Some(SortOrder::Desc) => out.push_str(" desc"),
        None => {}
    }
    match k.nulls {
        Some(NullsOrder::First) => out.push_str(" nulls first"),
        Some(NullsOrder::Last) => out.push_str(" nulls last"),
        None => {}
    }
}

fn pattern(out: &mut String, p: &ColumnPattern) {
    if p.is_wildcard() && !needs_brackets(&p.pattern.replace('*', "x")) {
        out.push_str(&p.pattern);
    } else {
        ident(out, &p.pattern);
    }
}

fn sub_query(out: &mut String, q: &SubQuery) {
    match q {
        SubQuery::Ops(ops) => {
            for (i, op) in ops.iter().enumerate() {
                if i > 0 {
                    out.push_str(" | ");
                }
                operator(out, op);
            }
        }
        SubQuery::Expr(e) => expr(out, e, 0),
    }
}

fn mv_item(out: &mut String, i: &MvItem) {
    if let Some(n) = &i.name {
        ident(out, &n.name);
        out.push_str(" = ");
    }
    expr(out, &i.expr, precedence::OR);
    if let Some(t) = i.to_type {
        let _ = write!(out, " to typeof({})", t.name());
    }
}

fn table_ref(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Name(id) if id.name.contains('*') => out.push_str(&id.name),
        _ => expr(out, e, precedence::UNARY),
    }
}

fn operator(out: &mut String, op: &Operator) {
    match &op.kind {
        OperatorKind::Where(e) => {
            out.push_str("where ");
            expr(out, e, precedence::OR);
        }
        OperatorKind::Project(items) => {
            out.push_str("project ");
            list(out, items, named);
        }
        OperatorKind::Extend(items) => {
            out.push_str("extend ");
            list(out, items, named);
        }
        OperatorKind::ProjectAway(cols) => {
            out.push_str("project-away ");
            list(out, cols, pattern);
        }
        OperatorKind::ProjectKeep(cols) => {
            out.push_str("project-keep ");
            list(out, cols, pattern);
        }
        OperatorKind::ProjectRename(pairs) => {
            out.push_str("project-rename ");
            list(out, pairs, |out, (new, old)| {
                ident(out, &new.name);
                out.push_str(" = ");
                ident(out, &old.name);
            });
        }
        OperatorKind::ProjectByNames(names) => {
            out.push_str("project-by-names ");
            list(out, names, |out, e| expr(out, e, precedence::OR));
        }
        OperatorKind::ProjectReorder(keys) => {
            out.push_str("project-reorder ");
            list(out, keys, |out, k| {
                pattern(out, &k.column);
                if let Some(o) = &k.order {
                    out.push(' ');
                    out.push_str(o);
                }
            });
        }
        OperatorKind::Summarize { params, aggs, by } => {
            out.push_str("summarize");
            op_params(out, params);
            if !aggs.is_empty() {
                out.push(' ');
                list(out, aggs, named);
            }
            if !by.is_empty() {
                out.push_str(" by ");
                list(out, by, named);
            }
        }
        OperatorKind::Count { name } => {
            out.push_str("count");
            if let Some(n) = name {
                out.push_str(" as ");
                ident(out, &n.name);
            }
        }
        OperatorKind::Distinct { params, columns } => {
            out.push_str("distinct");
            op_params(out, params);
            out.push(' ');
            if columns.is_empty() {
                out.push('*');
            } else {
                list(out, columns, named);
            }
        }
        OperatorKind::Take(e) => {
            out.push_str("take ");
            expr(out, e, precedence::OR);
        }
        OperatorKind::Top { count, key } => {
            out.push_str("top ");
            expr(out, count, precedence::OR);
            out.push_str(" by ");
            sort_key(out, key);
        }
        OperatorKind::TopNested(levels) => {
            out.push_str("top-nested ");
            for (i, l) in levels.iter().enumerate() {
                if i > 0 {
                    out.push_str(", top-nested ");
                }
                if let Some(c) = &l.count {
                    expr(out, c, precedence::OR);
                    out.push(' ');
                }
                out.push_str("of ");
                named(out, &l.of);
                if let Some(o) = &l.others {
                    out.push_str(" with others = ");
                    expr(out, &o.expr, precedence::OR);
                }
                out.push_str(" by ");
                named(out, &l.by);
                match l.order {
                    Some(SortOrder::Asc) => out.push_str(" asc"),
                    Some(SortOrder::Desc) => out.push_str(" desc"),
                    None => {}
                }
            }
        }
        OperatorKind::TopHitters { count, of, by } => {
            out.push_str("top-hitters ");
            expr(out, count, precedence::OR);
            out.push_str(" of ");
            expr(out, of, precedence::OR);
            if let Some(b) = by {
                out.push_str(" by ");
                expr(out, b, precedence::OR);
            }
        }
        OperatorKind::Sort { params, keys } => {
            out.push_str("sort");
            op_params(out, params);
            out.push_str(" by ");
            list(out, keys, sort_key);
        }
        OperatorKind::Join {
            params,
            right,
            on,
            predicate,
        } => {
            out.push_str("join");
            op_params(out, params);
            out.push_str(" (");
            expr(out, right, 0);
            out.push(')');
            if let Some(p) = predicate {
                out.push_str(" where ");
                expr(out, p, precedence::OR);
            } else {
                out.push_str(" on ");
                list(out, on, |out, e| expr(out, e, precedence::OR));
            }
        }
        OperatorKind::Lookup { params, right, on } => {
            out.push_str("lookup");
            op_params(out, params);
            out.push_str(" (");
            expr(out, right, 0);
            out.push_str(") on ");
            list(out, on, |out, e| expr(out, e, precedence::OR));
        }
        OperatorKind::Union(u) => {
            out.push_str("union");
            union_body(out, u);
        }
        OperatorKind::MvExpand {
            params,
            items,
            limit,
        } => {
            out.push_str("mv-expand");
            op_params(out, params);
            out.push(' ');
            list(out, items, mv_item);
            if let Some(l) = limit {
                out.push_str(" limit ");
                expr(out, l, precedence::OR);
            }
        }
        OperatorKind::MvApply {
            params,
            items,
            limit,
            body,
        } => {
            out.push_str("mv-apply");
            op_params(out, params);
            out.push(' ');
            list(out, items, mv_item);
            if let Some(l) = limit {
                out.push_str(" limit ");
                expr(out, l, precedence::OR);
            }
            out.push_str(" on (");
            sub_query(out, body);
            out.push(')');
        }
        OperatorKind::Parse {
            where_,
            params,
            source,
            pattern,
        } => {
            out.push_str(if *where_ { "parse-where" } else { "parse" });
            op_params(out, params);
            out.push(' ');
            expr(out, source, precedence::OR);
            out.push_str(" with");
            for part in pattern {
                out.push(' ');
                match part {
                    ParsePart::Literal(s) => string(out, s),
                    ParsePart::Star => out.push('*'),
                    ParsePart::Column { name, ty } => {
                        ident(out, &name.name);
                        if let Some(t) = ty {
                            out.push(':');
                            out.push_str(t.name());
                        }
                    }
                }
            }
        }
        OperatorKind::ParseKv {
            source,
            columns,
            options,
        } => {
            out.push_str("parse-kv ");
            expr(out, source, precedence::OR);
            out.push_str(" as (");
            list(out, columns, column_decl);
            out.push(')');
            if !options.is_empty() {
                out.push_str(" with (");
                list(out, options, |out, p| {
                    out.push_str(&p.name.name);
                    out.push('=');
                    expr(out, &p.value, precedence::UNARY);
                });
                out.push(')');
            }
        }
        OperatorKind::Evaluate {
            params,
            call,
            schema,
        } => {
            out.push_str("evaluate");
            op_params(out, params);
            out.push(' ');
            expr(out, call, precedence::UNARY);
            if let Some(cols) = schema {
                out.push_str(" : (");
                list(out, cols, |out, c| {
                    if c.name.name == OTHER_COLUMNS {
                        out.push('*');
                    } else {
                        column_decl(out, c);
                    }
                });
                out.push(')');
            }
        }
        OperatorKind::MakeSeries {
            params,
            aggs,
            on,
            range,
            by,
        } => {
            out.push_str("make-series");
            op_params(out, params);
            out.push(' ');
            list(out, aggs, |out, a| {
                named(out, &a.agg);
                if let Some(d) = &a.default {
                    out.push_str(" default = ");
                    expr(out, d, precedence::UNARY);
                }
            });
            out.push_str(" on ");
            expr(out, on, precedence::COMPARISON + 1);
            match range {
                SeriesRange::FromTo { from, to, step } => {
                    if let Some(f) = from {
                        out.push_str(" from ");
                        expr(out, f, precedence::COMPARISON + 1);
                    }
                    if let Some(t) = to {
                        out.push_str(" to ");
                        expr(out, t, precedence::COMPARISON + 1);
                    }
                    out.push_str(" step ");
                    expr(out, step, precedence::COMPARISON + 1);
                }
                SeriesRange::InRange { start, stop, step } => {
                    out.push_str(" in range(");
                    expr(out, start, precedence::OR);
                    out.push_str(", ");
                    expr(out, stop, precedence::OR);
                    out.push_str(", ");
                    expr(out, step, precedence::OR);
                    out.push(')');
                }
            }
            if !by.is_empty() {
                out.push_str(" by ");
                list(out, by, named);
            }
        }
        OperatorKind::Render {
            visualization,
            properties,
        } => {
            out.push_str("render ");
            ident(out, &visualization.name);
            if !properties.is_empty() {
                out.push_str(" with (");
                list(out, properties, |out, p| {
                    out.push_str(&p.name.name);
                    out.push('=');
                    expr(out, &p.value, precedence::UNARY);
                });
                out.push(')');
            }
        }
        OperatorKind::As { params, name } => {
            out.push_str("as");
            op_params(out, params);
            out.push(' ');
            ident(out, &name.name);
        }
        OperatorKind::Invoke(call) => {
            out.push_str("invoke ");
            expr(out, call, precedence::UNARY);
        }
        OperatorKind::GetSchema => out.push_str("getschema"),
        OperatorKind::Search(s) => {
            out.push_str("search");
            search_body(out, s);
        }
        OperatorKind::Sample(e) => {
            out.push_str("sample ");
            expr(out, e, precedence::OR);
        }
        OperatorKind::SampleDistinct { count, of } => {
            out.push_str("sample-distinct ");
            expr(out, count, precedence::OR);
            out.push_str(" of ");
            expr(out, of, precedence::OR);
        }
        OperatorKind::Serialize(items) => {
            out.push_str("serialize");
            if !items.is_empty() {
                out.push(' ');
                list(out, items, named);
            }
        }
        OperatorKind::Fork(branches) => {
            out.push_str("fork");
            for (name, q) in branches {
                out.push(' ');
                if let Some(n) = name {
                    ident(out, &n.name);
                    out.push_str(" = ");
                }
                out.push('(');
                sub_query(out, q);
                out.push(')');
            }
        }
        OperatorKind::Facet { columns, with } => {
            out.push_str("facet by ");
            list(out, columns, |out, c| ident(out, &c.name));
            if let Some(q) = with {
                out.push_str(" with (");
                sub_query(out, q);
                out.push(')');
            }
        }
        OperatorKind::Partition { params, by, body } => {
            out.push_str("partition");
            op_params(out, params);
            out.push_str(" by ");
            ident(out, &by.name);
            out.push_str(" (");
            sub_query(out, body);
            out.push(')');
        }
        OperatorKind::Scan {
            params,
            declare,
            steps,
        } => {
            out.push_str("scan");
            op_params(out, params);
            if !declare.is_empty() {
                out.push_str(" declare (");
                list(out, declare, |out, (c, d)| {
                    column_decl(out, c);
                    if let Some(d) = d {
                        out.push_str(" = ");
                        expr(out, d, precedence::UNARY);
                    }
                });
                out.push(')');
            }
            out.push_str(" with (");
            for s in steps {
                out.push_str(" step ");
                ident(out, &s.name.name);
                if let Some(o) = &s.output {
                    out.push_str(" output=");
                    ident(out, &o.name);
                }
                out.push_str(": ");
                expr(out, &s.condition, precedence::OR);
                if !s.assignments.is_empty() {
                    out.push_str(" => ");
                    list(out, &s.assignments, named);
                }
                out.push(';');
            }
            out.push_str(" )");
        }
        OperatorKind::Consume { params } => {
            out.push_str("consume");
            op_params(out, params);
        }
        OperatorKind::Reduce { by, params } => {
            out.push_str("reduce");
            let (kind, with): (Vec<&OpParam>, Vec<&OpParam>) =
                params.iter().partition(|p| p.name.name == "kind");
            for p in kind {
                let _ = write!(out, " kind=");
                expr(out, &p.value, precedence::UNARY);
            }
            out.push_str(" by ");
            expr(out, by, precedence::OR);
            if !with.is_empty() {
                out.push_str(" with ");
                list(out, &with, |out, p| {
                    out.push_str(&p.name.name);
                    out.push('=');
                    expr(out, &p.value, precedence::UNARY);
                });
            }
        }
    }
}

fn union_body(out: &mut String, u: &Union) {
    op_params(out, &u.params);
    out.push(' ');
    list(out, &u.tables, table_ref);
}

fn search_body(out: &mut String, s: &Search) {
    op_params(out, &s.params);
    if !s.tables.is_empty() {
        out.push_str(" in (");
        list(out, &s.tables, table_ref);
        out.push(')');
    }
    out.push(' ');
    expr(out, &s.predicate, precedence::OR);
}

fn source(out: &mut String, s: &Source) {
    match s {
        Source::Print(items) => {
            out.push_str("print ");
            list(out, items, named);
        }
        Source::Range {
            column,
            from,
            to,
            step,
        } => {
            out.push_str("range ");
            ident(out, &column.name);
            out.push_str(" from ");
            expr(out, from, precedence::OR);
            out.push_str(" to ");
            expr(out, to, precedence::OR);
            out.push_str(" step ");
            expr(out, step, precedence::OR);
        }
        Source::Datatable { columns, values } => {
            out.push_str("datatable(");
            list(out, columns, column_decl);
            out.push_str(") [");
            list(out, values, |out, e| expr(out, e, precedence::OR));
            out.push(']');
        }
        Source::ExternalData {
            columns,
            uris,
            options,
        } => {
            out.push_str("externaldata(");
            list(out, columns, column_decl);
            out.push_str(") [");
            list(out, uris, |out, e| expr(out, e, precedence::OR));
            out.push(']');
            if !options.is_empty() {
                out.push_str(" with (");
                list(out, options, |out, p| {
                    out.push_str(&p.name.name);
                    out.push('=');
                    expr(out, &p.value, precedence::UNARY);
                });
                out.push(')');
            }
        }
        Source::Union(u) => {
            out.push_str("union");
            union_body(out, u);
        }
        Source::Search(s) => {
            out.push_str("search");
            search_body(out, s);
        }
        Source::Find {
            params,
            tables,
            predicate,
            projection,
        } => {
            out.push_str("find");
            op_params(out, params);
            if !tables.is_empty() {
                out.push_str(" in (");
                list(out, tables, table_ref);
                out.push(')');
            }
            out.push_str(" where ");
            expr(out, predicate, precedence::OR);
            match projection {
                Some(FindProjection::Smart) => out.push_str(" project-smart"),
                Some(FindProjection::Columns(cols)) => {
                    out.push_str(" project ");
                    list(out, cols, |out, c| ident(out, &c.name));
                }
                Some(FindProjection::Away(cols)) => {
                    out.push_str(" project-away ");
                    list(out, cols, pattern);
                }
                None => {}
            }
        }
        Source::Evaluate { params, call } => {
            out.push_str("evaluate");
            op_params(out, params);
            out.push(' ');
            expr(out, call, precedence::UNARY);
        }
    }
}
