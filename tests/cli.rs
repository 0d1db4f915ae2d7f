//! End-to-end tests of `iacm-lsp check`: the real binary, real files in
//! temporary folders, exit codes and every output format.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const GOOD_URL: &str = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources";
/// GOOD_URL without `/resources`: `workspace-url-missing-resources`.
const NO_RESOURCES_URL: &str = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws";
/// GOOD_URL over http: `workspace-url-insecure`.
const HTTP_URL: &str = "http://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/stage_ws/resources";

/// A Component whose annotation is a `|` block of `label: URL` lines. The
/// description and the label are not ASCII, so character columns differ
/// from byte columns on the URL lines.
fn labelled_catalog(lines: &[&str]) -> String {
    let block: String = lines.iter().map(|l| format!("      {l}\n")).collect();
    format!(
        "apiVersion: backstage.io/v1alpha1\n\
         kind: Component\n\
         metadata:\n  \
           name: payments\n  \
           description: Zahlungsdienst für Bestellungen\n  \
           annotations:\n    \
             harness.io/workspace-url: |\n\
         {block}\
         spec:\n  \
           type: service\n  \
           lifecycle: production\n  \
           owner: team-payments\n"
    )
}

/// A Component with a bare (unlabelled) URL.
fn bare_catalog(url: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\n\
         kind: Component\n\
         metadata:\n  \
           name: payments\n  \
           annotations:\n    \
             harness.io/workspace-url: {url}\n\
         spec:\n  \
           type: service\n  \
           lifecycle: production\n  \
           owner: team-payments\n"
    )
}

fn good_catalog() -> String {
    labelled_catalog(&[&format!("prod: {GOOD_URL}")])
}

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("HARNESS_BASE_URL")
        .output()
        .expect("run iacm-lsp")
}

fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .expect("exited normally, not by a signal")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr: {}",
            stdout(output),
            stderr(output)
        )
    })
}

fn write(dir: &Path, relative: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

fn diagnostics(report: &Value) -> &Vec<Value> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics is an array")
}

fn codes(report: &Value) -> Vec<String> {
    diagnostics(report)
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn with_code<'a>(report: &'a Value, code: &str) -> &'a Value {
    diagnostics(report)
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {report:#}"))
}

/// 1-based line and column in Unicode characters of a byte offset,
/// computed independently of the crate.
fn line_col(text: &str, offset: usize) -> (u64, u64) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = text[line_start..offset].chars().count() + 1;
    (line as u64, column as u64)
}

fn position(value: &Value) -> (u64, u64) {
    (
        value["line"].as_u64().unwrap(),
        value["column"].as_u64().unwrap(),
    )
}

#[test]
fn a_correct_file_is_clean_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "catalog-info.yaml", good_catalog());
    let output = check(dir.path(), &[]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert!(
        stdout(&output).contains("No problems found in 1 file"),
        "{}",
        stdout(&output)
    );

    let report = json(&check(dir.path(), &["--format", "json"]));
    assert_eq!(
        report,
        serde_json::json!({"version": 1, "files": 1, "diagnostics": []})
    );
}

