//! Walking the tree: the direct child expressions of every node, and the height check
//! that keeps later recursive passes (printer, planner, drop) within their stacks.

use crate::ast::*;
use crate::span::Span;

/// The tallest expression tree the parser hands out.
pub const MAX_HEIGHT: usize = 2000;

impl Expr {
    /// Calls `f` on each direct child expression, including those inside operators.
    pub fn for_each_child<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Literal(_) | ExprKind::Name(_) | ExprKind::Star => {}
            ExprKind::Call { args, .. } => args.iter().for_each(|a| f(&a.value)),
            ExprKind::Member { target, .. } => f(target),
            ExprKind::Index { target, index } => {
                f(target);
                f(index);
            }
            ExprKind::Unary { operand, .. } => f(operand),
            ExprKind::Binary { left, right, .. } => {
                f(left);
                f(right);
            }
            ExprKind::Logical { operands, .. } => each(operands, f),
            ExprKind::InList { expr, list, .. } => {
                f(expr);
                each(list, f);
            }
            ExprKind::Between {
                expr, low, high, ..
            } => {
                f(expr);
                f(low);
                f(high);
            }
            ExprKind::SearchColumn { term, .. } => f(term),
            ExprKind::Pipe { source, ops } => {
                f(source);
                ops.iter().for_each(|op| op.for_each_expr(f));
            }
            ExprKind::Source(source) => source.for_each_expr(f),
        }
    }
}

fn each<'a>(items: &'a [Expr], f: &mut dyn FnMut(&'a Expr)) {
    for e in items {
        f(e);
    }
}

fn named<'a>(items: &'a [NamedExpr], f: &mut dyn FnMut(&'a Expr)) {
    items.iter().for_each(|n| f(&n.expr));
}

fn params<'a>(items: &'a [OpParam], f: &mut dyn FnMut(&'a Expr)) {
    items.iter().for_each(|p| f(&p.value));
}

fn sub_query<'a>(q: &'a SubQuery, f: &mut dyn FnMut(&'a Expr)) {
    match q {
        SubQuery::Ops(ops) => ops.iter().for_each(|op| op.for_each_expr(f)),
        SubQuery::Expr(e) => f(e),
    }
}

impl Operator {
    /// Calls `f` on each expression the operator holds.
    pub fn for_each_expr<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        match &self.kind {
            OperatorKind::Where(e)
            | OperatorKind::Take(e)
            | OperatorKind::Invoke(e)
            | OperatorKind::Sample(e) => f(e),
            OperatorKind::ProjectByNames(names) => each(names, f),
            OperatorKind::Project(items)
            | OperatorKind::Extend(items)
            | OperatorKind::Serialize(items) => named(items, f),
            OperatorKind::ProjectAway(_)
            | OperatorKind::ProjectKeep(_)
            | OperatorKind::ProjectRename(_)
            | OperatorKind::ProjectReorder(_)
            | OperatorKind::Count { .. }
            | OperatorKind::GetSchema => {}
            OperatorKind::Summarize {
                params: p,
                aggs,
                by,
            } => {
                params(p, f);
                named(aggs, f);
                named(by, f);
            }
            OperatorKind::Distinct { params: p, columns } => {
                params(p, f);
                named(columns, f);
            }
            OperatorKind::Top { count, key } => {
                f(count);
                f(&key.expr);
            }
            OperatorKind::TopNested(levels) => {
                for l in levels {
                    if let Some(c) = &l.count {
                        f(c);
                    }
                    f(&l.of.expr);
                    if let Some(o) = &l.others {
                        f(&o.expr);
                    }
                    f(&l.by.expr);
                }
            }
            OperatorKind::TopHitters { count, of, by } => {
                f(count);
                f(of);
                if let Some(b) = by {
                    f(b);
                }
            }
            OperatorKind::Sort { params: p, keys } => {
                params(p, f);
                keys.iter().for_each(|k| f(&k.expr));
            }
            OperatorKind::Join {
                params: p,
                right,
                on,
                predicate,
            } => {
                params(p, f);
                f(right);
                each(on, f);
                if let Some(e) = predicate {
                    f(e);
                }
            }
            OperatorKind::Lookup {
                params: p,
                right,
                on,
            } => {
                params(p, f);
                f(right);
                each(on, f);
            }
            OperatorKind::Union(u) => {
                params(&u.params, f);
                each(&u.tables, f);
            }
            OperatorKind::MvExpand {
                params: p,
                items,
                limit,
            } => {
                params(p, f);
                items.iter().for_each(|i| f(&i.expr));
                if let Some(l) = limit {
                    f(l);
                }
            }
            OperatorKind::MvApply {
                params: p,
                items,
                limit,
                body,
            } => {
                params(p, f);
                items.iter().for_each(|i| f(&i.expr));
                if let Some(l) = limit {
                    f(l);
                }
                sub_query(body, f);
            }
            OperatorKind::Parse {
                params: p, source, ..
            } => {
                params(p, f);
                f(source);
            }
            OperatorKind::ParseKv {
                source, options, ..
            } => {
                f(source);
                params(options, f);
            }
            OperatorKind::Evaluate {
                params: p, call, ..
            } => {
                params(p, f);
                f(call);
            }
            OperatorKind::MakeSeries {
                params: p,
                aggs,
                on,
                range,
                by,
            } => {
                params(p, f);
                for a in aggs {
                    f(&a.agg.expr);
                    if let Some(d) = &a.default {
                        f(d);
                    }
                }
                f(on);
                match range {
                    SeriesRange::FromTo { from, to, step } => {
                        if let Some(e) = from {
                            f(e);
                        }
                        if let Some(e) = to {
                            f(e);
                        }
                        f(step);
                    }
                    SeriesRange::InRange { start, stop, step } => {
                        f(start);
                        f(stop);
                        f(step);
                    }
                }
                named(by, f);
            }
            OperatorKind::Render { properties, .. } => params(properties, f),
            OperatorKind::As { params: p, .. } | OperatorKind::Consume { params: p } => {
                params(p, f)
            }
            OperatorKind::Search(s) => {
                params(&s.params, f);
                each(&s.tables, f);
                f(&s.predicate);
            }
            OperatorKind::SampleDistinct { count, of } => {
                f(count);
                f(of);
            }
            OperatorKind::Fork(branches) => branches.iter().for_each(|(_, q)| sub_query(q, f)),
            OperatorKind::Facet { with, .. } => {
                if let Some(q) = with {
                    sub_query(q, f);
                }
            }
            OperatorKind::Partition {
                params: p, body, ..
            } => {
                params(p, f);
                sub_query(body, f);
            }
            OperatorKind::Scan {
                params: p,
                declare,
                steps,
            } => {
                params(p, f);
                for (_, d) in declare {
                    if let Some(e) = d {
                        f(e);
                    }
                }
                for s in steps {
                    f(&s.condition);
                    named(&s.assignments, f);
                }
            }
            OperatorKind::Reduce { by, params: p } => {
                f(by);
                params(p, f);
            }
        }
    }
}

