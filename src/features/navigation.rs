//! What stands under the cursor for navigation: a ref in a `spec` field,
//! or an entity's own name; and index locations in LSP form.

use tower_lsp_server::ls_types::{Location, Uri};

use super::lsp_range;
use crate::analysis::Analysis;
use crate::catalog::refs::{EntityInfo, RefKey, RefUse};
use crate::text::PositionEncoding;
use crate::workspace_index::IndexedFile;

#[derive(Debug, Clone, Copy)]
pub enum At<'a> {
    /// A ref, in the entity that writes it.
    Ref(&'a EntityInfo, &'a RefUse),
    /// The entity's own `metadata.name`.
    Name(&'a EntityInfo),
}

impl At<'_> {
    /// The entity the cursor is about: a ref's target, or the entity itself.
    pub fn key(&self) -> Option<RefKey> {
        match self {
            At::Ref(_, r) => r.target.clone(),
            At::Name(e) => (!e.name.is_empty()).then(|| e.key()),
        }
    }
}

pub fn at(analysis: &Analysis, offset: usize) -> Option<At<'_>> {
    analysis.entities.iter().find_map(|e| {
        if let Some(r) = e.ref_at(offset) {
            return Some(At::Ref(e, r));
        }
        let name = &e.name_range;
        (!e.name.is_empty() && name.start <= offset && offset <= name.end).then_some(At::Name(e))
    })
}

/// A byte range of an indexed file as an LSP location; `None` when the
/// file's URI does not parse as one (never for files we indexed ourselves).
pub fn location(
    file: &IndexedFile,
    range: &std::ops::Range<usize>,
    enc: PositionEncoding,
) -> Option<Location> {
    let uri: Uri = file.uri.parse().ok()?;
    Some(Location {
        uri,
        range: lsp_range(&file.line_index, range, enc),
    })
}