#[test]
fn json_has_the_documented_shape_and_character_columns() {
    let dir = tempfile::tempdir().unwrap();
    let text = labelled_catalog(&[&format!("prød: {NO_RESOURCES_URL}")]);
    write(dir.path(), "svc/catalog-info.yaml", &text);
    let output = check(dir.path(), &["--format", "json"]);
    assert_eq!(code(&output), 1, "an error remains: {}", stderr(&output));
    let report = json(&output);

    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&report), ["diagnostics", "files", "version"]);
    assert_eq!(report["version"], 1);
    assert_eq!(report["files"], 1);
    for d in diagnostics(&report) {
        assert_eq!(
            keys(d),
            ["code", "fixes", "message", "path", "range", "severity"]
        );
        assert_eq!(keys(&d["range"]), ["end", "start"]);
        assert!(
            ["error", "warning", "information", "hint"].contains(&d["severity"].as_str().unwrap())
        );
        for fix in d["fixes"].as_array().unwrap() {
            assert_eq!(keys(fix), ["edits", "title"]);
            for edit in fix["edits"].as_array().unwrap() {
                assert_eq!(keys(edit), ["newText", "range"]);
            }
        }
    }

    let d = with_code(&report, "workspace-url-missing-resources");
    assert_eq!(d["path"], "svc/catalog-info.yaml");
    assert_eq!(d["severity"], "error");
    assert!(!d["message"].as_str().unwrap().is_empty());
    // The range ends where the URL ends, on the URL's line; `prø` makes a
    // byte-counted column one larger.
    let url_start = text.find(NO_RESOURCES_URL).unwrap();
    let url_end = url_start + NO_RESOURCES_URL.len();
    let (start, end) = (position(&d["range"]["start"]), position(&d["range"]["end"]));
    assert_eq!(end, line_col(&text, url_end), "{d:#}");
    assert_eq!(start.0, end.0);
    assert!(start >= line_col(&text, url_start), "{d:#}");
    assert_eq!(line_col(&text, url_start), (8, 13));
    // Its fix adds `/resources` at the end of the URL.
    let edit = &d["fixes"][0]["edits"][0];
    assert!(
        edit["newText"].as_str().unwrap().contains("/resources"),
        "{edit:#}"
    );
}

#[test]
fn human_output_has_code_excerpt_help_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("prød: {NO_RESOURCES_URL}");
    write(dir.path(), "catalog-info.yaml", labelled_catalog(&[&line]));
    let output = check(dir.path(), &["catalog-info.yaml"]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    assert!(
        out.contains("error[workspace-url-missing-resources]: "),
        "{out}"
    );
    assert!(out.contains("catalog-info.yaml:8:"), "{out}");
    assert!(out.contains(&line), "the source line is shown: {out}");
    assert!(out.contains("^^^"), "the characters are underlined: {out}");
    assert!(
        out.contains("= help: ") && out.contains("(fixable with --fix)"),
        "{out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "no colour when stdout is not a terminal: {out:?}"
    );
    let summary = out.lines().last().unwrap();
    assert!(
        summary.starts_with("1 error, ") && summary.ends_with("in 1 file; 1 fixable with --fix"),
        "{summary}"
    );
}

#[test]
fn github_format_emits_workflow_commands() {
    let dir = tempfile::tempdir().unwrap();
    let text = labelled_catalog(&[&format!("prød: {NO_RESOURCES_URL}")]);
    write(dir.path(), "a/catalog-info.yaml", &text);
    let output = check(dir.path(), &["--format", "github"]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    let url_end = line_col(
        &text,
        text.find(NO_RESOURCES_URL).unwrap() + NO_RESOURCES_URL.len(),
    );
    let line = out
        .lines()
        .find(|l| l.contains("title=iacm workspace-url-missing-resources::"))
        .unwrap_or_else(|| panic!("{out}"));
    let prefix = "::error file=a/catalog-info.yaml,line=8,col=";
    assert!(line.starts_with(prefix), "{line}");
    assert!(
        line.contains(&format!(",endLine=8,endColumn={},title=", url_end.1)),
        "{line}"
    );
    assert!(!line.contains('\r'), "{line}");
    // Every annotation is one line; the last line is the plain summary.
    assert!(
        out.lines()
            .all(|l| l.starts_with("::") || l == out.lines().last().unwrap()),
        "{out}"
    );
}

#[test]
fn sarif_format_is_sarif_2_1_0() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "catalog-info.yaml",
        labelled_catalog(&[&format!("prød: {NO_RESOURCES_URL}")]),
    );
    let output = check(dir.path(), &["--format", "sarif"]);
    assert_eq!(code(&output), 1);
    let sarif = json(&output);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "iacm-lsp");
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "workspace-url-missing-resources")
        .expect("a result for the missing /resources");
    assert_eq!(result["level"], "error");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "catalog-info.yaml");
    assert_eq!(location["region"]["startLine"], 8);
}

