//! Where table names resolve: the store implements [`Catalog`]; tests use [`MemCatalog`].

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::datasource::MemTable;

use crate::error::{QueryError, Result};

/// The tables a query can name. Names are case-sensitive, as in Kusto.
pub trait Catalog: Send + Sync {
    fn table(&self, name: &str) -> Option<Arc<dyn TableProvider>>;
    fn table_names(&self) -> Vec<String>;
}

/// A catalog of in-memory tables, for tests and for the CLI before a store exists.
#[derive(Default, Clone)]
pub struct MemCatalog {
    tables: BTreeMap<String, Arc<dyn TableProvider>>,
}

impl MemCatalog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a table made of `batches`, all of `schema`.
    pub fn add_batches(
        &mut self,
        name: &str,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
    ) -> Result<()> {
        let table = MemTable::try_new(schema, vec![batches])
            .map_err(|e| QueryError::Execution(e.to_string()))?;
        self.tables.insert(name.to_string(), Arc::new(table));
        Ok(())
    }

    pub fn add_provider(&mut self, name: &str, provider: Arc<dyn TableProvider>) {
        self.tables.insert(name.to_string(), provider);
    }
}

impl Catalog for MemCatalog {
    fn table(&self, name: &str) -> Option<Arc<dyn TableProvider>> {
        self.tables.get(name).cloned()
    }

    fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }
}
