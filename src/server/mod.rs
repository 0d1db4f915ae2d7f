//! The LSP server: thin glue between tower-lsp-server and `features`.

use std::process::ExitCode;

pub fn run() -> ExitCode {
    ExitCode::SUCCESS
}
