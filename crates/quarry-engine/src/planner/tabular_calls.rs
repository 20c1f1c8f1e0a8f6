//! Scalar functions of a tabular argument: `toscalar(T)` (the first column of T's first
//! row, computed while planning, as Kusto does before running the query) and
//! `column_names_of(T)`.

use datafusion::common::ScalarValue;
use datafusion::logical_expr::Expr;
use kql_syntax::Span;
use kql_syntax::ast::Arg;

use super::expr::ExprCtx;
use super::materialize::collect_one;
use super::{Planner, TypedExpr, column_names};
use crate::error::{QueryError, Result};
use crate::types::kql_type_of;

impl Planner<'_> {
    /// Plans `name(args)` when it is a function of a table; None otherwise.
    pub(crate) fn plan_tabular_call(
        &mut self,
        name: &str,
        args: &[Arg],
        span: Span,
        ctx: &ExprCtx<'_>,
    ) -> Result<Option<TypedExpr>> {
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(QueryError::semantic(
                    format!(
                        "'{}' operator: {name}() takes {n} argument(s)",
                        ctx.operator
                    ),
                    span,
                ))
            }
        };
        match name {
            "toscalar" => {
                arity(1)?;
                let arg = &args[0].value;
                if !self.is_tabular(arg) {
                    // `toscalar(scalar)` is the scalar itself.
                    return self.plan_scalar(arg, ctx).map(Some);
                }
                let plan = self.plan_tabular(arg)?;
                let Some(field) = plan.schema().fields().first().cloned() else {
                    return Err(QueryError::semantic(
                        format!(
                            "'{}' operator: toscalar() of a table without columns",
                            ctx.operator
                        ),
                        span,
                    ));
                };
                let ty = kql_type_of(&field);
                let batch = collect_one(plan)?;
                let value = if batch.num_rows() > 0 {
                    ScalarValue::try_from_array(batch.column(0), 0)?
                } else {
                    ScalarValue::try_from(field.data_type())?
                };
                Ok(Some(TypedExpr::new(Expr::Literal(value, None), ty)))
            }
            "column_names_of" => {
                arity(1)?;
                let arg = &args[0].value;
                if !self.is_tabular(arg) {
                    return Err(QueryError::semantic(
                        format!(
                            "'{}' operator: column_names_of() expects a table",
                            ctx.operator
                        ),
                        span,
                    ));
                }
                let names = column_names(&self.plan_tabular(arg)?);
                let json = serde_json::Value::from(names).to_string();
                Ok(Some(TypedExpr::new(
                    Expr::Literal(ScalarValue::Utf8(Some(json)), None),
                    crate::types::ScalarType::Dynamic,
                )))
            }
            _ => Ok(None),
        }
    }
}
