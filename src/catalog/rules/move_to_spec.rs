//! The fix for a spec field written at the top level: move its lines to the
//! end of `spec`, re-indented. Offered only in the simple case (block
//! mappings, the entry alone on its lines, `spec` without that field).

use crate::annotations::workspace_url::Context;
use crate::diagnostic::Fix;
use crate::text::{Edit, reindent};
use crate::yaml::{Entry, Node};

pub fn fix(cx: &Context<'_>, root: &Node, entry: &Entry) -> Option<Fix> {
    let name = entry.key.as_scalar()?;
    let spec = root.get("spec")?;
    if !root.is_block_mapping() || !spec.is_block_mapping() || spec.get(name).is_some() {
        return None;
    }
    let first = &spec.entries().first()?.key;
    let last = spec.entries().last()?;
    let (old_col, lines) = own_lines(cx, entry)?;
    let new_col = column(cx, first.range.start);
    let insert_at = own_lines(cx, last)?.1.end;
    if insert_at > lines.start && insert_at < lines.end {
        return None;
    }
    let mut moved = reindent(&cx.text[lines.clone()], old_col, new_col);
    if !moved.ends_with('\n') {
        moved.push_str(cx.line_ending());
    }
    if insert_at == cx.text.len() && !cx.text.ends_with('\n') {
        moved.insert_str(0, cx.line_ending());
    }
    Some(Fix::new(
        format!("Move `{name}` under spec"),
        vec![Edit::delete(lines), Edit::insert(insert_at, moved)],
    ))
}

fn column(cx: &Context<'_>, offset: usize) -> usize {
    offset - cx.index.line_start(cx.index.line_of(offset))
}

/// The entry's column and the lines it spans, when nothing else shares them.
fn own_lines(cx: &Context<'_>, entry: &Entry) -> Option<(usize, std::ops::Range<usize>)> {
    let start = cx.index.line_start(cx.index.line_of(entry.key.range.start));
    if !cx.text[start..entry.key.range.start]
        .chars()
        .all(|c| c == ' ')
    {
        return None;
    }
    let end = entry.value.range.end.max(entry.key.range.end);
    let last = cx
        .index
        .line_of(end.saturating_sub(1).max(entry.key.range.start));
    let after = if last + 1 >= cx.index.line_count() {
        cx.text.len()
    } else {
        cx.index.line_start(last + 1)
    };
    // Something after the value on its last line (another entry of a flow
    // mapping, say) would be moved with it.
    if !cx.text[end..after].trim().is_empty() && !cx.text[end..after].trim_start().starts_with('#')
    {
        return None;
    }
    Some((column(cx, entry.key.range.start), start..after))
}
