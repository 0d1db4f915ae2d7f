use line_index::{TextSize, WideEncoding, WideLineCol};

/// How the `character` of an LSP position is counted, as negotiated with
/// the client at `initialize` (LSP 3.17 `positionEncoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
}

impl PositionEncoding {
    /// The LSP name of the encoding.
    pub fn as_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
        }
    }

    /// Picks utf-8 when the client offers it (no conversion at all), else
    /// utf-16, the encoding every client must support.
    pub fn negotiate<'a>(offered: impl IntoIterator<Item = &'a str>) -> Self {
        if offered.into_iter().any(|e| e == "utf-8") {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        }
    }
}

/// A 1-based line and 1-based column counted in Unicode characters, as the
/// CLI prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// Line starts of a text, for converting byte offsets to and from positions
/// in O(log lines). Built once per text version (on every keystroke, so it
/// holds no more than line-index's table and the few `\r\n` lines).
#[derive(Debug, Clone)]
pub struct LineIndex {
    inner: line_index::LineIndex,
    /// The lines (0-based) that end in `\r\n`, in order.
    crlf_lines: Vec<u32>,
    lines: usize,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let inner = line_index::LineIndex::new(text);
        let bytes = text.as_bytes();
        // The line of the end of the text, from line-index's table.
        let lines = inner.line_col(TextSize::from(text.len() as u32)).line as usize + 1;
        // `\r` is rare: memchr skips the rest.
        let mut crlf_lines = Vec::new();
        let mut line = 0u32;
        for (i, _) in text.match_indices('\r') {
            if bytes.get(i + 1) != Some(&b'\n') {
                continue;
            }
            // Lines only grow: step to the one holding `i`.
            while inner.line(line).is_some_and(|r| usize::from(r.end()) <= i) {
                line += 1;
            }
            crlf_lines.push(line);
        }
        LineIndex {
            inner,
            crlf_lines,
            lines,
            len: text.len(),
        }
    }

    /// The byte offsets where lines start, in order.
    pub fn line_starts(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.lines).map(|line| self.line_start(line))
    }

    pub fn line_count(&self) -> usize {
        self.lines
    }

    /// The byte offset where line `line` (0-based) starts.
    pub fn line_start(&self, line: usize) -> usize {
        let line = line.min(self.lines - 1) as u32;
        self.inner
            .line(line)
            .map(|r| usize::from(r.start()))
            .unwrap_or(self.len)
    }

    /// The byte offset where the content of line `line` ends.
    pub fn line_end(&self, line: usize) -> usize {
        let line = line.min(self.lines - 1);
        if line == self.lines - 1 {
            return self.len;
        }
        // Before the `\n` that starts the next line, and its `\r`.
        let newline = self.line_start(line + 1) - 1;
        let crlf = self.crlf_lines.binary_search(&(line as u32)).is_ok();
        newline - usize::from(crlf)
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.inner.line_col(self.clamp(offset)).line as usize
    }

    fn clamp(&self, offset: usize) -> TextSize {
        let mut offset = offset.min(self.len);
        // Step back onto a character boundary: line-index refuses the middle of one.
        while self
            .inner
            .try_line_col(TextSize::from(offset as u32))
            .is_none()
            && offset > 0
        {
            offset -= 1;
        }
        TextSize::from(offset as u32)
    }

    /// LSP position (0-based line, character in `enc` units) of a byte offset.
    pub fn position(&self, offset: usize, enc: PositionEncoding) -> (u32, u32) {
        let lc = self.inner.line_col(self.clamp(offset));
        match enc {
            PositionEncoding::Utf8 => (lc.line, lc.col),
            PositionEncoding::Utf16 => {
                let wide = self
                    .inner
                    .to_wide(WideEncoding::Utf16, lc)
                    .expect("in range");
                (wide.line, wide.col)
            }
        }
    }

    /// Byte offset of an LSP position. Positions past the end of a line
    /// clamp to the line's end, lines past the end to the end of the text,
    /// as the LSP specification asks.
    pub fn offset(&self, line: u32, character: u32, enc: PositionEncoding) -> usize {
        let line = line as usize;
        if line >= self.lines {
            return self.len;
        }
        let start = self.line_start(line);
        let end = self.line_end(line);
        let col = match enc {
            PositionEncoding::Utf8 => character,
            PositionEncoding::Utf16 => {
                let wide = WideLineCol {
                    line: line as u32,
                    col: character,
                };
                match self.inner.to_utf8(WideEncoding::Utf16, wide) {
                    Some(lc) => lc.col,
                    None => return end,
                }
            }
        };
        let offset = (start + col as usize).min(end);
        usize::from(self.clamp(offset))
    }

    /// 1-based line and character column of a byte offset, for humans.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let lc = self.inner.line_col(self.clamp(offset));
        let wide = self
            .inner
            .to_wide(WideEncoding::Utf32, lc)
            .expect("in range");
        LineCol {
            line: wide.line as usize + 1,
            column: wide.col as usize + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a: é😀x\r\nb: 1\n";

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        let idx = LineIndex::new(TEXT);
        let x = TEXT.find('x').unwrap();
        assert_eq!(idx.position(x, PositionEncoding::Utf16), (0, 6));
        assert_eq!(idx.position(x, PositionEncoding::Utf8), (0, 9));
        assert_eq!(idx.offset(0, 6, PositionEncoding::Utf16), x);
        assert_eq!(idx.offset(0, 9, PositionEncoding::Utf8), x);
    }

    #[test]
    fn positions_past_the_end_clamp() {
        let idx = LineIndex::new(TEXT);
        // Past the end of line 0 stops before the \r\n.
        assert_eq!(
            idx.offset(0, 99, PositionEncoding::Utf16),
            TEXT.find('\r').unwrap()
        );
        assert_eq!(idx.offset(7, 0, PositionEncoding::Utf16), TEXT.len());
        // Inside a surrogate pair or a multi-byte character: never panics.
        let _ = idx.offset(0, 5, PositionEncoding::Utf16);
        let _ = idx.offset(0, 4, PositionEncoding::Utf8);
        assert_eq!(idx.position(usize::MAX, PositionEncoding::Utf8), (2, 0));
    }

    #[test]
    fn human_columns_count_characters() {
        let idx = LineIndex::new(TEXT);
        let x = TEXT.find('x').unwrap();
        assert_eq!(idx.line_col(x), LineCol { line: 1, column: 6 });
        assert_eq!(
            idx.line_col(TEXT.find('b').unwrap()),
            LineCol { line: 2, column: 1 }
        );
    }

    #[test]
    fn line_starts_and_ends_match_a_plain_scan() {
        for text in [
            "",
            "a",
            "\n",
            "a\r\nb\rc\n\r\n\r",
            "x\r\n\r\n\ny\r\n",
            "é\r\n😀\nz",
        ] {
            let idx = LineIndex::new(text);
            let mut start = 0;
            let lines: Vec<&str> = text.split('\n').collect();
            assert_eq!(idx.line_count(), lines.len(), "{text:?}");
            for (n, line) in lines.iter().enumerate() {
                let content = line.strip_suffix('\r').filter(|_| n + 1 < lines.len());
                let end = start + content.unwrap_or(line).len();
                assert_eq!(idx.line_start(n), start, "{text:?} line {n}");
                assert_eq!(idx.line_end(n), end, "{text:?} line {n}");
                start += line.len() + 1;
            }
        }
    }

    #[test]
    fn negotiation_prefers_utf8() {
        assert_eq!(
            PositionEncoding::negotiate(["utf-16", "utf-8"]),
            PositionEncoding::Utf8
        );
        assert_eq!(
            PositionEncoding::negotiate(["utf-32"]),
            PositionEncoding::Utf16
        );
        assert_eq!(PositionEncoding::negotiate([]), PositionEncoding::Utf16);
    }
}
