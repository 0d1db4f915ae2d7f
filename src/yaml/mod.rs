//! YAML -> a small positioned tree, one per document of a stream.
//!
//! Built on granit-parser's events (byte spans; resumes at the next
//! document after a syntax error). A document with a syntax error keeps the
//! nodes completed before the error, so rules still see the part of the
//! file above the mistake while the user types.

mod scalar_lines;
mod tree;

pub use scalar_lines::{ValueLine, scalar_lines};
pub use tree::{Document, Entry, Node, NodeKind, ScalarStyle, Stream, SyntaxError, parse_stream};
