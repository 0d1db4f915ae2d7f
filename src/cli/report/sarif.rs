//! `--format sarif`: SARIF 2.1.0 (GitHub code scanning, IDE SARIF viewers).
//! Columns are Unicode code points (`columnKind`), lines and columns 1-based.

use std::io::{self, Write};
use std::ops::Range;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::{Report, clamp, span};
use crate::text::LineIndex;
use crate::{Code, Severity};

/// Everything but RFC 3986 unreserved characters and `/` is encoded.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

pub fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "shortDescription": { "text": code.summary() },
                "defaultConfiguration": { "level": level(code.default_severity()) },
                "helpUri": "https://github.com/harness/backstage-plugins/tree/main/plugins/harness-iacm",
            })
        })
        .collect();

    let mut results = Vec::new();
    for file in &report.files {
        let index = LineIndex::new(&file.text);
        let uri = uri(&file.path);
        let region = |bytes: &Range<usize>| {
            let (start, end) = span(&index, &clamp(&file.text, bytes));
            json!({
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            })
        };
        for d in &file.diagnostics {
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri },
                        "region": region(&d.range),
                    }
                }],
            });
            if !d.fixes.is_empty() {
                result["fixes"] = d
                    .fixes
                    .iter()
                    .map(|fix| {
                        json!({
                            "description": { "text": fix.title },
                            "artifactChanges": [{
                                "artifactLocation": { "uri": uri },
                                "replacements": fix.edits.iter().map(|e| json!({
                                    "deletedRegion": region(&e.range),
                                    "insertedContent": { "text": e.new_text },
                                })).collect::<Vec<_>>(),
                            }],
                        })
                    })
                    .collect();
            }
            results.push(result);
        }
    }

    let notifications: Vec<Value> = report
        .problems
        .iter()
        .map(|p| json!({ "level": "error", "message": { "text": p } }))
        .collect();
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "iacm-lsp",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/harness/backstage-plugins/tree/main/plugins/harness-iacm",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": report.problems.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    });
    serde_json::to_writer(&mut *out, &sarif).map_err(io::Error::other)?;
    writeln!(out)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
    }
}

/// A relative path stays a relative URI reference; an absolute one becomes a `file://` URI.
fn uri(path: &str) -> String {
    let encoded = utf8_percent_encode(path, PATH).to_string();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri("a dir/${{ x }}.yaml"),
            "a%20dir/%24%7B%7B%20x%20%7D%7D.yaml"
        );
        assert_eq!(uri("/abs/c.yaml"), "file:///abs/c.yaml");
    }
}
