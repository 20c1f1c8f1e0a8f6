//! NDJSON of one table: the properties object of each of its records, one per line.

use super::{FLUSH_AT, KeyCache, Sink, write_properties};
use crate::GenerateError;
use crate::row::Row;
use defender_schema::Table;
use std::io::Write;

pub struct NdjsonSink<W: Write> {
    out: W,
    buf: Vec<u8>,
    table: &'static Table,
    keys: KeyCache,
}

impl<W: Write> NdjsonSink<W> {
    /// Keeps the records of `table` only.
    pub fn new(out: W, table: &'static Table) -> NdjsonSink<W> {
        NdjsonSink {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            table,
            keys: KeyCache::default(),
        }
    }

    /// The writer back (after `finish`).
    pub fn into_inner(self) -> W {
        self.out
    }

    fn flush_buf(&mut self) -> Result<(), GenerateError> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

impl<W: Write> Sink for NdjsonSink<W> {
    fn record(&mut self, table: &'static Table, row: &Row) -> Result<(), GenerateError> {
        if !std::ptr::eq(table, self.table) && table.name != self.table.name {
            return Ok(());
        }
        let keys = self.keys.get(table);
        write_properties(&mut self.buf, keys, row);
        self.buf.push(b'\n');
        if self.buf.len() >= FLUSH_AT {
            self.flush_buf()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), GenerateError> {
        self.flush_buf()?;
        self.out.flush()?;
        Ok(())
    }
}
