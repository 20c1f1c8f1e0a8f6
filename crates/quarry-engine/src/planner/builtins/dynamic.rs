//! Functions over dynamic values: JSON parsing, property bags, arrays and sets.
//! Every one is a [`DynUdf`](crate::functions::dynamic) call; this file only checks
//! arities, picks the operation and says which arguments are JSON text.

use datafusion::common::ScalarValue;
use datafusion::logical_expr::Expr;

use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::functions::dyn_ops::DynOp;
use crate::functions::dynamic::{In, Out, dyn_udf};
use crate::functions::jsonpath::parse_path;
use crate::planner::{TypedExpr, column};
use crate::types::{ScalarType, kql_type_of};

/// `op(args)`, with each argument read as JSON when its Kusto type is dynamic.
pub(crate) fn dyn_call(name: &str, op: DynOp, args: Vec<TypedExpr>, out: Out) -> TypedExpr {
    let inputs = args
        .iter()
        .map(|a| {
            if a.ty == ScalarType::Dynamic {
                In::Json
            } else {
                In::Value
            }
        })
        .collect();
    let udf = dyn_udf(name, op, inputs, out);
    let ty = match out {
        Out::Dynamic => ScalarType::Dynamic,
        Out::Long => ScalarType::Long,
        Out::Real => ScalarType::Real,
        Out::Bool => ScalarType::Bool,
        Out::String => ScalarType::String,
    };
    TypedExpr::new(udf.call(args.into_iter().map(|a| a.expr).collect()), ty)
}

/// The Kusto name `gettype()` reports for a statically typed value.
fn static_type_name(ty: ScalarType) -> &'static str {
    match ty {
        ScalarType::Bool => "bool",
        ScalarType::Int => "int",
        ScalarType::Long => "long",
        ScalarType::Real => "real",
        ScalarType::Decimal => "decimal",
        ScalarType::String => "string",
        ScalarType::DateTime => "datetime",
        ScalarType::Timespan => "timespan",
        ScalarType::Guid => "guid",
        ScalarType::Dynamic => "dynamic",
    }
}

fn const_string(e: &TypedExpr) -> Option<String> {
    match &e.expr {
        Expr::Literal(ScalarValue::Utf8(Some(s)), _) => Some(s.clone()),
        _ => None,
    }
}

fn const_bool(e: &TypedExpr) -> Option<bool> {
    match &e.expr {
        Expr::Literal(ScalarValue::Boolean(Some(b)), _) => Some(*b),
        _ => None,
    }
}

