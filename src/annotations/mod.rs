//! `harness.io/*` annotations. For now: `harness.io/workspace-url`.

pub mod url_check;
pub mod url_parts;
pub mod workspace_url;

#[cfg(test)]
mod tests;
