//! Rows: one cell per column of `Table::all_columns()`, text kept in a per-row arena so
//! building a row allocates nothing once the buffers have grown.

use crate::cols::Cols;
use defender_schema::Table;
use kql_syntax::ast::ScalarType;
use std::fmt::Write as _;

/// One cell as a sink sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Real(f64),
    String(&'a str),
    /// Ticks (100 ns) since the Unix epoch.
    DateTime(i64),
    /// JSON text of a `dynamic` column.
    Dynamic(&'a str),
}

#[derive(Debug, Clone, Copy)]
enum Cell {
    Null,
    Bool(bool),
    Int(i32),
    Long(i64),
    Real(f64),
    Str(u32, u32),
    DateTime(i64),
    Dyn(u32, u32),
}

/// The values of one record, in the order of `table.all_columns()`.
#[derive(Debug)]
pub struct Row {
    cells: Vec<Cell>,
    types: Vec<ScalarType>,
    buf: String,
}

impl Row {
    pub fn new(table: &Table) -> Row {
        let types: Vec<ScalarType> = table.all_columns().iter().map(|c| c.ty).collect();
        Row {
            cells: vec![Cell::Null; types.len()],
            types,
            buf: String::with_capacity(4096),
        }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The value of column `i` (`Null` past the end).
    #[inline]
    pub fn get(&self, i: usize) -> Value<'_> {
        match self.cells.get(i) {
            None | Some(Cell::Null) => Value::Null,
            Some(Cell::Bool(b)) => Value::Bool(*b),
            Some(Cell::Int(v)) => Value::Int(*v),
            Some(Cell::Long(v)) => Value::Long(*v),
            Some(Cell::Real(v)) => Value::Real(*v),
            Some(Cell::DateTime(v)) => Value::DateTime(*v),
            Some(Cell::Str(a, b)) => Value::String(self.text(*a, *b)),
            Some(Cell::Dyn(a, b)) => Value::Dynamic(self.text(*a, *b)),
        }
    }

    #[inline]
    fn text(&self, a: u32, b: u32) -> &str {
        self.buf.get(a as usize..b as usize).unwrap_or("")
    }

    pub fn values(&self) -> impl Iterator<Item = Value<'_>> {
        (0..self.cells.len()).map(|i| self.get(i))
    }

    pub(crate) fn clear(&mut self) {
        self.cells.fill(Cell::Null);
        self.buf.clear();
    }

    #[inline]
    fn set(&mut self, i: usize, c: Cell) {
        if let Some(slot) = self.cells.get_mut(i) {
            *slot = c;
        }
    }

    fn text_cell(&self, i: usize, a: usize, b: usize) -> Cell {
        match self.types.get(i) {
            Some(ScalarType::Dynamic) => Cell::Dyn(a as u32, b as u32),
            _ => Cell::Str(a as u32, b as u32),
        }
    }

    /// A string (or, in a `dynamic` column, JSON text).
    #[inline]
    pub(crate) fn s(&mut self, i: usize, v: &str) {
        if i >= self.cells.len() {
            return;
        }
        let a = self.buf.len();
        self.buf.push_str(v);
        let c = self.text_cell(i, a, self.buf.len());
        self.cells[i] = c;
    }

    /// Formatted text, written straight into the arena.
    #[inline]
    pub(crate) fn f(&mut self, i: usize, args: std::fmt::Arguments<'_>) {
        if i >= self.cells.len() {
            return;
        }
        let a = self.buf.len();
        // Writing into a String cannot fail.
        let _ = self.buf.write_fmt(args);
        let c = self.text_cell(i, a, self.buf.len());
        self.cells[i] = c;
    }

    /// Text built by a closure into the arena.
    #[inline]
    pub(crate) fn with(&mut self, i: usize, build: impl FnOnce(&mut String)) {
        if i >= self.cells.len() {
            return;
        }
        let a = self.buf.len();
        build(&mut self.buf);
        let c = self.text_cell(i, a, self.buf.len());
        self.cells[i] = c;
    }

    /// A number, stored as the column's own numeric type.
    #[inline]
    pub(crate) fn n(&mut self, i: usize, v: i64) {
        let c = match self.types.get(i) {
            Some(ScalarType::Int) => Cell::Int(v as i32),
            Some(ScalarType::Real) => Cell::Real(v as f64),
            Some(ScalarType::Long) => Cell::Long(v),
            Some(ScalarType::String) => {
                let a = self.buf.len();
                let _ = write!(self.buf, "{v}");
                Cell::Str(a as u32, self.buf.len() as u32)
            }
            _ => return,
        };
        self.set(i, c);
    }

    #[inline]
    pub(crate) fn r(&mut self, i: usize, v: f64) {
        self.set(i, Cell::Real(v));
    }

    #[inline]
    pub(crate) fn b(&mut self, i: usize, v: bool) {
        self.set(i, Cell::Bool(v));
    }

    #[inline]
    pub(crate) fn t(&mut self, i: usize, ticks: i64) {
        self.set(i, Cell::DateTime(ticks));
    }

    /// Copies a cell from column `from` to column `to` (same kind).
    pub(crate) fn copy(&mut self, from: usize, to: usize) {
        if let Some(c) = self.cells.get(from).copied() {
            self.set(to, c);
        }
    }
}

/// A table, its resolved column indexes and its reusable row.
pub(crate) struct TableWriter {
    pub table: &'static Table,
    pub c: Box<Cols>,
    pub row: Row,
    documents_type: bool,
}

impl TableWriter {
    pub fn new(table: &'static Table) -> TableWriter {
        let cols = table.all_columns();
        let c = Box::new(Cols::resolve(&cols));
        TableWriter {
            table,
            c,
            row: Row::new(table),
            documents_type: table.column("Type").is_some(),
        }
    }

    /// Fills the Sentinel columns from the row: `TimeGenerated` = `Timestamp`, `Type` =
    /// the table name (IdentityInfo documents its own `Type`, left as set).
    pub fn finish_row(&mut self) {
        let c = &self.c;
        if c.Timestamp != crate::cols::ABSENT {
            self.row.copy(c.Timestamp, c.TimeGenerated);
        }
        if !self.documents_type {
            let ty = c.Type;
            self.row.s(ty, self.table.name);
        }
    }
}
