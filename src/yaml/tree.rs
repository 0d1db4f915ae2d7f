use std::ops::Range;

use granit_parser::{Event, Parser, ScalarStyle as GranitStyle, StructureStyle};

use crate::text::{Shift, shift_offset};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Byte range in the source. For block scalars it starts at the first
    /// content character (after the `|`/`>` header line).
    pub range: Range<usize>,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar { value: String, style: ScalarStyle },
    Mapping { flow: bool, entries: Vec<Entry> },
    Sequence { flow: bool, items: Vec<Node> },
    Alias,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset where the parser gave up.
    pub offset: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub root: Option<Node>,
    pub error: Option<SyntaxError>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    pub documents: Vec<Document>,
}

impl Node {
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A plain `~`, `null` or empty value: YAML's null.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, style: ScalarStyle::Plain }
            if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            NodeKind::Mapping { entries, .. } => entries,
            _ => &[],
        }
    }

    /// The value of the first entry whose key is the scalar `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()
            .iter()
            .find(|e| e.key.as_scalar() == Some(key))
    }

    pub fn is_block_mapping(&self) -> bool {
        matches!(self.kind, NodeKind::Mapping { flow: false, .. })
    }

    /// Visits this node and every node below it, without recursion (a
    /// hostile file may nest deeply).
    pub fn walk(&self, mut visit: impl FnMut(&Node)) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            visit(node);
            match &node.kind {
                NodeKind::Mapping { entries, .. } => {
                    for e in entries.iter().rev() {
                        stack.push(&e.value);
                        stack.push(&e.key);
                    }
                }
                NodeKind::Sequence { items, .. } => stack.extend(items.iter().rev()),
                _ => {}
            }
        }
    }
}

impl Shift for Node {
    /// Moves the whole subtree, without recursion.
    fn shift(&mut self, delta: isize) {
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            node.range.shift(delta);
            match &mut node.kind {
                NodeKind::Mapping { entries, .. } => {
                    for e in entries {
                        stack.push(&mut e.key);
                        stack.push(&mut e.value);
                    }
                }
                NodeKind::Sequence { items, .. } => stack.extend(items.iter_mut()),
                _ => {}
            }
        }
    }
}

impl Shift for SyntaxError {
    fn shift(&mut self, delta: isize) {
        self.offset = shift_offset(self.offset, delta);
    }
}

impl Shift for Document {
    fn shift(&mut self, delta: isize) {
        self.root.shift(delta);
        self.error.shift(delta);
    }
}

enum Frame {
    Mapping {
        start: usize,
        flow: bool,
        entries: Vec<Entry>,
        key: Option<Node>,
    },
    Sequence {
        start: usize,
        flow: bool,
        items: Vec<Node>,
    },
}

/// Builds a document's tree from events, closing whatever is still open
/// when the document ends early.
#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl Builder {
    fn push_node(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Sequence { items, .. }) => items.push(node),
            Some(Frame::Mapping { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
            },
        }
    }

    fn close(&mut self, end: Option<usize>) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let node = match frame {
            Frame::Mapping {
                start,
                flow,
                entries,
                ..
            } => {
                let last = entries
                    .last()
                    .map_or(start, |e| e.value.range.end.max(e.key.range.end));
                Node {
                    range: start..end.filter(|_| flow).unwrap_or(last).max(start),
                    kind: NodeKind::Mapping { flow, entries },
                }
            }
            Frame::Sequence { start, flow, items } => {
                let last = items.last().map_or(start, |n| n.range.end);
                Node {
                    range: start..end.filter(|_| flow).unwrap_or(last).max(start),
                    kind: NodeKind::Sequence { flow, items },
                }
            }
        };
        self.push_node(node);
    }

    fn finish(mut self) -> Option<Node> {
        while !self.stack.is_empty() {
            self.close(None);
        }
        self.root
    }
}

fn style(s: GranitStyle) -> ScalarStyle {
    match s {
        GranitStyle::Plain => ScalarStyle::Plain,
        GranitStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        GranitStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        GranitStyle::Literal => ScalarStyle::Literal,
        GranitStyle::Folded => ScalarStyle::Folded,
    }
}

