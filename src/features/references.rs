//! `textDocument/references`: every ref to the entity under the cursor
//! (a ref or the entity's own name), across the workspace.

use tower_lsp_server::ls_types::Location;

use super::navigation::{at, location};
use crate::analysis::Analysis;
use crate::text::PositionEncoding;
use crate::workspace_index::WorkspaceIndex;

pub fn references(
    analysis: &Analysis,
    offset: usize,
    index: &WorkspaceIndex,
    include_declaration: bool,
    enc: PositionEncoding,
) -> Vec<Location> {
    let Some(key) = at(analysis, offset).and_then(|a| a.key()) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if include_declaration {
        found.extend(
            index
                .definitions(&key)
                .iter()
                .filter_map(|d| location(d.file, &d.item.name_range, enc)),
        );
    }
    found.extend(
        index
            .references(&key)
            .iter()
            .filter_map(|r| location(r.file, &r.item.range, enc)),
    );
    found
}
