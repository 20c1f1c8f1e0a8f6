//! The Defender streaming-export (Event Hub) envelope: one JSON object per line,
//! `{"records":[{"time","tenantId","operationName","category","properties"},...]}`.

use super::{FLUSH_AT, KeyCache, Sink, write_properties};
use crate::GenerateError;
use crate::json;
use crate::rng::splitmix64;
use crate::row::{Row, Value};
use defender_schema::Table;
use kql_syntax::time::TICKS_PER_SECOND;
use std::io::Write;

pub struct EnvelopeSink<W: Write> {
    out: W,
    buf: Vec<u8>,
    tenant_id: String,
    per_line: usize,
    in_line: usize,
    /// `time` of records whose table has no `Timestamp` (the TVM inventories).
    default_time: i64,
    keys: KeyCache,
    seq: u64,
}

impl<W: Write> EnvelopeSink<W> {
    /// `per_line`: records per line (Event Hub message); 100 by default in the CLI.
    pub fn new(out: W, tenant_id: &str, per_line: usize, default_time: i64) -> EnvelopeSink<W> {
        EnvelopeSink {
            out,
            buf: Vec::with_capacity(FLUSH_AT + 64 * 1024),
            tenant_id: tenant_id.to_string(),
            per_line: per_line.max(1),
            in_line: 0,
            default_time,
            keys: KeyCache::default(),
            seq: 0,
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn flush_buf(&mut self) -> Result<(), GenerateError> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }
}

impl<W: Write> Sink for EnvelopeSink<W> {
    fn record(&mut self, table: &'static Table, row: &Row) -> Result<(), GenerateError> {
        let keys = self.keys.get(table);
        let event_time = match keys.timestamp.map(|i| row.get(i)) {
            Some(Value::DateTime(t)) => t,
            _ => self.default_time,
        };
        // Defender receives an event seconds to a few minutes after it happened.
        let mut s = self.seq;
        self.seq += 1;
        let delay =
            2 * TICKS_PER_SECOND + (splitmix64(&mut s) % (240 * TICKS_PER_SECOND as u64)) as i64;
        let buf = &mut self.buf;
        if self.in_line == 0 {
            buf.extend_from_slice(b"{\"records\":[");
        } else {
            buf.push(b',');
        }
        buf.extend_from_slice(b"{\"time\":");
        json::write_datetime(buf, event_time + delay);
        buf.extend_from_slice(b",\"tenantId\":");
        json::write_str(buf, &self.tenant_id);
        buf.extend_from_slice(b",\"operationName\":\"Publish\",\"category\":\"AdvancedHunting-");
        json::write_str_body(buf, table.name);
        buf.extend_from_slice(b"\",\"properties\":");
        write_properties(buf, keys, row);
        buf.push(b'}');
        self.in_line += 1;
        if self.in_line >= self.per_line {
            self.buf.extend_from_slice(b"]}\n");
            self.in_line = 0;
            if self.buf.len() >= FLUSH_AT {
                self.flush_buf()?;
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), GenerateError> {
        if self.in_line > 0 {
            self.buf.extend_from_slice(b"]}\n");
            self.in_line = 0;
        }
        self.flush_buf()?;
        self.out.flush()?;
        Ok(())
    }
}
