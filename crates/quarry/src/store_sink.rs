//! Generated telemetry straight into a tenant's store: rows become Arrow batches per
//! table and are appended (durably) in chunks, then flushed to Parquet.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use quarry_generate::{GenerateError, Row, Sink, Value};
use quarry_store::TenantStore;
use quarry_store::batch::{Cell, TableBatchBuilder};
use quarry_store::schema;

/// Rows per table collected before an append.
const CHUNK_ROWS: usize = 64 * 1024;

pub struct StoreSink {
    tenant: Arc<TenantStore>,
    builders: HashMap<&'static str, TableBatchBuilder>,
    pub rows: u64,
}

impl StoreSink {
    pub fn new(tenant: Arc<TenantStore>) -> Self {
        StoreSink {
            tenant,
            builders: HashMap::new(),
            rows: 0,
        }
    }

    fn append(&mut self, name: &'static str) -> Result<(), GenerateError> {
        let Some(builder) = self.builders.get_mut(name) else {
            return Ok(());
        };
        if builder.is_empty() {
            return Ok(());
        }
        let batch = builder.finish().map_err(store_error)?;
        self.tenant
            .append(vec![(builder.table, batch)])
            .map_err(store_error)
    }
}

fn store_error(e: quarry_store::StoreError) -> GenerateError {
    GenerateError::Io(std::io::Error::other(e.to_string()))
}

fn cell(v: Value<'_>) -> Cell<'_> {
    match v {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Bool(b),
        Value::Int(i) => Cell::Int(i),
        Value::Long(i) => Cell::Long(i),
        Value::Real(f) => Cell::Real(f),
        Value::String(s) | Value::Dynamic(s) => Cell::Str(Cow::Borrowed(s)),
        Value::DateTime(t) => Cell::DateTime(t),
    }
}

impl Sink for StoreSink {
    fn record(
        &mut self,
        table: &'static defender_schema::Table,
        row: &Row,
    ) -> Result<(), GenerateError> {
        let Some(stored) = schema::table(table.name) else {
            return Ok(());
        };
        let cells: Vec<Option<Cell<'_>>> = row.values().map(|v| Some(cell(v))).collect();
        let builder = self
            .builders
            .entry(stored.name())
            .or_insert_with(|| TableBatchBuilder::new(stored, CHUNK_ROWS));
        builder.append_row(&cells);
        self.rows += 1;
        if builder.len() >= CHUNK_ROWS {
            self.append(stored.name())?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), GenerateError> {
        let names: Vec<&'static str> = self.builders.keys().copied().collect();
        for name in names {
            self.append(name)?;
        }
        self.tenant.flush().map_err(store_error)
    }
}
