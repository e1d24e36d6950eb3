//! Byte offsets to line and column, fast for a flow of any size: lines are found once, and
//! columns are counted on from the last position asked for when it is earlier on the same
//! line (positions are asked for in document order), so a one-line file costs no more.

use std::cell::Cell;

use super::diagnostic::Position;

/// The line starts of a text, and where the last lookup ended.
pub(super) struct TextIndex<'t> {
    text: &'t str,
    /// Byte offset of each line's first character.
    line_starts: Vec<usize>,
    /// The last lookup: its byte offset, and its column.
    cursor: Cell<(usize, u32)>,
}

impl<'t> TextIndex<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Self { text, line_starts, cursor: Cell::new((0, 1)) }
    }

    /// The 1-based line and column (in characters) of byte offset `byte`.
    pub(super) fn position(&self, byte: usize) -> Position {
        let byte = byte.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= byte) - 1;
        let start = self.line_starts[line];
        let (from, column) = match self.cursor.get() {
            (at, column) if at >= start && at <= byte => (at, column),
            _ => (start, 1),
        };
        let column = column + self.text.get(from..byte).map_or(0, |s| s.chars().count()) as u32;
        self.cursor.set((byte, column));
        Position { line: line as u32 + 1, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_any_order_match_a_plain_count() {
        let text = "ab\nçd e\n\nlast";
        let index = TextIndex::new(text);
        let plain = |byte: usize| {
            let before = &text[..byte];
            let line = before.matches('\n').count() as u32 + 1;
            let column = before.rsplit('\n').next().unwrap().chars().count() as u32 + 1;
            Position { line, column }
        };
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        for &byte in offsets.iter().chain(offsets.iter().rev()) {
            assert_eq!(index.position(byte), plain(byte), "at byte {byte}");
        }
    }
}
