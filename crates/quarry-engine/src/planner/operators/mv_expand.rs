//! `mv-expand [kind=bag|array] [with_itemindex=I] [Name=] Expr [to typeof(T)], ... [limit N]`
//!
//! Plan: one projection adds, per expanded item, a list of the row's element texts
//! (all padded to the row's common length, see `functions::mv_expand`), DataFusion's
//! unnest turns the lists into rows, and a last projection puts each expanded value
//! where Kusto does (in place of a column of the same name, else at the end) with its
//! type: dynamic, or the `to typeof()` type by a strict cast.

use datafusion::common::{Column, UnnestOptions};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, cast};
use kql_syntax::ast::{ExprKind, MvItem, OpParam};

use crate::error::{QueryError, Result};
use crate::functions::dyn_ops::{CastTarget, DynOp};
use crate::functions::dynamic::{In, Out};
use crate::functions::mv_expand::{MvList, mv_list_udf};
use crate::planner::builtins::dynamic::dyn_call;
use crate::planner::dynamic::dynamic_as;
use crate::planner::expr::ExprCtx;
use crate::planner::naming::principal_column;
use crate::planner::{Planner, TypedExpr, column, column_names};
use crate::types::{ScalarType, arrow_type};

const LIST_PREFIX: &str = "__kql_mv_list_";
const INDEX_COLUMN: &str = "__kql_mv_index";

/// The options of `mv-expand` and `mv-apply`.
pub(crate) struct MvOptions {
    pub bag_as_array: bool,
    pub index_name: Option<String>,
}

pub(crate) fn options(params: &[OpParam], operator: &str) -> Result<MvOptions> {
    let mut out = MvOptions {
        bag_as_array: false,
        index_name: None,
    };
    for p in params {
        let value = match &p.value.kind {
            ExprKind::Name(id) => id.name.clone(),
            _ => {
                return Err(QueryError::semantic(
                    format!("'{operator}' operator: invalid value for '{}'", p.name.name),
                    p.value.span,
                ));
            }
        };
        match (p.name.name.as_str(), value.as_str()) {
            ("kind" | "bagexpansion", "bag") => out.bag_as_array = false,
            ("kind" | "bagexpansion", "array") => out.bag_as_array = true,
            ("with_itemindex", _) => out.index_name = Some(value),
            (name, v) => {
                return Err(QueryError::semantic(
                    format!("'{operator}' operator: unknown parameter {name}={v}"),
                    p.name.span,
                ));
            }
        }
    }
    Ok(out)
}

/// One expanded element text (nullable Utf8 JSON) as the column type Kusto gives it.
pub(crate) fn typed_element(text: Expr, to: Option<ScalarType>) -> TypedExpr {
    let dynamic = TypedExpr::new(text, ScalarType::Dynamic);
    let cast_to = |target: CastTarget, out: Out| {
        dyn_call("mv_cast", DynOp::CastTo(target), vec![dynamic.clone()], out)
    };
    match to {
        None | Some(ScalarType::Dynamic) => dynamic,
        Some(ScalarType::Long) => cast_to(CastTarget::Long, Out::Long),
        Some(ScalarType::Int) => {
            let long = cast_to(CastTarget::Long, Out::Long);
            TypedExpr::new(
                cast(long.expr, arrow_type(ScalarType::Int)),
                ScalarType::Int,
            )
        }
        Some(ScalarType::Real) => cast_to(CastTarget::Real, Out::Real),
        Some(ScalarType::Bool) => cast_to(CastTarget::Bool, Out::Bool),
        Some(ScalarType::String) => cast_to(CastTarget::String, Out::String),
        Some(other) => dynamic_as(dynamic, other),
    }
}

/// An expanded item, planned: its output name, value and requested type.
pub(crate) struct PlannedItem {
    pub name: String,
    pub value: TypedExpr,
    pub to: Option<ScalarType>,
}

pub(crate) fn plan_items(
    planner: &mut Planner<'_>,
    input: &LogicalPlan,
    items: &[MvItem],
    operator: &'static str,
) -> Result<Vec<PlannedItem>> {
    let schema = input.schema().clone();
    let ctx = ExprCtx::new(&schema, operator);
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let value = planner.plan_scalar(&item.expr, &ctx)?;
        let name = match &item.name {
            Some(n) => n.name.clone(),
            None => principal_column(&item.expr).ok_or_else(|| {
                QueryError::semantic(
                    format!("'{operator}' operator: the expanded expression needs a name"),
                    item.expr.span,
                )
            })?,
        };
        out.push(PlannedItem {
            name,
            value,
            to: item.to_type,
        });
    }
    Ok(out)
}

/// Expands `items` of `input`: the other columns are repeated on every output row.
pub(crate) fn expand(
    input: LogicalPlan,
    items: Vec<PlannedItem>,
    opts: &MvOptions,
    limit: Option<usize>,
) -> Result<LogicalPlan> {
    let existing = column_names(&input);
    let inputs: Vec<In> = items
        .iter()
        .map(|i| {
            if matches!(i.value.ty, ScalarType::Dynamic | ScalarType::String) {
                In::Json
            } else {
                In::Value
            }
        })
        .collect();
    let args: Vec<Expr> = items.iter().map(|i| i.value.expr.clone()).collect();
    let mut exprs: Vec<Expr> = existing.iter().map(|n| column(n)).collect();
    let mut unnest = Vec::with_capacity(items.len() + 1);
    for i in 0..items.len() {
        let udf = mv_list_udf(
            MvList::Elements(i),
            opts.bag_as_array,
            limit,
            inputs.clone(),
        );
        let name = format!("{LIST_PREFIX}{i}");
        exprs.push(udf.call(args.clone()).alias(&name));
        unnest.push(Column::new_unqualified(name));
    }
    if opts.index_name.is_some() {
        let udf = mv_list_udf(MvList::Index, opts.bag_as_array, limit, inputs.clone());
        exprs.push(udf.call(args.clone()).alias(INDEX_COLUMN));
        unnest.push(Column::new_unqualified(INDEX_COLUMN));
    }
    let plan = LogicalPlanBuilder::from(input)
        .project(exprs)?
        .unnest_columns_with_options(unnest, UnnestOptions::default())?
        .build()?;
    let mut final_exprs = Vec::with_capacity(existing.len() + items.len() + 1);
    let mut placed = vec![false; items.len()];
    for name in &existing {
        match items.iter().position(|i| &i.name == name) {
            Some(k) => {
                let value = typed_element(column(&format!("{LIST_PREFIX}{k}")), items[k].to);
                final_exprs.push(value.named(name));
                placed[k] = true;
            }
            None => final_exprs.push(column(name)),
        }
    }
    for (k, item) in items.iter().enumerate() {
        if !placed[k] {
            let value = typed_element(column(&format!("{LIST_PREFIX}{k}")), item.to);
            final_exprs.push(value.named(&item.name));
        }
    }
    if let Some(index) = &opts.index_name {
        final_exprs.push(column(INDEX_COLUMN).alias(index));
    }
    Ok(LogicalPlanBuilder::from(plan)
        .project(final_exprs)?
        .build()?)
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    params: &[OpParam],
    items: &[MvItem],
    limit: Option<&kql_syntax::ast::Expr>,
) -> Result<LogicalPlan> {
    let opts = options(params, "mv-expand")?;
    let limit = match limit {
        Some(e) => Some(planner.constant_count(e, "mv-expand")?),
        None => None,
    };
    let planned = plan_items(planner, &input, items, "mv-expand")?;
    expand(input, planned, &opts, limit)
}
