//! iacm-lsp: a language server and linter for the `harness.io/workspace-url`
//! annotation in Backstage catalog files.
//!
//! Layers (dependencies point one way): `text` <- `yaml` <- `catalog` /
//! `annotations` <- `analysis` <- `features` <- `server` / `cli`.

pub mod analysis;
pub mod annotations;
pub mod catalog;
pub mod cli;
pub mod diagnostic;
pub mod features;
#[doc(hidden)]
pub mod fuzzing;
pub mod harness;
pub mod limits;
pub mod server;
pub mod settings;
pub mod text;
pub mod workspace_index;
pub mod yaml;

pub use analysis::{
    Analysis, WorkspaceKey, WorkspaceRef, analyze, analyze_catalog, fix_all, is_catalog_file,
};
pub use diagnostic::{Code, Diagnostic, Fix, Severity};
pub use settings::Settings;
