//! Micro-benchmarks (divan): the analysis of one document, of a 5 MB
//! stream, the keystroke path of the server on 1 MB (edit, line index,
//! incremental analysis, LSP conversion and JSON), and the URL checker.
//! `cargo bench --bench analysis`; numbers to compare between commits.

#[path = "support/generate.rs"]
mod generate;

use divan::{Bencher, black_box};
use iacm_lsp::analysis::Incremental;
use iacm_lsp::annotations::url_check::check_url;
use iacm_lsp::features::diagnostics::to_lsp_diagnostics;
use iacm_lsp::text::{LineIndex, PositionEncoding};
use iacm_lsp::{Settings, analyze_catalog};

const MB: usize = 1024 * 1024;

fn main() {
    divan::main();
}

const ONE_DOCUMENT: &str = "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  description: Takes the money
  annotations:
    github.com/project-slug: acme/payments
    harness.io/workspace-url: |
      prod: https://app.harness.io/ng/account/abc123XYZ_acc/module/iacm/orgs/default/projects/payments/workspaces/prod/resources
      staging: http://app.harness.io/ng/account/abc123XYZ_acc/module/iacm/orgs/default/projects/payments/workspaces/staging
spec:
  type: service
  lifecycle: production
  owner: group:team-payments
";

#[divan::bench]
fn analyze_one_document() -> usize {
    analyze_catalog(black_box(ONE_DOCUMENT), &Settings::default())
        .diagnostics
        .len()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn analyze_5mb_stream(bencher: Bencher) {
    let (text, _) = generate::catalog(5 * MB, 42);
    let settings = Settings::default();
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| {
            analyze_catalog(black_box(&text), &settings)
                .diagnostics
                .len()
        });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn incremental_first_analysis_5mb(bencher: Bencher) {
    let (text, _) = generate::catalog(5 * MB, 42);
    let settings = Settings::default();
    let index = LineIndex::new(&text);
    bencher.bench(|| {
        Incremental::default()
            .analyze_catalog(black_box(&text), &index, &settings)
            .diagnostics
            .len()
    });
}

/// A 1 MB file, its analyser warmed up, and the offset of a description
/// line's end where keystrokes go.
fn keystroke_setup() -> (String, Incremental, usize) {
    let (text, _) = generate::catalog(MB, 42);
    let mut incremental = Incremental::default();
    incremental.analyze_catalog(&text, &LineIndex::new(&text), &Settings::default());
    let at = text
        .find("  description: Service 1000")
        .expect("entity 1000")
        + 20;
    (text, incremental, at)
}

/// Types a character, then deletes it: each iteration is one keystroke.
fn keystroke(text: &mut String, toggle: &mut bool, at: usize) {
    if *toggle {
        text.replace_range(at..at + 1, "");
    } else {
        text.insert(at, 'x');
    }
    *toggle = !*toggle;
}

#[divan::bench]
fn keystroke_line_index_1mb(bencher: Bencher) {
    let (mut text, _, at) = keystroke_setup();
    let mut toggle = false;
    bencher.bench_local(|| {
        keystroke(&mut text, &mut toggle, at);
        LineIndex::new(&text).line_count()
    });
}

#[divan::bench]
fn keystroke_incremental_analysis_1mb(bencher: Bencher) {
    let (mut text, mut incremental, at) = keystroke_setup();
    let settings = Settings::default();
    let mut toggle = false;
    bencher.bench_local(|| {
        keystroke(&mut text, &mut toggle, at);
        let index = LineIndex::new(&text);
        incremental
            .analyze_catalog(&text, &index, &settings)
            .diagnostics
            .len()
    });
}

#[divan::bench]
fn keystroke_publish_1mb(bencher: Bencher) {
    let (text, mut incremental, _) = keystroke_setup();
    let index = LineIndex::new(&text);
    let analysis = incremental.analyze_catalog(&text, &index, &Settings::default());
    bencher.bench_local(|| {
        let diagnostics = to_lsp_diagnostics(&analysis, &index, PositionEncoding::Utf16);
        serde_json::to_vec(&diagnostics).expect("JSON").len()
    });
}

#[divan::bench(args = [
    "https://app.harness.io/ng/account/abc123XYZ_acc/module/iacm/orgs/default/projects/payments/workspaces/prod/resources",
    "http://app.harness.io/ng/#/account/abc/all/iacm/orgs/o/projects/p-1/workspaces/w?tab=x |",
])]
fn check_one_url(url: &str) -> usize {
    check_url(black_box(url), &Settings::default())
        .findings
        .len()
}
