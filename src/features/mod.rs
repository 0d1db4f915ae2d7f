//! One module per LSP feature: pure functions from an `Analysis` (and the
//! document's line index) to LSP types.
