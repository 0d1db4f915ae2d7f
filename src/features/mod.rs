//! One module per LSP feature: pure functions from an `Analysis` (and the
//! document's line index) to LSP types.

pub mod code_action;
pub mod code_lens;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod document_link;
pub mod hover;
pub mod live_diagnostics;
pub mod navigation;
pub mod ref_hover;
pub mod references;
pub mod symbols;
mod when;

use std::ops::Range;

use tower_lsp_server::ls_types;

use crate::text::{LineIndex, PositionEncoding};

/// Byte range -> LSP range in the negotiated encoding.
pub fn lsp_range(
    index: &LineIndex,
    range: &Range<usize>,
    enc: PositionEncoding,
) -> ls_types::Range {
    let (sl, sc) = index.position(range.start, enc);
    let (el, ec) = index.position(range.end.max(range.start), enc);
    ls_types::Range::new(
        ls_types::Position::new(sl, sc),
        ls_types::Position::new(el, ec),
    )
}

/// LSP range -> byte range. Positions past the end clamp; a reversed range
/// collapses to its start, so a confused client cannot make us panic.
pub fn byte_range(
    index: &LineIndex,
    range: &ls_types::Range,
    enc: PositionEncoding,
) -> Range<usize> {
    let start = index.offset(range.start.line, range.start.character, enc);
    let end = index.offset(range.end.line, range.end.character, enc);
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_round_trip_in_both_encodings() {
        let text = "k: é😀 http://x\n";
        let index = LineIndex::new(text);
        let start = text.find("http").unwrap();
        let bytes = start..start + 4;
        let utf16 = lsp_range(&index, &bytes, PositionEncoding::Utf16);
        assert_eq!((utf16.start.character, utf16.end.character), (7, 11));
        let utf8 = lsp_range(&index, &bytes, PositionEncoding::Utf8);
        assert_eq!(
            (utf8.start.character, utf8.end.character),
            (start as u32, start as u32 + 4)
        );
        assert_eq!(byte_range(&index, &utf16, PositionEncoding::Utf16), bytes);
        assert_eq!(byte_range(&index, &utf8, PositionEncoding::Utf8), bytes);
    }

    #[test]
    fn reversed_and_out_of_bounds_ranges_do_not_panic() {
        let index = LineIndex::new("ab\n");
        let reversed =
            ls_types::Range::new(ls_types::Position::new(0, 2), ls_types::Position::new(0, 0));
        assert_eq!(byte_range(&index, &reversed, PositionEncoding::Utf16), 2..2);
        let far = ls_types::Range::new(
            ls_types::Position::new(9, 9),
            ls_types::Position::new(99, 0),
        );
        assert_eq!(byte_range(&index, &far, PositionEncoding::Utf8), 3..3);
    }
}
