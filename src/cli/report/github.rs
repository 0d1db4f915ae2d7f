//! `--format github`: GitHub Actions workflow commands, one per diagnostic:
//! `::error file=a.yaml,line=3,col=5,endLine=3,endColumn=9,title=iacm code::message`.

use std::io::{self, Write};

use super::{Report, clamp, span, summary};
use crate::Severity;
use crate::text::LineIndex;

pub fn write(out: &mut impl Write, report: &Report, fixing: bool) -> io::Result<()> {
    for file in &report.files {
        let index = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            let (start, end) = span(&index, &clamp(&file.text, &d.range));
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information | Severity::Hint => "notice",
            };
            let mut message = d.message.clone();
            if let Some(fix) = d.fixes.first() {
                message.push_str(&format!("\nhelp: {} (fixable with --fix)", fix.title));
            }
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&file.path),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&format!("iacm {}", d.code.as_str())),
                escape_data(&message),
            )?;
        }
    }
    // Plain lines are shown as-is in the job log.
    writeln!(out, "{}", summary(report, fixing))
}

/// Escaping of a command's message, as in @actions/core `escapeData`.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a command's property values, as in @actions/core `escapeProperty`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_actions_core() {
        assert_eq!(escape_data("100%\r\ndone: a,b"), "100%25%0D%0Adone: a,b");
        assert_eq!(escape_property("C:\\a,b%\n"), "C%3A\\a%2Cb%25%0A");
    }
}
