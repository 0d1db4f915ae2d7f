//! `iacm-lsp check`: find catalog files, print their problems, apply fixes.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check (default: the current folder).
    pub paths: Vec<PathBuf>,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let _ = args;
    ExitCode::SUCCESS
}
