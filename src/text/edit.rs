use std::ops::Range;

use super::Shift;

/// A replacement of a byte range of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, new_text: impl Into<String>) -> Self {
        Edit {
            range,
            new_text: new_text.into(),
        }
    }

    pub fn insert(at: usize, new_text: impl Into<String>) -> Self {
        Edit::replace(at..at, new_text)
    }

    pub fn delete(range: Range<usize>) -> Self {
        Edit::replace(range, "")
    }
}

impl Shift for Edit {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
    }
}

/// Applies non-overlapping edits to `text`. Edits are sorted by position
/// first; an edit that overlaps one already taken, or that does not fall on
/// character boundaries, is skipped and reported in the returned count so a
/// caller can try it again on the next round.
pub fn apply_edits(text: &str, edits: &[Edit]) -> (String, usize) {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    let mut skipped = 0;
    for edit in sorted {
        let Range { start, end } = edit.range;
        let valid = start >= cursor
            && start <= end
            && end <= text.len()
            && text.is_char_boundary(start)
            && text.is_char_boundary(end);
        if !valid {
            skipped += 1;
            continue;
        }
        out.push_str(&text[cursor..start]);
        out.push_str(&edit.new_text);
        cursor = end;
    }
    out.push_str(&text[cursor..]);
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_in_position_order_whatever_the_input_order() {
        let edits = [Edit::insert(5, "!"), Edit::replace(0..1, "J")];
        assert_eq!(apply_edits("hello", &edits), ("Jello!".to_string(), 0));
    }

    #[test]
    fn skips_overlapping_and_out_of_bounds_edits() {
        let edits = [
            Edit::replace(0..3, "x"),
            Edit::replace(2..4, "y"),
            Edit::insert(99, "z"),
        ];
        assert_eq!(apply_edits("abcdef", &edits), ("xdef".to_string(), 2));
    }

    #[test]
    fn refuses_to_split_a_character() {
        let (out, skipped) = apply_edits("é", &[Edit::insert(1, "x")]);
        assert_eq!((out.as_str(), skipped), ("é", 1));
    }
}
