//! `iacm-lsp check`: find catalog files, print their problems, apply fixes.
//!
//! The flow is discover (which files) -> source (read and decode) -> analyse
//! (and, with `--fix`, fix and write back) -> report (one of four formats).
//! Nothing here decides what is wrong with a file: that is `analysis`.

pub(crate) mod discover;
mod fix;
mod live;
mod report;
pub(crate) mod source;

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::analysis::Analysis;
use crate::settings::{Settings, normalize_host};
use crate::{Severity, analyze_catalog, is_catalog_file};

use discover::Target;
use report::{CheckedFile, Report};
use source::LoadError;

/// The long description of `check --help` (used by `main.rs`).
pub const LONG_ABOUT: &str = "\
Check Backstage catalog files (catalog-info.yaml) for mistakes in the
harness.io/workspace-url annotation, and for the YAML problems that hide it.

Each PATH may be a file or a folder (default: the current folder). Folders are
walked recursively, respecting .gitignore and .ignore files; hidden folders such
as .backstage/ are included, .git is not. In a folder, a .yaml/.yml file is
checked when it is a catalog file: named catalog-info.yaml/.yml (or
*.catalog-info.yaml), or holding an `apiVersion: backstage.io/...` line. Other
YAML (GitHub workflows, Kubernetes manifests) is left alone. A file named on
the command line is always checked, whatever its name or content.";

