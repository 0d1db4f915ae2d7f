//! The rules of `@backstage/catalog-model`, and the warnings Backstage does
//! not give but users need (`entity-*` codes). One document at a time.
//!
//! What the catalog does with each document of a file (`parseEntityYaml`):
//! an empty document is skipped, anything but a mapping is an error, and a
//! mapping is an entity that must pass the envelope, the policies
//! (`SchemaValid`, `NoForeignRootFields`, `FieldFormat`) and its kind's
//! schema. Documents with YAML errors never get here (analysis skips them:
//! Backstage cannot read them, and `yaml-syntax` already says so).

mod envelope;
mod formats;
mod kinds;
mod metadata;
mod move_to_spec;
mod shape;
mod value;
mod warnings;

#[cfg(test)]
mod tests;

use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::{Code, Diagnostic};
use crate::yaml::{Node, NodeKind};
use value::Json;

/// Checks one document's root node as a Backstage entity.
pub fn check(cx: &Context<'_>, root: &Node, out: &mut Output) {
    let out = &mut out.diagnostics;
    match Json::of(root) {
        _ if matches!(root.kind, NodeKind::Mapping { .. }) => {}
        Json::Null | Json::Unknown => return,
        other => {
            out.push(Diagnostic::new(
                Code::EntityNotMapping,
                root.range.clone(),
                format!(
                    "Backstage expects each document of a catalog file to be an entity (a mapping with \
                     apiVersion, kind and metadata); this document is {}, so it is rejected.",
                    other.describe()
                ),
            ));
            return;
        }
    }
    envelope::check(cx, root, out);
    if let Some(metadata) = root.entry("metadata") {
        metadata::check(cx, metadata, out);
    }
    warnings::check(cx, root, out);
}
