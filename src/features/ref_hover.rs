//! The hover card on an entity ref: what it points at (kind, title,
//! description, file), or that the workspace does not define it.

use std::fmt::Write;
use std::ops::Range;

use super::navigation::{At, at};
use crate::analysis::Analysis;
use crate::workspace_index::WorkspaceIndex;

/// The card for the ref at `offset`, with the ref's range.
pub fn ref_hover(
    analysis: &Analysis,
    offset: usize,
    index: &WorkspaceIndex,
) -> Option<(Range<usize>, String)> {
    let Some(At::Ref(entity, r)) = at(analysis, offset) else {
        return None;
    };
    let range = entity.ref_range(r);
    let target = r.target.as_ref()?;
    let mut md = String::new();
    let definitions = index.definitions(target);
    if definitions.is_empty() {
        let _ = write!(
            md,
            "`{target}`\n\nNo catalog file of this workspace defines this entity (it may live in another \
             repository)."
        );
        return Some((range, md));
    }
    for (i, d) in definitions.iter().enumerate() {
        let e = d.item;
        if i > 0 {
            md.push_str("\n\n---\n\n");
        }
        let _ = write!(md, "**{}** `{}`", escape(&e.kind), e.name);
        if &*e.namespace != crate::catalog::refs::DEFAULT_NAMESPACE {
            let _ = write!(md, " in namespace `{}`", e.namespace);
        }
        if let Some(title) = &e.title {
            let _ = write!(md, " — {}", escape(title));
        }
        if let Some(description) = &e.description {
            let _ = write!(md, "\n\n{}", escape(description.trim()));
        }
        let (line, _) = d
            .file
            .line_index
            .position(e.name_range.start, crate::text::PositionEncoding::Utf8);
        let _ = write!(
            md,
            "\n\nDefined in `{}`, line {}",
            index.display_path(&d.file.uri),
            line + 1
        );
    }
    if definitions.len() > 1 {
        let _ = write!(
            md,
            "\n\n_`{target}` is defined {} times; Backstage keeps only one of them._",
            definitions.len()
        );
    }
    Some((range, md))
}

/// Text from a catalog file shown as Markdown, without its markup taking
/// effect (a description can hold `*`, `_` or `<`).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::navigation::fixtures::*;
    use crate::features::navigation::test_index;
    use crate::settings::Settings;

    fn card(offset: usize) -> Option<(Range<usize>, String)> {
        let index = test_index(&[(TEAMS_URI, TEAMS), (SVC_URI, SVC)]);
        let analysis = crate::analysis::analyze_catalog(SVC, &Settings::default());
        ref_hover(&analysis, offset, &index)
    }

    #[test]
    fn the_card_names_kind_title_description_and_file() {
        let owner = SVC.find("Team-A").unwrap();
        let (range, md) = card(owner + 2).unwrap();
        assert_eq!(&SVC[range], "Team-A");
        assert_eq!(
            md,
            "**Group** `team-a` — Team \\*A\\*\n\nBuilds things.\n\nDefined in `org/teams.yaml`, line 3"
        );
        let (_, md) = card(SVC.find("retail/shop").unwrap()).unwrap();
        assert!(
            md.starts_with("**System** `shop` in namespace `retail`"),
            "{md}"
        );
        let (_, md) = card(SVC.find("missing-api").unwrap()).unwrap();
        assert!(
            md.starts_with("`api:default/missing-api`\n\nNo catalog file"),
            "{md}"
        );
        // Not on a ref: the workspace URL hover has its turn.
        assert!(card(SVC.find("svc\n").unwrap()).is_none());
    }
}
