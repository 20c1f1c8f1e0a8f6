//! The Defender streaming-export envelope and NDJSON, parsed straight into column
//! builders: each message is scanned once ([`scan`](super::scan)), property values are
//! sliced out of the input as raw JSON text and coerced per column, with no intermediate
//! JSON tree.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::coerce::value_cell;
use super::scan::{Kind, Malformed, Scanner};
use super::{Parsed, Position, TenantRouting};
use crate::batch::Cell;
use crate::schema::{self, StoredTable};

const CATEGORY_PREFIX: &str = "AdvancedHunting-";

/// One envelope record. Its `properties` are read into their table's columns in the same
/// pass as the record when `category` comes first (as Defender writes it), so the
/// properties text, nearly all of the input, is scanned once rather than twice.
#[derive(Default)]
struct Record<'a> {
    time: Option<Cow<'a, str>>,
    tenant_id: Option<Cow<'a, str>>,
    category: Option<Cow<'a, str>>,
    properties: Option<Properties<'a>>,
}

enum Properties<'a> {
    /// Read already into the table's columns (or why a value did not fit its column).
    Read(Result<Cells<'a>, String>),
    /// Met before `category`: kept as text and read once the table is known.
    Raw(&'a str),
    /// Not a JSON object: why.
    NotObject(String),
}

/// A record's properties as cells of its table's columns, and the properties that have
/// no column (as their JSON text).
struct Cells<'a> {
    row: Vec<Option<Cell<'a>>>,
    extra: Vec<(Cow<'a, str>, &'a str)>,
}

/// A record's shape problem (a string field that is not a string, a record that is not an
/// object): the record is rejected, the rest of the message is read on.
type ReadRecord<'a> = Result<Record<'a>, String>;

/// A well-formed message: its records, or why it is not a streaming-export message.
enum Message<'a> {
    Records(Vec<ReadRecord<'a>>),
    NotEnvelope(String),
}

/// Scans a message `{"records":[...]}` once, records and properties included.
fn read_message(msg: &str) -> Result<Message<'_>, Malformed> {
    let mut s = Scanner::new(msg);
    if s.peek() != Some(b'{') {
        let v = s.value()?;
        s.end()?;
        return Ok(Message::NotEnvelope(format!(
            "it is {}, not an object",
            v.kind.describe()
        )));
    }
    s.object_start()?;
    let (mut records, mut problem) = (None, None);
    let mut first = true;
    while let Some(key) = s.next_key(&mut first)? {
        if key != "records" {
            s.value()?;
        } else if records.is_some() {
            s.value()?;
            problem = Some("'records' appears twice".to_string());
        } else if s.peek() == Some(b'[') {
            records = Some(read_records(&mut s)?);
        } else {
            let v = s.value()?;
            problem = Some(format!("'records' is {}, not an array", v.kind.describe()));
        }
    }
    s.end()?;
    Ok(match (problem, records) {
        (Some(p), _) => Message::NotEnvelope(p),
        (None, Some(records)) => Message::Records(records),
        (None, None) => Message::NotEnvelope("it has no 'records'".into()),
    })
}

fn read_records<'a>(s: &mut Scanner<'a>) -> Result<Vec<ReadRecord<'a>>, Malformed> {
    s.array_start()?;
    let mut records = Vec::new();
    let mut first = true;
    while s.has_element(&mut first)? {
        if s.peek() == Some(b'{') {
            records.push(read_record(s)?);
        } else {
            let v = s.value()?;
            records.push(Err(format!(
                "the record is {}, not an object",
                v.kind.describe()
            )));
        }
    }
    Ok(records)
}

fn read_record<'a>(s: &mut Scanner<'a>) -> Result<ReadRecord<'a>, Malformed> {
    s.object_start()?;
    let mut record = Record::default();
    let mut problem = None;
    let mut first = true;
    while let Some(key) = s.next_key(&mut first)? {
        let slot = match key.as_ref() {
            "time" => &mut record.time,
            "tenantId" => &mut record.tenant_id,
            "category" => &mut record.category,
            "properties" => {
                let table = record
                    .category
                    .as_deref()
                    .and_then(|c| c.strip_prefix(CATEGORY_PREFIX))
                    .and_then(schema::table);
                record.properties = Some(match table {
                    Some(table) if s.peek() == Some(b'{') => {
                        Properties::Read(read_cells_at(s, table)?)
                    }
                    Some(_) => Properties::NotObject(not_an_object(s.value()?.kind)),
                    None => Properties::Raw(s.value()?.raw),
                });
                continue;
            }
            _ => {
                s.value()?;
                continue;
            }
        };
        let v = s.value()?;
        *slot = match (v.kind, v.string()) {
            (Kind::Null, _) => None,
            (_, Some(Ok(text))) => Some(text),
            (_, Some(Err(e))) => {
                problem.get_or_insert(format!("'{key}': {e}"));
                None
            }
            (kind, None) => {
                problem.get_or_insert(format!("'{key}' is {}, not a string", kind.describe()));
                None
            }
        };
    }
    Ok(match problem {
        Some(p) => Err(p),
        None => Ok(record),
    })
}

