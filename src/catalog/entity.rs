//! Walks one Backstage entity: its annotations, and the places a
//! `harness.io/workspace-url` entry is sometimes put by mistake.

use crate::annotations::workspace_url::{self, Context, Output, WORKSPACE_URL_KEY};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::text::Edit;
use crate::yaml::{Entry, Node, NodeKind, ScalarStyle};

use super::{key_typo, misplaced};

pub fn check(cx: &Context<'_>, root: &Node, out: &mut Output) {
    if !matches!(root.kind, NodeKind::Mapping { .. }) {
        return;
    }
    let kind = root.get("kind").and_then(Node::as_scalar);
    let metadata = root.get("metadata");
    if let Some(annotations) = metadata.and_then(|m| m.get("annotations")) {
        check_annotations(cx, annotations, kind, out);
    }
    // Places where the annotation is written by mistake, nearest first.
    let spec = root.get("spec");
    let labels = metadata.and_then(|m| m.entry("labels"));
    let spec_annotations = spec.and_then(|s| s.entry("annotations"));
    let places = [
        ("metadata.labels", labels.map(|e| &e.value), labels),
        ("metadata", metadata, None),
        (
            "spec.annotations",
            spec_annotations.map(|e| &e.value),
            spec_annotations,
        ),
        ("spec", spec, None),
        ("the top level", Some(root), None),
    ];
    for (name, parent, container) in places {
        let Some(parent) = parent else { continue };
        let place = misplaced::Place {
            name,
            parent,
            container,
        };
        for entry in parent
            .entries()
            .iter()
            .filter(|e| e.key.as_scalar() == Some(WORKSPACE_URL_KEY))
        {
            out.diagnostics
                .push(misplaced::report(cx, root, &place, entry));
            workspace_url::check(cx, entry, parent.is_block_mapping(), out);
        }
    }
}

fn check_annotations(cx: &Context<'_>, annotations: &Node, kind: Option<&str>, out: &mut Output) {
    let has_key = annotations.get(WORKSPACE_URL_KEY).is_some();
    for entry in annotations.entries() {
        let Some(key) = entry.key.as_scalar() else {
            continue;
        };
        if key == WORKSPACE_URL_KEY {
            if let Some(kind) = kind.filter(|k| !k.eq_ignore_ascii_case("component")) {
                out.diagnostics.push(Diagnostic::new(
                    Code::WorkspaceUrlKind,
                    entry.key.range.clone(),
                    format!(
                        "This entity's kind is {kind}; the IACM tab is usually added to Component pages only, so \
                         it may not show here. Check that your EntityPage has the tab for this kind."
                    ),
                ));
            }
        } else if key_typo::is_typo(key) {
            out.diagnostics.push(typo(cx, entry, key, has_key));
        } else {
            continue;
        }
        // A misspelt key's value is still meant as a workspace URL.
        workspace_url::check(cx, entry, annotations.is_block_mapping(), out);
    }
}

fn typo(cx: &Context<'_>, entry: &Entry, key: &str, has_key: bool) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        Code::AnnotationKeyTypo,
        entry.key.range.clone(),
        format!(
            "`{key}` looks like a misspelling of `{WORKSPACE_URL_KEY}`; the IACM tab only reads the exact key, so \
             it will not show."
        ),
    );
    // Renaming next to an existing correct key would make a duplicate.
    if !has_key {
        let range = match &entry.key.kind {
            NodeKind::Scalar {
                style: ScalarStyle::Plain,
                ..
            } => Some(entry.key.range.clone()),
            NodeKind::Scalar {
                style: ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted,
                ..
            } if cx.text[entry.key.range.clone()].len() == key.len() + 2 => {
                Some(entry.key.range.start + 1..entry.key.range.end - 1)
            }
            _ => None,
        };
        if let Some(range) = range {
            diagnostic = diagnostic.with_fix(Fix::new(
                format!("Rename to {WORKSPACE_URL_KEY}"),
                vec![Edit::replace(range, WORKSPACE_URL_KEY)],
            ));
        }
    }
    diagnostic
}
