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

/// An index of `files` (URI, text), for the features' tests.
#[cfg(test)]
pub(crate) fn test_index(files: &[(&str, &str)]) -> crate::workspace_index::WorkspaceIndex {
    use std::sync::Arc;
    let mut index = crate::workspace_index::WorkspaceIndex::default();
    index.set_roots(vec!["/ws".into()]);
    for (uri, text) in files {
        let analysis =
            crate::analysis::analyze_catalog(text, &crate::settings::Settings::default());
        index.set_disk(IndexedFile::new(
            *uri,
            Arc::new(crate::text::LineIndex::new(text)),
            Arc::new(analysis),
        ));
    }
    index
}

#[cfg(test)]
pub(crate) mod fixtures {
    pub const TEAMS_URI: &str = "file:///ws/org/teams.yaml";
    pub const TEAMS: &str = "kind: Group\nmetadata:\n  name: team-a\n  title: Team *A*\n  description: Builds things.\nspec:\n  type: team\n  members: [jane]\n---\nkind: User\nmetadata:\n  name: jane\n  namespace: default\nspec:\n  memberOf: [team-a]\n---\nkind: System\nmetadata:\n  name: shop\n  namespace: retail\nspec:\n  owner: default/team-a\n";
    pub const SVC_URI: &str = "file:///ws/svc/catalog-info.yaml";
    pub const SVC: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc\nspec:\n  owner: Team-A\n  system: retail/shop\n  consumesApis: [missing-api]\n";
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;
    use crate::settings::Settings;

    #[test]
    fn the_cursor_is_on_a_ref_or_on_an_entity_name() {
        let analysis = crate::analysis::analyze_catalog(SVC, &Settings::default());
        let owner = SVC.find("Team-A").unwrap();
        for offset in [owner, owner + 3, owner + 6] {
            let Some(At::Ref(e, r)) = at(&analysis, offset) else {
                panic!("no ref at {offset}");
            };
            assert_eq!((&*e.name, r.field.key), ("svc", "owner"));
        }
        let name = SVC.find("svc\n").unwrap();
        let Some(At::Name(e)) = at(&analysis, name + 1) else {
            panic!("not on the name");
        };
        assert_eq!(e.key().to_string(), "component:default/svc");
        assert!(at(&analysis, SVC.find("kind").unwrap()).is_none());
    }

    /// Every prefix of a file full of refs (quoted, flow, multi-byte,
    /// malformed), and every offset in it: no panic, and every range on
    /// character boundaries.
    #[test]
    fn no_prefix_or_offset_panics() {
        let sample = "kind: Component\r\nmetadata:\n  name: \"café-😀\"\n  namespace: ''\nspec:\n  owner: 'user:ü/x'\n  system: [a, \"b\\u00e9\"]\n  dependsOn:\n  - \n  - ':'\n  - {a: b}\n  providesApis: [/, x/, é:]\n---\nkind: Group\nspec:\n  members: *alias\n";
        let index = test_index(&[(TEAMS_URI, TEAMS)]);
        let ends = sample.char_indices().map(|(i, _)| i).chain([sample.len()]);
        for end in ends {
            let text = &sample[..end];
            let analysis = crate::analysis::analyze_catalog(text, &Settings::default());
            for e in &analysis.entities {
                let ranges = e
                    .refs
                    .iter()
                    .map(|r| e.ref_range(r))
                    .chain([e.range.clone(), e.name_range.clone()]);
                for r in ranges {
                    assert!(r.start <= r.end && r.end <= text.len(), "{r:?} in {text:?}");
                    assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                }
            }
            for offset in 0..=text.len() + 1 {
                let _ = at(&analysis, offset);
                let _ = crate::features::ref_hover::ref_hover(&analysis, offset, &index);
                let enc = PositionEncoding::Utf16;
                let _ = crate::features::definition::definition(&analysis, offset, &index, enc);
                let _ =
                    crate::features::references::references(&analysis, offset, &index, true, enc);
                let site = crate::features::completion::refs::ref_site(text, offset, &analysis);
                if let Some(site) = site {
                    assert!(
                        site.replace.start <= site.replace.end && site.replace.end <= text.len()
                    );
                }
            }
        }
    }
}
