//! `estimate_data_size(col, ...)` / `estimate_data_size(*)`: Kusto's per-row size
//! estimate, the sum over the columns of a size fixed by the type (bool 1, int 4;
//! long, real, datetime, timespan 8; decimal, guid 16) or, for strings, the length of
//! the value in bytes. The planner expands `*` to every input column before the call
//! gets here.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions::expr_fn as df;
use datafusion::logical_expr::{Expr, Operator, binary_expr, cast};

use super::{Args, CallCtx};
use crate::error::{QueryError, Result};
use crate::planner::TypedExpr;
use crate::types::ScalarType;

fn lit_i64(v: i64) -> Expr {
    Expr::Literal(ScalarValue::Int64(Some(v)), None)
}

/// The estimated size of one value of `value`'s type, as a long expression.
fn value_size(value: TypedExpr) -> Result<Expr> {
    Ok(match value.ty {
        ScalarType::Bool => lit_i64(1),
        ScalarType::Int => lit_i64(4),
        ScalarType::Long | ScalarType::Real | ScalarType::DateTime | ScalarType::Timespan => {
            lit_i64(8)
        }
        ScalarType::Decimal | ScalarType::Guid => lit_i64(16),
        ScalarType::String => df::coalesce(vec![
            cast(
                df::octet_length(cast(value.expr, DataType::Utf8)),
                DataType::Int64,
            ),
            lit_i64(0),
        ]),
        ScalarType::Dynamic => {
            return Err(QueryError::not_supported(
                "estimate_data_size() of a dynamic column (Kusto's internal size of dynamic values)",
            ));
        }
    })
}

pub(crate) fn plan(name: &str, a: &mut Args, _cx: &CallCtx) -> Result<Option<TypedExpr>> {
    if name != "estimate_data_size" {
        return Ok(None);
    }
    if a.is_empty() {
        return Err(a.arity_error());
    }
    let mut total: Option<Expr> = None;
    for value in std::mem::take(&mut a.values) {
        let size = value_size(value)?;
        total = Some(match total {
            None => size,
            Some(t) => binary_expr(t, Operator::Plus, size),
        });
    }
    Ok(total.map(|t| TypedExpr::new(t, ScalarType::Long)))
}
