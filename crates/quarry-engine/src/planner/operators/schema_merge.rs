//! `evaluate schema_merge([PreserveOrder])`: merges schemas in `getschema`'s format
//! (ColumnName, ColumnOrdinal, DataType, ColumnType), laid out one after another in
//! the input, into one. A column seen for the first time is inserted at its ordinal in the merged list
//! (after the columns already there when its ordinal is past the end). With
//! PreserveOrder (the default), a column met again at an ordinal other than the one
//! of the first schema it appeared in is "out of order": it leaves the list and is
//! reported at the end with ordinal -1 and an error type. Columns whose types differ
//! between schemas are not supported.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int32Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::LogicalPlan;
use kql_syntax::Span;
use kql_syntax::ast::Arg;

use crate::error::{QueryError, Result};
use crate::planner::Planner;
use crate::planner::materialize::{arrow_error, collect_one, constant, plan_of};
use crate::types::{ScalarType, field_for};

const PLUGIN: &str = "schema_merge";

fn semantic(msg: impl Into<String>, span: Span) -> QueryError {
    QueryError::semantic(
        format!("'evaluate' operator: {PLUGIN}(): {}", msg.into()),
        span,
    )
}

/// One input row of a schema.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SchemaColumn {
    pub name: String,
    pub ordinal: i64,
    pub data_type: String,
    pub column_type: String,
}

/// One output row: `ordinal` None marks a column out of order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MergedColumn {
    pub name: String,
    pub ordinal: Option<usize>,
    pub data_type: String,
    pub column_type: String,
}

/// Merges the schemas laid out one after another in `rows`.
pub(crate) fn merge(rows: &[SchemaColumn], preserve_order: bool) -> Result<Vec<MergedColumn>> {
    // (column, ordinal in the first schema that had it)
    let mut merged: Vec<(SchemaColumn, i64)> = Vec::new();
    let mut out_of_order: Vec<SchemaColumn> = Vec::new();
    for row in rows {
        if out_of_order.iter().any(|c| c.name == row.name) {
            continue;
        }
        match merged.iter().position(|(c, _)| c.name == row.name) {
            Some(at) => {
                let (known, first_ordinal) = &merged[at];
                if known.column_type != row.column_type {
                    return Err(QueryError::not_supported(format!(
                        "{PLUGIN}() of column '{}' with types {} and {}",
                        row.name, known.column_type, row.column_type
                    )));
                }
                if preserve_order && *first_ordinal != row.ordinal {
                    let (column, _) = merged.remove(at);
                    out_of_order.push(column);
                }
            }
            None => {
                let at = usize::try_from(row.ordinal).unwrap_or(0).min(merged.len());
                merged.insert(at, (row.clone(), row.ordinal));
            }
        }
    }
    let mut out: Vec<MergedColumn> = merged
        .into_iter()
        .enumerate()
        .map(|(i, (c, _))| MergedColumn {
            name: c.name,
            ordinal: Some(i),
            data_type: c.data_type,
            column_type: c.column_type,
        })
        .collect();
    out.extend(out_of_order.into_iter().map(|c| MergedColumn {
        name: c.name,
        ordinal: None,
        data_type: "ERROR(unknown CSL type:ERROR(columns are out of order))".to_string(),
        column_type: "ERROR(columns are out of order)".to_string(),
    }));
    Ok(out)
}

fn string_column(batch: &RecordBatch, name: &str, span: Span) -> Result<Vec<Option<String>>> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| semantic(format!("the input has no column '{name}'"), span))?;
    let text = cast(column, &DataType::Utf8).map_err(arrow_error)?;
    let text = text.as_string::<i32>();
    Ok((0..text.len())
        .map(|i| text.is_valid(i).then(|| text.value(i).to_string()))
        .collect())
}

fn input_rows(batch: &RecordBatch, span: Span) -> Result<Vec<SchemaColumn>> {
    let names = string_column(batch, "ColumnName", span)?;
    let data_types = string_column(batch, "DataType", span)?;
    let column_types = string_column(batch, "ColumnType", span)?;
    let ordinals = batch
        .column_by_name("ColumnOrdinal")
        .ok_or_else(|| semantic("the input has no column 'ColumnOrdinal'", span))?;
    let ordinals = cast(ordinals, &DataType::Int64).map_err(arrow_error)?;
    let ordinals = ordinals.as_primitive::<Int64Type>();
    let mut rows = Vec::with_capacity(names.len());
    for i in 0..names.len() {
        let (Some(name), Some(column_type)) = (&names[i], &column_types[i]) else {
            continue;
        };
        rows.push(SchemaColumn {
            name: name.clone(),
            ordinal: if ordinals.is_valid(i) {
                ordinals.value(i)
            } else {
                -1
            },
            data_type: data_types[i].clone().unwrap_or_default(),
            column_type: column_type.clone(),
        });
    }
    Ok(rows)
}

