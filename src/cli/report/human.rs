//! `--format human`: rustc-style diagnostics with source excerpts.
//!
//! ```text
//! error[workspace-url-missing-resources]: The IACM tab only loads URLs that end in /resources; ...
//!   --> catalog-info.yaml:8:13
//!    |
//!  8 |       prod: https://app.harness.io/ng/account/abc/.../workspaces/prod_ws
//!    |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!    |
//!    = help: Append /resources (fixable with --fix)
//! ```

use std::io::{self, IsTerminal, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as Rendered, Label, Severity as Level};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice, WriteColor};
use codespan_reporting::term::{self, Chars, Config};

use super::{CheckedFile, Report, clamp, summary};
use crate::{Diagnostic, Severity};

pub fn write(report: &Report, fixing: bool) -> io::Result<()> {
    let mut out = BufferedStandardStream::stdout(color_choice());
    let config = Config {
        chars: Chars::ascii(),
        ..Config::default()
    };
    for file in &report.files {
        write_file(&mut out, &config, file)?;
    }
    writeln!(out, "{}", summary(report, fixing))?;
    out.flush()
}

/// Colour only for a terminal, and never when NO_COLOR is set (no-color.org);
/// termcolor's `Auto` also honours NO_COLOR and TERM=dumb.
fn color_choice() -> ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if io::stdout().is_terminal() && !no_color {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    }
}

pub(super) fn write_file(
    out: &mut (impl WriteColor + ?Sized),
    config: &Config,
    file: &CheckedFile,
) -> io::Result<()> {
    let source = SimpleFile::new(file.path.as_str(), file.text.as_str());
    for d in &file.diagnostics {
        let rendered = render(file, d);
        if let Err(err) = term::emit_to_write_style(out, config, &source, &rendered) {
            if let codespan_reporting::files::Error::Io(io) = err {
                return Err(io);
            }
            // The excerpt could not be drawn; the diagnostic itself must not be lost.
            writeln!(
                out,
                "{}[{}]: {} ({})",
                d.severity.as_str(),
                d.code.as_str(),
                d.message,
                file.path
            )?;
        }
    }
    Ok(())
}

fn render(file: &CheckedFile, d: &Diagnostic) -> Rendered<()> {
    let level = match d.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Information => Level::Note,
        Severity::Hint => Level::Help,
    };
    let notes = d
        .fixes
        .first()
        .map(|fix| format!("help: {} (fixable with --fix)", fix.title))
        .into_iter()
        .collect();
    Rendered::new(level)
        .with_code(d.code.as_str())
        .with_message(&d.message)
        .with_labels(vec![Label::primary((), visible(&file.text, &d.range))])
        .with_notes(notes)
}

/// An empty range (an insertion point) would draw no caret: widen it to the
/// character it sits on, unless that is a line break or the end of the text.
fn visible(text: &str, range: &Range<usize>) -> Range<usize> {
    let range = clamp(text, range);
    if !range.is_empty() {
        return range;
    }
    match text[range.start..].chars().next() {
        Some(c) if c != '\n' && c != '\r' => range.start..range.start + c.len_utf8(),
        _ => range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_ranges_widen_to_one_character() {
        assert_eq!(visible("aé\n", &(1..1)), 1..3);
        assert_eq!(visible("a\n", &(1..1)), 1..1);
        assert_eq!(visible("a", &(5..5)), 1..1);
    }
}
