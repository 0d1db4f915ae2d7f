//! Completion of entity refs in the `spec` fields that hold them: the
//! entities of the workspace index of the kinds the field points at
//! (Groups and Users for `owner`, Systems for `system`, APIs for
//! `providesApis`...), each written as briefly as the field's defaults allow.
//! The cursor's place is read from the text: while a value is typed the
//! YAML is often broken.

use std::collections::HashSet;
use std::ops::Range;

use tower_lsp_server::ls_types::CompletionItemKind;

use super::Item;
use crate::analysis::Analysis;
use crate::catalog::refs::{DEFAULT_NAMESPACE, RefField, RefKey, ref_fields, shortest_ref};
use crate::workspace_index::WorkspaceIndex;

/// A ref being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefSite {
    pub field: RefField,
    /// The namespace of the entity being written (refs default to it).
    pub namespace: String,
    /// The entity being written, which is not offered.
    pub own: Option<RefKey>,
    /// The partly typed ref.
    pub replace: Range<usize>,
    /// Right after `key:`: the item starts with a space.
    pub space: bool,
}

/// The ref field the cursor is in, if any.
pub fn ref_site(text: &str, offset: usize, analysis: &Analysis) -> Option<RefSite> {
    let offset = floor_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let is_stop =
        |c: char| c.is_whitespace() || matches!(c, ',' | '[' | ']' | '{' | '}' | '\'' | '"');
    let mut start = text[line_start..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| !is_stop(c))
        .last()
        .map_or(offset, |(i, _)| line_start + i);
    let end = text[offset..line_end]
        .char_indices()
        .find(|&(_, c)| is_stop(c))
        .map_or(line_end, |(i, _)| offset + i);
    // `key:|`: the key is not part of the ref being typed.
    let line = &text[line_start..line_end];
    let indent = line.len() - line.trim_start_matches(' ').len();
    if let Some((key, _)) = line[indent..].split_once(':').filter(|(k, _)| is_key(k)) {
        start = start.max(line_start + indent + key.len() + 1);
    }
    let head = &text[line_start..start.min(offset)];
    let (key, key_line, key_indent, space) = field_key(text, line_start, head)?;
    if !under_top_level_spec(text, key_line, key_indent) {
        return None;
    }
    let (doc_start, doc_end) = document_bounds(text, line_start);
    let kind = top_level_value(&text[doc_start..doc_end], "kind")?;
    let field = *ref_fields(kind).iter().find(|f| f.key == key)?;
    let entity = analysis
        .entities
        .iter()
        .find(|e| (doc_start..doc_end.max(doc_start + 1)).contains(&e.range.start));
    Some(RefSite {
        field,
        namespace: entity.map_or(DEFAULT_NAMESPACE.to_string(), |e| e.namespace.to_string()),
        own: entity.filter(|e| !e.name.is_empty()).map(|e| e.key()),
        replace: start..end,
        space,
    })
}

/// The key whose value the cursor is in, from the text before the typed
/// ref on its line: `key: `, `key: [a, `, or `- ` under `key:`. Returns the
/// key, the start of its line, its indentation, and whether a space must
/// be inserted after the colon.
fn field_key<'t>(
    text: &'t str,
    line_start: usize,
    head: &'t str,
) -> Option<(&'t str, usize, usize, bool)> {
    let head = head.trim_end_matches(['\'', '"']);
    let indent = head.len() - head.trim_start_matches(' ').len();
    let content = &head[indent..];
    if let Some((key, rest)) = content.split_once(':') {
        if !is_key(key) {
            return None;
        }
        let rest = rest.trim();
        let scalar = rest.is_empty();
        // A flow sequence still open: `[` or `, ` just before the ref.
        let flow = rest.starts_with('[')
            && !rest.contains(']')
            && (rest.ends_with('[') || rest.ends_with(','));
        if !scalar && !flow {
            return None;
        }
        let space = scalar && !head.ends_with([' ', '\t']);
        return Some((key, line_start, indent, space));
    }
    // A block sequence item: `- ` with the ref after it.
    if content.trim_end() != "-" || !content.ends_with(' ') {
        return None;
    }
    for (start, line) in lines_above(text, line_start) {
        let trimmed = line.trim_start();
        let line_indent = line.len() - trimmed.len();
        if trimmed.starts_with('-') && line_indent == indent {
            continue; // an earlier item
        }
        if line_indent > indent {
            continue; // inside an earlier item
        }
        let (key, rest) = trimmed.split_once(':')?;
        return (is_key(key) && rest.trim().is_empty()).then_some((key, start, line_indent, false));
    }
    None
}

