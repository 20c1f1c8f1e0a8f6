//! Scalar function calls: user functions (inlined) and Kusto's built-ins.

use kql_syntax::Span;
use kql_syntax::ast::{Arg, Ident};

use super::builtins::{self, CallCtx};
use super::expr::ExprCtx;
use super::{Binding, Planner, TypedExpr, aggregates};
use crate::error::{QueryError, Result};

impl Planner<'_> {
    fn plan_args(&mut self, args: &[Arg], ctx: &ExprCtx<'_>) -> Result<Vec<TypedExpr>> {
        args.iter()
            .map(|a| match type_argument(&a.value, ctx) {
                // `typeof(long)` as an argument (extract's result type): a typed null.
                Some(ty) => super::literal::null_of(ty),
                None => self.plan_scalar(&a.value, ctx),
            })
            .collect()
    }

    pub(crate) fn plan_call(
        &mut self,
        name: &Ident,
        args: &[Arg],
        span: Span,
        ctx: &ExprCtx<'_>,
    ) -> Result<TypedExpr> {
        if let Some(Binding::Function(f)) = self.lookup(&name.name).cloned() {
            let values: Vec<_> = args.iter().map(|a| a.value.clone()).collect();
            return self.inline_scalar_function(&f, &values, ctx, span);
        }
        let fname = name.name.as_str();
        if let Some(planned) = self.plan_tabular_call(fname, args, span, ctx)? {
            return Ok(planned);
        }
        if aggregates::is_aggregate(fname) {
            return Err(QueryError::semantic(
                format!(
                    "'{}' operator: the aggregate function '{fname}' is only allowed in summarize",
                    ctx.operator
                ),
                span,
            ));
        }
        let values = self.plan_args(args, ctx)?;
        let cx = CallCtx {
            name: fname,
            operator: ctx.operator,
            span,
            schema: ctx.schema,
            now_ns: self.now_ns(),
        };
        match builtins::plan_builtin(values, &cx)? {
            Some(planned) => Ok(planned),
            None => Err(QueryError::not_supported(format!("function '{fname}'"))),
        }
    }
}

/// The type named by a `typeof(T)` argument, unless `T` is a column.
fn type_argument(e: &kql_syntax::ast::Expr, ctx: &ExprCtx<'_>) -> Option<crate::types::ScalarType> {
    use kql_syntax::ast::ExprKind;
    let ExprKind::Call { name, args } = &e.kind else {
        return None;
    };
    if name.name != "typeof" {
        return None;
    }
    let [arg] = args.as_slice() else {
        return None;
    };
    let ExprKind::Name(id) = &arg.value.kind else {
        return None;
    };
    if !ctx.schema.fields_with_unqualified_name(&id.name).is_empty() {
        return None;
    }
    crate::types::ScalarType::from_name(&id.name)
}
