//! `annotation-misplaced`: `harness.io/workspace-url` written somewhere the
//! plugin does not look (labels, metadata, spec, the top level). The fix
//! moves the entry, value and all, into `metadata.annotations`.

use crate::annotations::workspace_url::{Context, WORKSPACE_URL_KEY};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::text::{Edit, reindent};
use crate::yaml::{Entry, Node, NodeKind};

/// Where a misplaced entry was found.
pub struct Place<'a> {
    /// e.g. "metadata.labels".
    pub name: &'static str,
    /// The mapping holding the entry.
    pub parent: &'a Node,
    /// The entry that holds `parent` (`labels: ...`), when removing the
    /// annotation would leave it empty and so null, which Backstage rejects.
    pub container: Option<&'a Entry>,
}

/// Reports `entry` (whose key is the annotation) found at `place` in the
/// document `root`.
pub fn report(cx: &Context<'_>, root: &Node, place: &Place<'_>, entry: &Entry) -> Diagnostic {
    let (parent, place_name) = (place.parent, place.name);
    let message = format!(
        "{WORKSPACE_URL_KEY} is under `{place_name}`, where the IACM tab never looks: it must be in \
         `metadata.annotations`."
    );
    let diagnostic = Diagnostic::new(Code::AnnotationMisplaced, entry.key.range.clone(), message);
    let container = place.container.filter(|_| parent.entries().len() == 1);
    match move_fix(cx, root, parent, entry, container) {
        Some(fix) => diagnostic.with_fix(fix),
        None => diagnostic,
    }
}

fn move_fix(
    cx: &Context<'_>,
    root: &Node,
    parent: &Node,
    entry: &Entry,
    container: Option<&Entry>,
) -> Option<Fix> {
    let (text, index) = (cx.text, cx.index);
    let metadata = root.get("metadata").filter(|m| m.is_block_mapping())?;
    if !parent.is_block_mapping() {
        return None;
    }
    let line_ending = cx.line_ending_at(entry.key.range.start);
    let key_line = index.line_of(entry.key.range.start);
    let line_start = index.line_start(key_line);
    // The entry must own its lines for them to move cleanly.
    if !text[line_start..entry.key.range.start]
        .chars()
        .all(|c| c == ' ')
    {
        return None;
    }
    let old_col = entry.key.range.start - line_start;
    let moved_lines = line_start..after_lines(cx, entry)?;
    let mut moved = text[moved_lines.clone()].to_string();
    // The container's own line goes too when the entry was all it held.
    let removed = match container {
        Some(c) if own_lines(text, index, &c.key) => {
            index.line_start(index.line_of(c.key.range.start))..moved_lines.end
        }
        _ => moved_lines,
    };
    if !moved.ends_with('\n') {
        moved.push_str(line_ending);
    }

    let (insert_at, new_col, header) = match metadata.entry("annotations") {
        Some(annotations) => match &annotations.value.kind {
            NodeKind::Mapping {
                flow: false,
                entries,
            } if !entries.is_empty() => {
                if annotations.value.get(WORKSPACE_URL_KEY).is_some() {
                    return None;
                }
                let first = &entries[0].key;
                let col = first.range.start - index.line_start(index.line_of(first.range.start));
                let last = entries.last().expect("not empty");
                (after_lines(cx, last)?, col, String::new())
            }
            _ if annotations.value.is_null() => {
                let col = annotations.key.range.start
                    - index.line_start(index.line_of(annotations.key.range.start));
                (after_lines(cx, annotations)?, col + 2, String::new())
            }
            _ => return None,
        },
        None => {
            let first = &metadata.entries().first()?.key;
            let col = first.range.start - index.line_start(index.line_of(first.range.start));
            let last = metadata.entries().last()?;
            (
                after_lines(cx, last)?,
                col + 2,
                format!("{}annotations:{line_ending}", " ".repeat(col)),
            )
        }
    };
    if insert_at > removed.start && insert_at < removed.end {
        return None;
    }
    let mut inserted = String::new();
    if insert_at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        inserted.push_str(line_ending);
    }
    inserted.push_str(&header);
    inserted.push_str(&reindent(&moved, old_col, new_col));
    Some(Fix::new(
        "Move it into metadata.annotations",
        vec![Edit::delete(removed), Edit::insert(insert_at, inserted)],
    ))
}

/// Whether `key` is the first thing on its line.
fn own_lines(text: &str, index: &crate::text::LineIndex, key: &Node) -> bool {
    let start = index.line_start(index.line_of(key.range.start));
    text[start..key.range.start].chars().all(|c| c == ' ')
}

/// The offset just past the last line of `entry` (its value included).
fn after_lines(cx: &Context<'_>, entry: &Entry) -> Option<usize> {
    let end = entry.value.range.end.max(entry.key.range.end);
    let last_line = cx
        .index
        .line_of(end.saturating_sub(1).max(entry.key.range.start));
    let next = last_line + 1;
    Some(if next >= cx.index.line_count() {
        cx.text.len()
    } else {
        cx.index.line_start(next)
    })
}
