//! KQL → DataFusion `LogicalPlan`, in the manner of datafusion-sql's `SqlToRel`.
//!
//! [`Planner`] walks the statements: `let` statements add bindings to a stack of
//! scopes (scalar lets become expressions substituted where the name is used, tabular
//! lets become plans, functions are kept as definitions and inlined at each call with
//! their parameters bound), and the query body is planned as a tabular expression.
//! Scalar expressions are planned in [`expr`]; each tabular operator has its own file
//! under [`operators`], each source its own file under [`sources`].
//!
//! Column references are always unqualified `Column`s built from the exact name:
//! `col("Name")` would lower-case it, and KQL names are case-sensitive.

pub(crate) mod aggregates;
pub(crate) mod arith;
pub(crate) mod builtins;
pub(crate) mod dynamic;
pub(crate) mod equality;
pub(crate) mod expr;
pub(crate) mod functions;
pub(crate) mod library;
pub(crate) mod literal;
pub(crate) mod materialize;
pub(crate) mod naming;
pub(crate) mod operators;
pub(crate) mod sources;
pub(crate) mod tabular_calls;
pub(crate) mod window;

use std::collections::HashMap;
use std::sync::Arc;

use datafusion::catalog::default_table_source::provider_as_source;
use datafusion::common::{Column, DFSchema};
use datafusion::logical_expr::{Expr, ExprSchemable, LogicalPlan, LogicalPlanBuilder};
use kql_syntax::Span;
use kql_syntax::ast::{self, ExprKind, FunctionDef, LetValue, ParamType, Statement};

use crate::catalog::Catalog;
use crate::error::{QueryError, Result};
use crate::types::{ScalarType, kql_type_of, metadata_for};

/// How deep user functions may call each other before the planner gives up.
const MAX_INLINE_DEPTH: usize = 64;

/// A planned scalar expression with its Kusto type (which DataFusion's type alone
/// cannot tell for guid and dynamic).
#[derive(Debug, Clone)]
pub(crate) struct TypedExpr {
    pub expr: Expr,
    pub ty: ScalarType,
}

impl TypedExpr {
    pub fn new(expr: Expr, ty: ScalarType) -> Self {
        TypedExpr { expr, ty }
    }

    /// Types `expr` from what DataFusion derives for it in `schema` (metadata included).
    pub fn derive(expr: Expr, schema: &DFSchema) -> Result<Self> {
        let (_, field) = expr.to_field(schema)?;
        let ty = kql_type_of(&field);
        Ok(TypedExpr { expr, ty })
    }

    /// The expression as an output column named `name`, carrying its Kusto type.
    pub fn named(self, name: &str) -> Expr {
        self.expr.alias_with_metadata(name, metadata_for(self.ty))
    }
}

/// What a `let` name stands for.
#[derive(Debug, Clone)]
pub(crate) enum Binding {
    Scalar(TypedExpr),
    Tabular(LogicalPlan),
    Function(Arc<FunctionDef>),
}

/// Plans one query. Holds the catalog, the `let` scopes and the query's fixed `now()`.
pub struct Planner<'a> {
    catalog: &'a dyn Catalog,
    scopes: Vec<HashMap<String, Binding>>,
    /// `now()` in nanoseconds since the epoch: fixed once per query, as in Kusto.
    now_ns: i64,
    inline_depth: usize,
    /// The query's `set name = value;` statements that planning reads
    /// (`query_bin_auto_size`, `query_bin_auto_at`); the others change nothing Quarry
    /// computes.
    options: HashMap<String, ast::Expr>,
}

/// An unqualified column reference by exact name.
pub(crate) fn column(name: &str) -> Expr {
    Expr::Column(Column::new_unqualified(name))
}

/// The value of an operator's `name=value` parameter when it is a name (`kind=inner`).
pub(crate) fn param_name<'p>(params: &'p [ast::OpParam], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|p| p.name.name == name)
        .and_then(|p| p.value.as_name())
}