pub(crate) fn plan(
    planner: &mut Planner<'_>,
    input: LogicalPlan,
    args: &[Arg],
    span: Span,
) -> Result<LogicalPlan> {
    let preserve = args
        .iter()
        .find(|a| a.name.as_ref().is_some_and(|n| n.name == "PreserveOrder"))
        .or_else(|| args.first().filter(|a| a.name.is_none()));
    if args.len() > 1
        || args
            .iter()
            .any(|a| a.name.as_ref().is_some_and(|n| n.name != "PreserveOrder"))
    {
        return Err(semantic(
            "expected at most the PreserveOrder argument",
            span,
        ));
    }
    let preserve_order = match preserve {
        None => true,
        Some(a) => match constant(planner, &a.value)? {
            ScalarValue::Boolean(Some(b)) => b,
            _ => {
                return Err(semantic(
                    "PreserveOrder must be a constant bool",
                    a.value.span,
                ));
            }
        },
    };
    let batch = collect_one(input)?;
    let merged = merge(&input_rows(&batch, span)?, preserve_order)?;
    let schema = Arc::new(Schema::new(vec![
        field_for("ColumnName", ScalarType::String),
        field_for("ColumnOrdinal", ScalarType::Int),
        field_for("DataType", ScalarType::String),
        field_for("ColumnType", ScalarType::String),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            merged.iter().map(|c| &c.name),
        )),
        Arc::new(Int32Array::from_iter_values(merged.iter().map(|c| {
            c.ordinal.and_then(|o| i32::try_from(o).ok()).unwrap_or(-1)
        }))),
        Arc::new(StringArray::from_iter_values(
            merged.iter().map(|c| &c.data_type),
        )),
        Arc::new(StringArray::from_iter_values(
            merged.iter().map(|c| &c.column_type),
        )),
    ];
    let batch = RecordBatch::try_new(schema, columns).map_err(arrow_error)?;
    plan_of(batch)
}

#[cfg(test)]
mod tests {
    use super::{SchemaColumn, merge};

    fn schema(columns: &[(&str, &str)]) -> Vec<SchemaColumn> {
        columns
            .iter()
            .enumerate()
            .map(|(i, (name, ty))| SchemaColumn {
                name: name.to_string(),
                ordinal: i as i64,
                data_type: format!("clr.{ty}"),
                column_type: ty.to_string(),
            })
            .collect()
    }

    fn names(rows: &[super::MergedColumn]) -> Vec<(String, Option<usize>)> {
        rows.iter().map(|r| (r.name.clone(), r.ordinal)).collect()
    }

    #[test]
    fn new_columns_go_to_their_ordinal_and_moved_ones_are_errors() {
        let mut rows = schema(&[("A", "long"), ("B", "string")]);
        rows.extend(schema(&[("A", "long"), ("C", "real"), ("B", "string")]));
        let kept = merge(&rows, false).unwrap_or_default();
        assert_eq!(
            names(&kept),
            vec![
                ("A".into(), Some(0)),
                ("C".into(), Some(1)),
                ("B".into(), Some(2))
            ]
        );
        let strict = merge(&rows, true).unwrap_or_default();
        assert_eq!(
            names(&strict),
            vec![
                ("A".into(), Some(0)),
                ("C".into(), Some(1)),
                ("B".into(), None)
            ]
        );
        assert!(strict[2].column_type.starts_with("ERROR("));
    }

    #[test]
    fn appended_columns_keep_order_and_type_conflicts_are_refused() {
        let mut rows = schema(&[("A", "long")]);
        rows.extend(schema(&[("A", "long"), ("Z", "bool")]));
        assert_eq!(
            names(&merge(&rows, true).unwrap_or_default()),
            vec![("A".into(), Some(0)), ("Z".into(), Some(1))]
        );
        let mut conflict = schema(&[("A", "long")]);
        conflict.extend(schema(&[("A", "string")]));
        assert!(merge(&conflict, true).is_err());
    }
}
