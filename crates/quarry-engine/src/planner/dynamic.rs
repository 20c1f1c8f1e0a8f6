//! Dynamic member and index access (`d.a`, `d['a']`, `d[0]`, `d[-1]`, chained), and the
//! implicit conversions Kusto applies when a dynamic value meets a typed one.
//!
//! A chain of constant steps becomes one path lookup, so `parse_json(x).a.b[0]` parses
//! `x` once per row instead of once per step; a `parse_json()` at the root is dropped,
//! since the lookup parses its input text the same way.

use datafusion::logical_expr::{Expr, TryCast};
use kql_syntax::ast::{self, BinaryOp, ExprKind, Literal, UnaryOp};

use super::builtins::core::tostring;
use super::builtins::dynamic::dyn_call;
use super::expr::ExprCtx;
use super::{Planner, TypedExpr};
use crate::error::Result;
use crate::functions::dyn_ops::DynOp;
use crate::functions::dynamic::Out;
use crate::functions::jsonpath::Step;
use crate::types::{ScalarType, arrow_type};

/// A root value and the constant steps applied to it so far.
struct PathExpr {
    root: TypedExpr,
    steps: Vec<Step>,
}

/// A constant index: a string literal selects a property, an integer an element.
fn const_step(index: &ast::Expr) -> Option<Step> {
    match &index.kind {
        ExprKind::Literal(Literal::String(s)) => Some(Step::Key(s.clone())),
        ExprKind::Literal(Literal::Long(i)) => Some(Step::Index(*i)),
        ExprKind::Literal(Literal::Int(i)) => Some(Step::Index(i64::from(*i))),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => match const_step(operand)? {
            Step::Index(i) => Some(Step::Index(-i)),
            Step::Key(_) => None,
        },
        _ => None,
    }
}

/// The argument of a `parse_json()` call, whose text a path lookup parses anyway.
fn strip_parse_json(root: TypedExpr) -> TypedExpr {
    if let Expr::ScalarFunction(f) = &root.expr
        && f.func.name().starts_with("kql_parse_json_")
        && let [inner] = f.args.as_slice()
    {
        return TypedExpr::new(inner.clone(), ScalarType::Dynamic);
    }
    root
}

fn finish(p: PathExpr) -> TypedExpr {
    if p.steps.is_empty() {
        return p.root;
    }
    // Text that is not yet dynamic (a string column) is read as JSON, as parse_json would.
    let root = strip_parse_json(p.root);
    let root = TypedExpr::new(root.expr, ScalarType::Dynamic);
    dyn_call("path", DynOp::Path(p.steps), vec![root], Out::Dynamic)
}

impl Planner<'_> {
    fn plan_path(&mut self, e: &ast::Expr, ctx: &ExprCtx<'_>) -> Result<PathExpr> {
        match &e.kind {
            ExprKind::Member { target, name } => {
                let mut p = self.plan_path(target, ctx)?;
                p.steps.push(Step::Key(name.name.clone()));
                Ok(p)
            }
            ExprKind::Index { target, index } => {
                let mut p = self.plan_path(target, ctx)?;
                match const_step(index) {
                    Some(step) => {
                        p.steps.push(step);
                        Ok(p)
                    }
                    None => {
                        let base = finish(p);
                        let base = TypedExpr::new(base.expr, ScalarType::Dynamic);
                        let key = self.plan_scalar(index, ctx)?;
                        Ok(PathExpr {
                            root: dyn_call("get", DynOp::Get, vec![base, key], Out::Dynamic),
                            steps: Vec::new(),
                        })
                    }
                }
            }
            _ => Ok(PathExpr {
                root: self.plan_scalar(e, ctx)?,
                steps: Vec::new(),
            }),
        }
    }

    /// Plans `d.a`, `d['a']`, `d[i]` and chains of them: the result is dynamic.
    pub(crate) fn plan_dynamic_access(
        &mut self,
        e: &ast::Expr,
        ctx: &ExprCtx<'_>,
    ) -> Result<TypedExpr> {
        let p = self.plan_path(e, ctx)?;
        Ok(finish(p))
    }
}

/// A dynamic value read as a typed scalar: its text (strings lose their quotes), then
/// a conversion that yields null where the text is not of the type.
pub(crate) fn dynamic_as(value: TypedExpr, ty: ScalarType) -> TypedExpr {
    let text = tostring(value);
    if ty == ScalarType::String {
        return text;
    }
    TypedExpr::new(
        Expr::TryCast(TryCast::new(Box::new(text.expr), arrow_type(ty))),
        ty,
    )
}

fn is_numeric(ty: ScalarType) -> bool {
    matches!(
        ty,
        ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
    )
}

/// Kusto's implicit conversions for a binary operator with a dynamic operand: string
/// operators and comparisons with strings see the value's text, comparisons and
/// arithmetic with numbers see a number, with bools and datetimes their types.
pub(crate) fn coerce_dynamic_operands(
    op: BinaryOp,
    l: TypedExpr,
    r: TypedExpr,
) -> (TypedExpr, TypedExpr) {
    let (ld, rd) = (l.ty == ScalarType::Dynamic, r.ty == ScalarType::Dynamic);
    if !ld && !rd {
        return (l, r);
    }
    let textual = matches!(
        op,
        BinaryOp::Str { .. } | BinaryOp::EqCi | BinaryOp::NotEqCi | BinaryOp::MatchesRegex
    );
    let convert = |d: TypedExpr, other: ScalarType| -> TypedExpr {
        if textual {
            return tostring(d);
        }
        match other {
            t if is_numeric(t) => dynamic_as(d, ScalarType::Real),
            ScalarType::Bool => dynamic_as(d, ScalarType::Bool),
            ScalarType::DateTime => dynamic_as(d, ScalarType::DateTime),
            _ => tostring(d),
        }
    };
    match (ld, rd) {
        (true, false) => {
            let other = r.ty;
            let r = if textual { tostring(r) } else { r };
            (convert(l, other), r)
        }
        (false, true) => {
            let other = l.ty;
            let l = if textual { tostring(l) } else { l };
            (l, convert(r, other))
        }
        _ => (tostring(l), tostring(r)),
    }
}

#[cfg(test)]
mod tests;