/// The names of a plan's output columns, in order.
pub(crate) fn column_names(plan: &LogicalPlan) -> Vec<String> {
    plan.schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

impl<'a> Planner<'a> {
    /// The catalog's table names (for `union Device*` and `search`).
    pub(crate) fn catalog_table_names(&self) -> Vec<String> {
        self.catalog.table_names()
    }

    pub fn new(catalog: &'a dyn Catalog, now_ns: i64) -> Self {
        Planner {
            catalog,
            scopes: vec![HashMap::new()],
            now_ns,
            inline_depth: 0,
            options: HashMap::new(),
        }
    }

    pub(crate) fn now_ns(&self) -> i64 {
        self.now_ns
    }

    /// Plans a parsed query: its `let` statements, then its (first) tabular expression.
    pub fn plan_query(&mut self, query: &ast::Query) -> Result<LogicalPlan> {
        let mut body = None;
        let empty = DFSchema::empty();
        for statement in &query.statements {
            match statement {
                Statement::Let(l) => self.plan_let(l, &empty)?,
                Statement::Set { name, value, .. } => {
                    if let Some(value) = value {
                        self.options.insert(name.clone(), value.clone());
                    }
                }
                Statement::DeclareParameters { params, span } => {
                    self.declare_parameters(params, *span)?
                }
                Statement::Expr(e) => {
                    if body.is_none() {
                        body = Some(self.plan_tabular(e)?);
                    }
                }
            }
        }
        body.ok_or_else(|| {
            QueryError::semantic("The query has no tabular expression to run.", query.span)
        })
    }

    /// `declare query_parameters(name:type = default, ...)`: Quarry's API takes no
    /// parameter values, so each parameter is bound to its default (converted to the
    /// declared type); one without a default cannot be given a value.
    fn declare_parameters(&mut self, params: &[ast::Param], span: Span) -> Result<()> {
        let empty = DFSchema::empty();
        for param in params {
            let Some(default) = &param.default else {
                return Err(QueryError::semantic(
                    format!(
                        "Query parameter '{}' has no default and no value was provided.",
                        param.name.name
                    ),
                    span,
                ));
            };
            let binding = match &param.ty {
                ParamType::Tabular { .. } => {
                    return Err(QueryError::not_supported("tabular query parameters"));
                }
                ParamType::Scalar(ty) => {
                    let ctx = expr::ExprCtx::new(&empty, "declare query_parameters");
                    let value = self.plan_scalar(default, &ctx)?;
                    Binding::Scalar(expr::cast_to(value, *ty, &empty)?)
                }
            };
            self.bind(&param.name.name, binding);
        }
        Ok(())
    }

    pub(crate) fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn bind(&mut self, name: &str, binding: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), binding);
        }
    }

    /// `let name = ...`: a function definition, a tabular value, or a scalar value.
    /// Scalars are planned against `schema` (empty at the top level; the caller's
    /// input inside an inlined function body).
    pub(crate) fn plan_let(&mut self, l: &ast::LetStatement, schema: &DFSchema) -> Result<()> {
        let binding = match &l.value {
            LetValue::Function(f) | LetValue::View(f) => Binding::Function(Arc::new(f.clone())),
            LetValue::Expr(e) if self.is_tabular(e) => Binding::Tabular(self.plan_tabular(e)?),
            LetValue::Expr(e) => {
                let ctx = expr::ExprCtx::new(schema, "let");
                Binding::Scalar(self.plan_scalar(e, &ctx)?)
            }
        };
        self.bind(&l.name.name, binding);
        Ok(())
    }

    /// Whether an expression denotes a table (decided by syntax and by what names mean).
    pub(crate) fn is_tabular(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Pipe { .. } | ExprKind::Source(_) => true,
            ExprKind::Name(id) => match self.lookup(&id.name) {
                Some(Binding::Tabular(_)) => true,
                Some(Binding::Function(f)) => f.params.is_empty() && function_is_tabular(self, f),
                Some(_) => false,
                None => self.catalog.table(&id.name).is_some(),
            },
            ExprKind::Call { name, .. } => match self.lookup(&name.name) {
                Some(Binding::Function(f)) => function_is_tabular(self, f),
                _ => {
                    matches!(name.name.as_str(), "materialize" | "table" | "view")
                        || library::is_source_function(&name.name)
                }
            },
            _ => false,
        }
    }

    /// Plans a tabular expression.
    pub(crate) fn plan_tabular(&mut self, e: &ast::Expr) -> Result<LogicalPlan> {
        match &e.kind {
            ExprKind::Pipe { source, ops } => {
                let mut plan = self.plan_tabular(source)?;
                for op in ops {
                    plan = operators::plan_operator(self, plan, op)?;
                }
                Ok(plan)
            }
            ExprKind::Source(source) => sources::plan_source(self, source, e.span),
            ExprKind::Name(id) => self.plan_table_name(&id.name, id.span),
            ExprKind::Call { name, args } => {
                if let Some(Binding::Function(f)) = self.lookup(&name.name).cloned() {
                    let values: Vec<ast::Expr> = args.iter().map(|a| a.value.clone()).collect();
                    return self.inline_tabular_function(&f, &values, e.span);
                }
                match name.name.as_str() {
                    "materialize" | "view" if args.len() == 1 => self.plan_tabular(&args[0].value),
                    "table" if args.len() == 1 => match &args[0].value.kind {
                        ExprKind::Literal(ast::Literal::String(t)) => {
                            self.plan_table_name(t, args[0].value.span)
                        }
                        _ => Err(QueryError::not_supported("table() with a computed name")),
                    },
                    other if library::is_source_function(other) => {
                        let values: Vec<ast::Expr> = args.iter().map(|a| a.value.clone()).collect();
                        self.library_source(other, &values)
                    }
                    other => Err(QueryError::not_supported(format!(
                        "function '{other}' as a tabular source"
                    ))),
                }
            }
            _ => Err(QueryError::semantic(
                "Tabular expression expected: a scalar expression cannot start a query.",
                e.span,
            )),
        }
    }

    fn plan_table_name(&mut self, name: &str, span: Span) -> Result<LogicalPlan> {
        match self.lookup(name).cloned() {
            Some(Binding::Tabular(plan)) => return Ok(plan),
            // A view or parameterless function named without parentheses.
            Some(Binding::Function(f)) if f.params.is_empty() => {
                return self.inline_tabular_function(&f, &[], span);
            }
            _ => {}
        }
        if let Some(provider) = self.catalog.table(name) {
            return Ok(
                LogicalPlanBuilder::scan(name, provider_as_source(provider), None)?.build()?,
            );
        }
        Err(QueryError::semantic(
            format!("Failed to resolve table or column expression named '{name}'"),
            span,
        ))
    }

    /// Binds a user function's parameters for one call, runs `body` in that scope, and
    /// pops the scope whatever happens.
    fn with_function_scope<T>(
        &mut self,
        f: &FunctionDef,
        args: &[ast::Expr],
        schema: &DFSchema,
        span: Span,
        body: impl FnOnce(&mut Self, &ast::Expr) -> Result<T>,
    ) -> Result<T> {
        if self.inline_depth >= MAX_INLINE_DEPTH {
            return Err(QueryError::semantic(
                "Function calls are nested too deeply.",
                span,
            ));
        }
        if args.len() > f.params.len() {
            return Err(QueryError::semantic(
                format!(
                    "The function takes {} arguments, got {}.",
                    f.params.len(),
                    args.len()
                ),
                span,
            ));
        }
        // Arguments are planned in the caller's scope, before the parameters exist.
        let mut scope = HashMap::new();
        for (i, param) in f.params.iter().enumerate() {
            let arg = args.get(i).or(param.default.as_ref()).ok_or_else(|| {
                QueryError::semantic(
                    format!("Missing argument for parameter '{}'.", param.name.name),
                    span,
                )
            })?;
            let binding = match &param.ty {
                ParamType::Tabular { .. } => Binding::Tabular(self.plan_tabular(arg)?),
                ParamType::Scalar(ty) => {
                    let ctx = expr::ExprCtx::new(schema, "function call");
                    let value = self.plan_scalar(arg, &ctx)?;
                    Binding::Scalar(expr::cast_to(value, *ty, schema)?)
                }
            };
            scope.insert(param.name.name.clone(), binding);
        }
        self.scopes.push(scope);
        self.inline_depth += 1;
        let result = (|| {
            let mut last = None;
            for statement in &f.body {
                match statement {
                    Statement::Let(l) => self.plan_let(l, schema)?,
                    Statement::Expr(e) => last = Some(e),
                    Statement::Set { .. } => {}
                    Statement::DeclareParameters { .. } => {
                        return Err(QueryError::not_supported(
                            "'declare query_parameters' inside a function",
                        ));
                    }
                }
            }
            let last = last.ok_or_else(|| {
                QueryError::semantic("The function body has no result expression.", f.span)
            })?;
            body(self, last)
        })();
        self.inline_depth -= 1;
        self.scopes.pop();
        result
    }

    /// Plans and folds a column-free expression.
    pub(crate) fn constant_value(
        &mut self,
        e: &ast::Expr,
        operator: &'static str,
    ) -> Result<datafusion::common::ScalarValue> {
        let empty = DFSchema::empty();
        let ctx = expr::ExprCtx::new(&empty, operator);
        let value = self.plan_scalar(e, &ctx)?;
        literal::eval_constant(value.expr).map_err(|err| match err {
            QueryError::Semantic { message, .. } => {
                QueryError::semantic(format!("'{operator}' operator: {message}"), e.span)
            }
            other => other,
        })
    }

    /// A row count argument (`take N`, `top N`): a non-negative integer constant.
    pub(crate) fn constant_count(
        &mut self,
        e: &ast::Expr,
        operator: &'static str,
    ) -> Result<usize> {
        use datafusion::arrow::datatypes::DataType;
        use datafusion::common::ScalarValue;
        let value = self.constant_value(e, operator)?;
        match value.cast_to(&DataType::Int64)? {
            ScalarValue::Int64(Some(n)) => Ok(n.max(0) as usize),
            _ => Err(QueryError::semantic(
                format!("'{operator}' operator: expected a row count"),
                e.span,
            )),
        }
    }

    pub(crate) fn inline_tabular_function(
        &mut self,
        f: &FunctionDef,
        args: &[ast::Expr],
        span: Span,
    ) -> Result<LogicalPlan> {
        let empty = DFSchema::empty();
        self.with_function_scope(f, args, &empty, span, |p, e| p.plan_tabular(e))
    }

    pub(crate) fn inline_scalar_function(
        &mut self,
        f: &FunctionDef,
        args: &[ast::Expr],
        ctx: &expr::ExprCtx<'_>,
        span: Span,
    ) -> Result<TypedExpr> {
        self.with_function_scope(f, args, ctx.schema, span, |p, e| p.plan_scalar(e, ctx))
    }
}

/// Whether a function's result is a table: its last expression is a pipeline, a source
/// or a table name.
fn function_is_tabular(planner: &Planner<'_>, f: &FunctionDef) -> bool {
    let has_tabular_param = f
        .params
        .iter()
        .any(|p| matches!(p.ty, ParamType::Tabular { .. }));
    f.body
        .iter()
        .rev()
        .find_map(|s| match s {
            Statement::Expr(e) => Some(e),
            _ => None,
        })
        .is_some_and(|e| match &e.kind {
            ExprKind::Name(id) => {
                planner.is_tabular(e)
                    || (has_tabular_param && f.params.iter().any(|p| p.name.name == id.name))
            }
            _ => planner.is_tabular(e),
        })
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_analytics;
#[cfg(test)]
mod tests_engine_gaps;
#[cfg(test)]
mod tests_materialized;
#[cfg(test)]
mod tests_search;
