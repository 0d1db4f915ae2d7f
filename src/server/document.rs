//! An open document: its text and line index, kept in step with the
//! client's incremental changes.

use std::sync::{Arc, Mutex};

use tower_lsp_server::ls_types::{self, TextDocumentContentChangeEvent, Uri};

use crate::analysis::{Analysis, Incremental};
use crate::features::byte_range;
use crate::text::{LineIndex, PositionEncoding};

pub struct Doc {
    /// Unique per `didOpen`, so work started for a closed document is never
    /// mistaken for work on the same URI opened again.
    pub id: u64,
    pub version: i32,
    /// Bumped by every change of text or settings; an analysis is current
    /// only when made at the current revision.
    pub revision: u64,
    /// Shared with analyses in flight; the next change copies it only if
    /// one is still running.
    pub text: Arc<String>,
    pub line_index: Arc<LineIndex>,
    /// The latest analysis.
    pub analysis: Option<Analysed>,
    /// The results of each YAML document of the text, so an edit
    /// re-analyses only the documents it touched. Used by one worker at a
    /// time (and by requests that need an analysis before it is done).
    pub analyzer: Arc<Mutex<Incremental>>,
    /// Whether a worker is analysing this document; at most one runs per
    /// document so a burst of keystrokes on a large file cannot pile up.
    pub analysing: bool,
}

/// An analysis, the revision it was made at, and its static diagnostics
/// in LSP form (kept so live data can be published again without
/// converting them anew).
pub struct Analysed {
    pub revision: u64,
    pub analysis: Arc<Analysis>,
    pub diagnostics: Arc<Vec<ls_types::Diagnostic>>,
}

impl Doc {
    pub fn new(id: u64, version: i32, revision: u64, text: String) -> Self {
        Doc {
            id,
            version,
            revision,
            line_index: Arc::new(LineIndex::new(&text)),
            text: Arc::new(text),
            analysis: None,
            analyzer: Arc::default(),
            analysing: false,
        }
    }

    /// The analysis, if it was made from the current text and settings.
    pub fn current(&self) -> Option<&Analysed> {
        self.analysis
            .as_ref()
            .filter(|a| a.revision == self.revision)
    }

    pub fn current_analysis(&self) -> Option<Arc<Analysis>> {
        self.current().map(|a| a.analysis.clone())
    }

    /// Applies `changes` in order, as the LSP specification asks: each
    /// range refers to the text left by the changes before it.
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: PositionEncoding,
    ) {
        let text = Arc::make_mut(&mut self.text);
        let mut index = self.line_index.clone();
        for change in changes {
            apply_change(text, &index, change, enc);
            index = Arc::new(LineIndex::new(text));
        }
        self.line_index = index;
    }
}

fn apply_change(
    text: &mut String,
    index: &LineIndex,
    change: TextDocumentContentChangeEvent,
    enc: PositionEncoding,
) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let bytes = byte_range(index, &range, enc);
    // LineIndex already lands on character boundaries; this guards a
    // position inside a character from ever reaching `replace_range`.
    let start = floor_char_boundary(text, bytes.start);
    let end = floor_char_boundary(text, bytes.end).max(start);
    text.replace_range(start..end, &change.text);
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The file name in a document URI (`file:///repo/catalog-info.yaml` ->
/// `catalog-info.yaml`), decoded, to recognise catalog files by name.
pub fn file_name(uri: &Uri) -> Option<String> {
    let path = uri.path().as_str();
    let last = path.rsplit('/').next().filter(|s| !s.is_empty())?;
    Some(
        percent_encoding::percent_decode_str(last)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp_server::ls_types::{Position, Range};

    fn change(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(l1, c1), Position::new(l2, c2))),
            range_length: None,
            text: text.to_string(),
        }
    }

    fn apply(
        text: &str,
        changes: Vec<TextDocumentContentChangeEvent>,
        enc: PositionEncoding,
    ) -> String {
        let mut doc = Doc::new(1, 1, 1, text.to_string());
        doc.apply_changes(changes, enc);
        // The index must describe the new text.
        assert_eq!(doc.line_index.line_count(), doc.text.split('\n').count());
        doc.text.to_string()
    }

    #[test]
    fn changes_apply_in_order_against_the_text_before_each() {
        let changes = vec![
            change(0, 0, 0, 0, "x\n"), // "x\nab\ncd"
            change(1, 1, 2, 1, "Z"),   // "x\naZd"
            change(0, 1, 1, 0, ""),    // "xaZd"
        ];
        assert_eq!(apply("ab\ncd", changes, PositionEncoding::Utf16), "xaZd");
    }

    #[test]
    fn multi_byte_lines_in_both_encodings() {
        let text = "k: é😀x\n";
        // Insert before x: UTF-16 column 6, UTF-8 column 9.
        assert_eq!(
            apply(text, vec![change(0, 6, 0, 6, "-")], PositionEncoding::Utf16),
            "k: é😀-x\n"
        );
        assert_eq!(
            apply(text, vec![change(0, 9, 0, 9, "-")], PositionEncoding::Utf8),
            "k: é😀-x\n"
        );
        // Delete the emoji, then split the line after é.
        let changes = vec![change(0, 4, 0, 6, ""), change(0, 4, 0, 4, "\n")];
        assert_eq!(
            apply(text, changes.clone(), PositionEncoding::Utf16),
            "k: é\nx\n"
        );
        let changes = vec![change(0, 5, 0, 9, ""), change(0, 5, 0, 5, "\n")];
        assert_eq!(apply(text, changes, PositionEncoding::Utf8), "k: é\nx\n");
    }

    #[test]
    fn positions_inside_characters_or_past_the_end_do_not_panic() {
        let text = "k: é😀x\n";
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
            for col in 0..12 {
                let _ = apply(text, vec![change(0, col, 0, col + 1, "y")], enc);
            }
            let _ = apply(text, vec![change(0, 7, 0, 2, "reversed")], enc);
            assert_eq!(
                apply(text, vec![change(9, 9, 99, 0, "!")], enc),
                "k: é😀x\n!"
            );
        }
    }

    #[test]
    fn a_change_without_range_replaces_everything() {
        let full = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "new".into(),
        };
        assert_eq!(
            apply(
                "old\n",
                vec![full, change(0, 3, 0, 3, "!")],
                PositionEncoding::Utf16
            ),
            "new!"
        );
    }

    #[test]
    fn file_names_come_from_the_uri_path() {
        let uri: Uri = "file:///repo/svc/catalog-info.yaml".parse().unwrap();
        assert_eq!(file_name(&uri).as_deref(), Some("catalog-info.yaml"));
        let uri: Uri = "file:///repo/my%20dir/a%C3%A9.yaml".parse().unwrap();
        assert_eq!(file_name(&uri).as_deref(), Some("aé.yaml"));
        let uri: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(file_name(&uri).as_deref(), Some("Untitled-1"));
        let uri: Uri = "file:///".parse().unwrap();
        assert_eq!(file_name(&uri), None);
    }
}
