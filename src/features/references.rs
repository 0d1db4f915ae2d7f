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
            .filter_map(|r| location(r.file, &r.range, enc)),
    );
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::navigation::fixtures::*;
    use crate::features::navigation::test_index;
    use crate::settings::Settings;

    #[test]
    fn references_to_a_group_with_and_without_its_declaration() {
        let index = test_index(&[(TEAMS_URI, TEAMS), (SVC_URI, SVC)]);
        let analysis = crate::analysis::analyze_catalog(TEAMS, &Settings::default());
        let name = TEAMS.find("team-a").unwrap();
        let lines = |include| -> Vec<(String, u32)> {
            references(&analysis, name, &index, include, PositionEncoding::Utf16)
                .into_iter()
                .map(|l| {
                    (
                        l.uri.as_str().rsplit('/').next().unwrap().to_string(),
                        l.range.start.line,
                    )
                })
                .collect()
        };
        // jane's memberOf, the System's `default/team-a`, svc's `Team-A`.
        let refs = [
            ("teams.yaml".to_string(), 14),
            ("teams.yaml".to_string(), 21),
            ("catalog-info.yaml".to_string(), 5),
        ];
        assert_eq!(lines(false), refs);
        let mut with_declaration = vec![("teams.yaml".to_string(), 2)];
        with_declaration.extend(refs);
        assert_eq!(lines(true), with_declaration);
    }
}
