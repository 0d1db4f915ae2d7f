//! `cargo bench`: prints how long analysis, fixing and the `check` binary
//! take on the real corpus and on a generated 1 MB and 5 MB catalog file.
//! Numbers, not assertions: compare them with DESIGN.md's targets.

#[path = "support/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use iacm_lsp::{Settings, analyze_catalog, fix_all};

const MB: usize = 1024 * 1024;

/// Runs `f` `runs` times and returns the median duration and the last result.
fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(std::hint::black_box(f()));
        times.push(start.elapsed());
    }
    times.sort();
    (times[runs / 2], last.expect("runs > 0"))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn mb_per_s(bytes: usize, d: Duration) -> String {
    format!("{:.1} MB/s", bytes as f64 / MB as f64 / d.as_secs_f64())
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    files
}

/// Wall time of `iacm-lsp check ARGS` (median of `runs`), output discarded.
fn time_binary(runs: usize, args: &[&str], paths: &[PathBuf]) -> (Duration, Option<i32>) {
    median(runs, || {
        Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
            .arg("check")
            .args(args)
            .args(paths)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()
            .and_then(|s| s.code())
    })
}

fn main() {
    // `cargo bench` passes `--bench`; without it (`cargo test --all-targets`)
    // this is a smoke run: small inputs, one run each, numbers meaningless.
    let full = std::env::args().any(|a| a == "--bench");
    let runs = |n: usize| if full { n } else { 1 };
    let settings = Settings::default();
    println!(
        "iacm-lsp benchmarks ({} build{})",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "optimised"
        },
        if full {
            ""
        } else {
            ", smoke run without --bench"
        }
    );

    let files = corpus_files();
    if files.is_empty() {
        println!("corpus: ../shared/corpus/real not found, skipped");
    } else {
        let texts: Vec<String> = files
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect();
        let bytes: usize = texts.iter().map(String::len).sum();
        let (time, diagnostics) = median(runs(21), || {
            texts
                .iter()
                .map(|t| analyze_catalog(t, &settings).diagnostics.len())
                .sum::<usize>()
        });
        println!(
            "corpus: analyze_catalog on {} files ({} KB): {} total ({:.1} µs per file), {} diagnostics",
            texts.len(),
            bytes / 1024,
            ms(time),
            time.as_secs_f64() * 1e6 / texts.len() as f64,
            diagnostics
        );
        let (time, status) = time_binary(runs(11), &["--format", "json"], &files);
        println!(
            "corpus: `iacm-lsp check --format json` on {} files: {} (exit {status:?})",
            files.len(),
            ms(time)
        );
    }

    let dir = tempfile::tempdir().expect("a temporary folder");
    let sizes = if full {
        [MB, 5 * MB]
    } else {
        [MB / 16, MB / 8]
    };
    for (size, size_runs) in sizes.into_iter().zip([runs(11), runs(5)]) {
        let (text, entities) = generate::catalog(size, 42);
        let label = format!("{:.3} MB", size as f64 / MB as f64).replace(".000", "");
        let last = size == sizes[1];
        let (time, analysis) = median(size_runs, || analyze_catalog(&text, &settings));
        println!(
            "{label}: analyze_catalog on {entities} entities ({} bytes): {} median of {size_runs} ({}), {} diagnostics",
            text.len(),
            ms(time),
            mb_per_s(text.len(), time),
            analysis.diagnostics.len()
        );
        if !last {
            continue;
        }
        let (time, (_, fixes)) = median(runs(3), || fix_all(&text, &settings));
        println!(
            "{label}: fix_all: {} median of {} ({}), {fixes} fixes",
            ms(time),
            runs(3),
            mb_per_s(text.len(), time)
        );

        let path = dir.path().join("generated.catalog-info.yaml");
        std::fs::write(&path, &text).expect("write the generated file");
        for format in ["human", "json"] {
            let (time, status) =
                time_binary(runs(5), &["--format", format], std::slice::from_ref(&path));
            println!(
                "{label}: `iacm-lsp check --format {format}`: {} median of {} (exit {status:?})",
                ms(time),
                runs(5)
            );
        }
        let (time, status) = median(runs(3), || {
            std::fs::write(&path, &text).expect("reset the generated file");
            time_binary(
                1,
                &["--fix", "--format", "json"],
                std::slice::from_ref(&path),
            )
        });
        println!(
            "{label}: `iacm-lsp check --fix` (incl. rewriting the file): {} median of {} (exit {:?})",
            ms(time),
            runs(3),
            status.1
        );
    }
    harness_annotations(full, &settings);
}

/// The other Harness annotations: a 1 MB catalog whose entities all carry
/// pipelines, services, project-url, ids and a perspective (a quarter of
/// them broken), and one 8 KB hostile pipeline line for the URL matcher.
fn harness_annotations(full: bool, settings: &Settings) {
    let acc = "https://app.harness.io/ng/account/abc123";
    let size = if full { MB } else { MB / 16 };
    let mut text = String::new();
    let mut entities = 0;
    while text.len() < size {
        let tail = if entities % 4 == 0 {
            ""
        } else {
            "/pipeline-studio/"
        };
        text.push_str(&format!(
            "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc{entities}\n  annotations:\n    \
             harness.io/pipelines: |\n      Build: {acc}/module/ci/orgs/default/projects/p{entities}/pipelines/build{tail}\n      \
             Deploy: {acc}/all/orgs/default/projects/p{entities}/pipelines/deploy/executions\n    \
             harness.io/services: |\n      svc: {acc}/cd/orgs/default/projects/p{entities}/services/svc{entities}\n    \
             harness.io/project-url: {acc}/home/orgs/default/projects/p{entities}/details\n    \
             harness.io/ci-pipelineIds: build, deploy\n    harness.io/perspective-url: {acc}/ce/perspectives/P{entities}/name/x\n\
             spec:\n  type: service\n  owner: team-a\n"
        ));
        entities += 1;
    }
    let runs = if full { 11 } else { 1 };
    let (time, analysis) = median(runs, || analyze_catalog(&text, settings));
    println!(
        "harness annotations: analyze_catalog on {entities} entities ({} bytes): {} median of {runs} ({}), {} diagnostics",
        text.len(),
        ms(time),
        mb_per_s(text.len(), time),
        analysis.diagnostics.len()
    );
    let hostile = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n  annotations:\n    \
         harness.io/pipelines: |\n      a: https://app.harness.io{}\n",
        "/account/a/module/m/orgs/o/projects/p/pipelines".repeat(170)
    );
    let (time, _) = median(runs, || analyze_catalog(&hostile, settings));
    println!(
        "harness annotations: one {} byte hostile pipeline line: {} median of {runs}",
        hostile.len(),
        ms(time)
    );
}
