//! The Defender streaming-export envelope and NDJSON, parsed straight into column
//! builders: property values are sliced out of the input as raw JSON text and coerced
//! per column, with no intermediate JSON tree.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::coerce::json_cell;
use super::{Parsed, Position, TenantRouting};
use crate::batch::Cell;
use crate::schema::{self, StoredTable};

const CATEGORY_PREFIX: &str = "AdvancedHunting-";

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    records: Vec<&'a RawValue>,
}

/// One envelope record. Its `properties` are read into (key, raw value) pairs in the same
/// pass as the record when `category` comes first (as Defender writes it), so the
/// properties text, nearly all of the input, is scanned once rather than twice.
struct Record<'a> {
    time: Option<Cow<'a, str>>,
    tenant_id: Option<Cow<'a, str>>,
    category: Option<Cow<'a, str>>,
    properties: Option<Properties<'a>>,
}

enum Properties<'a> {
    /// Read already (names and raw values: which table they belong to is decided later).
    Fields(Fields<'a>),
    /// Met before `category`: kept as text and read once the table is known.
    Raw(&'a RawValue),
    /// Not a JSON object: why.
    NotObject(String),
}

type Fields<'a> = Vec<(Cow<'a, str>, &'a RawValue)>;

impl<'de: 'a, 'a> Deserialize<'de> for Record<'a> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(RecordVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Record<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a streaming-export record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut record = Record {
            time: None,
            tenant_id: None,
            category: None,
            properties: None,
        };
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_ref() {
                "time" => record.time = map.next_value::<Option<Cow<'de, str>>>()?,
                "tenantId" => record.tenant_id = map.next_value::<Option<Cow<'de, str>>>()?,
                "category" => record.category = map.next_value::<Option<Cow<'de, str>>>()?,
                "properties" => {
                    let table = record
                        .category
                        .as_deref()
                        .and_then(|c| c.strip_prefix(CATEGORY_PREFIX))
                        .and_then(schema::table);
                    record.properties = Some(match table {
                        Some(table) => match map.next_value_seed(PropertiesSeed { table })? {
                            Ok(fields) => Properties::Fields(fields),
                            Err(why) => Properties::NotObject(why),
                        },
                        None => Properties::Raw(map.next_value()?),
                    });
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(record)
    }
}

/// The text of a top-level JSON value, or why it could not be read. A line of
/// line-delimited input is not validated here: its parser reports what is wrong with it,
/// which saves a pass over every byte.
type TopLevel<'a> = Result<&'a str, String>;

/// Top-level JSON values of `input`, in order, with the line each starts on.
/// Line-delimited input is split by lines, so that one malformed line costs only itself;
/// anything else is read as a stream of values, and stops at the first malformed one.
/// Input is line-delimited when its first line is a whole value, or when reading it as a
/// stream fails but some of its lines are whole values (the first line was torn).
fn top_level_values(input: &str) -> Vec<(usize, TopLevel<'_>)> {
    let first = input
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if serde_json::from_str::<&RawValue>(first).is_ok() {
        return by_lines(input);
    }
    let stream = by_stream(input);
    if stream.last().is_some_and(|(_, v)| v.is_err()) {
        let lines = by_lines(input);
        let whole = |v: &TopLevel<'_>| v.as_ref().is_ok_and(|t| malformed(t).is_none());
        if lines.iter().any(|(_, v)| whole(v)) {
            return lines;
        }
    }
    stream
}

fn by_lines(input: &str) -> Vec<(usize, TopLevel<'_>)> {
    input
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| (i + 1, Ok(line)))
        .collect()
}

/// Why `text` could not be read as JSON, or None when it is well-formed JSON (and so
/// the wrong shape).
fn malformed(text: &str) -> Option<String> {
    serde_json::from_str::<&RawValue>(text)
        .err()
        .map(|e| format!("malformed JSON: {e}"))
}

