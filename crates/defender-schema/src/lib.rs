//! The Defender advanced hunting schema: every table whose columns Microsoft documents,
//! plus the two columns Microsoft Sentinel adds to each (`TimeGenerated`, `Type`), so that
//! queries written for Sentinel run unchanged.
//!
//! The documented part is generated (`tables.rs`); this file adds the conventions.

use kql_syntax::ast::ScalarType;

mod tables;

pub use tables::TABLES;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ScalarType,
    pub description: &'static str,
}

#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub description: &'static str,
    /// The documentation page (and commit) the columns come from.
    pub source: &'static str,
    pub columns: &'static [Column],
}

/// Sentinel's ingestion time column: equal to `Timestamp` unless a record says otherwise.
pub const TIME_GENERATED: Column = Column {
    name: "TimeGenerated",
    ty: ScalarType::DateTime,
    description: "Date and time the record was generated (Microsoft Sentinel convention)",
};

/// Sentinel's table-name column.
pub const TYPE: Column = Column {
    name: "Type",
    ty: ScalarType::String,
    description: "Name of the table (Microsoft Sentinel convention)",
};

impl Table {
    /// The documented columns, then `TimeGenerated` and `Type` unless the table already
    /// documents a column of that name (IdentityInfo has its own `Type`).
    pub fn all_columns(&self) -> Vec<Column> {
        let mut cols = self.columns.to_vec();
        for extra in [TIME_GENERATED, TYPE] {
            if !cols.iter().any(|c| c.name == extra.name) {
                cols.push(extra);
            }
        }
        cols
    }

    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The event-time column: `Timestamp` where documented. Snapshot tables without one
    /// (the TVM inventories) are kept by ingestion time.
    pub fn time_column(&self) -> Option<&'static str> {
        self.column("Timestamp").map(|c| c.name)
    }

    pub fn has_additional_fields(&self) -> bool {
        self.column("AdditionalFields").is_some()
    }
}

/// Looks a table up by its exact (case-sensitive) name.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_tables_are_present_with_their_columns() {
        assert_eq!(TABLES.len(), 28);
        let t = table("DeviceProcessEvents").expect("DeviceProcessEvents");
        assert_eq!(t.columns[0].name, "Timestamp");
        assert_eq!(t.columns[0].ty, ScalarType::DateTime);
        assert!(t.column("ProcessCommandLine").is_some());
        assert!(t.has_additional_fields());
        assert!(
            table("deviceprocessevents").is_none(),
            "names are case-sensitive"
        );
    }

    #[test]
    fn sentinel_columns_are_added_once() {
        let cols = table("DeviceInfo")
            .map(|t| t.all_columns())
            .unwrap_or_default();
        assert_eq!(cols.iter().filter(|c| c.name == "TimeGenerated").count(), 1);
        assert_eq!(cols.last().map(|c| c.name), Some("Type"));
        let identity = table("IdentityInfo")
            .map(|t| t.all_columns())
            .unwrap_or_default();
        assert_eq!(identity.iter().filter(|c| c.name == "Type").count(), 1);
    }

    #[test]
    fn snapshot_tables_have_no_time_column() {
        assert_eq!(
            table("DeviceTvmSoftwareInventory").and_then(|t| t.time_column()),
            None
        );
        assert_eq!(
            table("DeviceNetworkEvents").and_then(|t| t.time_column()),
            Some("Timestamp")
        );
    }
}
