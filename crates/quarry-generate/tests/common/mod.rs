//! A sink that keeps every record, for the tests.

#![allow(dead_code)]

use defender_schema::Table;
use quarry_generate::{GenerateConfig, GenerateError, Row, Sink, Value};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Owned {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Real(f64),
    String(String),
    DateTime(i64),
    Dynamic(String),
}

impl Owned {
    pub fn str(&self) -> &str {
        match self {
            Owned::String(s) | Owned::Dynamic(s) => s,
            _ => "",
        }
    }

    pub fn long(&self) -> Option<i64> {
        match self {
            Owned::Long(v) | Owned::DateTime(v) => Some(*v),
            Owned::Int(v) => Some(i64::from(*v)),
            _ => None,
        }
    }
}

#[derive(Default)]
pub struct Collect {
    pub tables: HashMap<&'static str, (&'static Table, Vec<Vec<Owned>>)>,
}

impl Sink for Collect {
    fn record(&mut self, table: &'static Table, row: &Row) -> Result<(), GenerateError> {
        let vals = row
            .values()
            .map(|v| match v {
                Value::Null => Owned::Null,
                Value::Bool(b) => Owned::Bool(b),
                Value::Int(i) => Owned::Int(i),
                Value::Long(i) => Owned::Long(i),
                Value::Real(f) => Owned::Real(f),
                Value::String(s) => Owned::String(s.to_string()),
                Value::DateTime(t) => Owned::DateTime(t),
                Value::Dynamic(s) => Owned::Dynamic(s.to_string()),
            })
            .collect();
        self.tables
            .entry(table.name)
            .or_insert((table, Vec::new()))
            .1
            .push(vals);
        Ok(())
    }
}

impl Collect {
    pub fn rows(&self, table: &str) -> &[Vec<Owned>] {
        self.tables
            .get(table)
            .map(|(_, r)| r.as_slice())
            .unwrap_or(&[])
    }

    pub fn col(&self, table: &str, column: &str) -> usize {
        let t = defender_schema::table(table).expect("table");
        t.all_columns()
            .iter()
            .position(|c| c.name == column)
            .expect("column")
    }
}

/// 2025-03-14T12:00:00Z
pub const END: i64 = 17_419_536_000_000_000;

pub fn small() -> GenerateConfig {
    let mut c = GenerateConfig::new("contoso", 14, 5, 7, END);
    c.volume = 0.3;
    c
}

pub fn collect(cfg: &GenerateConfig) -> Collect {
    let mut sink = Collect::default();
    quarry_generate::generate(cfg, &mut sink).expect("generate");
    sink
}
