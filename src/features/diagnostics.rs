//! `textDocument/publishDiagnostics`: our diagnostics as LSP diagnostics.

use tower_lsp_server::ls_types::{self, DiagnosticSeverity, NumberOrString};

use super::lsp_range;
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::text::{LineIndex, PositionEncoding};

/// The `source` of every diagnostic we publish.
pub const SOURCE: &str = "iacm";

pub fn to_lsp_diagnostics(
    analysis: &Analysis,
    index: &LineIndex,
    enc: PositionEncoding,
) -> Vec<ls_types::Diagnostic> {
    analysis
        .diagnostics
        .iter()
        .map(|d| to_lsp_diagnostic(d, index, enc))
        .collect()
}

pub fn to_lsp_diagnostic(
    diagnostic: &Diagnostic,
    index: &LineIndex,
    enc: PositionEncoding,
) -> ls_types::Diagnostic {
    ls_types::Diagnostic {
        range: lsp_range(index, &diagnostic.range, enc),
        severity: Some(lsp_severity(diagnostic.severity)),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        source: Some(SOURCE.to_string()),
        message: diagnostic.message.clone(),
        ..ls_types::Diagnostic::default()
    }
}

pub fn lsp_severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    const TEXT: &str = "a: 1\nurl: é😀 http://app.harness.io\n";

    fn insecure() -> Analysis {
        let start = TEXT.find("http").unwrap();
        Analysis {
            is_catalog: true,
            diagnostics: vec![Diagnostic::new(
                Code::WorkspaceUrlInsecure,
                start..start + 4,
                "use https",
            )],
            workspace_refs: Vec::new(),
            entities: Vec::new(),
        }
    }

    #[test]
    fn utf16_and_utf8_columns_differ_after_non_ascii() {
        let index = LineIndex::new(TEXT);
        let analysis = insecure();
        let utf16 = &to_lsp_diagnostics(&analysis, &index, PositionEncoding::Utf16)[0];
        // "url: é😀 " is 5 + 1 + 2 + 1 UTF-16 units, and 5 + 2 + 4 + 1 bytes.
        assert_eq!(
            (utf16.range.start.line, utf16.range.start.character),
            (1, 9)
        );
        assert_eq!(utf16.range.end.character, 13);
        let utf8 = &to_lsp_diagnostics(&analysis, &index, PositionEncoding::Utf8)[0];
        assert_eq!((utf8.range.start.line, utf8.range.start.character), (1, 12));
        assert_eq!(utf8.range.end.character, 16);
    }

    #[test]
    fn carries_code_source_and_severity() {
        let index = LineIndex::new(TEXT);
        let d = &to_lsp_diagnostics(&insecure(), &index, PositionEncoding::Utf16)[0];
        assert_eq!(
            d.code,
            Some(NumberOrString::String("workspace-url-insecure".into()))
        );
        assert_eq!(d.source.as_deref(), Some("iacm"));
        assert_eq!(d.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(d.message, "use https");
    }
}
