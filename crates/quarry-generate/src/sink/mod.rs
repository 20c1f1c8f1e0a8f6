//! Where generated records go.

mod envelope;
mod ndjson;

pub use envelope::EnvelopeSink;
pub use ndjson::NdjsonSink;

use crate::GenerateError;
use crate::json;
use crate::row::{Row, Value};
use defender_schema::Table;

/// Receives every generated record, table by table.
pub trait Sink {
    /// One record: `row` holds one value per column of `table.all_columns()`, in order.
    fn record(&mut self, table: &'static Table, row: &Row) -> Result<(), GenerateError>;

    /// Called once after the last record (flush buffers, close the last line).
    fn finish(&mut self) -> Result<(), GenerateError> {
        Ok(())
    }
}

/// Discards everything (benchmarks, counting runs).
#[derive(Debug, Default)]
pub struct NullSink;

impl Sink for NullSink {
    fn record(&mut self, _table: &'static Table, _row: &Row) -> Result<(), GenerateError> {
        Ok(())
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn record(&mut self, table: &'static Table, row: &Row) -> Result<(), GenerateError> {
        (**self).record(table, row)
    }

    fn finish(&mut self) -> Result<(), GenerateError> {
        (**self).finish()
    }
}

/// Buffered bytes are handed to the writer once they pass this size.
pub(crate) const FLUSH_AT: usize = 1 << 20;

/// Pre-rendered `"Column":` keys of a table's documented columns.
pub(crate) struct TableKeys {
    pub table: &'static Table,
    pub keys: Vec<Vec<u8>>,
    pub timestamp: Option<usize>,
}

impl TableKeys {
    pub fn new(table: &'static Table) -> TableKeys {
        let keys = table
            .columns
            .iter()
            .map(|c| {
                let mut k = Vec::with_capacity(c.name.len() + 3);
                json::write_str(&mut k, c.name);
                k.push(b':');
                k
            })
            .collect();
        TableKeys {
            table,
            keys,
            timestamp: table.columns.iter().position(|c| c.name == "Timestamp"),
        }
    }
}

/// A small cache from table to its keys (a run touches 28 tables).
#[derive(Default)]
pub(crate) struct KeyCache {
    tables: Vec<TableKeys>,
    last: usize,
}

impl KeyCache {
    pub fn get(&mut self, table: &'static Table) -> &TableKeys {
        if let Some(k) = self.tables.get(self.last)
            && std::ptr::eq(k.table, table)
        {
            return &self.tables[self.last];
        }
        let pos = match self
            .tables
            .iter()
            .position(|k| std::ptr::eq(k.table, table))
        {
            Some(p) => p,
            None => {
                self.tables.push(TableKeys::new(table));
                self.tables.len() - 1
            }
        };
        self.last = pos;
        &self.tables[pos]
    }
}

pub(crate) fn write_value(out: &mut Vec<u8>, v: Value<'_>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(i) => json::write_i64(out, i64::from(i)),
        Value::Long(i) => json::write_i64(out, i),
        Value::Real(f) => json::write_f64(out, f),
        Value::String(s) => json::write_str(out, s),
        Value::DateTime(t) => json::write_datetime(out, t),
        Value::Dynamic(text) => {
            if text.is_empty() {
                out.extend_from_slice(b"null");
            } else {
                out.extend_from_slice(text.as_bytes());
            }
        }
    }
}

/// `{"Col":value,...}` over the table's documented columns.
pub(crate) fn write_properties(out: &mut Vec<u8>, keys: &TableKeys, row: &Row) {
    out.push(b'{');
    for (i, key) in keys.keys.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(key);
        write_value(out, row.get(i));
    }
    out.push(b'}');
}