fn is_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphabetic())
}

/// Whether the nearest line above `line_start` indented less than
/// `indent` is `spec:` at the top level.
fn under_top_level_spec(text: &str, line_start: usize, indent: usize) -> bool {
    if indent == 0 {
        return false;
    }
    lines_above(text, line_start)
        .find(|(_, line)| line.len() - line.trim_start().len() < indent)
        .is_some_and(|(_, line)| line.trim_end() == "spec:")
}

/// The lines above the one starting at `line_start`, nearest first, with
/// where each starts; blank lines and comments are skipped.
fn lines_above(text: &str, line_start: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut end = line_start;
    std::iter::from_fn(move || {
        while end > 0 {
            let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
            let line = text[start..end - 1].trim_end_matches('\r');
            end = start;
            let trimmed = line.trim_start();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                return Some((start, line));
            }
        }
        None
    })
}

/// The document (between `---` lines) that holds `at`.
fn document_bounds(text: &str, at: usize) -> (usize, usize) {
    let is_marker = |line: &str| line.starts_with("---") && line[3..].trim().is_empty();
    let mut start = 0;
    let mut end = text.len();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let line_end = pos + line.len();
        if is_marker(line.trim_end()) {
            if pos < at {
                start = line_end;
            } else {
                end = pos;
                break;
            }
        }
        pos = line_end;
    }
    (start, end.max(start))
}

