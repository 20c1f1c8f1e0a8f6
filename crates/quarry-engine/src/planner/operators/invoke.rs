//! `T | invoke f(args)`: calls a tabular function with `T` as its first argument, either
//! a user function (`let f = (T:(*), ...) {...}`) or one of Defender's library
//! functions (`FileProfile`, `DeviceFromIP`, `SeenBy`).

use datafusion::logical_expr::LogicalPlan;
use kql_syntax::ast::{self, ExprKind, Ident};

use crate::error::{QueryError, Result};
use crate::planner::{Binding, Planner, library};

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    call: &ast::Expr,
) -> Result<LogicalPlan> {
    let ExprKind::Call { name, args } = &call.kind else {
        return Err(QueryError::semantic(
            "'invoke' operator: expected a function call",
            call.span,
        ));
    };
    let values: Vec<ast::Expr> = args.iter().map(|a| a.value.clone()).collect();
    if let Some(Binding::Function(f)) = planner.lookup(&name.name).cloned() {
        // The input becomes the first argument, through a name bound for this call.
        let input_name = format!("__invoke_{}", planner.scopes.len());
        let mut call_args = vec![ast::Expr::new(
            ExprKind::Name(Ident::new(input_name.clone(), call.span)),
            call.span,
        )];
        call_args.extend(values);
        planner.scopes.push(
            [(input_name, Binding::Tabular(input))]
                .into_iter()
                .collect(),
        );
        let result = planner.inline_tabular_function(&f, &call_args, call.span);
        planner.scopes.pop();
        return result;
    }
    if library::is_invoke_function(&name.name) {
        return planner.invoke_library(&name.name, &values, input);
    }
    Err(QueryError::semantic(
        format!(
            "'invoke' operator: Failed to resolve function named '{}'",
            name.name
        ),
        name.span,
    ))
}