impl Source {
    pub fn for_each_expr<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        match self {
            Source::Print(items) => named(items, f),
            Source::Range { from, to, step, .. } => {
                f(from);
                f(to);
                f(step);
            }
            Source::Datatable { values, .. } => each(values, f),
            Source::ExternalData { uris, options, .. } => {
                each(uris, f);
                params(options, f);
            }
            Source::Union(u) => {
                params(&u.params, f);
                each(&u.tables, f);
            }
            Source::Search(s) => {
                params(&s.params, f);
                each(&s.tables, f);
                f(&s.predicate);
            }
            Source::Find {
                params: p,
                tables,
                predicate,
                ..
            } => {
                params(p, f);
                each(tables, f);
                f(predicate);
            }
            Source::Evaluate { params: p, call } => {
                params(p, f);
                f(call);
            }
        }
    }
}

impl Statement {
    /// Calls `f` on each top-level expression of the statement.
    pub fn for_each_expr<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        match self {
            Statement::Let(l) => match &l.value {
                LetValue::Expr(e) => f(e),
                LetValue::Function(def) | LetValue::View(def) => {
                    param_defaults(&def.params, f);
                    def.body.iter().for_each(|s| s.for_each_expr(f));
                }
            },
            Statement::Set { value, .. } => {
                if let Some(v) = value {
                    f(v);
                }
            }
            Statement::DeclareParameters { params, .. } => param_defaults(params, f),
            Statement::Expr(e) => f(e),
        }
    }
}

fn param_defaults<'a>(params: &'a [Param], f: &mut dyn FnMut(&'a Expr)) {
    for e in params.iter().filter_map(|p| p.default.as_ref()) {
        f(e);
    }
}

/// Fails with the span of the first expression deeper than [`MAX_HEIGHT`]. Iterative, so
/// it is safe on any tree the parser could build.
pub fn check_height(query: &Query) -> Result<(), Span> {
    let mut stack: Vec<(&Expr, usize)> = Vec::new();
    for s in &query.statements {
        s.for_each_expr(&mut |e| stack.push((e, 1)));
    }
    while let Some((e, depth)) = stack.pop() {
        if depth > MAX_HEIGHT {
            return Err(e.span);
        }
        e.for_each_child(&mut |c| stack.push((c, depth + 1)));
    }
    Ok(())
}
