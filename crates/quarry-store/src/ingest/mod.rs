//! Ingestion formats: the Defender streaming-export envelope, NDJSON of one table, and
//! CSV with a header. Parsing turns input into record batches per tenant and table plus
//! an [`IngestReport`]; the store then makes them durable.
//!
//! What is atomic: a record. A record that cannot be read (malformed JSON, unknown table,
//! a value that cannot be converted to its column's type) is rejected whole, with its
//! position and the reason, and every other record of the input still lands.

mod coerce;
mod csv;
mod json;
mod scan;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use datafusion::arrow::record_batch::RecordBatch;

use crate::batch::{Cell, SizeHint, TableBatchBuilder};
use crate::error::{Result, StoreError};
use crate::schema::{self, StoredTable};

pub use coerce::{json_cell, text_cell};

/// How records find their tenant.
#[derive(Debug, Clone)]
pub enum TenantRouting {
    /// Everything goes to this tenant, whatever the envelope says (`quarry ingest --tenant`).
    Fixed(String),
    /// Each record goes to its envelope `tenantId`; records without one go to the default.
    FromEnvelope { default: String },
    /// Only records of this tenant are accepted (an authenticated HTTP caller).
    Require(String),
}

impl TenantRouting {
    fn tenant_for<'r>(&'r self, envelope: Option<&'r str>) -> Result<&'r str, String> {
        match (self, envelope) {
            (TenantRouting::Fixed(t), _) => Ok(t),
            (TenantRouting::FromEnvelope { .. }, Some(t)) if !t.is_empty() => Ok(t),
            (TenantRouting::FromEnvelope { default }, _) => Ok(default),
            (TenantRouting::Require(t), Some(e)) if !e.is_empty() && e != t => Err(format!(
                "the record belongs to tenant '{e}', not to the caller's tenant"
            )),
            (TenantRouting::Require(t), _) => Ok(t),
        }
    }
}

/// Where in the input a record was: line, message within a JSON array, record within a
/// message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub message: Option<usize>,
    pub record: Option<usize>,
}

impl Position {
    pub fn line(line: usize) -> Self {
        Position {
            line,
            message: None,
            record: None,
        }
    }

    fn message(line: usize, message: usize) -> Self {
        Position {
            line,
            message: Some(message),
            record: None,
        }
    }

