//! Scalar KQL expressions → DataFusion `Expr`.
//!
//! Arithmetic on datetimes and timespans is done on their nanosecond integers and cast
//! back: it gives Kusto's results (datetime - datetime is a timespan, timespan / timespan
//! a real) without depending on DataFusion's interval coercions.

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::expr_fn::{in_subquery, not_in_subquery};
use datafusion::logical_expr::{Between, Expr, Operator, and, binary_expr, cast, in_list, not, or};
use kql_syntax::Span;
use kql_syntax::ast::{self, BinaryOp, ExprKind, ListOp, LogicalOp, StrOp, UnaryOp};

use super::{Binding, Planner, TypedExpr, column, literal};
use crate::error::{QueryError, Result};
use crate::functions::string_ops::{Quantifier, StrMatch, string_predicate_udf};
use crate::types::{ScalarType, arrow_type, kql_type_of};

/// What a scalar expression is planned against.
pub(crate) struct ExprCtx<'s> {
    pub schema: &'s DFSchema,
    /// The operator the expression sits in, for error messages in Kusto's words.
    pub operator: &'static str,
    /// Sub-expressions already computed elsewhere (summarize aggregates), by span.
    pub substitutions: Option<&'s HashMap<(u32, u32), TypedExpr>>,
}

impl<'s> ExprCtx<'s> {
    pub fn new(schema: &'s DFSchema, operator: &'static str) -> Self {
        ExprCtx {
            schema,
            operator,
            substitutions: None,
        }
    }
}

/// Casts to a Kusto type (a relabel for string ↔ guid ↔ dynamic, which share Utf8).
pub(crate) fn cast_to(value: TypedExpr, ty: ScalarType, _schema: &DFSchema) -> Result<TypedExpr> {
    if value.ty == ty {
        return Ok(value);
    }
    let target = arrow_type(ty);
    let expr = match (&value.expr, ty) {
        (_, ScalarType::String | ScalarType::Guid | ScalarType::Dynamic)
            if matches!(
                value.ty,
                ScalarType::String | ScalarType::Guid | ScalarType::Dynamic
            ) =>
        {
            value.expr
        }
        _ => cast(value.expr, target),
    };
    Ok(TypedExpr::new(expr, ty))
}

/// `a or b or c ...` as a balanced tree: a left-deep chain of hundreds of terms (a Sigma
/// rule, `where * has` over a wide union) overflowed the stack in DataFusion's recursive
/// passes.
fn balanced(mut terms: Vec<Expr>, combine: fn(Expr, Expr) -> Expr) -> Option<Expr> {
    match terms.len() {
        0 => None,
        1 => terms.pop(),
        n => {
            let right = terms.split_off(n / 2);
            Some(combine(
                balanced(terms, combine)?,
                balanced(right, combine)?,
            ))
        }
    }
}

fn is_time(ty: ScalarType) -> bool {
    matches!(ty, ScalarType::DateTime | ScalarType::Timespan)
}

fn is_numeric(ty: ScalarType) -> bool {
    matches!(
        ty,
        ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
    )
}

pub(crate) fn as_i64(e: Expr) -> Expr {
    cast(e, DataType::Int64)
}

pub(crate) fn as_f64(e: Expr) -> Expr {
    cast(e, DataType::Float64)
}

/// An Int64 nanosecond count back to a datetime or timespan.
pub(crate) fn from_ns(e: Expr, ty: ScalarType) -> TypedExpr {
    TypedExpr::new(cast(e, arrow_type(ty)), ty)
}

fn str_match(kind: StrOp) -> Option<StrMatch> {
    Some(match kind {
        StrOp::Has => StrMatch::Has,
        StrOp::HasPrefix => StrMatch::HasPrefix,
        StrOp::HasSuffix => StrMatch::HasSuffix,
        StrOp::Contains => StrMatch::Contains,
        StrOp::StartsWith => StrMatch::StartsWith,
        StrOp::EndsWith => StrMatch::EndsWith,
        StrOp::Like => return None,
    })
}

fn bool_expr(e: Expr) -> TypedExpr {
    TypedExpr::new(e, ScalarType::Bool)
}

