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

    /// Like `plan_args`; for `estimate_data_size(*)` the `*` stands for every column of
    /// the input, in order.
    fn plan_args_expanding_star(
        &mut self,
        fname: &str,
        args: &[Arg],
        ctx: &ExprCtx<'_>,
    ) -> Result<Vec<TypedExpr>> {
        let star = |a: &Arg| matches!(a.value.kind, kql_syntax::ast::ExprKind::Star);
        if fname != "estimate_data_size" || !args.iter().any(star) {
            return self.plan_args(args, ctx);
        }
        let mut values = Vec::new();
        for arg in args {
            if star(arg) {
                for field in ctx.schema.fields() {
                    values.push(TypedExpr::new(
                        super::column(field.name()),
                        crate::types::kql_type_of(field),
                    ));
                }
            } else {
                values.push(self.plan_scalar(&arg.value, ctx)?);
            }
        }
        Ok(values)
    }

    /// `bin_auto(value)`: `bin_at(value, query_bin_auto_size, query_bin_auto_at)` with
    /// the sizes set by the query's `set` statements (the fixed point defaults to 0,
    /// which is plain `bin`).
    fn plan_bin_auto(&mut self, args: &[Arg], span: Span, ctx: &ExprCtx<'_>) -> Result<TypedExpr> {
        let [value] = args else {
            return Err(QueryError::semantic(
                format!("'{}' operator: bin_auto() takes one argument", ctx.operator),
                span,
            ));
        };
        let size = self
            .options
            .get("query_bin_auto_size")
            .cloned()
            .ok_or_else(|| {
                QueryError::semantic(
                    format!(
                        "'{}' operator: bin_auto() needs 'set query_bin_auto_size=...;'",
                        ctx.operator
                    ),
                    span,
                )
            })?;
        let at = self.options.get("query_bin_auto_at").cloned();
        let arg = |value: kql_syntax::ast::Expr| Arg { name: None, value };
        let mut call_args = vec![value.clone(), arg(size)];
        let function = match at {
            Some(at) => {
                call_args.push(arg(at));
                "bin_at"
            }
            None => "bin",
        };
        let call = Ident {
            name: function.to_string(),
            span,
        };
        self.plan_call(&call, &call_args, span, ctx)
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
        if fname == "bin_auto" {
            return self.plan_bin_auto(args, span, ctx);
        }
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
        let values = self.plan_args_expanding_star(fname, args, ctx)?;
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
