//! `count`: one row, one column `Count`.

use datafusion::functions_aggregate::count::count_all;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use kql_syntax::ast::Ident;

use crate::error::Result;

pub(crate) fn plan(input: LogicalPlan, name: Option<&Ident>) -> Result<LogicalPlan> {
    let name = name.map_or("Count", |n| n.name.as_str());
    Ok(LogicalPlanBuilder::from(input)
        .aggregate(Vec::<Expr>::new(), vec![count_all().alias(name)])?
        .build()?)
}