/// The elements of a dynamic array literal, as literals (for `in (dynamic([...]))`).
fn dynamic_array_items(value: &TypedExpr) -> Option<Vec<Expr>> {
    if value.ty != ScalarType::Dynamic {
        return None;
    }
    let Expr::Literal(ScalarValue::Utf8(Some(text)), _) = &value.expr else {
        return None;
    };
    let serde_json::Value::Array(items) = serde_json::from_str(text).ok()? else {
        return None;
    };
    Some(
        items
            .into_iter()
            .map(|v| {
                let scalar = match v {
                    serde_json::Value::Bool(b) => ScalarValue::Boolean(Some(b)),
                    serde_json::Value::Number(n) => match n.as_i64() {
                        Some(i) => ScalarValue::Int64(Some(i)),
                        None => ScalarValue::Float64(n.as_f64()),
                    },
                    serde_json::Value::String(s) => ScalarValue::Utf8(Some(s)),
                    serde_json::Value::Null => ScalarValue::Utf8(None),
                    other => ScalarValue::Utf8(Some(other.to_string())),
                };
                Expr::Literal(scalar, None)
            })
            .collect(),
    )
}

impl Planner<'_> {
    /// Plans a scalar expression against `ctx.schema`.
    pub(crate) fn plan_scalar(&mut self, e: &ast::Expr, ctx: &ExprCtx<'_>) -> Result<TypedExpr> {
        if let Some(found) = ctx
            .substitutions
            .and_then(|s| s.get(&(e.span.start, e.span.end)))
        {
            return Ok(found.clone());
        }
        match &e.kind {
            ExprKind::Literal(l) => literal::literal(l),
            ExprKind::Name(id) => self.plan_name(&id.name, id.span, ctx),
            ExprKind::Star => Err(QueryError::semantic(
                format!("'{}' operator: '*' is not allowed here", ctx.operator),
                e.span,
            )),
            ExprKind::Call { name, args } => self.plan_call(name, args, e.span, ctx),
            ExprKind::Member { .. } | ExprKind::Index { .. } => self.plan_dynamic_access(e, ctx),
            ExprKind::Unary { op, operand } => {
                let value = self.plan_scalar(operand, ctx)?;
                match op {
                    UnaryOp::Plus => Ok(value),
                    UnaryOp::Neg => Ok(TypedExpr::new(
                        Expr::Negative(Box::new(value.expr)),
                        value.ty,
                    )),
                }
            }
            ExprKind::Binary { op, left, right } => {
                let l = self.plan_scalar(left, ctx)?;
                let r = self.plan_scalar(right, ctx)?;
                self.plan_binary(*op, l, r, e.span, ctx)
            }
            ExprKind::Logical { op, operands } => {
                let mut planned = Vec::with_capacity(operands.len());
                for operand in operands {
                    planned.push(self.plan_scalar(operand, ctx)?.expr);
                }
                let combine = match op {
                    LogicalOp::And => and,
                    LogicalOp::Or => or,
                };
                balanced(planned, combine)
                    .map(bool_expr)
                    .ok_or_else(|| QueryError::semantic("empty logical expression", e.span))
            }
            ExprKind::InList { op, expr, list } => self.plan_in_list(*op, expr, list, ctx),
            ExprKind::Between {
                negated,
                expr,
                low,
                high,
            } => {
                let value = self.plan_scalar(expr, ctx)?;
                let low = self.plan_scalar(low, ctx)?;
                let mut high = self.plan_scalar(high, ctx)?;
                // `t between (start .. 1d)`: a timespan upper bound is relative to the low one.
                if value.ty == ScalarType::DateTime && high.ty == ScalarType::Timespan {
                    high = self.plan_binary(BinaryOp::Add, low.clone(), high, e.span, ctx)?;
                }
                Ok(bool_expr(Expr::Between(Between::new(
                    Box::new(value.expr),
                    *negated,
                    Box::new(low.expr),
                    Box::new(high.expr),
                ))))
            }
            ExprKind::SearchColumn { .. } => Err(QueryError::not_supported("search predicates")),
            ExprKind::Pipe { .. } | ExprKind::Source(_) => Err(QueryError::not_supported(
                "a tabular expression used as a scalar (use toscalar())",
            )),
        }
    }

    fn plan_name(&mut self, name: &str, span: Span, ctx: &ExprCtx<'_>) -> Result<TypedExpr> {
        if let Some(Binding::Scalar(value)) = self.lookup(name) {
            return Ok(value.clone());
        }
        let matches = ctx.schema.fields_with_unqualified_name(name);
        match matches.as_slice() {
            [field] => Ok(TypedExpr::new(column(name), kql_type_of(field))),
            [] => Err(QueryError::semantic(
                format!(
                    "'{}' operator: Failed to resolve scalar expression named '{name}'",
                    ctx.operator
                ),
                span,
            )),
            _ => Err(QueryError::semantic(
                format!(
                    "'{}' operator: Column name '{name}' is ambiguous",
                    ctx.operator
                ),
                span,
            )),
        }
    }

    pub(crate) fn plan_binary(
        &mut self,
        op: BinaryOp,
        l: TypedExpr,
        r: TypedExpr,
        span: Span,
        ctx: &ExprCtx<'_>,
    ) -> Result<TypedExpr> {
        use ScalarType::{DateTime, Real, Timespan};
        let (l, r) = super::dynamic::coerce_dynamic_operands(op, l, r);
        // Integer widening and a non-negative `%`: see `arith`.
        let arith = |o: Operator, l: TypedExpr, r: TypedExpr| -> Result<TypedExpr> {
            super::arith::numeric_binary(o, l, r, ctx.schema)
        };
        match op {
            BinaryOp::Add | BinaryOp::Sub if is_time(l.ty) || is_time(r.ty) => {
                let o = if op == BinaryOp::Add {
                    Operator::Plus
                } else {
                    Operator::Minus
                };
                let result_ty = match (l.ty, r.ty, op) {
                    (DateTime, DateTime, BinaryOp::Sub) => Timespan,
                    (DateTime, Timespan, _) | (Timespan, DateTime, BinaryOp::Add) => DateTime,
                    (Timespan, Timespan, _) => Timespan,
                    _ => {
                        return Err(QueryError::semantic(
                            format!(
                                "'{}' operator: cannot apply '{}' to {} and {}",
                                ctx.operator,
                                op.symbol(),
                                l.ty.name(),
                                r.ty.name()
                            ),
                            span,
                        ));
                    }
                };
                let ns = binary_expr(as_i64(l.expr), o, as_i64(r.expr));
                Ok(from_ns(ns, result_ty))
            }
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod
                if l.ty == Timespan || r.ty == Timespan =>
            {
                match (l.ty, r.ty, op) {
                    (Timespan, Timespan, BinaryOp::Div) => Ok(TypedExpr::new(
                        binary_expr(
                            as_f64(as_i64(l.expr)),
                            Operator::Divide,
                            as_f64(as_i64(r.expr)),
                        ),
                        Real,
                    )),
                    (Timespan, Timespan, BinaryOp::Mod) => Ok(from_ns(
                        binary_expr(as_i64(l.expr), Operator::Modulo, as_i64(r.expr)),
                        Timespan,
                    )),
                    (Timespan, n, _) | (n, Timespan, BinaryOp::Mul) if is_numeric(n) => {
                        let (span_side, num_side) = if l.ty == Timespan {
                            (l.expr, r.expr)
                        } else {
                            (r.expr, l.expr)
                        };
                        let o = match op {
                            BinaryOp::Mul => Operator::Multiply,
                            BinaryOp::Div => Operator::Divide,
                            _ => Operator::Modulo,
                        };
                        let f = binary_expr(as_f64(as_i64(span_side)), o, as_f64(num_side));
                        Ok(from_ns(as_i64(f), Timespan))
                    }
                    _ => Err(QueryError::semantic(
                        format!(
                            "'{}' operator: cannot apply '{}' to {} and {}",
                            ctx.operator,
                            op.symbol(),
                            l.ty.name(),
                            r.ty.name()
                        ),
                        span,
                    )),
                }
            }
            BinaryOp::Add => arith(Operator::Plus, l, r),
            BinaryOp::Sub => arith(Operator::Minus, l, r),
            BinaryOp::Mul => arith(Operator::Multiply, l, r),
            BinaryOp::Div => arith(Operator::Divide, l, r),
            BinaryOp::Mod => arith(Operator::Modulo, l, r),
            // Kusto's null rules for equality differ from SQL's: see `equality`.
            BinaryOp::Eq => Ok(bool_expr(super::equality::kusto_equality(l, r, false)?)),
            BinaryOp::NotEq => Ok(bool_expr(super::equality::kusto_equality(l, r, true)?)),
            BinaryOp::Lt => Ok(bool_expr(binary_expr(l.expr, Operator::Lt, r.expr))),
            BinaryOp::Le => Ok(bool_expr(binary_expr(l.expr, Operator::LtEq, r.expr))),
            BinaryOp::Gt => Ok(bool_expr(binary_expr(l.expr, Operator::Gt, r.expr))),
            BinaryOp::Ge => Ok(bool_expr(binary_expr(l.expr, Operator::GtEq, r.expr))),
            BinaryOp::EqCi | BinaryOp::NotEqCi => {
                let call = string_predicate_udf(StrMatch::Equals, false, Quantifier::Any)
                    .call(vec![l.expr, r.expr]);
                Ok(bool_expr(if op == BinaryOp::NotEqCi {
                    not(call)
                } else {
                    call
                }))
            }
            BinaryOp::MatchesRegex => {
                Ok(bool_expr(binary_expr(l.expr, Operator::RegexMatch, r.expr)))
            }
            BinaryOp::Str {
                kind,
                negated,
                case_sensitive,
            } => {
                let kind = str_match(kind).ok_or_else(|| {
                    QueryError::not_supported(format!("operator '{}'", op.symbol()))
                })?;
                let call = string_predicate_udf(kind, case_sensitive, Quantifier::Any)
                    .call(vec![l.expr, r.expr]);
                Ok(bool_expr(if negated { not(call) } else { call }))
            }
        }
    }

    fn plan_in_list(
        &mut self,
        op: ListOp,
        expr: &ast::Expr,
        list: &[ast::Expr],
        ctx: &ExprCtx<'_>,
    ) -> Result<TypedExpr> {
        let value = self.plan_scalar(expr, ctx)?;
        if let [single] = list
            && self.is_tabular(single)
        {
            let mut sub = self.plan_tabular(single)?;
            // Kusto uses the first column of a wider table.
            match sub.schema().fields().len() {
                0 => {
                    return Err(QueryError::semantic(
                        format!(
                            "The tabular expression of '{}' has no columns.",
                            op.keyword()
                        ),
                        single.span,
                    ));
                }
                1 => {}
                _ => {
                    let first = Expr::Column(datafusion::common::Column::from(
                        sub.schema().qualified_field(0),
                    ));
                    sub = datafusion::logical_expr::LogicalPlanBuilder::from(sub)
                        .project(vec![first])?
                        .build()?;
                }
            }
            // In a `where`, `in` is a semi-join (DataFusion decorrelates it). Elsewhere,
            // and for the matching operators, which need the values themselves, the
            // column is computed while planning, as toscalar() is, and its non-null
            // values become the list.
            let semi_join = ctx.operator == "where";
            if semi_join {
                // The semi-join puts both sides in one schema: a column of the same name
                // on each side (`where Name in (T | project Name)`) would be ambiguous.
                static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let only = Expr::Column(datafusion::common::Column::from(
                    sub.schema().qualified_field(0),
                ));
                sub = datafusion::logical_expr::LogicalPlanBuilder::from(sub)
                    .project(vec![only.alias(format!("__in_values_{n}"))])?
                    .build()?;
            }
            return match op {
                ListOp::In if semi_join => Ok(bool_expr(in_subquery(value.expr, Arc::new(sub)))),
                ListOp::NotIn if semi_join => {
                    Ok(bool_expr(not_in_subquery(value.expr, Arc::new(sub))))
                }
                _ => {
                    let batch = super::materialize::collect_one(sub)?;
                    let column = batch.column(0);
                    let mut items = Vec::with_capacity(column.len());
                    for i in (0..column.len()).filter(|&i| column.is_valid(i)) {
                        items.push(Expr::Literal(ScalarValue::try_from_array(column, i)?, None));
                    }
                    Ok(list_predicate(op, value.expr, items))
                }
            };
        }
        let mut items = Vec::with_capacity(list.len());
        for item in list {
            let planned = self.plan_scalar(item, ctx)?;
            match dynamic_array_items(&planned) {
                Some(expanded) => items.extend(expanded),
                None => items.push(planned.expr),
            }
        }
        Ok(list_predicate(op, value.expr, items))
    }
}

/// `value <op> (items)` for a list of scalar items.
fn list_predicate(op: ListOp, value: Expr, items: Vec<Expr>) -> TypedExpr {
    let udf_call = |kind, quantifier, items: Vec<Expr>| {
        let mut args = vec![value.clone()];
        args.extend(items);
        string_predicate_udf(kind, false, quantifier).call(args)
    };
    bool_expr(match op {
        ListOp::In => in_list(value.clone(), items, false),
        ListOp::NotIn => in_list(value.clone(), items, true),
        ListOp::InCi => udf_call(StrMatch::Equals, Quantifier::Any, items),
        ListOp::NotInCi => not(udf_call(StrMatch::Equals, Quantifier::Any, items)),
        ListOp::HasAny => udf_call(StrMatch::Has, Quantifier::Any, items),
        ListOp::HasAll => udf_call(StrMatch::Has, Quantifier::All, items),
    })
}
