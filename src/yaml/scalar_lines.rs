//! Lines of a scalar's value with the source offset of each, so a
//! diagnostic about characters inside a value (one line of a `|` block, the
//! host of a quoted URL) can point at exactly those characters.

use std::ops::Range;

use super::{Node, NodeKind, ScalarStyle};
use crate::text::LineIndex;

/// One line of a scalar's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueLine<'a> {
    pub text: &'a str,
    /// Where `text` stands in the source, byte for byte, when it does;
    /// `None` when the value differs from its source (escapes, folding).
    pub source_start: Option<usize>,
    /// The source range to fall back on when there is no exact mapping.
    pub fallback: Range<usize>,
}

impl ValueLine<'_> {
    /// Source range of `range` (byte offsets into `self.text`).
    pub fn source_range(&self, range: Range<usize>) -> Range<usize> {
        match self.source_start {
            Some(start) => start + range.start..start + range.end,
            None => self.fallback.clone(),
        }
    }

    /// Whether edits inside this line can be expressed in the source.
    pub fn is_exact(&self) -> bool {
        self.source_start.is_some()
    }
}

/// The lines of a scalar as the Backstage plugin sees them. Block scalars
/// (`|` and `>`) are read from the source lines, which is what the user
/// wrote: for `|` that is the value; for `>` it is the value before folding.
pub fn scalar_lines<'a>(text: &'a str, node: &'a Node, index: &LineIndex) -> Vec<ValueLine<'a>> {
    let NodeKind::Scalar { value, style } = &node.kind else {
        return Vec::new();
    };
    let range = node.range.clone();
    match style {
        ScalarStyle::Literal | ScalarStyle::Folded => block_lines(text, range, index),
        ScalarStyle::Plain => single(value, &text[range.clone()], range.start, range),
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            let inner = range.start + 1..range.end.saturating_sub(1).max(range.start + 1);
            single(
                value,
                text.get(inner.clone()).unwrap_or(""),
                inner.start,
                range,
            )
        }
    }
}

fn single<'a>(
    value: &'a str,
    source: &str,
    start: usize,
    fallback: Range<usize>,
) -> Vec<ValueLine<'a>> {
    let exact = value == source;
    vec![ValueLine {
        text: value,
        source_start: exact.then_some(start),
        fallback,
    }]
}

fn block_lines<'a>(text: &'a str, range: Range<usize>, index: &LineIndex) -> Vec<ValueLine<'a>> {
    if range.is_empty() {
        return Vec::new();
    }
    let first = index.line_of(range.start);
    let last = index.line_of(range.end - 1);
    let indent = range.start - index.line_start(first);
    (first..=last)
        .map(|line| {
            let start = index.line_start(line);
            let end = index.line_end(line).min(range.end);
            let content = (start + indent).min(end);
            ValueLine {
                text: &text[content..end],
                source_start: Some(content),
                fallback: start..end,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    fn lines_of(text: &str, key: &str) -> Vec<(String, Option<String>)> {
        let stream = parse_stream(text);
        let root = stream.documents[0].root.as_ref().unwrap();
        let node = root.get(key).unwrap();
        let index = LineIndex::new(text);
        scalar_lines(text, node, &index)
            .into_iter()
            .map(|l| {
                let src = l
                    .source_start
                    .map(|s| text[s..s + l.text.len()].to_string());
                (l.text.to_string(), src)
            })
            .collect()
    }

    #[test]
    fn literal_block_lines_map_to_their_source() {
        let text = "k: |\r\n  a: 1\r\n\r\n  b: ü\r\nz: 1\r\n";
        let lines = lines_of(text, "k");
        let texts: Vec<&str> = lines.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["a: 1", "", "b: ü"]);
        for (t, src) in &lines {
            assert_eq!(Some(t), src.as_ref());
        }
    }

    #[test]
    fn quoted_scalars_map_inside_the_quotes_unless_escaped() {
        assert_eq!(
            lines_of("k: 'abc'\n", "k"),
            [("abc".into(), Some("abc".into()))]
        );
        assert_eq!(lines_of("k: \"a\\u00e9\"\n", "k"), [("aé".into(), None)]);
        assert_eq!(
            lines_of("k: plain\n", "k"),
            [("plain".into(), Some("plain".into()))]
        );
    }
}