/// Parses every document of `text`. Never fails: syntax errors are recorded
/// on the document they occur in, and parsing resumes at the next `---`.
pub fn parse_stream(text: &str) -> Stream {
    let mut parser = Parser::new_from_str(text);
    let mut documents = Vec::new();
    let mut builder: Option<Builder> = None;
    loop {
        match parser.next_event() {
            None => break,
            Some(Ok((event, span))) => {
                let range = span.byte_range().unwrap_or(0..0);
                match event {
                    Event::StreamStart => {}
                    Event::StreamEnd => break,
                    Event::DocumentStart(..) => builder = Some(Builder::default()),
                    Event::DocumentEnd => {
                        let root = builder.take().unwrap_or_default().finish();
                        documents.push(Document { root, error: None });
                    }
                    Event::Scalar(value, s, ..) => {
                        let b = builder.get_or_insert_with(Builder::default);
                        let range = match s {
                            // A block scalar's span runs into the indentation
                            // of the next line; end it after its last newline.
                            GranitStyle::Literal | GranitStyle::Folded => {
                                let kept = text[range.clone()].trim_end_matches([' ', '\t']).len();
                                range.start..range.start + kept
                            }
                            _ => range,
                        };
                        b.push_node(Node {
                            range,
                            kind: NodeKind::Scalar {
                                value: value.into_owned(),
                                style: style(s),
                            },
                        });
                    }
                    Event::Alias(_) | Event::UnresolvedAlias(_) => {
                        let b = builder.get_or_insert_with(Builder::default);
                        b.push_node(Node {
                            range,
                            kind: NodeKind::Alias,
                        });
                    }
                    Event::MappingStart(s, ..) => {
                        let b = builder.get_or_insert_with(Builder::default);
                        b.stack.push(Frame::Mapping {
                            start: range.start,
                            flow: s == StructureStyle::Flow,
                            entries: Vec::new(),
                            key: None,
                        });
                    }
                    Event::SequenceStart(s, ..) => {
                        let b = builder.get_or_insert_with(Builder::default);
                        b.stack.push(Frame::Sequence {
                            start: range.start,
                            flow: s == StructureStyle::Flow,
                            items: Vec::new(),
                        });
                    }
                    Event::MappingEnd | Event::SequenceEnd => {
                        if let Some(b) = builder.as_mut() {
                            b.close(Some(range.end));
                        }
                    }
                    _ => {}
                }
            }
            Some(Err(err)) => {
                let marker = err.marker();
                let mut offset = marker
                    .byte_offset()
                    .unwrap_or_else(|| char_to_byte(text, marker.index()));
                offset = offset.min(text.len());
                // Point at the tab itself, not at what follows it.
                while offset > 0
                    && text.as_bytes()[offset - 1] == b'\t'
                    && err.info().contains("tab")
                {
                    offset -= 1;
                }
                let root = builder.take().unwrap_or_default().finish();
                documents.push(Document {
                    root,
                    error: Some(SyntaxError {
                        offset,
                        message: err.info().to_string(),
                    }),
                });
                if !matches!(parser.proceed_next_document(), Ok(true)) {
                    break;
                }
            }
        }
    }
    Stream { documents }
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let stream = parse_stream(text);
        assert_eq!(stream.documents.len(), 1, "{stream:?}");
        stream.documents[0].root.clone().expect("a root node")
    }

    #[test]
    fn keys_and_values_carry_byte_ranges() {
        let text = "\u{feff}name: café\nspec:\n  owner: ü-team\n";
        let doc = root(text);
        let owner = doc.get("spec").and_then(|s| s.get("owner")).unwrap();
        assert_eq!(&text[owner.range.clone()], "ü-team");
        let name = doc.entry("name").unwrap();
        assert_eq!(&text[name.key.range.clone()], "name");
        assert_eq!(&text[name.value.range.clone()], "café");
    }

    #[test]
    fn block_scalars_and_nulls() {
        let text = "a: |\n  x: y\n  z: w\nb:\nc: ~\n";
        let doc = root(text);
        let a = doc.get("a").unwrap();
        assert_eq!(a.as_scalar(), Some("x: y\nz: w\n"));
        assert!(matches!(
            a.kind,
            NodeKind::Scalar {
                style: ScalarStyle::Literal,
                ..
            }
        ));
        assert!(doc.get("b").unwrap().is_null());
        assert!(doc.get("c").unwrap().is_null());
        assert!(!a.is_null());
    }

    #[test]
    fn an_error_in_one_document_keeps_the_others() {
        let text = "a: 1\nb: \"open\n---\nk: [1, 2\n---\nname: ok\n";
        let stream = parse_stream(text);
        assert_eq!(stream.documents.len(), 3);
        let first = &stream.documents[0];
        assert!(first.error.is_some());
        // What came before the error is still there.
        assert_eq!(
            first.root.as_ref().unwrap().get("a").unwrap().as_scalar(),
            Some("1")
        );
        assert!(stream.documents[1].error.is_some());
        let last = &stream.documents[2];
        assert!(last.error.is_none());
        assert_eq!(
            last.root.as_ref().unwrap().get("name").unwrap().as_scalar(),
            Some("ok")
        );
    }

    #[test]
    fn syntax_errors_point_at_the_mistake() {
        for (text, at) in [
            ("a:\n\tb: 1\n", "\tb"),
            ("a: b: c\n", ": c"),
            ("x: [1, 2\n", "[1"),
        ] {
            let stream = parse_stream(text);
            let err = stream.documents[0].error.as_ref().expect(text);
            assert_eq!(err.offset, text.find(at).unwrap(), "{text:?}: {err:?}");
        }
    }

    #[test]
    fn empty_input_and_deep_nesting_do_not_panic() {
        assert!(parse_stream("").documents.iter().all(|d| d.root.is_none()));
        let deep = "[".repeat(100_000);
        let stream = parse_stream(&deep);
        assert!(stream.documents.iter().any(|d| d.error.is_some()));
    }

    #[test]
    fn flow_collections_and_aliases() {
        let text = "a: {x: 1, y: [2, 3]}\nb: &anchor v\nc: *anchor\n";
        let doc = root(text);
        let a = doc.get("a").unwrap();
        assert_eq!(&text[a.range.clone()], "{x: 1, y: [2, 3]}");
        assert!(matches!(doc.get("c").unwrap().kind, NodeKind::Alias));
    }
}
