//! `--format json`: the stable machine format of DESIGN.md.
//! `{"version":1,"files":N,"diagnostics":[{"path","range","severity","code","message","fixes"}]}`

use std::io::{self, Write};
use std::ops::Range;

use serde::Serialize;

use super::{Report, clamp, span};
use crate::text::LineIndex;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    files: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    range: JsonRange,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    fixes: Vec<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    range: JsonRange,
    #[serde(rename = "newText")]
    new_text: &'a str,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

/// 1-based line, 1-based column in Unicode characters.
#[derive(Serialize)]
struct JsonPosition {
    line: usize,
    column: usize,
}

fn range(index: &LineIndex, text: &str, bytes: &Range<usize>) -> JsonRange {
    let (start, end) = span(index, &clamp(text, bytes));
    JsonRange {
        start: JsonPosition {
            line: start.line,
            column: start.column,
        },
        end: JsonPosition {
            line: end.line,
            column: end.column,
        },
    }
}

pub fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let mut diagnostics = Vec::new();
    for file in &report.files {
        let index = LineIndex::new(&file.text);
        for d in &file.diagnostics {
            diagnostics.push(JsonDiagnostic {
                path: &file.path,
                range: range(&index, &file.text, &d.range),
                severity: d.severity.as_str(),
                code: d.code.as_str(),
                message: &d.message,
                fixes: d
                    .fixes
                    .iter()
                    .map(|fix| JsonFix {
                        title: &fix.title,
                        edits: fix
                            .edits
                            .iter()
                            .map(|e| JsonEdit {
                                range: range(&index, &file.text, &e.range),
                                new_text: &e.new_text,
                            })
                            .collect(),
                    })
                    .collect(),
            });
        }
    }
    let output = Output {
        version: 1,
        files: report.files.len(),
        diagnostics,
    };
    serde_json::to_writer(&mut *out, &output).map_err(io::Error::other)?;
    writeln!(out)
}
