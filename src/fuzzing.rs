//! What each cargo-fuzz target runs (`fuzz/fuzz_targets/`), here in the
//! library so that `tests/fuzz_regressions.rs` replays the committed seed
//! corpus and every crash reproducer on each `cargo test`, without nightly.
//! Each function panics when it finds a bug; bad input alone never does.

use std::time::Duration;

use crate::annotations::url_check::check_url;
use crate::diagnostic::{Code, Severity};
use crate::features::diagnostics::to_lsp_diagnostics;
use crate::features::{byte_range, lsp_range};
use crate::settings::Settings;
use crate::text::{LineIndex, PositionEncoding, apply_edits};
use crate::{Analysis, analyze, analyze_catalog, fix_all};

/// The input as text, the way a lossy editor or `check` would see it.
fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Diagnostics lie inside the text on character boundaries, and each of
/// their fixes applies cleanly.
fn assert_well_formed(text: &str, analysis: &Analysis) {
    for d in &analysis.diagnostics {
        let r = &d.range;
        assert!(r.start <= r.end && r.end <= text.len(), "{d:?}");
        assert!(
            text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
            "{d:?}"
        );
        assert!(!d.message.is_empty(), "{d:?}");
        for fix in &d.fixes {
            let (_, skipped) = apply_edits(text, &fix.edits);
            assert_eq!(
                skipped, 0,
                "fix {:?} of {:?} does not apply",
                fix.title, d.code
            );
        }
    }
    for r in &analysis.workspace_refs {
        assert!(r.range.start <= r.range.end && r.range.end <= text.len());
    }
}

/// Whole-file analysis, as the server and `check` run it, and the
/// conversion of its diagnostics to LSP positions in both encodings.
pub fn analysis(data: &[u8]) {
    let text = text_of(data);
    let settings = Settings::default();
    let as_named = analyze(&text, Some("catalog-info.yaml"), &settings);
    assert_well_formed(&text, &as_named);
    let by_content = analyze(&text, None, &settings);
    assert!(!by_content.is_catalog || by_content == as_named);
    let index = LineIndex::new(&text);
    for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
        let lsp = to_lsp_diagnostics(&as_named, &index, enc);
        assert_eq!(lsp.len(), as_named.diagnostics.len());
        // Each range converts back to the bytes it came from.
        for (d, l) in as_named.diagnostics.iter().zip(&lsp) {
            assert_eq!(byte_range(&index, &l.range, enc), d.range, "{enc:?} {d:?}");
        }
        // An arbitrary position, as a client may send one, past the end too.
        let (line, character) = match data {
            [a, b, ..] => (u32::from(*a), u32::from(*b) * 3),
            _ => (0, 0),
        };
        let at = index.offset(line, character, enc);
        assert!(at <= text.len() && text.is_char_boundary(at));
        let _ = lsp_range(&index, &(at..text.len()), enc);
    }
}

/// The workspace-url parser on one URL: findings inside the URL, fixes
/// that apply, and the canonical URL of what it read passes without errors.
pub fn workspace_url(data: &[u8]) {
    let url = text_of(data);
    let settings = Settings::default();
    let report = check_url(&url, &settings);
    for f in &report.findings {
        assert!(
            f.range.start <= f.range.end && f.range.end <= url.len(),
            "{f:?}"
        );
        assert!(url.is_char_boundary(f.range.start) && url.is_char_boundary(f.range.end));
        if let Some(fix) = &f.fix {
            let edits: Vec<_> = fix
                .edits
                .iter()
                .map(|(r, t)| crate::text::Edit::replace(r.clone(), t.clone()))
                .collect();
            let (fixed, skipped) = apply_edits(&url, &edits);
            assert_eq!(skipped, 0, "{f:?}");
            let _ = check_url(&fixed, &settings);
        }
    }
    if let Some(parts) = &report.parts {
        let canonical = format!(
            "{}/ng/account/{}/module/iacm/orgs/{}/projects/{}/workspaces/{}/resources",
            parts.origin, parts.account, parts.org, parts.project, parts.workspace
        );
        let again = check_url(&canonical, &settings);
        let errors: Vec<Code> = again
            .findings
            .iter()
            .filter(|f| f.code.default_severity() == Severity::Error)
            .map(|f| f.code)
            .collect();
        assert!(errors.is_empty(), "{canonical}: {errors:?}");
        assert_eq!(again.parts.as_ref(), Some(parts), "{canonical}");
    }
}

fn syntax_errors(analysis: &Analysis) -> usize {
    analysis
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::YamlSyntax)
        .count()
}

/// The quick-fix round trip: every fix applied alone re-analyses without
/// panic and never breaks YAML that parsed; `fix_all` is idempotent.
pub fn fix_round_trip(data: &[u8]) {
    let text = text_of(data);
    let settings = Settings::default();
    let before = analyze_catalog(&text, &settings);
    assert_well_formed(&text, &before);
    let parsed = syntax_errors(&before) == 0;
    for d in &before.diagnostics {
        for fix in &d.fixes {
            let (fixed, _) = apply_edits(&text, &fix.edits);
            let after = analyze_catalog(&fixed, &settings);
            assert_well_formed(&fixed, &after);
            assert!(
                !parsed || syntax_errors(&after) == 0,
                "fix {:?} of {:?} breaks the YAML:\n{fixed}",
                fix.title,
                d.code
            );
        }
    }
    let (once, _) = fix_all(&text, &settings);
    if parsed {
        assert_eq!(
            syntax_errors(&analyze_catalog(&once, &settings)),
            0,
            "fix_all breaks the YAML:\n{once}"
        );
    }
    let (twice, applied) = fix_all(&once, &settings);
    assert_eq!(
        (applied, &twice),
        (0, &once),
        "fix_all is not idempotent:\n{once}"
    );
}

/// Arbitrary bytes as the server's stdin: it must stop within a bounded
/// time, without a panic, and never before the end of the input unless an
/// `exit` came.
pub fn lsp_input(data: &[u8]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let status = runtime.block_on(async {
        let serve = crate::server::serve_offline(data, tokio::io::sink());
        tokio::time::timeout(Duration::from_secs(20), serve).await
    });
    let status = status.expect("the server did not stop within 20 s after its input ended");
    use std::sync::atomic::Ordering::SeqCst;
    assert!(
        status.reached_eof.load(SeqCst) || status.saw_exit.load(SeqCst),
        "the server stopped reading before the end of its input"
    );
    runtime.shutdown_timeout(Duration::from_secs(5));
}
