//! Moving byte offsets by a delta: results computed for one document of a
//! file are stored relative to the document's start and moved back into
//! place when the file's results are put together (incremental analysis).

use std::ops::Range;

/// Something that holds byte offsets into a text.
pub trait Shift {
    /// Adds `delta` to every byte offset. The caller guarantees no offset
    /// goes below zero (offsets move between "relative to a document" and
    /// "relative to the file", and a document's offsets are never before
    /// its start).
    fn shift(&mut self, delta: isize);
}

pub fn shift_offset(offset: usize, delta: isize) -> usize {
    offset.checked_add_signed(delta).unwrap_or(0)
}

impl Shift for Range<usize> {
    fn shift(&mut self, delta: isize) {
        self.start = shift_offset(self.start, delta);
        self.end = shift_offset(self.end, delta);
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, delta: isize) {
        for item in self {
            item.shift(delta);
        }
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, delta: isize) {
        if let Some(item) = self {
            item.shift(delta);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_move_both_ways() {
        let mut r = 10..14;
        r.shift(-10);
        assert_eq!(r, 0..4);
        let mut v = vec![r, 2..3];
        v.shift(100);
        assert_eq!(v, [100..104, 102..103]);
    }
}