/// Reads the properties object at the scanner into the columns of `table`. A value that
/// does not fit its column is the record's error; the rest of the object is still scanned.
fn read_cells_at<'a>(
    s: &mut Scanner<'a>,
    table: &'static StoredTable,
) -> Result<Result<Cells<'a>, String>, Malformed> {
    s.object_start()?;
    let mut row: Vec<Option<Cell<'a>>> = vec![None; table.columns.len()];
    let mut extra = Vec::new();
    let mut problem = None;
    // Records of a table list their properties in the same order, mostly the schema's:
    // try the column after the last one matched before hashing the name.
    let mut next = 0;
    let mut first = true;
    while let Some(key) = s.next_key(&mut first)? {
        let value = s.value()?;
        if problem.is_some() {
            continue;
        }
        let index = match table.columns.get(next) {
            Some(c) if c.name == key.as_ref() => Some(next),
            _ => table.column_index(&key),
        };
        match index {
            Some(i) => match value_cell(value, table.column_type(i)) {
                Ok(cell) => {
                    row[i] = Some(cell);
                    next = i + 1;
                }
                Err(e) => problem = Some(format!("column {key}: {e}")),
            },
            None => extra.push((key, value.raw)),
        }
    }
    Ok(match problem {
        Some(p) => Err(p),
        None => Ok(Cells { row, extra }),
    })
}

/// A properties object's text read into the columns of `table`.
fn read_cells<'a>(text: &'a str, table: &'static StoredTable) -> Result<Cells<'a>, String> {
    let mut s = Scanner::new(text);
    let read = if s.peek() == Some(b'{') {
        read_cells_at(&mut s, table)
    } else {
        s.value().map(|v| Err(not_an_object(v.kind)))
    };
    match read.and_then(|cells| s.end().map(|()| cells)) {
        Ok(cells) => cells,
        Err(Malformed) => Err(malformed(text).unwrap_or_else(|| "malformed JSON".into())),
    }
}

fn not_an_object(kind: Kind) -> String {
    format!("'properties' is not a JSON object but {}", kind.describe())
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

/// One message: a malformed one is rejected whole (its records cannot be told apart),
/// a record of the wrong shape only itself.
fn parse_message(msg: &str, at: Position, routing: &TenantRouting, parsed: &mut Parsed) {
    let records = match read_message(msg) {
        Ok(Message::Records(records)) => records,
        Ok(Message::NotEnvelope(why)) => {
            parsed.report.reject(
                at,
                format!("not a streaming-export message ({{\"records\":[...]}}): {why}"),
            );
            return;
        }
        Err(Malformed) => {
            let reason = malformed(msg).unwrap_or_else(|| "malformed JSON".into());
            parsed.report.reject(at, reason);
            return;
        }
    };
    for (r, record) in records.into_iter().enumerate() {
        let at = at.record(r + 1);
        let ingested = record.and_then(|record| ingest_record(record, routing, parsed));
        if let Err(reason) = ingested {
            parsed.report.reject(at, reason);
        }
    }
}

fn ingest_record(
    record: Record<'_>,
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
    let Cells { mut row, extra } = match properties {
        Properties::Read(cells) => cells?,
        Properties::Raw(raw) => read_cells(raw, table)?,
        Properties::NotObject(why) => return Err(why),
    };
    super::finish_row(table, &mut row, extra, envelope_time, &mut parsed.report)?;
    parsed.push_row(tenant, table, &row);
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
        let cells = read_cells(value, table).and_then(|Cells { mut row, extra }| {
            super::finish_row(table, &mut row, extra, None, &mut parsed.report)?;
            Ok(row)
        });
        match cells {
            Ok(row) => parsed.push_row(tenant, table, &row),
            Err(reason) => parsed.report.reject(at, reason),
        }
    }
}
