//! Byte spans into the query text, and the line/column view of them.

use std::fmt;

/// A half-open byte range `start..end` into the query text.
///
/// Equality deliberately ignores the offsets: two ASTs that differ only in where their
/// nodes sit in the text are the same tree. That is what the printer round-trip needs
/// (a printed query lays tokens out differently), and it is the approach sqlparser-rs
/// takes for its spans. Compare offsets explicitly with [`Span::same_as`].
#[derive(Clone, Copy, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn same_as(&self, other: &Span) -> bool {
        self.start == other.start && self.end == other.end
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// 1-based line and column of a byte offset; the column counts characters, as editors do.
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() as u32 + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let src = "a\nbc\n  d";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 2));
        assert_eq!(line_col(src, 7), (3, 3));
        assert_eq!(line_col(src, 100), (3, 4));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "é x";
        assert_eq!(line_col(src, 3), (1, 3));
    }
}
