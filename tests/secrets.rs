//! The API key never leaves the server except in the `x-api-key` header to
//! the configured Harness host. This drives every path that could show it
//! (settings from all three sources and a bad one, hovers over every
//! workspace state, failing and key-echoing Harness answers, code lenses,
//! code actions, completion from live lists, commands, a malformed message
//! holding the key, a panicking handler) and scans everything the server
//! wrote: all of stderr (the server has one log level, and it is always
//! on), every message it sent, and `check --live` in all four formats.

mod support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_harness::{DEFAULT_KEY, FakeHarness, Fault};
use support::lsp_client::{ConfigAnswer, Enc, LspClient, capabilities, position};

/// The secret part of `DEFAULT_KEY` (`pat.<account>.<token id>.<secret>`).
const SECRET: &str = "fakeSecretValue";
/// Another key pushed later in the session, and its secret part.
const OTHER_KEY: &str = "pat.abc123.otherTokenId.otherSecretPart";
const OTHER_SECRET: &str = "otherSecretPart";
const URI: &str = "file:///repo/catalog-info.yaml";

/// One line per workspace state: served, drifted, failed, empty, unknown
/// (404), forbidden, failing in three ways, echoing the key; and a URL on
/// a host that is not allowed.
const WORKSPACES: &[&str] = &[
    "prod_ws",
    "dev_ws",
    "broken_ws",
    "empty_ws",
    "no_such_ws",
    "staging_ws",
    "network_ws",
    "queue_ws",
    "dns_ws",
    "legacy_ws",
];

fn fake_with_faults() -> FakeHarness {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault("staging_ws", Fault::Status(403));
    fake.set_fault("network_ws", Fault::MalformedJson);
    fake.set_fault("queue_ws", Fault::Status(500));
    fake.set_fault("dns_ws", Fault::EchoKey(401));
    fake.set_fault("legacy_ws", Fault::EchoKey(502));
    fake
}

fn catalog() -> String {
    let mut block: String = WORKSPACES
        .iter()
        .map(|ws| format!("      {ws}: {}\n", FakeHarness::workspace_url(ws)))
        .collect();
    block.push_str("      other: https://harness.elsewhere.example/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources\n");
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  \
         annotations:\n    harness.io/workspace-url: |\n{block}spec:\n  type: service\n"
    )
}

fn assert_clean(what: &str, text: &str) {
    for secret in [DEFAULT_KEY, SECRET, OTHER_KEY, OTHER_SECRET] {
        assert!(
            !text.contains(secret),
            "{what} shows {secret:?}:\n{}",
            &text[text.find(secret).unwrap().saturating_sub(300)..]
        );
    }
}

