//! `textDocument/definition`: from a ref to the entity it names (each
//! definition when it is defined twice); on an entity's name, itself.

use tower_lsp_server::ls_types::Location;

use super::navigation::{at, location};
use crate::analysis::Analysis;
use crate::text::PositionEncoding;
use crate::workspace_index::WorkspaceIndex;

pub fn definition(
    analysis: &Analysis,
    offset: usize,
    index: &WorkspaceIndex,
    enc: PositionEncoding,
) -> Vec<Location> {
    let Some(key) = at(analysis, offset).and_then(|a| a.key()) else {
        return Vec::new();
    };
    index
        .definitions(&key)
        .iter()
        .filter_map(|d| location(d.file, &d.item.name_range, enc))
        .collect()
}