fn by_stream(input: &str) -> Vec<(usize, TopLevel<'_>)> {
    let mut values = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(input).into_iter::<&RawValue>();
    let mut offset = 0;
    loop {
        let start_line = line_of(input, offset);
        match stream.next() {
            None => break,
            Some(Ok(v)) => {
                values.push((start_line, Ok(v.get())));
                offset = stream.byte_offset();
            }
            Some(Err(e)) => {
                values.push((
                    start_line,
                    Err(format!(
                        "malformed JSON ({e}); the rest of the input was not read"
                    )),
                ));
                break;
            }
        }
    }
    values
}

fn line_of(input: &str, offset: usize) -> usize {
    let skipped = input[offset.min(input.len())..]
        .bytes()
        .take_while(|b| b.is_ascii_whitespace())
        .filter(|&b| b == b'\n')
        .count();
    input.as_bytes()[..offset.min(input.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
        + skipped
}

/// Parses streaming-export envelopes: `{"records":[...]}` messages, one per line, as a
/// stream, or in a JSON array.
pub fn parse_envelopes(input: &str, routing: &TenantRouting, parsed: &mut Parsed) {
    for (line, value) in top_level_values(input) {
        let value = match value {
            Ok(v) => v,
            Err(reason) => {
                parsed.report.reject(Position::line(line), reason);
                continue;
            }
        };
        let text = value.trim();
        if text.starts_with('[') {
            match serde_json::from_str::<Vec<&RawValue>>(text) {
                Ok(messages) => {
                    for (m, msg) in messages.into_iter().enumerate() {
                        let at = Position::message(line, m + 1);
                        parse_message(msg.get(), at, routing, parsed);
                    }
                }
                Err(e) => parsed.report.reject(
                    Position::line(line),
                    malformed(text).unwrap_or(format!("malformed JSON array: {e}")),
                ),
            }
        } else {
            parse_message(value, Position::line(line), routing, parsed);
        }
    }
}

/// A message whose records are all well-formed, read in one pass (the common case).
#[derive(Deserialize)]
struct WellFormedEnvelope<'a> {
    #[serde(borrow)]
    records: Vec<Record<'a>>,
}

fn parse_message(msg: &str, at: Position, routing: &TenantRouting, parsed: &mut Parsed) {
    if let Ok(envelope) = serde_json::from_str::<WellFormedEnvelope>(msg) {
        for (r, record) in envelope.records.into_iter().enumerate() {
            let at = at.record(r + 1);
            if let Err(reason) = ingest_record(record, &at, routing, parsed) {
                parsed.report.reject(at, reason);
            }
        }
        return;
    }
    // Something is wrong: read it again record by record, to reject only what is wrong.
    if let Some(reason) = malformed(msg) {
        parsed.report.reject(at, reason);
        return;
    }
    let envelope: Envelope = match serde_json::from_str(msg) {
        Ok(e) => e,
        Err(e) => {
            parsed.report.reject(
                at,
                format!("not a streaming-export message ({{\"records\":[...]}}): {e}"),
            );
            return;
        }
    };
    for (r, raw) in envelope.records.into_iter().enumerate() {
        let at = at.record(r + 1);
        if let Err(reason) = parse_record(raw, &at, routing, parsed) {
            parsed.report.reject(at, reason);
        }
    }
}

fn parse_record(
    raw: &RawValue,
    at: &Position,
    routing: &TenantRouting,
    parsed: &mut Parsed,
) -> Result<(), String> {
    let record: Record =
        serde_json::from_str(raw.get()).map_err(|e| format!("malformed record: {e}"))?;
    ingest_record(record, at, routing, parsed)
}

fn ingest_record(
    record: Record<'_>,
    at: &Position,
    routing: &TenantRouting,
    parsed: &mut Parsed,
) -> Result<(), String> {
    let category = record.category.ok_or("the record has no 'category'")?;
    let table_name = category
        .strip_prefix(CATEGORY_PREFIX)
        .ok_or_else(|| format!("category '{category}' does not start with '{CATEGORY_PREFIX}'"))?;
    let table = schema::table(table_name)
        .ok_or_else(|| format!("unknown table '{table_name}' in category '{category}'"))?;
    let tenant = routing.tenant_for(record.tenant_id.as_deref())?;
    let properties = record.properties.ok_or("the record has no 'properties'")?;
    let envelope_time = match record.time.as_deref() {
        Some(t) => Some(
            kql_syntax::time::parse_datetime(t)
                .ok_or_else(|| format!("'time' is not a datetime: '{t}'"))?,
        ),
        None => None,
    };
    let fields = match properties {
        Properties::Fields(fields) => fields,
        Properties::Raw(raw) => read_fields(raw.get(), table)?,
        Properties::NotObject(why) => return Err(why),
    };
    let row = fields_to_row(fields, table, envelope_time, at, parsed)?;
    parsed.push_row(&tenant, table, &row);
    Ok(())
}

/// NDJSON of one table: each line is one record's properties.
pub fn parse_ndjson(input: &str, table: &'static StoredTable, tenant: &str, parsed: &mut Parsed) {
    for (line, value) in top_level_values(input) {
        let at = Position::line(line);
        let value = match value {
            Ok(v) => v,
            Err(reason) => {
                parsed.report.reject(at, reason);
                continue;
            }
        };
        match parse_properties(value, table, None, &at, parsed) {
            Ok(row) => parsed.push_row(tenant, table, &row),
            Err(reason) => parsed.report.reject(at, malformed(value).unwrap_or(reason)),
        }
    }
}

/// One record's properties object as a row of cells, with Sentinel's columns filled in.
fn parse_properties<'a>(
    text: &'a str,
    table: &'static StoredTable,
    envelope_time: Option<i64>,
    at: &Position,
    parsed: &mut Parsed,
) -> Result<Vec<Option<Cell<'a>>>, String> {
    let fields = read_fields(text, table)?;
    fields_to_row(fields, table, envelope_time, at, parsed)
}

