//! `scan [with_match_id=Id] [declare (Name:type[=default], ...)] with (step s: cond [=> a = e, ...]; ...)`.
//!
//! Kusto's matching logic, record by record: each record is checked against the steps
//! from the last to the first. Step k matches through the state of step k-1 (check 1:
//! that state is promoted to step k) or through its own active state (check 2; the
//! first step always may, and starts a new sequence when its state is empty). A match
//! computes the step's assignments, extends the record with the declared columns and
//! stores it as step k's entry of the state. `s.Column` reads an entry of the state; an
//! empty entry reads null (declared columns read their defaults).
//!
//! The input is materialized (see [`crate::planner::materialize`]) and the conditions
//! and assignments are evaluated one record at a time.

use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{DFSchema, ScalarValue};
use datafusion::logical_expr::LogicalPlan;
use kql_syntax::Span;
use kql_syntax::ast::{self, ColumnDecl, ExprKind, Ident, OpParam, ScanStep};

use super::parse::param_text;
use crate::error::{QueryError, Result};
use crate::planner::Planner;
use crate::planner::expr::ExprCtx;
use crate::planner::materialize::{
    RowExpr, batch_of_rows, collect_one, constant, plan_of, row_values,
};
use crate::types::{arrow_type, field_for};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    All,
    None,
}

struct Step {
    output: Output,
    condition: RowExpr,
    /// (index among the declared columns, value).
    assignments: Vec<(usize, RowExpr)>,
}

/// The state of one step: an entry per step (those after it empty) and its match id.
#[derive(Clone)]
struct State {
    entries: Vec<Option<Vec<ScalarValue>>>,
    match_id: i64,
}

fn semantic(msg: impl Into<String>, span: Span) -> QueryError {
    QueryError::semantic(format!("'scan' operator: {}", msg.into()), span)
}

/// Rewrites `step.Column` into the name of the state column `step.Column`.
fn rewrite(e: &ast::Expr, steps: &[String]) -> ast::Expr {
    let mut out = e.clone();
    rewrite_in_place(&mut out, steps);
    out
}

fn rewrite_in_place(e: &mut ast::Expr, steps: &[String]) {
    if let ExprKind::Member { target, name } = &e.kind
        && let ExprKind::Name(step) = &target.kind
        && steps.contains(&step.name)
    {
        e.kind = ExprKind::Name(Ident {
            name: format!("{}.{}", step.name, name.name),
            span: e.span,
        });
        return;
    }
    match &mut e.kind {
        ExprKind::Call { args, .. } => {
            for a in args {
                rewrite_in_place(&mut a.value, steps);
            }
        }
        ExprKind::Member { target, .. } => rewrite_in_place(target, steps),
        ExprKind::Index { target, index } => {
            rewrite_in_place(target, steps);
            rewrite_in_place(index, steps);
        }
        ExprKind::Unary { operand, .. } => rewrite_in_place(operand, steps),
        ExprKind::Binary { left, right, .. } => {
            rewrite_in_place(left, steps);
            rewrite_in_place(right, steps);
        }
        ExprKind::Logical { operands, .. } => {
            for o in operands {
                rewrite_in_place(o, steps);
            }
        }
        ExprKind::InList { expr, list, .. } => {
            rewrite_in_place(expr, steps);
            for l in list {
                rewrite_in_place(l, steps);
            }
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            rewrite_in_place(expr, steps);
            rewrite_in_place(low, steps);
            rewrite_in_place(high, steps);
        }
        _ => {}
    }
}

