//! Mistakes Backstage accepts silently but users need to hear about: an
//! owner that can never resolve, spec fields under `metadata` (ignored),
//! and `$text`/`$json`/`$yaml` placeholders inside text (never substituted).

use super::value::{Json, string};
use crate::annotations::workspace_url::Context;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::text::Edit;
use crate::yaml::{Node, NodeKind, ScalarStyle, scalar_lines};

/// Spec fields that people write under `metadata` by mistake.
const SPEC_FIELDS: &[&str] = &[
    "owner",
    "lifecycle",
    "system",
    "domain",
    "subdomainOf",
    "dependsOn",
    "dependencyOf",
    "providesApis",
    "consumesApis",
    "subcomponentOf",
    "definition",
    "memberOf",
    "children",
    "members",
    "parent",
];

pub fn check(cx: &Context<'_>, root: &Node, out: &mut Vec<Diagnostic>) {
    if let Some(owner) = root.get("spec").and_then(|s| s.get("owner")) {
        check_owner(owner, out);
    }
    if let Some(metadata) = root.get("metadata") {
        for e in metadata.entries() {
            let Some(name) = e.key.as_scalar() else {
                continue;
            };
            if SPEC_FIELDS.contains(&name) {
                out.push(Diagnostic::new(
                    Code::EntityMisplacedField,
                    e.key.range.clone(),
                    format!(
                        "`metadata.{name}` is ignored: Backstage reads `{name}` only from `spec`, so it has no \
                         effect here. Move it under `spec`."
                    ),
                ));
            }
        }
    }
    // Values only (keys are never substituted), without recursion: a
    // hostile file may nest deeply.
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Mapping { entries, .. } => stack.extend(entries.iter().map(|e| &e.value)),
            NodeKind::Sequence { items, .. } => stack.extend(items.iter()),
            _ => placeholder(cx, node, out),
        }
    }
}

fn check_owner(owner: &Node, out: &mut Vec<Diagnostic>) {
    let Some(value) = string(owner) else { return };
    if value.contains('@') {
        out.push(Diagnostic::new(
            Code::EntityOwnerEmail,
            owner.range.clone(),
            format!(
                "spec.owner `{value}` is an e-mail address, but Backstage reads it as an entity reference and \
                 `@` can never appear in an entity name, so the owner never resolves. Name the Group or User \
                 entity instead (e.g. `group:team-a` or `user:jane`)."
            ),
        ));
        return;
    }
    // Only the kind prefix matters here; the rest of the reference is
    // checked by the entity-reference rules.
    if let Some((kind, _)) = value.split_once(':')
        && !kind.eq_ignore_ascii_case("group")
        && !kind.eq_ignore_ascii_case("user")
    {
        out.push(Diagnostic::new(
            Code::EntityOwnerKind,
            owner.range.clone(),
            format!(
                "spec.owner `{value}` names a {kind}, but only a Group or a User can own an entity in \
                 Backstage's model: the owner shows as a broken link and ownership-based views miss it."
            ),
        ));
    }
}

const PLACEHOLDERS: &[&str] = &["$text:", "$json:", "$yaml:"];

fn placeholder(cx: &Context<'_>, node: &Node, out: &mut Vec<Diagnostic>) {
    let NodeKind::Scalar { style, .. } = &node.kind else {
        return;
    };
    // Most values hold no `$`; skip them before splitting lines.
    if Json::of(node) != Json::String || !node.as_scalar().is_some_and(|v| v.contains('$')) {
        return;
    }
    let lines = scalar_lines(cx.text, node, cx.index);
    let content: Vec<_> = lines.iter().filter(|l| !l.text.trim().is_empty()).collect();
    for line in &content {
        let trimmed = line.text.trim_start();
        let Some(p) = PLACEHOLDERS.iter().find(|p| trimmed.starts_with(**p)) else {
            continue;
        };
        let start = line.text.len() - trimmed.len();
        let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
        let where_ = if block {
            "inside a block of text (`|` or `>`)"
        } else {
            "inside quoted text"
        };
        let mut d = Diagnostic::new(
            Code::EntityPlaceholderInText,
            line.source_range(start..line.text.trim_end().len()),
            format!(
                "`{}` is {where_}, so Backstage never substitutes it: the value is this text itself. \
                 Write the placeholder as a mapping: the key on its own line, then `{} <path or URL>` \
                 indented below it.",
                &p[..p.len() - 1],
                p
            ),
        );
        if block
            && content.len() == 1
            && let Some(fix) = unblock(cx, node)
        {
            d = d.with_fix(fix);
        }
        out.push(d);
    }
}

/// Drops the `|`/`>` header so the one `$text: ...` line becomes a mapping.
fn unblock(cx: &Context<'_>, node: &Node) -> Option<Fix> {
    let line = cx.index.line_of(node.range.start);
    if line == 0 {
        return None;
    }
    let header_start = cx.index.line_start(line - 1);
    let header_end = cx.index.line_end(line - 1);
    let header = &cx.text[header_start..header_end];
    let colon = header.rfind(": ")?;
    let indicator = header[colon + 1..].trim();
    if !matches!(indicator.chars().next(), Some('|' | '>'))
        || indicator.contains('#')
        || indicator.contains(' ')
    {
        return None;
    }
    Some(Fix::new(
        "Make it a placeholder mapping",
        vec![Edit::delete(header_start + colon + 1..header_end)],
    ))
}
