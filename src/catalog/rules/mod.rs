//! The rules of `@backstage/catalog-model`, and the warnings Backstage does
//! not give but users need (`entity-*` codes). One document at a time.

use crate::annotations::workspace_url::{Context, Output};
use crate::yaml::Node;

/// Checks one document's root node as a Backstage entity.
pub fn check(_cx: &Context<'_>, _root: &Node, _out: &mut Output) {}
