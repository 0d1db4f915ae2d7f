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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::navigation::fixtures::*;
    use crate::features::navigation::test_index;
    use crate::settings::Settings;

    fn jump(offset: usize) -> Vec<(String, u32)> {
        let index = test_index(&[(TEAMS_URI, TEAMS), (SVC_URI, SVC)]);
        let analysis = crate::analysis::analyze_catalog(SVC, &Settings::default());
        definition(&analysis, offset, &index, PositionEncoding::Utf16)
            .into_iter()
            .map(|l| (l.uri.as_str().to_string(), l.range.start.line))
            .collect()
    }

    #[test]
    fn refs_jump_to_the_name_of_their_entity_in_any_case_and_namespace() {
        // `Team-A` is group:default/team-a, line 2 of teams.yaml.
        assert_eq!(
            jump(SVC.find("Team-A").unwrap()),
            [(TEAMS_URI.to_string(), 2)]
        );
        // `retail/shop`: the System in namespace retail.
        assert_eq!(
            jump(SVC.find("retail/shop").unwrap() + 8),
            [(TEAMS_URI.to_string(), 18)]
        );
        assert!(jump(SVC.find("missing-api").unwrap()).is_empty());
        assert!(jump(SVC.find("kind").unwrap()).is_empty());
        // On its own name, an entity is its own definition.
        assert_eq!(jump(SVC.find("svc\n").unwrap()), [(SVC_URI.to_string(), 3)]);
    }
}
