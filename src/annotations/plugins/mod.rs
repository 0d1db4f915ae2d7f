//! The other `harness.io/*` annotations, each read the way its Backstage
//! plugin reads it (`harness-*` codes). One document at a time.

use crate::annotations::workspace_url::{Context, Output};
use crate::yaml::Node;

/// Checks the Harness annotations of one document's root node.
pub fn check(_cx: &Context<'_>, _root: &Node, _out: &mut Output) {}