/// The plain value of a top-level `key:` line.
fn top_level_value<'t>(doc: &'t str, key: &str) -> Option<&'t str> {
    doc.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        let value = rest.split(" #").next()?.trim().trim_matches(['\'', '"']);
        (!value.is_empty()).then_some(value)
    })
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The entities the field can point at, the field's default kind first.
pub fn ref_items(site: &RefSite, index: &WorkspaceIndex) -> Vec<Item> {
    let mut seen = HashSet::new();
    let mut items = Vec::new();
    for e in index.entities() {
        let entity = e.item;
        let Some(rank) = site
            .field
            .targets
            .iter()
            .position(|k| k.eq_ignore_ascii_case(&entity.kind))
        else {
            continue;
        };
        let key = entity.key();
        if site.own.as_ref() == Some(&key) || !seen.insert(key) {
            continue;
        }
        let label = shortest_ref(entity, &site.field, &site.namespace);
        let mut detail = entity.kind.to_string();
        if let Some(title) = &entity.title {
            detail.push_str(" · ");
            detail.push_str(title);
        }
        let mut documentation = String::new();
        if let Some(description) = &entity.description {
            documentation.push_str(description.trim());
            documentation.push_str("\n\n");
        }
        documentation.push_str(&format!("Defined in `{}`", index.display_path(&e.file.uri)));
        items.push(Item {
            kind: CompletionItemKind::REFERENCE,
            detail: Some(detail),
            documentation: Some(documentation),
            sort_text: format!("{rank}{label}"),
            filter_text: label.clone(),
            replace: site.replace.clone(),
            new_text: if site.space {
                format!(" {label}")
            } else {
                label.clone()
            },
            snippet: false,
            label,
        });
    }
    items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::navigation::fixtures::*;
    use crate::features::navigation::test_index;
    use crate::settings::Settings;

    /// The labels offered where `|` stands in `text`, and the text after
    /// taking the first one.
    fn complete(marked: &str) -> Option<(Vec<String>, String)> {
        let offset = marked.find('|').unwrap();
        let text = marked.replacen('|', "", 1);
        let analysis = crate::analysis::analyze_catalog(&text, &Settings::default());
        let site = ref_site(&text, offset, &analysis)?;
        let index = test_index(&[(TEAMS_URI, TEAMS), (SVC_URI, SVC)]);
        let items = ref_items(&site, &index);
        let labels = items.iter().map(|i| i.label.clone()).collect();
        let mut done = text.clone();
        if let Some(first) = items.first() {
            done.replace_range(first.replace.clone(), &first.new_text);
        }
        Some((labels, done))
    }

    const HEAD: &str = "kind: Component\nmetadata:\n  name: new\nspec:\n";

    #[test]
    fn owner_offers_groups_then_users_written_briefly() {
        let (labels, done) = complete(&format!("{HEAD}  owner: te|\n")).unwrap();
        assert_eq!(labels, ["team-a", "user:jane"]);
        assert!(done.ends_with("  owner: team-a\n"), "{done}");
        // Right after the colon, with the space it needs.
        let (_, done) = complete(&format!("{HEAD}  owner:|\n")).unwrap();
        assert!(done.ends_with("  owner: team-a\n"), "{done}");
        // Inside quotes, the quotes stay.
        let (_, done) = complete(&format!("{HEAD}  owner: \"t|\"\n")).unwrap();
        assert!(done.ends_with("  owner: \"team-a\"\n"), "{done}");
    }

    #[test]
    fn list_fields_in_block_and_flow_form() {
        let (labels, _) = complete(&format!("{HEAD}  system: |\n")).unwrap();
        assert_eq!(labels, ["retail/shop"]);
        let (labels, done) =
            complete(&format!("{HEAD}  dependsOn:\n    - component:x\n    - |\n")).unwrap();
        assert_eq!(labels, ["component:svc"]);
        assert!(done.ends_with("    - component:svc\n"), "{done}");
        // Compact style: the items at the key's indentation.
        let (labels, _) = complete(&format!("{HEAD}  dependsOn:\n  - |\n")).unwrap();
        assert_eq!(labels, ["component:svc"]);
        let group = "kind: Group\nmetadata:\n  name: g\nspec:\n  members: [jane, |]\n";
        let (labels, _) = complete(group).unwrap();
        assert_eq!(labels, ["jane"]);
        // The entity being written is not offered to itself.
        let (labels, _) =
            complete("kind: Group\nmetadata:\n  name: team-a\nspec:\n  parent: |\n").unwrap();
        assert!(labels.is_empty(), "{labels:?}");
    }

    #[test]
    fn only_ref_fields_of_the_kind_under_spec() {
        assert!(complete(&format!("{HEAD}  type: |\n")).is_none());
        assert!(complete("kind: Component\nmetadata:\n  owner: |\n").is_none());
        assert!(complete("kind: Group\nmetadata:\n  name: g\nspec:\n  owner: |\n").is_none());
        assert!(complete(&format!("{HEAD}  owner: team-a\n  x: |\n")).is_none());
        assert!(complete(&format!("{HEAD}  links:\n    - |\n")).is_none());
        // The document's own kind, not the one before `---`.
        let two = "kind: Group\nmetadata:\n  name: g\n---\nkind: User\nmetadata:\n  name: u\nspec:\n  memberOf: [|]\n";
        assert_eq!(complete(two).unwrap().0, ["team-a"]);
    }

    #[test]
    fn broken_yaml_still_completes_and_no_offset_panics() {
        let text = format!("{HEAD}  owner: [te|\n  system: \"é😀\n");
        assert!(complete(&text).is_some());
        let plain = text.replace('|', "");
        let analysis = crate::analysis::analyze_catalog(&plain, &Settings::default());
        for offset in 0..=plain.len() + 2 {
            let _ = ref_site(&plain, offset, &analysis);
        }
    }
}
