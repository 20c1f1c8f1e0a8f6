//! Kusto's built-in scalar functions, one family per file. A call is offered to each
//! family in turn; the first that knows the name plans it. Adding a family is adding a
//! file and one line to [`FAMILIES`].

pub(crate) mod conditional;
pub(crate) mod core;
pub(crate) mod datetime;
pub(crate) mod dynamic;
pub(crate) mod estimate;
pub(crate) mod geo;
pub(crate) mod ip;
pub(crate) mod math;
pub(crate) mod series;
pub(crate) mod sketches;
pub(crate) mod strings;
pub(crate) mod units;

use datafusion::common::DFSchema;
use kql_syntax::Span;

use crate::error::{QueryError, Result};
use crate::planner::TypedExpr;

/// What a function's planning may need besides its arguments.
pub(crate) struct CallCtx<'a> {
    pub name: &'a str,
    /// The operator the call sits in, for error messages in Kusto's words.
    pub operator: &'a str,
    pub span: Span,
    pub schema: &'a DFSchema,
    /// The query's fixed `now()`, in nanoseconds since the epoch.
    pub now_ns: i64,
}

/// A call's planned arguments, with the arity checks every family needs.
pub(crate) struct Args<'a> {
    pub values: Vec<TypedExpr>,
    cx: &'a CallCtx<'a>,
}

impl<'a> Args<'a> {
    pub fn new(values: Vec<TypedExpr>, cx: &'a CallCtx<'a>) -> Self {
        Args { values, cx }
    }

    pub fn arity_error(&self) -> QueryError {
        QueryError::semantic(
            format!(
                "'{}' operator: wrong number of arguments for '{}'",
                self.cx.operator, self.cx.name
            ),
            self.cx.span,
        )
    }

    /// The `i`-th argument.
    pub fn arg(&self, i: usize) -> Result<TypedExpr> {
        self.values
            .get(i)
            .cloned()
            .ok_or_else(|| self.arity_error())
    }

    /// The only argument.
    pub fn one(&self) -> Result<TypedExpr> {
        match self.values.as_slice() {
            [x] => Ok(x.clone()),
            _ => Err(self.arity_error()),
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn pop(&mut self) -> Option<TypedExpr> {
        self.values.pop()
    }

    pub fn first(&self) -> Option<&TypedExpr> {
        self.values.first()
    }

    pub fn get(&self, i: usize) -> Option<&TypedExpr> {
        self.values.get(i)
    }

    /// Fails unless there are between `min` and `max` arguments.
    pub fn expect_between(&self, min: usize, max: usize) -> Result<()> {
        if (min..=max).contains(&self.values.len()) {
            Ok(())
        } else {
            Err(self.arity_error())
        }
    }
}

/// Plans `name(args)`, or returns None when no family knows the name.
pub(crate) type Family = fn(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>>;

/// Every family, in the order they are asked.
const FAMILIES: &[Family] = &[
    series::plan,
    datetime::plan,
    core::plan,
    math::plan,
    conditional::plan,
    dynamic::plan,
    strings::plan,
    units::plan,
    sketches::plan,
    ip::plan,
    geo::plan,
    estimate::plan,
];

pub(crate) fn plan_builtin(args: Vec<TypedExpr>, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    let mut args = Args::new(args, cx);
    for family in FAMILIES {
        if let Some(planned) = family(cx.name, &mut args, cx)? {
            return Ok(Some(planned));
        }
    }
    Ok(None)
}
