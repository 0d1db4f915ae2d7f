//! Text of an open document and the conversions between byte offsets and
//! the positions editors and terminals speak (UTF-8/UTF-16 LSP positions,
//! 1-based character columns for the CLI).

mod edit;
mod indent;
mod position;
mod shift;

pub use edit::{Edit, apply_edits};
pub use indent::reindent;
pub use position::{LineCol, LineIndex, PositionEncoding};
pub use shift::{Shift, shift_offset};