fn cast(v: ScalarValue, ty: &DataType) -> Result<ScalarValue> {
    if v.data_type() == *ty {
        Ok(v)
    } else if v.is_null() {
        Ok(ScalarValue::try_from(ty)?)
    } else {
        Ok(v.cast_to(ty)?)
    }
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    params: &[OpParam],
    declare: &[(ColumnDecl, Option<ast::Expr>)],
    steps: &[ScanStep],
) -> Result<LogicalPlan> {
    let mut match_id_column = None;
    for p in params {
        match (p.name.name.as_str(), param_text(p)) {
            ("with_match_id", Some(name)) => match_id_column = Some(name),
            (other, _) => {
                return Err(semantic(
                    format!("unexpected parameter '{other}'"),
                    p.name.span,
                ));
            }
        }
    }
    let input_fields: Vec<Field> = input
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    let mut declared_fields = Vec::new();
    let mut defaults = Vec::new();
    for (decl, default) in declare {
        let name = &decl.name.name;
        if input_fields.iter().any(|f| f.name() == name) {
            return Err(semantic(
                format!("the declared column '{name}' already exists"),
                decl.name.span,
            ));
        }
        let ty = arrow_type(decl.ty);
        let value = match default {
            Some(e) => cast(constant(planner, e)?, &ty)?,
            None => ScalarValue::try_from(&ty)?,
        };
        declared_fields.push(field_for(name, decl.ty));
        defaults.push(value);
    }
    let base: Vec<Field> = input_fields
        .iter()
        .chain(&declared_fields)
        .cloned()
        .collect();
    let step_names: Vec<String> = steps.iter().map(|s| s.name.name.clone()).collect();
    let mut row_fields = base.clone();
    for step in &step_names {
        for f in &base {
            row_fields.push(f.clone().with_name(format!("{step}.{}", f.name())));
        }
    }
    let row_schema = DFSchema::try_from(Schema::new(row_fields.clone()))?;
    let ctx = ExprCtx::new(&row_schema, "scan");
    let mut planned = Vec::with_capacity(steps.len());
    for s in steps {
        let output = match s.output.as_ref().map(|o| o.name.as_str()) {
            None | Some("all") => Output::All,
            Some("none") => Output::None,
            Some("last") => return Err(QueryError::not_supported("scan step output=last")),
            Some(other) => {
                return Err(semantic(format!("unknown output '{other}'"), s.name.span));
            }
        };
        let condition = planner.plan_scalar(&rewrite(&s.condition, &step_names), &ctx)?;
        let condition = RowExpr::new(condition.expr, &row_schema)?;
        let mut assignments = Vec::new();
        for a in &s.assignments {
            let [name] = a.names.as_slice() else {
                return Err(semantic("an assignment sets one column", s.name.span));
            };
            let Some(at) = declared_fields.iter().position(|f| *f.name() == name.name) else {
                return Err(semantic(
                    format!("'{}' is not a declared column", name.name),
                    name.span,
                ));
            };
            let value = planner.plan_scalar(&rewrite(&a.expr, &step_names), &ctx)?;
            assignments.push((at, RowExpr::new(value.expr, &row_schema)?));
        }
        planned.push(Step {
            output,
            condition,
            assignments,
        });
    }

    let data = collect_one(input)?;
    let empty_entry: Vec<ScalarValue> = input_fields
        .iter()
        .map(|f| ScalarValue::try_from(f.data_type()))
        .chain(defaults.iter().map(|d| Ok(d.clone())))
        .collect::<std::result::Result<_, _>>()?;
    let n_in = input_fields.len();
    let n = planned.len();
    let mut states: Vec<Option<State>> = vec![None; n];
    let mut next_id = 0i64;
    let mut out_rows: Vec<Vec<ScalarValue>> = Vec::new();
    let eval_row = |record: &[ScalarValue], declared: &[ScalarValue], state: &State| {
        let mut values: Vec<ScalarValue> = record.to_vec();
        values.extend_from_slice(declared);
        for entry in &state.entries {
            values.extend_from_slice(entry.as_deref().unwrap_or(&empty_entry));
        }
        batch_of_rows(row_fields.clone(), &[values])
    };
    let matches = |step: &Step, row: &RecordBatch| -> Result<bool> {
        Ok(matches!(
            step.condition.eval(row)?,
            ScalarValue::Boolean(Some(true))
        ))
    };
    let extend =
        |step: &Step, record: &[ScalarValue], carried: &[ScalarValue], row: &RecordBatch| {
            let mut declared = carried.to_vec();
            for (at, value) in &step.assignments {
                declared[*at] = cast(value.eval(row)?, declared_fields[*at].data_type())?;
            }
            let mut extended = record.to_vec();
            extended.extend(declared);
            Ok::<_, QueryError>(extended)
        };
    for i in 0..data.num_rows() {
        let record = row_values(&data, i)?;
        for k in (0..n).rev() {
            let step = &planned[k];
            let mut matched = false;
            if k > 0
                && let Some(prev) = states[k - 1].clone()
            {
                let carried = carried_of(&prev, k - 1, n_in, &defaults);
                let row = eval_row(&record, &carried, &prev)?;
                if matches(step, &row)? {
                    let extended = extend(step, &record, &carried, &row)?;
                    let mut promoted = prev;
                    promoted.entries[k] = Some(extended.clone());
                    states[k - 1] = None;
                    states[k] = Some(promoted.clone());
                    if step.output == Output::All {
                        out_rows.push(with_id(extended, promoted.match_id, &match_id_column));
                    }
                    matched = true;
                }
            }
            if matched || (states[k].is_none() && k > 0) {
                continue;
            }
            let current = states[k].clone();
            let state = current.clone().unwrap_or(State {
                entries: vec![None; n],
                match_id: next_id,
            });
            let carried = carried_of(&state, k, n_in, &defaults);
            let row = eval_row(&record, &carried, &state)?;
            if matches(step, &row)? {
                let extended = extend(step, &record, &carried, &row)?;
                let mut state = state;
                if current.is_none() {
                    next_id += 1;
                }
                state.entries[k] = Some(extended.clone());
                if step.output == Output::All {
                    out_rows.push(with_id(extended, state.match_id, &match_id_column));
                }
                states[k] = Some(state);
            }
        }
    }
    let mut fields = base;
    if let Some(name) = &match_id_column {
        fields.push(Field::new(name, DataType::Int64, true));
    }
    plan_of(batch_of_rows(fields, &out_rows)?)
}

/// The declared values a record carries into a step: those of the state's entry for
/// `k`, or the defaults.
fn carried_of(state: &State, k: usize, n_in: usize, defaults: &[ScalarValue]) -> Vec<ScalarValue> {
    match state.entries.get(k).and_then(|e| e.as_ref()) {
        Some(entry) => entry[n_in..].to_vec(),
        None => defaults.to_vec(),
    }
}

fn with_id(mut row: Vec<ScalarValue>, id: i64, column: &Option<String>) -> Vec<ScalarValue> {
    if column.is_some() {
        row.push(ScalarValue::Int64(Some(id)));
    }
    row
}
