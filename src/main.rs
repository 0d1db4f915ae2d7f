use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Language server and linter for the `harness.io/workspace-url` annotation
/// in Backstage catalog files. Without a command it serves LSP over stdio.
#[derive(Parser)]
#[command(name = "iacm-lsp", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Speak the Language Server Protocol over stdin/stdout (the default).
    Serve,
    /// Check catalog files and print their problems (for CI).
    #[command(long_about = iacm_lsp::cli::LONG_ABOUT)]
    Check(iacm_lsp::cli::CheckArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let usage_error = err.use_stderr();
            let _ = err.print();
            return if usage_error {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => iacm_lsp::server::run(),
        Command::Check(args) => iacm_lsp::cli::run(args),
    }
}