#[test]
fn warnings_alone_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "catalog-info.yaml", bare_catalog(GOOD_URL));
    let output = check(dir.path(), &["--format", "json"]);
    let report = json(&output);
    assert_eq!(codes(&report), ["workspace-url-unlabeled"], "{report:#}");
    assert_eq!(
        with_code(&report, "workspace-url-unlabeled")["severity"],
        "warning"
    );
    assert_eq!(code(&output), 0, "a warning does not fail the check");
}

#[test]
fn fix_repairs_the_url_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let before = labelled_catalog(&[
        &format!("prød: {NO_RESOURCES_URL}"),
        &format!("stage: {HTTP_URL}"),
    ]);
    write(dir.path(), "catalog-info.yaml", &before);
    #[cfg(unix)]
    set_mode(&dir.path().join("catalog-info.yaml"), 0o640);

    let output = check(dir.path(), &["--fix"]);
    assert_eq!(
        code(&output),
        0,
        "nothing is left: {}{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("Fixed 2 problems in 1 file."),
        "{}",
        stdout(&output)
    );
    let expected = labelled_catalog(&[
        &format!("prød: {NO_RESOURCES_URL}/resources"),
        &format!("stage: {}", HTTP_URL.replacen("http://", "https://", 1)),
    ]);
    let after = fs::read_to_string(dir.path().join("catalog-info.yaml")).unwrap();
    assert_eq!(after, expected);
    #[cfg(unix)]
    assert_eq!(
        mode(&dir.path().join("catalog-info.yaml")),
        0o640,
        "permissions are kept"
    );
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers,
        ["catalog-info.yaml"],
        "no temporary file is left behind"
    );

    let again = check(dir.path(), &["--fix"]);
    assert_eq!(code(&again), 0);
    assert_eq!(
        fs::read(dir.path().join("catalog-info.yaml")).unwrap(),
        expected.as_bytes()
    );
    assert!(!stdout(&again).contains("Fixed"), "{}", stdout(&again));
}

#[test]
fn fix_keeps_crlf_line_endings_and_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = |s: &str| s.replace('\n', "\r\n");
    let before = crlf(&labelled_catalog(&[
        &format!("prød: {NO_RESOURCES_URL}"),
        &format!("stage: {HTTP_URL}"),
    ]));
    write(dir.path(), "crlf/catalog-info.yaml", &before);
    write(
        dir.path(),
        "bom/catalog-info.yaml",
        format!("\u{feff}{before}"),
    );

    let output = check(dir.path(), &["--fix", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    let expected = crlf(&labelled_catalog(&[
        &format!("prød: {NO_RESOURCES_URL}/resources"),
        &format!("stage: {}", HTTP_URL.replacen("http://", "https://", 1)),
    ]));
    assert_eq!(
        fs::read_to_string(dir.path().join("crlf/catalog-info.yaml")).unwrap(),
        expected
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("bom/catalog-info.yaml")).unwrap(),
        format!("\u{feff}{expected}")
    );
}

#[test]
fn fix_that_adds_lines_keeps_crlf() {
    // Labelling a bare URL turns one line into a `|` block of two.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "catalog-info.yaml",
        bare_catalog(GOOD_URL).replace('\n', "\r\n"),
    );
    let output = check(dir.path(), &["--fix", "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        json(&output)["diagnostics"],
        serde_json::json!([]),
        "the warning is fixed"
    );
    let after = fs::read_to_string(dir.path().join("catalog-info.yaml")).unwrap();
    assert!(
        after.contains(&format!("prod_ws: {GOOD_URL}\r\n")),
        "labelled with the workspace id: {after:?}"
    );
    assert_eq!(
        after.matches('\n').count(),
        after.matches("\r\n").count(),
        "no bare LF: {after:?}"
    );
}

#[test]
fn bom_and_crlf_files_are_checked_with_editor_columns() {
    let dir = tempfile::tempdir().unwrap();
    let text = labelled_catalog(&[&format!("prød: {NO_RESOURCES_URL}")]).replace('\n', "\r\n");
    write(dir.path(), "catalog-info.yaml", format!("\u{feff}{text}"));
    let report = json(&check(dir.path(), &["--format", "json"]));
    let d = with_code(&report, "workspace-url-missing-resources");
    let url_end = text.find(NO_RESOURCES_URL).unwrap() + NO_RESOURCES_URL.len();
    assert_eq!(
        position(&d["range"]["end"]),
        line_col(&text, url_end),
        "{d:#}"
    );
}