const AFTER_HELP: &str = "\
Output formats (--format):
  human   rustc-style diagnostics with the source line, the exact characters
          underlined, and the fix when there is one; a summary line at the end.
          Coloured only when stdout is a terminal and NO_COLOR is not set.
  json    {\"version\":1,\"files\":N,\"diagnostics\":[{\"path\",\"range\",\"severity\",
          \"code\",\"message\",\"fixes\"}]}; lines and columns are 1-based, columns
          counted in Unicode characters.
  github  GitHub Actions workflow commands (::error file=...,line=...::message),
          shown as annotations on the pull request.
  sarif   SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Fixing (--fix):
  Applies every safe fix (e.g. appending /resources, http:// -> https://,
  adding a label) and writes each changed file atomically (a temporary file in
  the same folder, renamed over the original; permissions, a BOM and CRLF line
  endings are kept). The problems that remain are then reported. Running
  --fix twice changes nothing the second time.

Live data (--live):
  Also asks the Harness API about each workspace the files name, once per
  workspace, and reports workspace-not-found, workspace-access-denied,
  workspace-empty, workspace-failed, workspace-drifted and
  api-key-account-mismatch (warnings and notes: they do not fail the
  check). Needs an API key in HARNESS_API_KEY (or HARNESS_PLATFORM_API_KEY);
  without one, only the static checks run. URLs on app.harness.io are asked
  of HARNESS_BASE_URL (default https://app.harness.io/gateway), those on a
  --host of https://HOST/gateway; the key is sent nowhere else. Each
  workspace gets up to 15 s; network failures are reported on stderr, not as
  problems in the files. --live turns live data on even when IACM_LIVE=0.

Exit status:
  0  no errors (warnings, information and hints do not fail the check)
  1  at least one error remains
  2  usage error, or a path that could not be read (missing, unreadable,
     not UTF-8); the other files are still checked

Examples:
  iacm-lsp check                          # the current folder
  iacm-lsp check examples/ --format json
  iacm-lsp check --fix --host harness.acme.com catalog-info.yaml
  HARNESS_API_KEY=pat.... iacm-lsp check --live --format github";

/// Output format of `check`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// rustc-style diagnostics with source excerpts.
    #[default]
    Human,
    /// One JSON object (see `--help`).
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

/// Check catalog files and print their problems (for CI).
#[derive(clap::Args, Debug)]
#[command(after_long_help = AFTER_HELP)]
pub struct CheckArgs {
    /// Files or folders to check (default: the current folder).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How to print the problems.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Apply the safe fixes in place, then report what remains.
    #[arg(long)]
    pub fix: bool,

    /// Also accept this Harness host (vanity or self-managed), e.g.
    /// `harness.acme.com` or `https://harness.acme.com:8443`. Repeatable.
    #[arg(long = "host", value_name = "HOST", value_parser = parse_host)]
    pub hosts: Vec<String>,

    /// Also check each workspace against the Harness API (needs
    /// HARNESS_API_KEY; see --help).
    #[arg(long)]
    pub live: bool,

    /// Files larger than this many bytes are not read or checked; each
    /// gets one file-too-large warning instead [default: 16 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_file_size: Option<usize>,
}

fn parse_host(value: &str) -> Result<String, String> {
    normalize_host(value)
        .map(|_| value.to_string())
        .ok_or_else(|| format!("`{value}` is not a host name (expected e.g. harness.acme.com)"))
}

pub fn run(args: CheckArgs) -> ExitCode {
    let mut settings = Settings::from_env();
    for host in &args.hosts {
        if !settings.add_host(host) {
            // parse_host already refused it; this only guards a mismatch.
            eprintln!("iacm-lsp: error: `{host}` is not a host name");
            return ExitCode::from(2);
        }
    }
    if let Some(limit) = args.max_file_size {
        settings.max_file_size_bytes = limit;
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };

    let discovered = discover::find(&paths);
    let mut report = Report::default();
    for problem in discovered.problems {
        eprintln!("iacm-lsp: error: {problem}");
        report.problems.push(problem);
    }
    if args.live {
        // Asked for on the command line: more specific than IACM_LIVE.
        settings.live = true;
    }
    let mut analyses = Vec::new();
    for target in &discovered.targets {
        match check_target(target, &settings, args.fix) {
            Ok(Some((file, analysis))) => {
                report.files.push(file);
                analyses.push(analysis);
            }
            Ok(None) => {}
            Err(err) => {
                // Said now, and the other files are still checked.
                eprintln!("iacm-lsp: error: {err}");
                report.problems.push(err.to_string());
            }
        }
    }

    if args.live {
        add_live(&mut report, &analyses, &settings);
    }

    match report::write(&report, args.format, args.fix) {
        Ok(()) => {}
        // A closed pipe (`check | head`) is the reader's choice: the exit
        // status still tells what was found.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        Err(err) => {
            eprintln!("iacm-lsp: error: cannot write the report: {err}");
            return ExitCode::from(2);
        }
    }

    if !report.problems.is_empty() {
        ExitCode::from(2)
    } else if report.count(Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Adds each file's live diagnostics to its static ones, in position order.
fn add_live(report: &mut Report, analyses: &[Analysis], settings: &Settings) {
    let analyses: Vec<&Analysis> = analyses.iter().collect();
    let Some(live) = live::diagnostics(&analyses, settings) else {
        return;
    };
    for (file, extra) in report.files.iter_mut().zip(live) {
        file.diagnostics.extend(extra);
        file.diagnostics
            .sort_by_key(|d| (d.range.start, d.range.end, d.code));
    }
}

/// Reads, analyses and (with `fix`) fixes one file. `Ok(None)` when a file
/// found by walking turns out not to be a catalog file. The analysis comes
/// back too, for `--live`, with its diagnostics moved into the file.
fn check_target(
    target: &Target,
    settings: &Settings,
    fix: bool,
) -> Result<Option<(CheckedFile, Analysis)>, LoadError> {
    let name = target.path.to_string_lossy();
    if let Some(checked) = source::too_large(&target.path, settings)? {
        // Only the first bytes were read: enough to tell a catalog file.
        if !target.explicit && !is_catalog_file(Some(&name), &checked.head) {
            return Ok(None);
        }
        let file = CheckedFile {
            path: target.display.clone(),
            text: checked.head,
            diagnostics: checked.diagnostic.into_iter().collect(),
            fixes_applied: 0,
        };
        return Ok(Some((file, Analysis::default())));
    }
    let source = match source::load(&target.path) {
        Ok(source) => source,
        // A walked YAML file that is not UTF-8 only matters if it looks like
        // a catalog file; otherwise it is someone else's file.
        Err(LoadError::NotUtf8 { lossy, .. })
            if !target.explicit && !is_catalog_file(Some(&name), &lossy) =>
        {
            return Ok(None);
        }
        Err(err) => return Err(err),
    };
    if !target.explicit && !is_catalog_file(Some(&name), &source.text) {
        return Ok(None);
    }
    // fix_all analyses the text itself, so with --fix the text is analysed
    // once more only after fixing, not before.
    let mut text = source.text;
    let mut fixes_applied = 0;
    if fix {
        let fixed = fix::fix_file(&target.path, &text, source.bom, settings)?;
        fixes_applied = fixed.applied;
        text = fixed.text;
    }
    let mut analysis = analyze_catalog(&text, settings);
    let file = CheckedFile {
        path: target.display.clone(),
        text,
        diagnostics: std::mem::take(&mut analysis.diagnostics),
        fixes_applied,
    };
    Ok(Some((file, analysis)))
}
