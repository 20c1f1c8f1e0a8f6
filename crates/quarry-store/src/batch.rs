//! Cells coerced to a column's Kusto type, and the Arrow builders that collect them into
//! record batches of one table.

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanBuilder, Decimal128Builder, DurationNanosecondBuilder, Float64Builder,
    Int32Builder, Int64Builder, StringBuilder, TimestampNanosecondBuilder,
};
use datafusion::arrow::record_batch::RecordBatch;
use kql_syntax::ast::ScalarType;

use crate::error::Result;
use crate::schema::StoredTable;

/// One value, already of its column's type. Strings borrow from the input when they can.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Real(f64),
    /// string, guid, dynamic (compact JSON text) and decimal (its text)
    Str(std::borrow::Cow<'a, str>),
    /// datetime: ticks (100 ns) since the Unix epoch
    DateTime(i64),
    /// timespan: ticks
    Timespan(i64),
}

enum ColumnBuilder {
    Bool(BooleanBuilder),
    Int(Int32Builder),
    Long(Int64Builder),
    Real(Float64Builder),
    Str(StringBuilder),
    DateTime(TimestampNanosecondBuilder),
    Timespan(DurationNanosecondBuilder),
    Decimal(Decimal128Builder),
}

/// Decimal columns are Decimal128(38, 18), as in `quarry_engine::types`.
const DECIMAL_SCALE: u32 = 18;

impl ColumnBuilder {
    fn new(ty: ScalarType, capacity: usize) -> Self {
        match ty {
            ScalarType::Bool => ColumnBuilder::Bool(BooleanBuilder::with_capacity(capacity)),
            ScalarType::Int => ColumnBuilder::Int(Int32Builder::with_capacity(capacity)),
            ScalarType::Long => ColumnBuilder::Long(Int64Builder::with_capacity(capacity)),
            ScalarType::Real => ColumnBuilder::Real(Float64Builder::with_capacity(capacity)),
            ScalarType::String | ScalarType::Guid | ScalarType::Dynamic => {
                ColumnBuilder::Str(StringBuilder::with_capacity(capacity, capacity * 16))
            }
            ScalarType::DateTime => ColumnBuilder::DateTime(
                TimestampNanosecondBuilder::with_capacity(capacity)
                    .with_timezone(quarry_engine::types::UTC),
            ),
            ScalarType::Timespan => {
                ColumnBuilder::Timespan(DurationNanosecondBuilder::with_capacity(capacity))
            }
            ScalarType::Decimal => ColumnBuilder::Decimal(
                Decimal128Builder::with_capacity(capacity)
                    .with_precision_and_scale(38, DECIMAL_SCALE as i8)
                    .unwrap_or_else(|_| Decimal128Builder::with_capacity(capacity)),
            ),
        }
    }

    /// Appends a cell that `coerce` produced for this column's type; anything else is
    /// appended as null (it cannot happen: the caller coerces first).
    fn append(&mut self, cell: &Cell) {
        match (self, cell) {
            (ColumnBuilder::Bool(b), Cell::Bool(v)) => b.append_value(*v),
            (ColumnBuilder::Int(b), Cell::Int(v)) => b.append_value(*v),
            (ColumnBuilder::Long(b), Cell::Long(v)) => b.append_value(*v),
            (ColumnBuilder::Real(b), Cell::Real(v)) => b.append_value(*v),
            (ColumnBuilder::Str(b), Cell::Str(v)) => b.append_value(v),
            (ColumnBuilder::DateTime(b), Cell::DateTime(t)) => {
                b.append_value(t.saturating_mul(100))
            }
            (ColumnBuilder::Timespan(b), Cell::Timespan(t)) => {
                b.append_value(t.saturating_mul(100))
            }
            (ColumnBuilder::Decimal(b), Cell::Str(v)) => match parse_decimal(v) {
                Some(d) => b.append_value(d),
                None => b.append_null(),
            },
            (b, _) => b.append_null(),
        }
    }

    fn append_null(&mut self) {
        match self {
            ColumnBuilder::Bool(b) => b.append_null(),
            ColumnBuilder::Int(b) => b.append_null(),
            ColumnBuilder::Long(b) => b.append_null(),
            ColumnBuilder::Real(b) => b.append_null(),
            ColumnBuilder::Str(b) => b.append_null(),
            ColumnBuilder::DateTime(b) => b.append_null(),
            ColumnBuilder::Timespan(b) => b.append_null(),
            ColumnBuilder::Decimal(b) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Bool(b) => shrunk(b.finish()),
            ColumnBuilder::Int(b) => shrunk(b.finish()),
            ColumnBuilder::Long(b) => shrunk(b.finish()),
            ColumnBuilder::Real(b) => shrunk(b.finish()),
            ColumnBuilder::Str(b) => shrunk(b.finish()),
            ColumnBuilder::DateTime(b) => shrunk(b.finish()),
            ColumnBuilder::Timespan(b) => shrunk(b.finish()),
            ColumnBuilder::Decimal(b) => shrunk(b.finish()),
        }
    }
}