#[test]
fn the_language_server_never_shows_the_key() {
    let fake = fake_with_faults();
    let mut client = LspClient::spawn_with_env(&[
        ("HARNESS_BASE_URL", &fake.base_url()),
        ("HARNESS_API_KEY", DEFAULT_KEY),
        ("IACM_TEST_PANIC", "1"),
    ]);
    client.answer_configuration(ConfigAnswer::Value(json!({"apiKey": DEFAULT_KEY})));
    let mut caps = capabilities(None);
    caps["workspace"]["codeLens"] = json!({"refreshSupport": true});
    caps["window"] = json!({"showDocument": {"support": true}});
    // The key in initializationOptions, with a bad setting next to it.
    client.initialize_with(
        caps,
        json!({"iacm": {"apiKey": DEFAULT_KEY, "hosts": "not a list", "maxFileSizeBytes": -1}}),
    );
    let text = catalog();
    client.open(URI, 1, &text);
    client.diagnostics(URI, 1);

    // Hover every line until its card is more than "loading".
    for ws in WORKSPACES {
        let at = position(&text, text.find(&format!("{ws}:")).unwrap(), Enc::Utf16);
        let params = json!({"textDocument": {"uri": URI}, "position": at});
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let card = client.request("textDocument/hover", params.clone());
            if !card.to_string().contains("Loading") {
                break;
            }
        }
    }
    let lenses = client.request(
        "textDocument/codeLens",
        json!({"textDocument": {"uri": URI}}),
    );
    assert!(!lenses.as_array().unwrap().is_empty());
    client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 30, "character": 0}},
               "context": {"diagnostics": []}}),
    );
    // Completion of org, project and workspace segments from live lists.
    for segment in ["/orgs/", "/projects/", "/workspaces/"] {
        let at = position(
            &text,
            text.find(segment).unwrap() + segment.len(),
            Enc::Utf16,
        );
        client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": URI}, "position": at}),
        );
    }
    client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    client.request(
        "workspace/executeCommand",
        json!({"command": "iacm.refresh", "arguments": []}),
    );
    client.request(
        "workspace/executeCommand",
        json!({"command": "iacm.openWorkspace", "arguments": [FakeHarness::workspace_url("prod_ws")]}),
    );
    let response = client.request_response(
        "workspace/executeCommand",
        json!({"command": "iacm.test.panic", "arguments": [DEFAULT_KEY]}),
    );
    assert_eq!(response["error"]["code"], -32603);
    // A message cut short that holds the key: the error does not quote it.
    let broken = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"workspace/didChangeConfiguration\",\"params\":{{\"settings\":{{\"apiKey\":\"{DEFAULT_KEY}\""
    );
    client.send_raw(format!("Content-Length: {}\r\n\r\n{broken}", broken.len()).as_bytes());
    client.response_with_id(&Value::Null);
    // A new key, pushed and then pulled; the cache is dropped and refetched
    // with it (the fake refuses it: access denied on every URL).
    client.answer_configuration(ConfigAnswer::Value(json!({"apiKey": OTHER_KEY})));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"iacm": {"apiKey": OTHER_KEY}}}),
    );
    let denied = client.wait_for_notification("textDocument/publishDiagnostics", |p| {
        p["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["code"] == "workspace-access-denied"))
    });
    assert!(!denied["diagnostics"].as_array().unwrap().is_empty());
    let at = position(&text, text.find("prod_ws:").unwrap(), Enc::Utf16);
    client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": at}),
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));

    // The key did reach Harness, in the header only.
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.api_key.as_deref() == Some(DEFAULT_KEY))
    );
    assert!(requests.iter().all(|r| !r.target().contains(SECRET)));

    let transcript = client.transcript();
    assert!(transcript.len() > 25, "{} messages", transcript.len());
    for message in &transcript {
        assert_clean("a message to the client", message);
    }
    let stderr = client.stderr();
    assert!(
        stderr.contains("panicked"),
        "the log is in the scan: {stderr}"
    );
    assert_clean("stderr", &stderr);
    println!(
        "scanned {} messages and {} bytes of stderr",
        transcript.len(),
        stderr.len()
    );
}

fn check_live(dir: &std::path::Path, fake: &FakeHarness, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
        .args(["check", "--live", "--fix", "--format", format, "."])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("HARNESS_PLATFORM_API_KEY")
        .env_remove("IACM_LIVE")
        .env("HARNESS_BASE_URL", fake.base_url())
        .env("HARNESS_API_KEY", DEFAULT_KEY)
        .output()
        .expect("run iacm-lsp")
}

#[test]
fn check_live_never_shows_the_key_in_any_format() {
    let fake = fake_with_faults();
    let dir = tempfile::tempdir().unwrap();
    for format in ["human", "json", "sarif", "github"] {
        // A fixable mistake too, so the fix output is in the scan.
        let text = catalog().replace("      prod_ws: https", "      prod_ws: http");
        std::fs::write(dir.path().join("catalog-info.yaml"), text).unwrap();
        let output = check_live(dir.path(), &fake, format);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stdout.contains("workspace-not-found"),
            "{format}: live data is in the report:\n{stdout}\n{stderr}"
        );
        assert!(
            stderr.contains("queue_ws"),
            "{format}: failures on stderr: {stderr}"
        );
        assert_clean(&format!("check --format {format} stdout"), &stdout);
        assert_clean(&format!("check --format {format} stderr"), &stderr);
        let fixed = std::fs::read_to_string(dir.path().join("catalog-info.yaml")).unwrap();
        assert_clean("the fixed file", &fixed);
    }
}