#[test]
fn walking_respects_gitignore_includes_hidden_folders_and_skips_other_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let broken = labelled_catalog(&[&format!("prod: {NO_RESOURCES_URL}")]);
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), "generated/catalog-info.yaml", &broken);
    write(dir.path(), ".git/catalog-info.yaml", &broken);
    write(dir.path(), ".backstage/catalog-info.yaml", &broken);
    write(dir.path(), "svc/catalog-info.yml", good_catalog());
    write(
        dir.path(),
        "svc/api.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: a\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: 'openapi: 3.0.0'\n",
    );
    // Not catalog files: a workflow (even one mentioning the annotation), a
    // Kubernetes manifest, and a catalog-like file that is not YAML by name.
    write(
        dir.path(),
        ".github/workflows/ci.yaml",
        format!(
            "name: CI\non: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    env:\n      harness.io/workspace-url: {NO_RESOURCES_URL}\n"
        ),
    );
    write(
        dir.path(),
        "k8s/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\n",
    );
    write(dir.path(), "notes.txt", &broken);

    let output = check(dir.path(), &["--format", "json"]);
    let report = json(&output);
    assert_eq!(report["files"], 3, "{report:#}");
    let paths: Vec<&str> = diagnostics(&report)
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.iter().all(|p| *p == ".backstage/catalog-info.yaml"),
        "{paths:?}"
    );
    assert!(!paths.is_empty(), "the hidden folder is walked");
    assert_eq!(code(&output), 1);

    // Named explicitly, an ignored file is checked.
    let output = check(
        dir.path(),
        &["--format", "json", "generated/catalog-info.yaml"],
    );
    assert_eq!(json(&output)["files"], 1);
    assert_eq!(code(&output), 1);
}

#[test]
fn a_file_named_on_the_command_line_is_checked_whatever_its_name() {
    let dir = tempfile::tempdir().unwrap();
    // No Backstage apiVersion and not named catalog-info: only checked when named.
    let text = "kind: Component\nmetadata:\n  name: payments\n  annotations:\n    harness.io/workspace-url: |\n      \
                prod: https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws\n";
    write(dir.path(), "service.yaml", text);

    let walked = check(dir.path(), &["--format", "json"]);
    assert_eq!(json(&walked)["files"], 0);
    assert_eq!(code(&walked), 0);

    let named = check(dir.path(), &["--format", "json", "service.yaml"]);
    let report = json(&named);
    assert_eq!(report["files"], 1);
    assert!(
        codes(&report).contains(&"workspace-url-missing-resources".to_string()),
        "{report:#}"
    );
    assert_eq!(code(&named), 1);
}

#[test]
fn files_are_reported_once_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let broken = labelled_catalog(&[&format!("prod: {NO_RESOURCES_URL}")]);
    for name in [
        "b/catalog-info.yaml",
        "a/catalog-info.yaml",
        "c.catalog-info.yaml",
    ] {
        write(dir.path(), name, &broken);
    }
    let report = json(&check(
        dir.path(),
        &["--format", "json", ".", "./b/catalog-info.yaml", "a"],
    ));
    assert_eq!(report["files"], 3);
    let mut paths: Vec<&str> = diagnostics(&report)
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    paths.dedup();
    assert_eq!(
        paths,
        [
            "a/catalog-info.yaml",
            "b/catalog-info.yaml",
            "c.catalog-info.yaml"
        ]
    );
}