/// `parse_json(x)`: a dynamic value stays as it is.
pub(crate) fn parse_json(x: TypedExpr) -> TypedExpr {
    if x.ty == ScalarType::Dynamic {
        return x;
    }
    dyn_call("parse_json", DynOp::ParseJson, vec![x], Out::Dynamic)
}

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    let semantic = |msg: &str| {
        QueryError::semantic(
            format!("'{}' operator: {name}(): {msg}", cx.operator),
            cx.span,
        )
    };
    let a = args;
    let take = |a: &mut Args| std::mem::take(&mut a.values);
    let call = |a: &mut Args, op: DynOp, out: Out, min: usize, max: usize| -> Result<TypedExpr> {
        a.expect_between(min, max)?;
        Ok(dyn_call(name, op, take(a), out))
    };
    let planned = match name {
        "parse_json" | "parsejson" | "todynamic" | "toobject" => parse_json(a.one()?),
        "dynamic_to_json" => call(a, DynOp::ToJsonSorted, Out::String, 1, 1)?,
        "gettype" => {
            let x = a.one()?;
            if x.ty == ScalarType::Dynamic {
                dyn_call(name, DynOp::GetType, vec![x], Out::String)
            } else {
                let text = static_type_name(x.ty).to_string();
                TypedExpr::new(
                    Expr::Literal(ScalarValue::Utf8(Some(text)), None),
                    ScalarType::String,
                )
            }
        }
        "array_length" => call(a, DynOp::ArrayLength, Out::Long, 1, 1)?,
        "pack_array" => call(a, DynOp::PackArray, Out::Dynamic, 1, usize::MAX)?,
        "pack" | "bag_pack" | "pack_dictionary" => {
            if !a.len().is_multiple_of(2) {
                return Err(semantic("expects pairs of keys and values"));
            }
            call(a, DynOp::Pack, Out::Dynamic, 0, usize::MAX)?
        }
        "pack_all" => {
            a.expect_between(0, 1)?;
            let skip_empty = match a.first() {
                None => false,
                Some(flag) => const_bool(flag)
                    .ok_or_else(|| semantic("the argument must be a constant bool"))?,
            };
            let mut names = Vec::new();
            let mut values = Vec::new();
            for field in cx.schema.fields() {
                names.push(field.name().clone());
                values.push(TypedExpr::new(column(field.name()), kql_type_of(field)));
            }
            dyn_call(
                name,
                DynOp::PackNamed(names, skip_empty),
                values,
                Out::Dynamic,
            )
        }
        "bag_pack_columns" => {
            let mut names = Vec::new();
            for v in &a.values {
                match &v.expr {
                    Expr::Column(c) => names.push(c.name.clone()),
                    _ => return Err(semantic("every argument must be a column")),
                }
            }
            call(
                a,
                DynOp::PackNamed(names, false),
                Out::Dynamic,
                1,
                usize::MAX,
            )?
        }
        "array_concat" => call(a, DynOp::ArrayConcat, Out::Dynamic, 1, usize::MAX)?,
        "array_slice" => call(a, DynOp::ArraySlice, Out::Dynamic, 3, 3)?,
        "array_reverse" => call(a, DynOp::ArrayReverse, Out::Dynamic, 1, 1)?,
        "array_sort_asc" | "array_sort_desc" => {
            let desc = name == "array_sort_desc";
            call(a, DynOp::ArraySort { desc }, Out::Dynamic, 1, 64)?
        }
        "array_index_of" => call(a, DynOp::ArrayIndexOf, Out::Long, 2, 5)?,
        "array_iff" | "array_iif" => call(a, DynOp::ArrayIff, Out::Dynamic, 3, 3)?,
        "array_rotate_left" | "array_rotate_right" => {
            let right = name.ends_with("right");
            call(a, DynOp::Rotate { right }, Out::Dynamic, 2, 2)?
        }
        "array_shift_left" | "array_shift_right" => {
            let right = name.ends_with("right");
            call(a, DynOp::Shift { right }, Out::Dynamic, 2, 3)?
        }
        "array_split" => call(a, DynOp::ArraySplit, Out::Dynamic, 2, 2)?,
        "array_sum" => call(a, DynOp::ArraySum, Out::Real, 1, 1)?,
        "bag_keys" => call(a, DynOp::BagKeys, Out::Dynamic, 1, 1)?,
        "bag_merge" => call(a, DynOp::BagMerge, Out::Dynamic, 2, 64)?,
        "bag_remove_keys" => call(a, DynOp::BagRemoveKeys, Out::Dynamic, 2, 2)?,
        "bag_set_key" => call(a, DynOp::BagSetKey, Out::Dynamic, 3, 3)?,
        "bag_has_key" => call(a, DynOp::BagHasKey, Out::Bool, 2, 2)?,
        "bag_zip" => call(a, DynOp::BagZip, Out::Dynamic, 2, 2)?,
        "set_has_element" => call(a, DynOp::SetHasElement, Out::Bool, 2, 2)?,
        "set_union" => call(a, DynOp::SetUnion, Out::Dynamic, 2, 64)?,
        "set_intersect" => call(a, DynOp::SetIntersect, Out::Dynamic, 2, 64)?,
        "set_difference" => call(a, DynOp::SetDifference, Out::Dynamic, 2, 64)?,
        "jaccard_index" => call(a, DynOp::JaccardIndex, Out::Real, 2, 2)?,
        "zip" => call(a, DynOp::Zip, Out::Dynamic, 2, 16)?,
        "repeat" => call(a, DynOp::Repeat, Out::Dynamic, 2, 2)?,
        "strcat_array" => call(a, DynOp::StrcatArray, Out::String, 2, 2)?,
        "split" => call(a, DynOp::Split, Out::Dynamic, 2, 3)?,
        "treepath" => call(a, DynOp::Treepath, Out::Dynamic, 1, 1)?,
        "range" => {
            a.expect_between(2, 3)?;
            let numeric = a.values.iter().all(|v| {
                matches!(
                    v.ty,
                    ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
                )
            });
            if !numeric {
                return Err(QueryError::not_supported(
                    "range() over datetimes or timespans",
                ));
            }
            call(a, DynOp::Range, Out::Dynamic, 2, 3)?
        }
        "extract_json" | "extractjson" => {
            a.expect_between(2, 3)?;
            let path = a.arg(0)?;
            let path = const_string(&path)
                .ok_or_else(|| semantic("the path must be a constant string"))?;
            let steps = parse_path(&path).ok_or_else(|| semantic("invalid JSONPath"))?;
            let source = a.arg(1)?;
            // The source is JSON text whether it is typed string or dynamic.
            let source = TypedExpr::new(source.expr, ScalarType::Dynamic);
            let found = dyn_call(name, DynOp::Path(steps), vec![source], Out::String);
            match a.values.get(2) {
                // `typeof(T)`: the planner hands it over as a typed null.
                Some(t) if t.ty != ScalarType::String => super::core::convert(found, t.ty),
                _ => found,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(planned))
}

/// `make_bag(bag [, max])` / `make_bag_if(bag, predicate [, max])`: the bags of the group
/// merged into one (a key seen twice keeps its first value). The bags are gathered
/// with `array_agg` and merged by the finishing step.
pub(crate) fn plan_make_bag(
    function: &str,
    x: &TypedExpr,
    rest: &[TypedExpr],
    span: kql_syntax::Span,
) -> Result<crate::planner::aggregates::PlannedAggregate> {
    use datafusion::functions_aggregate::expr_fn::array_agg;
    use datafusion::logical_expr::{ExprFunctionExt, and, is_not_null};
    let (predicate, limit) = if function == "make_bag_if" {
        let p = rest.first().ok_or_else(|| {
            QueryError::semantic(
                format!("'summarize' operator: '{function}' needs a predicate"),
                span,
            )
        })?;
        (Some(p), rest.get(1))
    } else {
        (None, rest.first())
    };
    if limit.is_some() || rest.len() > 2 {
        return Err(QueryError::not_supported(format!(
            "'{function}' with a size limit"
        )));
    }
    let mut keep = is_not_null(x.expr.clone());
    if let Some(p) = predicate {
        keep = and(keep, p.expr.clone());
    }
    let aggregate = array_agg(x.expr.clone()).filter(keep).build()?;
    Ok(crate::planner::aggregates::PlannedAggregate {
        aggregate,
        finish: Some(merge_bags),
        ty: ScalarType::Dynamic,
    })
}

/// The finishing step of `make_bag`: a list of bag texts to one bag.
fn merge_bags(list: Expr) -> TypedExpr {
    let udf = dyn_udf(
        "make_bag",
        DynOp::MergeBagTexts,
        vec![In::Value],
        Out::Dynamic,
    );
    TypedExpr::new(udf.call(vec![list]), ScalarType::Dynamic)
}
