//! CSV with a header row naming the columns of one table.

use std::borrow::Cow;

use super::coerce::text_cell;
use super::{Parsed, Position};
use crate::batch::Cell;
use crate::schema::StoredTable;

pub fn parse_csv(input: &str, table: &'static StoredTable, tenant: &str, parsed: &mut Parsed) {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            parsed
                .report
                .reject(Position::line(1), format!("unreadable CSV header: {e}"));
            return;
        }
    };
    let columns: Vec<Option<usize>> = headers.iter().map(|h| table.column_index(h)).collect();
    let mut record = ::csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let at = Position::line(line.max(2));
                match csv_row(&record, &headers, &columns, table, parsed) {
                    Ok(row) => parsed.push_row(tenant, table, &row),
                    Err(reason) => parsed.report.reject(at, reason),
                }
            }
            Err(e) => {
                parsed
                    .report
                    .reject(Position::line(line.max(2)), format!("malformed CSV: {e}"));
                if e.is_io_error() {
                    break;
                }
            }
        }
    }
}

fn csv_row<'r>(
    record: &'r ::csv::StringRecord,
    headers: &'r [String],
    columns: &[Option<usize>],
    table: &'static StoredTable,
    parsed: &mut Parsed,
) -> Result<Vec<Option<Cell<'r>>>, String> {
    if record.len() > headers.len() {
        return Err(format!(
            "{} fields, but the header names {}",
            record.len(),
            headers.len()
        ));
    }
    let mut row = vec![None; table.columns.len()];
    let mut extra = Vec::new();
    for (i, field) in record.iter().enumerate() {
        match columns[i] {
            Some(c) => {
                let ty = table.column_type(c);
                // An empty field is null, except in string columns where it is "".
                if field.is_empty() && ty != kql_syntax::ast::ScalarType::String {
                    continue;
                }
                let cell = text_cell(Cow::Borrowed(field), ty)
                    .map_err(|e| format!("column {}: {e}", headers[i]))?;
                row[c] = Some(cell);
            }
            None if !field.is_empty() => extra.push((Cow::Borrowed(headers[i].as_str()), field)),
            None => {}
        }
    }
    // Extra CSV fields are text: kept as JSON strings in AdditionalFields.
    let quoted: Vec<(Cow<'_, str>, String)> = extra
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v.to_string()).to_string()))
        .collect();
    let extra = quoted
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str()))
        .collect();
    super::finish_row(table, &mut row, extra, None, &mut parsed.report)?;
    Ok(row)
}
