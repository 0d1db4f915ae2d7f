//! Printing the result of `check` in the chosen format.

mod github;
mod human;
mod json;
mod sarif;

use std::io::{self, BufWriter, Write};
use std::ops::Range;

use super::Format;
use crate::text::{LineCol, LineIndex};
use crate::{Diagnostic, Severity};

/// One checked catalog file and what remains wrong with it.
pub struct CheckedFile {
    /// As printed: relative to where the user ran `check`, `/` separators.
    pub path: String,
    /// The text the diagnostics refer to (after `--fix`, without a BOM).
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// Fixes `--fix` applied to this file.
    pub fixes_applied: usize,
}

#[derive(Default)]
pub struct Report {
    pub files: Vec<CheckedFile>,
    /// Paths that could not be read or written, "path: reason" (already on stderr).
    pub problems: Vec<String>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics()
            .filter(|(_, d)| d.severity == severity)
            .count()
    }

    fn diagnostics(&self) -> impl Iterator<Item = (&CheckedFile, &Diagnostic)> {
        self.files
            .iter()
            .flat_map(|f| f.diagnostics.iter().map(move |d| (f, d)))
    }

    fn fixable(&self) -> usize {
        self.diagnostics()
            .filter(|(_, d)| !d.fixes.is_empty())
            .count()
    }

    fn fixed(&self) -> (usize, usize) {
        let files = self.files.iter().filter(|f| f.fixes_applied > 0).count();
        (self.files.iter().map(|f| f.fixes_applied).sum(), files)
    }
}

/// Writes the report to stdout.
pub fn write(report: &Report, format: Format, fixing: bool) -> io::Result<()> {
    if format == Format::Human {
        // Needs the terminal itself to decide on colour.
        return human::write(report, fixing);
    }
    let mut out = BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => json::write(&mut out, report)?,
        Format::Sarif => sarif::write(&mut out, report)?,
        Format::Github => github::write(&mut out, report, fixing)?,
        Format::Human => unreachable!("handled above"),
    }
    out.flush()
}

/// The closing line of human and GitHub output, e.g.
/// `2 errors, 1 warning in 3 files; 2 fixable with --fix`.
fn summary(report: &Report, fixing: bool) -> String {
    let mut lines = Vec::new();
    let (fixes, fixed_files) = report.fixed();
    if fixing && fixes > 0 {
        lines.push(format!(
            "Fixed {} in {}.",
            plural(fixes, "problem"),
            plural(fixed_files, "file")
        ));
    }
    let files = plural(report.files.len(), "file");
    let counts: Vec<String> = [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Information, "note"),
        (Severity::Hint, "hint"),
    ]
    .into_iter()
    .filter_map(|(severity, word)| {
        let n = report.count(severity);
        // Errors and warnings are always named; the milder ones only when present.
        (n > 0 || matches!(severity, Severity::Error | Severity::Warning)).then(|| plural(n, word))
    })
    .collect();
    if report.files.is_empty() {
        lines.push("No catalog files found.".to_string());
    } else if report.diagnostics().next().is_none() {
        lines.push(format!("No problems found in {files}."));
    } else {
        let mut line = format!("{} in {files}", counts.join(", "));
        let fixable = report.fixable();
        if fixable > 0 {
            line.push_str(&format!("; {fixable} fixable with --fix"));
        }
        lines.push(line);
    }
    lines.join("\n")
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// 1-based start and end (line, character column) of a byte range.
fn span(index: &LineIndex, range: &Range<usize>) -> (LineCol, LineCol) {
    (
        index.line_col(range.start),
        index.line_col(range.end.max(range.start)),
    )
}

/// A byte range made safe to slice `text` with: inside the text, on
/// character boundaries, start <= end. Analysis ranges should already be;
/// a report must never panic if one is not.
fn clamp(text: &str, range: &Range<usize>) -> Range<usize> {
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(range.start);
    start..floor(range.end).max(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Edit;
    use crate::{Code, Fix};

    /// A file whose URL (after a non-ASCII label) lacks `/resources`.
    fn sample() -> Report {
        let text = "metadata:\n  annotations:\n    harness.io/workspace-url: |\n      prød: https://h/ws\n";
        let start = text.find("https").unwrap();
        let end = text.find("ws\n").unwrap() + 2;
        let diagnostic = Diagnostic::new(
            Code::WorkspaceUrlMissingResources,
            start..end,
            "Add /resources, 100%",
        )
        .with_fix(Fix::new(
            "Append /resources",
            vec![Edit::insert(end, "/resources")],
        ));
        Report {
            files: vec![CheckedFile {
                path: "dir/a,b.yaml".to_string(),
                text: text.to_string(),
                diagnostics: vec![diagnostic],
                fixes_applied: 0,
            }],
            problems: Vec::new(),
        }
    }

    #[test]
    fn json_counts_columns_in_characters() {
        let mut out = Vec::new();
        json::write(&mut out, &sample()).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let d = &value["diagnostics"][0];
        // `      prød: ` is 12 characters (13 bytes): the URL starts at column 13.
        assert_eq!(
            d["range"]["start"],
            serde_json::json!({"line": 4, "column": 13})
        );
        assert_eq!(
            d["range"]["end"],
            serde_json::json!({"line": 4, "column": 25})
        );
        assert_eq!(d["fixes"][0]["edits"][0]["newText"], "/resources");
        assert_eq!(value["files"], 1);
    }

    #[test]
    fn github_escapes_properties_and_message() {
        let mut out = Vec::new();
        github::write(&mut out, &sample(), false).unwrap();
        let out = String::from_utf8(out).unwrap();
        let first = out.lines().next().unwrap();
        assert_eq!(
            first,
            "::error file=dir/a%2Cb.yaml,line=4,col=13,endLine=4,endColumn=25,\
             title=iacm workspace-url-missing-resources::Add /resources, 100%25\
             %0Ahelp: Append /resources (fixable with --fix)"
        );
        assert!(
            out.ends_with("1 error, 0 warnings in 1 file; 1 fixable with --fix\n"),
            "{out}"
        );
    }

    #[test]
    fn human_shows_code_excerpt_and_help() {
        let report = sample();
        let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        let config = codespan_reporting::term::Config::default();
        human::write_file(&mut out, &config, &report.files[0]).unwrap();
        let out = String::from_utf8(out.into_inner()).unwrap();
        assert!(
            out.contains("error[workspace-url-missing-resources]: Add /resources"),
            "{out}"
        );
        assert!(out.contains("dir/a,b.yaml:4:13"), "{out}");
        assert!(out.contains("prød: https://h/ws"), "{out}");
        assert!(
            out.contains("= help: Append /resources (fixable with --fix)"),
            "{out}"
        );
    }

    #[test]
    fn sarif_has_rules_and_one_based_regions() {
        let mut out = Vec::new();
        sarif::write(&mut out, &sample()).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let run = &value["runs"][0];
        assert_eq!(value["version"], "2.1.0");
        assert_eq!(run["tool"]["driver"]["name"], "iacm-lsp");
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            crate::Code::ALL.len()
        );
        let location = &run["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "dir/a%2Cb.yaml");
        assert_eq!(location["region"]["startColumn"], 13);
    }

    #[test]
    fn clamp_keeps_ranges_on_character_boundaries() {
        let text = "aé";
        assert_eq!(clamp(text, &(2..99)), 1..3);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 3..1;
        assert_eq!(clamp(text, &reversed), 3..3);
        assert_eq!(&text[clamp(text, &(1..2))], "");
    }
}
