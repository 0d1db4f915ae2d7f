//! `iacm-lsp check --live` end to end: the real binary, real files, and the
//! fake Harness API on 127.0.0.1 as `HARNESS_BASE_URL`.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use support::fake_harness::{DEFAULT_KEY, FakeHarness, Fault};

const NO_KEY: &str =
    "--live: no Harness API key (set HARNESS_API_KEY); running the static checks only";

/// A catalog file with one `label: URL` line per workspace, and `extra`
/// lines as they are.
fn catalog(workspaces: &[&str], extra: &[&str]) -> String {
    let mut block: String = workspaces
        .iter()
        .map(|ws| format!("      {ws}: {}\n", FakeHarness::workspace_url(ws)))
        .collect();
    for line in extra {
        block.push_str(&format!("      {line}\n"));
    }
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  \
         annotations:\n    harness.io/workspace-url: |\n{block}spec:\n  type: service\n  \
         lifecycle: production\n  owner: team-payments\n"
    )
}

/// Runs `check --live --format json` in `dir` with the fake as the API
/// base, no settings from the machine, and `env` on top.
fn check_live(dir: &Path, fake: &FakeHarness, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
        .args(["check", "--live", "--format", "json", "."])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("HARNESS_API_KEY")
        .env_remove("HARNESS_PLATFORM_API_KEY")
        .env_remove("IACM_LIVE")
        .env("HARNESS_BASE_URL", fake.base_url())
        .envs(env.iter().copied())
        .output()
        .expect("run iacm-lsp")
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// (path, line, code) of each diagnostic, in report order.
fn found(report: &Value) -> Vec<(String, u64, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn assert_never_shown(output: &Output, secret: &str) {
    for (name, stream) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        assert!(
            !String::from_utf8_lossy(stream).contains(secret),
            "the key is in {name}"
        );
    }
}

#[test]
fn live_codes_are_reported_with_the_static_ones() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault("staging_ws", Fault::Status(403));
    let dir = tempfile::tempdir().unwrap();
    // Line 7 onwards: one URL per line, in this order.
    let first = catalog(
        &[
            "ghost_ws",
            "staging_ws",
            "empty_ws",
            "broken_ws",
            "dev_ws",
            "prod_ws",
        ],
        // A static problem too: the URL without /resources.
        &[
            "old: https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws",
        ],
    );
    std::fs::write(dir.path().join("catalog-info.yaml"), first).unwrap();
    // prod_ws again, in a second file: still one request per endpoint.
    std::fs::create_dir(dir.path().join("svc")).unwrap();
    std::fs::write(
        dir.path().join("svc/catalog-info.yaml"),
        catalog(&["prod_ws", "dev_ws"], &[]),
    )
    .unwrap();

    // IACM_LIVE=0 is overridden by asking for --live.
    let output = check_live(
        dir.path(),
        &fake,
        &[("HARNESS_API_KEY", DEFAULT_KEY), ("IACM_LIVE", "0")],
    );
    let report = report(&output);
    let path = "catalog-info.yaml".to_string();
    let svc = "svc/catalog-info.yaml".to_string();
    let expected = [
        (path.clone(), 7, "workspace-not-found"),
        (path.clone(), 8, "workspace-access-denied"),
        (path.clone(), 9, "workspace-empty"),
        (path.clone(), 10, "workspace-failed"),
        (path.clone(), 11, "workspace-drifted"),
        (path.clone(), 13, "workspace-url-missing-resources"),
        (svc.clone(), 8, "workspace-drifted"),
    ];
    let mut expected: Vec<(String, u64, String)> = expected
        .into_iter()
        .map(|(p, l, c)| (p, l, c.to_string()))
        .collect();
    let mut got = found(&report);
    got.sort();
    expected.sort();
    assert_eq!(
        got,
        expected,
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Sorted by position within each file, live and static together.
    let first_file: Vec<u64> = found(&report)
        .into_iter()
        .filter(|(p, _, _)| *p == path)
        .map(|(_, l, _)| l)
        .collect();
    assert!(
        first_file.windows(2).all(|w| w[0] <= w[1]),
        "{first_file:?}"
    );
    let severities: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["code"].as_str().unwrap().starts_with("workspace-")
                && d["code"] != "workspace-url-missing-resources"
        })
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    assert!(
        severities
            .iter()
            .all(|s| matches!(*s, "warning" | "information")),
        "{severities:?}"
    );
    // The static error fails the check; the live codes alone would not.
    assert_eq!(output.status.code(), Some(1));
    // Seven workspaces named (prod_ws and dev_ws twice): one request each
    // per endpoint, whatever the number of files.
    for ws in ["prod_ws", "dev_ws"] {
        assert_eq!(
            fake.request_count(&format!("/workspaces/{ws}/resources")),
            1,
            "{ws}"
        );
    }
    assert!(!String::from_utf8_lossy(&output.stderr).contains(NO_KEY));
    assert_never_shown(&output, DEFAULT_KEY);
    assert_never_shown(&output, "fakeSecretValue");
}

