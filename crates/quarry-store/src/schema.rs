//! Arrow schemas of the Defender tables as the store keeps them.
//!
//! Columns come from `defender-schema` (the documented columns plus Sentinel's
//! `TimeGenerated` and `Type`); types follow `quarry_engine::types`, so that the engine
//! reads exactly what the store writes.

use datafusion::common::HashMap;
use std::sync::{Arc, OnceLock};

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use defender_schema::{Column, Table};
use kql_syntax::ast::ScalarType;

/// One table as stored: its definition, columns, Arrow schema, and name lookups.
#[derive(Debug)]
pub struct StoredTable {
    pub def: &'static Table,
    /// Position in [`tables`]: per-table state during ingest is a vector indexed by it.
    pub ordinal: usize,
    pub columns: Vec<Column>,
    pub schema: SchemaRef,
    /// Column by name. hashbrown's default hasher: this lookup runs once per property of
    /// every ingested record, where SipHash showed up in the profile.
    index: HashMap<&'static str, usize>,
    /// The column partitions and the retention window are keyed on.
    pub time_index: usize,
    pub timestamp_index: Option<usize>,
    pub time_generated_index: usize,
    pub type_index: Option<usize>,
    pub additional_fields_index: Option<usize>,
}

impl StoredTable {
    fn new(ordinal: usize, def: &'static Table) -> Self {
        let columns = def.all_columns();
        let fields: Vec<_> = columns
            .iter()
            .map(|c| quarry_engine::types::field_for(c.name, c.ty))
            .collect();
        let index: HashMap<_, _> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name, i))
            .collect();
        let timestamp_index = index.get("Timestamp").copied();
        let time_generated_index = index
            .get(defender_schema::TIME_GENERATED.name)
            .copied()
            .unwrap_or(0);
        let type_index = columns
            .iter()
            .position(|c| c.name == "Type" && *c == defender_schema::TYPE);
        let additional_fields_index = index.get("AdditionalFields").copied();
        StoredTable {
            def,
            ordinal,
            schema: Arc::new(Schema::new(fields)),
            time_index: timestamp_index.unwrap_or(time_generated_index),
            timestamp_index,
            time_generated_index,
            type_index,
            additional_fields_index,
            index,
            columns,
        }
    }

    pub fn name(&self) -> &'static str {
        self.def.name
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn column_type(&self, i: usize) -> ScalarType {
        self.columns[i].ty
    }

    /// The name of the time column partitions are keyed on.
    pub fn time_column(&self) -> &'static str {
        self.columns[self.time_index].name
    }
}

static TABLES: OnceLock<Vec<StoredTable>> = OnceLock::new();
static BY_NAME: OnceLock<HashMap<&'static str, &'static StoredTable>> = OnceLock::new();

/// Every stored table, in the order of `defender_schema::TABLES`.
pub fn tables() -> &'static [StoredTable] {
    TABLES.get_or_init(|| {
        defender_schema::TABLES
            .iter()
            .enumerate()
            .map(|(i, def)| StoredTable::new(i, def))
            .collect()
    })
}

/// Looks a table up by its exact name (hashed: ingest looks up every record's table).
pub fn table(name: &str) -> Option<&'static StoredTable> {
    BY_NAME
        .get_or_init(|| tables().iter().map(|t| (t.def.name, t)).collect())
        .get(name)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{DataType, TimeUnit};

    #[test]
    fn schemas_follow_the_engine_types() {
        let t = table("DeviceProcessEvents").expect("table");
        let ts = t.schema.field_with_name("Timestamp").expect("Timestamp");
        assert_eq!(
            ts.data_type(),
            &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into()))
        );
        assert_eq!(t.time_column(), "Timestamp");
        assert!(t.column_index("TimeGenerated").is_some());
        assert!(t.type_index.is_some());
        assert!(t.additional_fields_index.is_some());
    }

    #[test]
    fn snapshot_tables_partition_on_time_generated() {
        let t = table("DeviceTvmSoftwareInventory").expect("table");
        assert_eq!(t.time_column(), "TimeGenerated");
        assert!(t.timestamp_index.is_none());
    }

    #[test]
    fn identity_info_keeps_its_own_type_column() {
        let t = table("IdentityInfo").expect("table");
        assert!(t.type_index.is_none());
    }
}
