//! Functions over `hll()` and `tdigest()` results: `hll_merge`, `dcount_hll`,
//! `tdigest_merge`, `percentile_tdigest`, `rank_tdigest`.
//!
//! Quarry's sketches are exact (see `summarize`'s `hll` and `tdigest`): an hll is the
//! dynamic array of distinct values, a digest the array of values or `[value, weight]`
//! pairs, so the estimates are the exact answers.

use super::dynamic::dyn_call;
use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::functions::dyn_ops::DynOp;
use crate::functions::dynamic::Out;
use crate::functions::sketches::{percentile_tdigest_udf, rank_tdigest_udf};
use crate::planner::TypedExpr;
use crate::planner::expr::as_f64;
use crate::types::ScalarType;

fn sketch_arg(cx: &CallCtx, v: TypedExpr) -> Result<TypedExpr> {
    if v.ty == ScalarType::Dynamic {
        Ok(v)
    } else {
        Err(QueryError::semantic(
            format!(
                "'{}' operator: {}(): expected the dynamic result of hll() or tdigest(), got {}",
                cx.operator,
                cx.name,
                v.ty.name()
            ),
            cx.span,
        ))
    }
}

pub(crate) fn plan(name: &str, args: &mut Args, cx: &CallCtx) -> Result<Option<TypedExpr>> {
    let planned = match name {
        "hll_merge" => {
            args.expect_between(2, 64)?;
            let values = std::mem::take(&mut args.values)
                .into_iter()
                .map(|v| sketch_arg(cx, v))
                .collect::<Result<Vec<_>>>()?;
            dyn_call(name, DynOp::SetUnion, values, Out::Dynamic)
        }
        "dcount_hll" => {
            let h = sketch_arg(cx, args.one()?)?;
            dyn_call(name, DynOp::ArrayLength, vec![h], Out::Long)
        }
        "tdigest_merge" | "merge_tdigest" => {
            args.expect_between(1, 64)?;
            let values = std::mem::take(&mut args.values)
                .into_iter()
                .map(|v| sketch_arg(cx, v))
                .collect::<Result<Vec<_>>>()?;
            dyn_call(name, DynOp::ArrayConcat, values, Out::Dynamic)
        }
        "percentile_tdigest" => {
            args.expect_between(2, 3)?;
            let digest = sketch_arg(cx, args.arg(0)?)?;
            let p = args.arg(1)?;
            let call = percentile_tdigest_udf().call(vec![digest.expr, as_f64(p.expr)]);
            TypedExpr::new(call, ScalarType::Real)
        }
        "rank_tdigest" => {
            if args.len() != 2 {
                return Err(args.arity_error());
            }
            let digest = sketch_arg(cx, args.arg(0)?)?;
            let v = args.arg(1)?;
            if !matches!(
                v.ty,
                ScalarType::Int | ScalarType::Long | ScalarType::Real | ScalarType::Decimal
            ) {
                return Err(QueryError::not_supported(format!(
                    "rank_tdigest() of a {} value",
                    v.ty.name()
                )));
            }
            let call = rank_tdigest_udf().call(vec![digest.expr, as_f64(v.expr)]);
            TypedExpr::new(call, ScalarType::Long)
        }
        _ => return Ok(None),
    };
    Ok(Some(planned))
}