/// The (key, raw value) pairs of a properties object's text.
fn read_fields<'a>(text: &'a str, table: &'static StoredTable) -> Result<Fields<'a>, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    PropertiesSeed { table }
        .deserialize(&mut de)
        .map_err(|e| format!("'properties' is not a JSON object: {e}"))?
}

/// Properties as a row of cells, with Sentinel's columns filled in.
fn fields_to_row<'a>(
    fields: Fields<'a>,
    table: &'static StoredTable,
    envelope_time: Option<i64>,
    at: &Position,
    parsed: &mut Parsed,
) -> Result<Vec<Option<Cell<'a>>>, String> {
    let mut row: Vec<Option<Cell<'a>>> = vec![None; table.columns.len()];
    let mut extra: Vec<(Cow<'a, str>, &'a str)> = Vec::new();
    // Records of a table list their properties in the same order, mostly the schema's:
    // try the column after the last one matched before hashing the name.
    let mut next = 0;
    for (key, raw) in fields {
        let index = match table.columns.get(next) {
            Some(c) if c.name == key.as_ref() => Some(next),
            _ => table.column_index(&key),
        };
        match index {
            Some(i) => {
                let cell = json_cell(raw.get(), table.column_type(i))
                    .map_err(|e| format!("column {key}: {e}"))?;
                row[i] = Some(cell);
                next = i + 1;
            }
            None => extra.push((key, raw.get())),
        }
    }
    super::finish_row(
        table,
        &mut row,
        extra,
        envelope_time,
        at,
        &mut parsed.report,
    )?;
    Ok(row)
}

/// Reads an object as (key, raw value) pairs without building a map; anything other than
/// an object is `Err(why)`, so that the record, not the whole message, is rejected.
struct PropertiesSeed {
    table: &'static StoredTable,
}

impl<'de> DeserializeSeed<'de> for PropertiesSeed {
    type Value = Result<Fields<'de>, String>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PropertiesSeed {
    type Value = Result<Fields<'de>, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "the properties of a {} record", self.table.name())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::with_capacity(self.table.columns.len());
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value: &'de RawValue = map.next_value()?;
            fields.push((key, value));
        }
        Ok(Ok(fields))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Err(not_an_object("an array")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("null")))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a bool")))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a number")))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a number")))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a number")))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Err(not_an_object("a string")))
    }
}

fn not_an_object(what: &str) -> String {
    format!("'properties' is not a JSON object but {what}")
}

/// A key, borrowed from the input unless it has escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a property name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}
