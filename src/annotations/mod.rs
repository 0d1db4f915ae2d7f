//! `harness.io/*` annotations: `harness.io/workspace-url` and, in `plugins`,
//! the ones the other Harness plugins read.

pub mod plugins;
pub mod url_check;
pub mod url_parts;
pub mod workspace_url;

#[cfg(test)]
mod tests;