#[test]
fn live_warnings_alone_do_not_fail_the_check() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        catalog(&["broken_ws", "ghost_ws", "prod_ws"], &[]),
    )
    .unwrap();
    let output = check_live(dir.path(), &fake, &[("HARNESS_API_KEY", DEFAULT_KEY)]);
    let codes: Vec<String> = found(&report(&output))
        .into_iter()
        .map(|(_, _, c)| c)
        .collect();
    assert_eq!(codes, ["workspace-failed", "workspace-not-found"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_refused_key_and_a_key_of_another_account() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        catalog(&["prod_ws"], &[]),
    )
    .unwrap();

    let bad = "pat.abc123.revokedId.revokedSecret";
    let output = check_live(dir.path(), &fake, &[("HARNESS_API_KEY", bad)]);
    let report_bad = report(&output);
    assert_eq!(
        found(&report_bad),
        [(
            "catalog-info.yaml".to_string(),
            7,
            "workspace-access-denied".to_string()
        )]
    );
    let message = report_bad["diagnostics"][0]["message"].as_str().unwrap();
    assert!(message.contains("401"), "{message}");
    assert_never_shown(&output, bad);

    let other = "sat.otherAccount.tokenId.otherSecret";
    fake.set_key(other);
    let output = check_live(dir.path(), &fake, &[("HARNESS_PLATFORM_API_KEY", other)]);
    assert_eq!(
        found(&report(&output)),
        [(
            "catalog-info.yaml".to_string(),
            7,
            "api-key-account-mismatch".to_string()
        )]
    );
    assert_never_shown(&output, other);
}

#[test]
fn without_a_key_it_says_so_once_and_runs_the_static_checks() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let dir = tempfile::tempdir().unwrap();
    for name in ["a/catalog-info.yaml", "b/catalog-info.yaml"] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            path,
            catalog(
                &["ghost_ws"],
                &["old: https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws"],
            ),
        )
        .unwrap();
    }
    let output = check_live(dir.path(), &fake, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches(NO_KEY).count(), 1, "{stderr}");
    let codes: Vec<String> = found(&report(&output))
        .into_iter()
        .map(|(_, _, c)| c)
        .collect();
    assert_eq!(codes, ["workspace-url-missing-resources"; 2]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(fake.requests().len(), 0);
}

#[test]
fn an_unreachable_harness_is_reported_on_stderr_not_in_the_files() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault("prod_ws", Fault::Status(500));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        catalog(&["prod_ws"], &[]),
    )
    .unwrap();
    let output = check_live(dir.path(), &fake, &[("HARNESS_API_KEY", DEFAULT_KEY)]);
    assert!(found(&report(&output)).is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("prod_ws") && stderr.contains("500"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(0));
}
