//! End to end: the real `iacm-lsp` binary over stdio, checked the way an
//! editor user would notice things (what is underlined where, what a quick
//! fix does to the text).

mod support;

use serde_json::{Value, json};
use support::lsp_client::{
    Enc, LspClient, apply_text_edits, capabilities, changes_for, edit, position, range,
};

const URI: &str = "file:///repo/catalog-info.yaml";
const BASE: &str = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws";

/// A catalog file whose only annotation line is `prød-ü: <url>`: the label
/// has non-ASCII characters, so UTF-8 and UTF-16 columns of the URL differ.
fn catalog(url: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    harness.io/workspace-url: |
      prød-ü: {url}
spec:
  type: service
  lifecycle: production
  owner: team-a
"
    )
}

fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["code"] == code).collect()
}

fn the_one<'a>(diagnostics: &'a [Value], code: &str) -> &'a Value {
    let found = with_code(diagnostics, code);
    assert_eq!(found.len(), 1, "expected one {code} in {diagnostics:#?}");
    found[0]
}

fn code_actions(client: &mut LspClient, range: Value, only: Option<&[&str]>) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let result = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": range, "context": context}),
    );
    result.as_array().cloned().unwrap_or_default()
}

fn edits_for_uri(action: &Value) -> Vec<Value> {
    action["edit"]["changes"][URI]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn initialize_negotiates_utf8_when_offered_and_declares_capabilities() {
    let mut client = LspClient::spawn();
    let result = client.initialize(Some(&["utf-8", "utf-16"]), Value::Null);
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-8");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    let kinds = caps["codeActionProvider"]["codeActionKinds"]
        .as_array()
        .expect("code action kinds");
    for kind in ["quickfix", "source.fixAll", "source.fixAll.iacm"] {
        assert!(
            kinds.contains(&json!(kind)),
            "{kind} missing from {kinds:?}"
        );
    }
    assert!(caps["documentLinkProvider"].is_object());
    assert_eq!(result["serverInfo"]["name"], "iacm-lsp");
    assert!(
        !result["serverInfo"]["version"]
            .as_str()
            .unwrap_or("")
            .is_empty()
    );
}

#[test]
fn initialize_falls_back_to_utf16() {
    let mut client = LspClient::spawn();
    let result = client.initialize(None, Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    let mut client = LspClient::spawn();
    let result = client.initialize(Some(&["utf-32", "utf-16"]), Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
}

fn missing_resources_range(enc: Enc) {
    let mut client = LspClient::start(enc);
    let text = catalog(BASE);
    client.open(URI, 7, &text);
    let diagnostics = client.diagnostics(URI, 7);
    let d = the_one(&diagnostics, "workspace-url-missing-resources");
    assert_eq!(d["source"], "iacm");
    assert_eq!(d["severity"], 1);
    assert!(!d["message"].as_str().unwrap().is_empty());
    let ws = text.find("prod_ws").unwrap();
    let url_end = text.find(BASE).unwrap() + BASE.len();
    assert_eq!(
        d["range"],
        range(&text, ws..url_end, enc),
        "in {}",
        enc.name()
    );
}

#[test]
fn missing_resources_is_underlined_from_the_workspace_id_utf8() {
    missing_resources_range(Enc::Utf8);
}

#[test]
fn missing_resources_is_underlined_from_the_workspace_id_utf16() {
    missing_resources_range(Enc::Utf16);
}

#[test]
fn insecure_scheme_is_a_warning_on_http_with_an_https_fix() {
    for enc in [Enc::Utf16, Enc::Utf8] {
        let mut client = LspClient::start(enc);
        let url = format!("{}/resources", BASE.replacen("https", "http", 1));
        let text = catalog(&url);
        client.open(URI, 1, &text);
        let diagnostics = client.diagnostics(URI, 1);
        let d = the_one(&diagnostics, "workspace-url-insecure");
        assert_eq!(d["severity"], 2);
        let http = text.find("http://").unwrap();
        assert_eq!(d["range"], range(&text, http..http + 4, enc));

        let actions = code_actions(&mut client, d["range"].clone(), Some(&["quickfix"]));
        let fix = actions
            .iter()
            .find(|a| a["diagnostics"][0]["code"] == "workspace-url-insecure")
            .unwrap_or_else(|| panic!("no quick fix for the insecure URL in {actions:#?}"));
        assert_eq!(fix["kind"], "quickfix");
        assert_eq!(fix["isPreferred"], true);
        let edits = edits_for_uri(fix);
        assert_eq!(edits, [json!({"range": d["range"], "newText": "https"})]);
        assert_eq!(
            apply_text_edits(&text, &edits, enc),
            catalog(&format!("{BASE}/resources"))
        );
    }
}

#[test]
fn quick_fix_adds_resources_and_the_diagnostic_goes_away() {
    let enc = Enc::Utf16;
    let mut client = LspClient::start(enc);
    let text = catalog(BASE);
    client.open(URI, 1, &text);
    let diagnostics = client.diagnostics(URI, 1);
    let d = the_one(&diagnostics, "workspace-url-missing-resources");

    let actions = code_actions(&mut client, d["range"].clone(), None);
    let fix = actions
        .iter()
        .find(|a| {
            a["kind"] == "quickfix"
                && a["diagnostics"][0]["code"] == "workspace-url-missing-resources"
        })
        .unwrap_or_else(|| panic!("no quick fix for missing /resources in {actions:#?}"));
    assert_eq!(fix["diagnostics"][0]["range"], d["range"]);
    let edits = edits_for_uri(fix);
    let fixed = apply_text_edits(&text, &edits, enc);
    assert!(fixed.contains("/workspaces/prod_ws/resources\n"), "{fixed}");

    client.change(URI, 2, changes_for(&text, &edits, enc));
    let after = client.diagnostics(URI, 2);
    assert!(
        with_code(&after, "workspace-url-missing-resources").is_empty(),
        "{after:#?}"
    );
    // The server's text is the fixed text: its link covers the whole new URL.
    let links = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    let url = format!("{BASE}/resources");
    let start = fixed.find(&url).unwrap();
    assert_eq!(
        links[0]["range"],
        range(&fixed, start..start + url.len(), enc),
        "{links:#}"
    );
}

fn incremental_edits_on_multibyte_lines(enc: Enc) {
    let mut client = LspClient::start(enc);
    let mut text = catalog(&format!("{BASE}/resources"));
    client.open(URI, 1, &text);
    assert!(with_code(&client.diagnostics(URI, 1), "workspace-url-insecure").is_empty());

    // Insert an emoji and an accent inside the label, before the URL.
    let at = text.find("ø").unwrap();
    let e1 = edit(&mut text, at..at, "😀é", enc);
    client.change(URI, 2, vec![e1]);
    // Two changes in one notification: delete `ø` (one UTF-16 unit, two
    // bytes), then split the label's line after the emoji... and join it
    // back, so each range depends on the change before it.
    let at = text.find("ø").unwrap();
    let e2 = edit(&mut text, at..at + 'ø'.len_utf8(), "", enc);
    let at = text.find("😀").unwrap() + '😀'.len_utf8();
    let e3 = edit(&mut text, at..at, "\n", enc);
    let e4 = edit(&mut text, at..at + 1, "", enc);
    client.change(URI, 3, vec![e2, e3, e4]);
    // A line of non-ASCII text above, so line numbers move too.
    let at = text.find("metadata:").unwrap();
    let e5 = edit(&mut text, at..at, "# ünïcödé 😀 comment\n", enc);
    client.change(URI, 4, vec![e5]);
    // Now break the URL: https -> http.
    let s = text.find("https://").unwrap() + 4;
    let e6 = edit(&mut text, s..s + 1, "", enc);
    client.change(URI, 5, vec![e6]);

    assert!(
        text.contains("      pr😀éd-ü: http://app.harness.io/"),
        "{text}"
    );
    let diagnostics = client.diagnostics(URI, 5);
    let d = the_one(&diagnostics, "workspace-url-insecure");
    let http = text.find("http://").unwrap();
    assert_eq!(
        d["range"],
        range(&text, http..http + 4, enc),
        "in {}",
        enc.name()
    );
    assert!(
        with_code(&diagnostics, "yaml-syntax").is_empty(),
        "{diagnostics:#?}"
    );
}

#[test]
fn incremental_edits_keep_ranges_right_on_multibyte_lines_utf16() {
    incremental_edits_on_multibyte_lines(Enc::Utf16);
}

#[test]
fn incremental_edits_keep_ranges_right_on_multibyte_lines_utf8() {
    incremental_edits_on_multibyte_lines(Enc::Utf8);
}

#[test]
fn a_change_older_than_the_document_is_ignored() {
    let enc = Enc::Utf16;
    let mut client = LspClient::start(enc);
    let mut text = catalog(&format!("{BASE}/resources"));
    client.open(URI, 3, &text);
    assert!(with_code(&client.diagnostics(URI, 3), "workspace-url-insecure").is_empty());

    // Late arrivals: same and older versions, which would add http://.
    let insecure = catalog(&format!("{}/resources", BASE.replacen("https", "http", 1)));
    client.change(URI, 2, vec![json!({"text": insecure})]);
    client.change(URI, 3, vec![json!({"text": insecure})]);
    // A change for a document that is not open, with nonsense positions.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nowhere.yaml", "version": 9},
               "contentChanges": [{"range": {"start": {"line": 99, "character": 5}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    // A newer change, relative to the text the server should still hold.
    let end = text.len();
    let e = edit(&mut text, end..end, "# end\n", enc);
    client.change(URI, 4, vec![e]);
    let diagnostics = client.diagnostics(URI, 4);
    assert!(
        with_code(&diagnostics, "workspace-url-insecure").is_empty(),
        "{diagnostics:#?}"
    );
    let links = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    let url = text.find(BASE).unwrap();
    assert_eq!(links[0]["range"]["start"], position(&text, url, enc));
}

#[test]
fn a_burst_of_changes_on_a_large_file_ends_with_the_latest_diagnostics() {
    let enc = Enc::Utf16;
    let mut client = LspClient::start(enc);
    // About 45 KB, changes in quick bursts with pauses between: analyses
    // overlap with incoming changes, and some finish between bursts.
    let entity = catalog(&format!("{BASE}/resources"));
    let mut text = format!("---\n{entity}").repeat(100);
    client.open(URI, 1, &text);
    let last = 40;
    for version in 2..=last {
        // Type one character at a time into a comment on the last line.
        let end = text.len();
        let e = edit(
            &mut text,
            end..end,
            if version == 2 { "#" } else { "é" },
            enc,
        );
        client.change(URI, version, vec![e]);
        if version % 8 == 0 {
            std::thread::sleep(std::time::Duration::from_millis(150));
        }
    }
    let diagnostics = client.diagnostics(URI, last);
    assert!(
        diagnostics.is_empty(),
        "{:#?}",
        &diagnostics[..diagnostics.len().min(3)]
    );
    // Publishes arrive oldest first, and nothing older follows the latest.
    let before: Vec<_> = client.take_received("textDocument/publishDiagnostics");
    let versions: Vec<_> = before
        .iter()
        .map(|p| p["version"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(
        versions.iter().all(|&v| v < i64::from(last)),
        "{versions:?}"
    );
    client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    let after = client.take_received("textDocument/publishDiagnostics");
    assert!(
        after.is_empty(),
        "stale publishes after the latest: {after:#?}"
    );
}

#[test]
fn other_yaml_gets_an_empty_diagnostics_list() {
    let mut client = LspClient::start(Enc::Utf16);
    let uri = "file:///repo/.github/workflows/ci.yaml";
    let text = "name: CI
on: push
env:
  DOCS: http://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/p/workspaces/w
  harness.io/workspace-url: http://example.com
jobs:
  build:
    runs-on: ubuntu-latest
";
    client.open(uri, 1, text);
    let params =
        client.wait_for_notification("textDocument/publishDiagnostics", |p| p["uri"] == uri);
    assert_eq!(params["diagnostics"], json!([]));
    assert_eq!(params["version"], 1);
    let links = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(links.as_array().is_none_or(Vec::is_empty), "{links}");
}

#[test]
fn fix_all_is_one_edit_that_clears_every_fixable_problem() {
    let enc = Enc::Utf8;
    let mut client = LspClient::start(enc);
    let stage = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/stage_ws/resources?tab=x";
    let text = catalog(&format!(
        "{}\n      stagé: {stage}",
        BASE.replacen("https", "http", 1)
    ));
    client.open(URI, 1, &text);
    let diagnostics = client.diagnostics(URI, 1);
    let fixable = [
        "workspace-url-insecure",
        "workspace-url-missing-resources",
        "workspace-url-query",
    ];
    for code in fixable {
        the_one(&diagnostics, code);
    }

    let everything = range(&text, 0..text.len(), enc);
    assert!(
        code_actions(&mut client, everything.clone(), Some(&["quickfix"]))
            .iter()
            .all(|a| a["kind"] == "quickfix")
    );
    let source_fix_all = code_actions(&mut client, everything.clone(), Some(&["source.fixAll"]));
    let actions = code_actions(
        &mut client,
        everything.clone(),
        Some(&["source.fixAll.iacm"]),
    );
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(
        source_fix_all, actions,
        "source.fixAll includes source.fixAll.iacm"
    );
    let action = &actions[0];
    assert_eq!(action["kind"], "source.fixAll.iacm");
    let edits = edits_for_uri(action);
    assert_eq!(edits.len(), 1, "{edits:#?}");
    let fixed = apply_text_edits(&text, &edits, enc);
    assert!(
        fixed.contains(&format!("prød-ü: {BASE}/resources\n")),
        "{fixed}"
    );
    assert!(fixed.contains("stagé: https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/stage_ws/resources\n"), "{fixed}");

    client.change(URI, 2, changes_for(&text, &edits, enc));
    let after = client.diagnostics(URI, 2);
    for code in fixable {
        assert!(
            with_code(&after, code).is_empty(),
            "{code} left in {after:#?}"
        );
    }
    let everything = range(&fixed, 0..fixed.len(), enc);
    let left = code_actions(&mut client, everything, None);
    assert!(left.is_empty(), "nothing fixable should be left: {left:#?}");
}

#[test]
fn fix_all_edit_is_resolved_lazily_when_the_client_can() {
    let enc = Enc::Utf16;
    let mut client = LspClient::spawn();
    let mut caps = capabilities(None);
    caps["textDocument"]["codeAction"]["resolveSupport"] = json!({"properties": ["edit"]});
    client.initialize_with(caps, Value::Null);
    let text = catalog(&BASE.replacen("https", "http", 1));
    client.open(URI, 1, &text);
    client.diagnostics(URI, 1);

    // Without `only` (a cursor move), the fix-all action comes without its edit...
    let cursor = range(&text, 0..0, enc);
    let actions = code_actions(&mut client, cursor, None);
    let lazy: Vec<_> = actions
        .iter()
        .filter(|a| a["kind"] == "source.fixAll.iacm")
        .collect();
    assert_eq!(lazy.len(), 1, "{actions:#?}");
    assert!(lazy[0].get("edit").is_none(), "{:#}", lazy[0]);
    // ...which `codeAction/resolve` fills in.
    let resolved = client.request("codeAction/resolve", lazy[0].clone());
    let fixed = apply_text_edits(&text, &edits_for_uri(&resolved), enc);
    assert_eq!(fixed, catalog(&format!("{BASE}/resources")));
    // Asked for explicitly (e.g. fix on save), the edit comes at once.
    let eager = code_actions(
        &mut client,
        range(&text, 0..0, enc),
        Some(&["source.fixAll"]),
    );
    assert_eq!(edits_for_uri(&eager[0]), edits_for_uri(&resolved));
}

#[test]
fn document_link_opens_the_canonical_workspace_url() {
    let enc = Enc::Utf16;
    let mut client = LspClient::start(enc);
    let url = format!("{BASE}/resources");
    let text = catalog(&url);
    client.open(URI, 1, &text);
    let links = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    let links = links.as_array().expect("links");
    assert_eq!(links.len(), 1, "{links:#?}");
    assert_eq!(links[0]["target"], url.as_str());
    let start = text.find(&url).unwrap();
    assert_eq!(
        links[0]["range"],
        range(&text, start..start + url.len(), enc)
    );
    assert!(links[0]["tooltip"].as_str().unwrap().contains("prod_ws"));
    // Unknown documents get no links and no error.
    let none = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": "file:///x.yaml"}}),
    );
    assert!(none.as_array().is_none_or(Vec::is_empty));
}

#[test]
fn settings_from_initialization_and_configuration_changes() {
    let mut client = LspClient::spawn();
    let options =
        json!({"iacm": {"diagnostics": {"workspace-url-insecure": "error"}, "live": "yes"}});
    client.initialize(None, options);
    let warning = client.wait_for_notification("window/logMessage", |p| p["type"] == 2);
    assert!(
        warning["message"].as_str().unwrap().contains("iacm.live"),
        "{warning}"
    );

    let text = catalog(&format!("{}/resources", BASE.replacen("https", "http", 1)));
    client.open(URI, 1, &text);
    let diagnostics = client.diagnostics(URI, 1);
    assert_eq!(
        the_one(&diagnostics, "workspace-url-insecure")["severity"],
        1
    );

    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"iacm": {"diagnostics": {"workspace-url-insecure": "off"}}}}),
    );
    let after = client.diagnostics(URI, 1);
    assert!(
        with_code(&after, "workspace-url-insecure").is_empty(),
        "{after:#?}"
    );
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let mut client = LspClient::start(Enc::Utf16);
    client.open(URI, 1, &catalog(BASE));
    assert!(!client.diagnostics(URI, 1).is_empty());
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": URI}}),
    );
    let params = client.wait_for_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == URI && p["diagnostics"] == json!([])
    });
    assert!(params["version"].is_null());
    // Requests on the closed document are answered, empty.
    assert!(code_actions(&mut client, range("", 0..0, Enc::Utf16), None).is_empty());
}

#[test]
fn shutdown_then_exit_exits_with_status_zero() {
    let mut client = LspClient::start(Enc::Utf8);
    client.open(URI, 1, &catalog(BASE));
    client.diagnostics(URI, 1);
    let status = client.shutdown_and_exit();
    assert!(status.success(), "{status:?}");
}

#[test]
fn exit_without_shutdown_is_an_error_status() {
    let mut client = LspClient::start(Enc::Utf16);
    let status = client.exit();
    assert_eq!(status.code(), Some(1));
}