#[test]
fn a_file_that_is_not_utf8_is_named_and_exits_2_after_checking_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = good_catalog().into_bytes();
    bytes.extend_from_slice(b"# caf\xe9 in Latin-1\n");
    write(dir.path(), "latin1/catalog-info.yaml", bytes);
    write(
        dir.path(),
        "ok/catalog-info.yaml",
        labelled_catalog(&[&format!("prod: {NO_RESOURCES_URL}")]),
    );

    let output = check(dir.path(), &["--format", "json"]);
    assert_eq!(
        code(&output),
        2,
        "an unreadable file wins over errors found"
    );
    let err = stderr(&output);
    assert!(
        err.contains("latin1/catalog-info.yaml") && err.contains("UTF-8"),
        "{err}"
    );
    let report = json(&output);
    assert_eq!(report["files"], 1, "the other file is still checked");
    assert!(codes(&report).contains(&"workspace-url-missing-resources".to_string()));
}

#[test]
fn usage_and_missing_paths_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "catalog-info.yaml", good_catalog());

    let missing = check(dir.path(), &["nope/catalog-info.yaml", "catalog-info.yaml"]);
    assert_eq!(code(&missing), 2);
    assert!(
        stderr(&missing).contains("nope/catalog-info.yaml"),
        "{}",
        stderr(&missing)
    );
    assert!(
        stdout(&missing).contains("No problems found in 1 file"),
        "the rest is still checked"
    );

    for args in [
        &["--format", "xml"][..],
        &["--host", "not a host"],
        &["--no-such-flag"],
    ] {
        let output = check(dir.path(), args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(!stderr(&output).is_empty());
    }
}

#[test]
fn host_flag_accepts_a_self_managed_host() {
    let dir = tempfile::tempdir().unwrap();
    let url = GOOD_URL.replace("app.harness.io", "harness.acme.com");
    write(
        dir.path(),
        "catalog-info.yaml",
        labelled_catalog(&[&format!("prod: {url}")]),
    );

    let without = json(&check(dir.path(), &["--format", "json"]));
    assert_eq!(codes(&without), ["workspace-url-host"], "{without:#}");
    let with = check(
        dir.path(),
        &[
            "--format",
            "json",
            "--host",
            "harness.acme.com",
            "--host",
            "https://other.example:8443",
        ],
    );
    assert_eq!(json(&with)["diagnostics"], serde_json::json!([]));
    assert_eq!(code(&with), 0);
}

#[test]
fn help_explains_formats_fix_and_exit_codes() {
    let output = Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
        .args(["check", "--help"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    let help = stdout(&output);
    for needle in [
        "--format",
        "json",
        "sarif",
        "github",
        "--fix",
        "--host",
        "Exit status",
        "1  at least one error",
        ".gitignore",
    ] {
        assert!(help.contains(needle), "help lacks {needle:?}:\n{help}");
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn truncated_catalog_files_never_crash_check_or_fix() {
    // Every prefix (at character boundaries, every 23 bytes) of the shipped
    // mistakes example: broken YAML, half URLs, unterminated blocks.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/mistakes/catalog-info.yaml");
    let text = fs::read_to_string(example).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for (n, end) in (0..=text.len())
        .step_by(23)
        .filter(|&i| text.is_char_boundary(i))
        .enumerate()
    {
        let name = format!("prefix-{n:03}.yaml");
        write(dir.path(), &name, &text[..end]);
        names.push(name);
    }
    let args: Vec<&str> = names.iter().map(String::as_str).collect();
    for format in ["human", "json", "github", "sarif"] {
        let output = check(dir.path(), &[&["--format", format][..], &args].concat());
        assert!(
            matches!(code(&output), 0 | 1),
            "{format}: {}",
            stderr(&output)
        );
    }
    let first = check(
        dir.path(),
        &[&["--fix", "--format", "json"][..], &args].concat(),
    );
    assert!(matches!(code(&first), 0 | 1), "{}", stderr(&first));
    let snapshot: Vec<Vec<u8>> = names
        .iter()
        .map(|n| fs::read(dir.path().join(n)).unwrap())
        .collect();
    let second = check(
        dir.path(),
        &[&["--fix", "--format", "json"][..], &args].concat(),
    );
    assert_eq!(
        json(&first),
        json(&second),
        "a second --fix reports the same"
    );
    for (name, before) in names.iter().zip(&snapshot) {
        assert_eq!(
            &fs::read(dir.path().join(name)).unwrap(),
            before,
            "{name} changed on the second --fix"
        );
    }
}