    fn record(&self, record: usize) -> Self {
        Position {
            record: Some(record),
            ..self.clone()
        }
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(m) = self.message {
            write!(f, ", message {m}")?;
        }
        if let Some(r) = self.record {
            write!(f, ", record {r}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub position: Position,
    pub reason: String,
}

/// What happened to an input.
#[derive(Debug, Default, Clone)]
pub struct IngestReport {
    /// Records accepted, per table.
    pub accepted: BTreeMap<String, u64>,
    pub rejected_count: u64,
    /// The first [`IngestReport::MAX_REJECTIONS`] rejections.
    pub rejections: Vec<Rejection>,
    /// Properties kept in `AdditionalFields` because the table has no such column.
    pub kept_in_additional_fields: u64,
    /// Properties of tables without `AdditionalFields` that match no column: dropped from
    /// the row, and counted here by (table, property).
    pub unknown_properties: BTreeMap<(String, String), u64>,
}

impl IngestReport {
    pub const MAX_REJECTIONS: usize = 1000;

    pub fn accepted_total(&self) -> u64 {
        self.accepted.values().sum()
    }

    pub fn reject(&mut self, position: Position, reason: String) {
        self.rejected_count += 1;
        if self.rejections.len() < Self::MAX_REJECTIONS {
            self.rejections.push(Rejection { position, reason });
        }
    }

    pub fn merge(&mut self, other: IngestReport) {
        for (t, n) in other.accepted {
            *self.accepted.entry(t).or_default() += n;
        }
        self.rejected_count += other.rejected_count;
        let room = Self::MAX_REJECTIONS.saturating_sub(self.rejections.len());
        self.rejections
            .extend(other.rejections.into_iter().take(room));
        self.kept_in_additional_fields += other.kept_in_additional_fields;
        for (k, n) in other.unknown_properties {
            *self.unknown_properties.entry(k).or_default() += n;
        }
    }
}

/// Record batches per tenant, each tagged with its table.
pub type TenantBatches = BTreeMap<String, Vec<(&'static StoredTable, RecordBatch)>>;

/// Parsed input: batches per tenant and table, and the report.
#[derive(Default)]
pub struct Parsed {
    /// Per tenant, a builder per table, indexed by [`StoredTable::ordinal`] (looked up
    /// for every record: no name comparisons).
    builders: BTreeMap<String, Vec<Option<TableBatchBuilder>>>,
    pub report: IngestReport,
}

/// Rows a table's builders have room for before they first grow. Kept small: an input
/// chunk spreads its records over up to ~30 tables, and room reserved for 8 K rows per
/// column cost more in page faults than parsing did (and inflated the tail's size).
const INITIAL_ROWS: usize = 256;

/// The least a size hint reserves. Small: a table with a handful of rows per chunk would
/// otherwise keep room for hundreds in every batch of the tail (about 40 % of the tail's
/// memory was such room, which also brought flushes forward).
const HINTED_MIN_ROWS: usize = 8;

thread_local! {
    /// Per parsing thread, the size of each table's last batch: consecutive chunks of one
    /// input are alike, so the next chunk's builders start at that size.
    static LAST_SIZES: std::cell::RefCell<std::collections::HashMap<&'static str, SizeHint>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

impl Parsed {
    fn push_row(&mut self, tenant: &str, table: &'static StoredTable, row: &[Option<Cell>]) {
        let by_table = match self.builders.get_mut(tenant) {
            Some(b) => b,
            None => self.builders.entry(tenant.to_string()).or_default(),
        };
        if by_table.len() <= table.ordinal {
            by_table.resize_with(table.ordinal + 1, || None);
        }
        by_table[table.ordinal]
            .get_or_insert_with(|| {
                LAST_SIZES.with_borrow(|sizes| match sizes.get(table.name()) {
                    Some(hint) => TableBatchBuilder::with_hint(table, hint, HINTED_MIN_ROWS),
                    None => TableBatchBuilder::new(table, INITIAL_ROWS),
                })
            })
            .append_row(row);
    }

    /// The batches, grouped by tenant then table (by name); accepted counts go to the
    /// report.
    pub fn into_batches(mut self) -> Result<(TenantBatches, IngestReport)> {
        let mut out = BTreeMap::new();
        for (tenant, tables) in self.builders {
            let mut batches = Vec::new();
            for mut builder in tables.into_iter().flatten() {
                if !builder.is_empty() {
                    let table = builder.table;
                    let hint = builder.size_hint();
                    LAST_SIZES.with_borrow_mut(|sizes| sizes.insert(table.name(), hint));
                    *self
                        .report
                        .accepted
                        .entry(table.name().to_string())
                        .or_default() += builder.len() as u64;
                    batches.push((table, builder.finish()?));
                }
            }
            batches.sort_by_key(|(table, _)| table.name());
            out.insert(tenant, batches);
        }
        Ok((out, self.report))
    }
}

/// The format of an input.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Envelope,
    Ndjson(&'static StoredTable),
    Csv(&'static StoredTable),
}

impl Format {
    /// Decides from the file name and the first bytes: `.csv` is CSV; JSON whose first
    /// object has `records` is the envelope; other JSON is NDJSON of `table`, given or
    /// named by the file (`DeviceProcessEvents.json`).
    pub fn detect(path: &Path, head: &str, table: Option<&str>) -> Result<Format> {
        let from_name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .and_then(|s| s.split('.').next())
            .and_then(schema::table);
        let table = match table {
            Some(t) => {
                Some(schema::table(t).ok_or_else(|| StoreError::UnknownTable(t.to_string()))?)
            }
            None => from_name,
        };
        let is_csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        let looks_like_envelope =
            head.trim_start().starts_with('[') || head.contains("\"records\"");
        match (is_csv, looks_like_envelope, table) {
            (true, _, Some(t)) => Ok(Format::Csv(t)),
            (true, _, None) => Err(StoreError::Input(format!(
                "{}: CSV needs a table: name the file after it or pass --table",
                path.display()
            ))),
            (false, true, _) => Ok(Format::Envelope),
            (false, false, Some(t)) => Ok(Format::Ndjson(t)),
            (false, false, None) => Err(StoreError::Input(format!(
                "{}: not a streaming-export envelope ({{\"records\":[...]}}); for NDJSON of one table pass --table",
                path.display()
            ))),
        }
    }
}

/// Parses one input.
pub fn parse(input: &str, format: Format, routing: &TenantRouting) -> Result<Parsed> {
    if input.trim().is_empty() {
        return Err(StoreError::Input("the input is empty".into()));
    }
    let mut parsed = Parsed::default();
    let default_tenant = match routing {
        TenantRouting::Fixed(t) | TenantRouting::Require(t) => t.clone(),
        TenantRouting::FromEnvelope { default } => default.clone(),
    };
    match format {
        Format::Envelope => json::parse_envelopes(input, routing, &mut parsed),
        Format::Ndjson(table) => json::parse_ndjson(input, table, &default_tenant, &mut parsed),
        Format::Csv(table) => csv::parse_csv(input, table, &default_tenant, &mut parsed),
    }
    Ok(parsed)
}

/// Kusto's datetime range that fits Arrow's nanosecond timestamps (years 1677..2262).
const MAX_TICKS: i64 = i64::MAX / 100;

/// Completes a row: checks its time, fills `TimeGenerated` and `Type`, and keeps
/// properties without a column in `AdditionalFields` (or counts them).
fn finish_row<'a>(
    table: &'static StoredTable,
    row: &mut [Option<Cell<'a>>],
    extra: Vec<(Cow<'_, str>, &str)>,
    envelope_time: Option<i64>,
    report: &mut IngestReport,
) -> Result<(), String> {
    let present = |c: &Option<Cell>| matches!(c, Some(cell) if *cell != Cell::Null);
    if let Some(ts) = table.timestamp_index
        && !present(&row[ts])
    {
        match envelope_time {
            Some(t) => row[ts] = Some(Cell::DateTime(t)),
            None => return Err("the record has no Timestamp".into()),
        }
    }
    let tg = table.time_generated_index;
    if !present(&row[tg]) {
        let t = table
            .timestamp_index
            .and_then(|i| match &row[i] {
                Some(Cell::DateTime(t)) => Some(*t),
                _ => None,
            })
            .or(envelope_time)
            .unwrap_or_else(crate::clock::now_ticks);
        row[tg] = Some(Cell::DateTime(t));
    }
    for cell in row.iter().flatten() {
        if let Cell::DateTime(t) = cell
            && t.abs() > MAX_TICKS
        {
            return Err(format!(
                "datetime {} is outside the supported range (1677-2262)",
                t
            ));
        }
    }
    if let Some(i) = table.type_index {
        row[i] = Some(Cell::Str(Cow::Borrowed(table.name())));
    }
    if extra.is_empty() {
        return Ok(());
    }
    match table.additional_fields_index {
        Some(i) => {
            let mut bag = match &row[i] {
                Some(Cell::Str(s)) => match serde_json::from_str::<serde_json::Value>(s) {
                    Ok(serde_json::Value::Object(m)) => m,
                    // A non-object AdditionalFields keeps its value under its own name.
                    Ok(other) => {
                        let mut m = serde_json::Map::new();
                        m.insert("AdditionalFields".into(), other);
                        m
                    }
                    Err(_) => {
                        let mut m = serde_json::Map::new();
                        m.insert(
                            "AdditionalFields".into(),
                            serde_json::Value::String(s.to_string()),
                        );
                        m
                    }
                },
                _ => serde_json::Map::new(),
            };
            for (key, raw) in &extra {
                let v = serde_json::from_str(raw)
                    .unwrap_or_else(|_| serde_json::Value::String(raw.to_string()));
                bag.insert(key.to_string(), v);
            }
            report.kept_in_additional_fields += extra.len() as u64;
            row[i] = Some(Cell::Str(Cow::Owned(
                serde_json::Value::Object(bag).to_string(),
            )));
        }
        None => {
            for (key, _) in extra {
                *report
                    .unknown_properties
                    .entry((table.name().to_string(), key.into_owned()))
                    .or_default() += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