/// A finished array without its builder's unused room: the tail keeps batches until
/// they are flushed, and measures itself by their capacity (room reserved for the next
/// chunk's rows was 40 % of it, and brought flushes forward).
fn shrunk<A: Array + 'static>(mut array: A) -> ArrayRef {
    array.shrink_to_fit();
    Arc::new(array)
}

/// `"12.5"` as a Decimal128 with scale 18.
fn parse_decimal(text: &str) -> Option<i128> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty() || frac.len() > DECIMAL_SCALE as usize {
        return None;
    }
    let digits = format!("{int}{frac:0<width$}", width = DECIMAL_SCALE as usize);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i128 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// The size of a table's last batch: rows, and value bytes per column (strings only), so
/// that the next builder of that table reserves it once rather than growing by doubling
/// (realloc and its copies were 12 % of ingest CPU).
#[derive(Debug, Clone, Default)]
pub struct SizeHint {
    rows: usize,
    value_bytes: Vec<usize>,
}

/// The most rows a size hint reserves room for.
pub const MAX_HINT_ROWS: usize = 16 * 1024;

/// Collects rows of one table into Arrow arrays.
pub struct TableBatchBuilder {
    pub table: &'static StoredTable,
    columns: Vec<ColumnBuilder>,
    rows: usize,
}

impl TableBatchBuilder {
    pub fn new(table: &'static StoredTable, capacity: usize) -> Self {
        TableBatchBuilder {
            table,
            columns: table
                .columns
                .iter()
                .map(|c| ColumnBuilder::new(c.ty, capacity))
                .collect(),
            rows: 0,
        }
    }

    /// A builder sized like the batch `hint` describes (at least `min_rows`; at most
    /// [`MAX_HINT_ROWS`], so that one huge input does not oversize every later one).
    pub fn with_hint(table: &'static StoredTable, hint: &SizeHint, min_rows: usize) -> Self {
        // An eighth more than last time: most chunks then fit without a doubling, and the
        // batch, which the tail keeps until it is flushed, holds little unused room.
        let rows = (hint.rows + hint.rows / 8).clamp(min_rows, MAX_HINT_ROWS.max(min_rows));
        let scale = |bytes: usize| {
            let per_row = bytes as f64 / hint.rows.max(1) as f64;
            (per_row * rows as f64) as usize + 64
        };
        TableBatchBuilder {
            table,
            columns: table
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| match hint.value_bytes.get(i) {
                    Some(&bytes)
                        if matches!(
                            c.ty,
                            ScalarType::String | ScalarType::Guid | ScalarType::Dynamic
                        ) =>
                    {
                        ColumnBuilder::Str(StringBuilder::with_capacity(rows, scale(bytes)))
                    }
                    _ => ColumnBuilder::new(c.ty, rows),
                })
                .collect(),
            rows: 0,
        }
    }

    /// The size of what has been appended so far.
    pub fn size_hint(&self) -> SizeHint {
        SizeHint {
            rows: self.rows,
            value_bytes: self
                .columns
                .iter()
                .map(|c| match c {
                    ColumnBuilder::Str(b) => b.values_slice().len(),
                    _ => 0,
                })
                .collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one row: `cells[i]` for column `i`, `None` for a missing value.
    pub fn append_row(&mut self, cells: &[Option<Cell>]) {
        for (i, column) in self.columns.iter_mut().enumerate() {
            match cells.get(i) {
                Some(Some(cell)) if *cell != Cell::Null => column.append(cell),
                _ => column.append_null(),
            }
        }
        self.rows += 1;
    }

    /// The rows so far as a record batch; the builder starts empty again.
    pub fn finish(&mut self) -> Result<RecordBatch> {
        let arrays: Vec<ArrayRef> = self.columns.iter_mut().map(|c| c.finish()).collect();
        self.rows = 0;
        Ok(RecordBatch::try_new(self.table.schema.clone(), arrays)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::TimestampNanosecondType;

    #[test]
    fn builds_a_batch_with_nulls_for_missing_cells() {
        let t = schema::table("DeviceProcessEvents").expect("table");
        let mut b = TableBatchBuilder::new(t, 4);
        let mut row = vec![None; t.columns.len()];
        row[t.column_index("Timestamp").expect("ts")] = Some(Cell::DateTime(15));
        row[t.column_index("FileName").expect("fn")] = Some(Cell::Str("cmd.exe".into()));
        b.append_row(&row);
        b.append_row(&vec![None; t.columns.len()]);
        let batch = b.finish().expect("batch");
        assert_eq!(batch.num_rows(), 2);
        let ts = batch
            .column(t.column_index("Timestamp").expect("ts"))
            .as_primitive::<TimestampNanosecondType>();
        assert_eq!(ts.value(0), 1500);
        assert!(ts.is_null(1));
        assert!(b.is_empty());
    }

    #[test]
    fn decimals_parse_at_scale_18() {
        assert_eq!(parse_decimal("1.5"), Some(1_500_000_000_000_000_000));
        assert_eq!(parse_decimal("-2"), Some(-2_000_000_000_000_000_000));
        assert_eq!(parse_decimal("x"), None);
    }
}
