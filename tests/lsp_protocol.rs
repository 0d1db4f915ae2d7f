//! Protocol robustness, end to end over stdio with the real binary: what a
//! broken or hostile client sends (garbage and truncated frames, unknown
//! methods, positions past the end, stale versions, requests after
//! `shutdown`, cancellation) gets a proper answer, and the server keeps
//! serving. A panic inside one handler is answered as an internal error.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_harness::{DEFAULT_KEY, FakeHarness, Fault};
use support::lsp_client::{Enc, LspClient, capabilities, position};

const URI: &str = "file:///repo/catalog-info.yaml";
/// "Answered at once", generously (a loaded CI machine, a debug build).
/// Far below the 10 s a hung fetch takes, with room for a loaded CI machine.
const PROMPT: Duration = Duration::from_secs(3);
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// A catalog file with one fixable mistake (`http://`).
fn catalog(workspace: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  \
         annotations:\n    harness.io/workspace-url: |\n      prod: \
         http://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/{workspace}/resources\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team-payments\n"
    )
}

fn frame(body: &[u8]) -> Vec<u8> {
    [
        format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(),
        body,
    ]
    .concat()
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The server is still serving: a new document gets its diagnostics.
fn assert_serving(client: &mut LspClient, version: i32) {
    let uri = format!("file:///repo/{version}/catalog-info.yaml");
    client.open(&uri, version, &catalog("prod_ws"));
    let diagnostics = client.diagnostics(&uri, version);
    assert_eq!(codes(&diagnostics), ["workspace-url-insecure"]);
}

#[test]
fn garbage_frames_are_answered_with_errors_and_the_server_keeps_serving() {
    let mut client = LspClient::start(Enc::Utf16);
    let cases: Vec<(&str, Vec<u8>, Value, i64)> = vec![
        ("not JSON", frame(b"{nope"), Value::Null, PARSE_ERROR),
        ("not UTF-8", frame(b"\xff\xfe{}"), Value::Null, PARSE_ERROR),
        (
            "no header",
            b"garbage\r\n\r\n".to_vec(),
            Value::Null,
            PARSE_ERROR,
        ),
        (
            "a bad Content-Length",
            b"Content-Length: many\r\n\r\n{}".to_vec(),
            Value::Null,
            PARSE_ERROR,
        ),
        (
            "a charset the decoder refuses",
            b"Content-Length: 2\r\nContent-Type: application/json; charset=latin1\r\n\r\n{}"
                .to_vec(),
            Value::Null,
            INVALID_REQUEST,
        ),
        ("a batch", frame(b"[]"), Value::Null, INVALID_REQUEST),
        (
            "JSON-RPC 1.0",
            frame(br#"{"jsonrpc":"1.0","id":41,"method":"textDocument/hover"}"#),
            json!(41),
            INVALID_REQUEST,
        ),
        (
            "a string method id of the wrong type",
            frame(br#"{"jsonrpc":"2.0","id":42,"method":7}"#),
            json!(42),
            INVALID_REQUEST,
        ),
    ];
    for (i, (what, bytes, id, code)) in cases.into_iter().enumerate() {
        client.send_raw(&bytes);
        let response = client.response_with_id(&id);
        assert_eq!(response["error"]["code"], code, "{what}: {response}");
        assert_serving(&mut client, i as i32 + 1);
    }
    assert!(
        client.stderr().contains("malformed message"),
        "{}",
        client.stderr()
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_frame_cut_off_by_the_end_of_input_ends_the_server_promptly() {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "capabilities": {}}});
    for tail in [
        &b"Content-Length: 500\r\n\r\n{\"jsonrpc\":\"2.0\""[..],
        &b"Content-Len"[..],
        &b"Content-Length: 99999999999999999999\r\n\r\n"[..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_iacm-lsp"))
            .env("IACM_LIVE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(&frame(init.to_string().as_bytes()))
            .unwrap();
        stdin.write_all(tail).unwrap();
        drop(stdin);
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "no exit");
            std::thread::sleep(Duration::from_millis(10));
        };
        // No `shutdown` came: exit status 1, as the specification asks.
        assert_eq!(status.code(), Some(1), "{tail:?}");
        let mut out = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
        assert!(out.contains("\"capabilities\""), "initialize was answered");
    }
}

#[test]
fn unknown_methods_get_method_not_found_and_unknown_notifications_nothing() {
    let mut client = LspClient::start(Enc::Utf16);
    let response = client.request_response("iacm/noSuchThing", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    client.notify("iacm/noSuchNotification", json!({"x": 1}));
    client.notify("$/noSuchOptional", json!(null));
    let response = client.request_response("textDocument/hover", json!("not an object"));
    assert_eq!(
        response["error"]["code"], -32602,
        "invalid params: {response}"
    );
    let response = client.request_response(
        "workspace/executeCommand",
        json!({"command": "iacm.test.panic", "arguments": []}),
    );
    // The test hook is off without IACM_TEST_PANIC=1: just unknown.
    assert_eq!(response["error"]["code"], -32602, "{response}");
    assert_serving(&mut client, 1);
}

#[test]
fn positions_past_the_end_of_the_document_are_clamped() {
    let mut client = LspClient::start(Enc::Utf16);
    let text = catalog("prod_ws");
    client.open(URI, 1, &text);
    client.diagnostics(URI, 1);
    let far = json!({"line": 9999, "character": 9999});
    let mid_far = json!({"line": 0, "character": 4_000_000_000u32});
    for position in [&far, &mid_far] {
        let at = json!({"textDocument": {"uri": URI}, "position": position});
        assert_eq!(
            client.request("textDocument/hover", at.clone()),
            Value::Null
        );
        client.request("textDocument/completion", at);
        client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": {"start": position, "end": far},
                   "context": {"diagnostics": []}}),
        );
    }
    // Reversed, and beyond the end: the edit lands at the end.
    client.change(
        URI,
        2,
        vec![
            json!({"range": {"start": far, "end": {"line": 0, "character": 0}}, "text": "# end\n"}),
        ],
    );
    client.change(
        URI,
        3,
        vec![json!({"range": {"start": mid_far, "end": mid_far}, "text": "!"})],
    );
    let diagnostics = client.diagnostics(URI, 3);
    assert!(codes(&diagnostics).contains(&"workspace-url-insecure".to_string()));
    // Hover and requests on a document that is not open: no answer, no error.
    let other = json!({"textDocument": {"uri": "file:///not/open.yaml"}, "position": far});
    assert_eq!(client.request("textDocument/hover", other), Value::Null);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn changes_older_than_the_document_are_ignored() {
    let mut client = LspClient::start(Enc::Utf16);
    let text = catalog("prod_ws");
    client.open(URI, 5, &text);
    client.diagnostics(URI, 5);
    let replace = |t: &str| vec![json!({"text": t})];
    // Version 7 fixes the mistake; a late version 6 would bring it back.
    client.change(URI, 7, replace(&text.replace("http://", "https://")));
    assert!(client.diagnostics(URI, 7).is_empty());
    client.change(URI, 6, replace(&text));
    client.change(URI, 7, replace(&text));
    // Version 8 is applied to version 7's text, not to the stale ones.
    client.change(
        URI,
        8,
        vec![json!({"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# v8\n"})],
    );
    assert!(client.diagnostics(URI, 8).is_empty());
    let stale: Vec<Value> = client
        .take_received("textDocument/publishDiagnostics")
        .into_iter()
        .filter(|p| p["version"] == 6)
        .collect();
    assert!(stale.is_empty(), "{stale:?}");
    assert!(client.stderr().contains("older than the document"));
}

#[test]
fn requests_after_shutdown_are_refused_and_exit_still_works() {
    let mut client = LspClient::start(Enc::Utf16);
    client.open(URI, 1, &catalog("prod_ws"));
    client.diagnostics(URI, 1);
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    let at = json!({"textDocument": {"uri": URI}, "position": {"line": 6, "character": 8}});
    let response = client.request_response("textDocument/hover", at);
    assert_eq!(response["error"]["code"], INVALID_REQUEST, "{response}");
    let response = client.request_response("shutdown", Value::Null);
    assert_eq!(response["error"]["code"], INVALID_REQUEST, "{response}");
    assert_eq!(client.exit().code(), Some(0));
}

#[test]
fn a_hover_waiting_on_the_network_can_be_cancelled() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault("prod_ws", Fault::Hang);
    let mut client = LspClient::spawn_with_env(&[("HARNESS_BASE_URL", &fake.base_url())]);
    client.initialize_with(capabilities(None), json!({"iacm": {"apiKey": DEFAULT_KEY}}));
    let text = catalog("prod_ws").replace("http://", "https://");
    client.open(URI, 1, &text);
    client.diagnostics(URI, 1);
    let at = position(&text, text.find("prod:").unwrap(), Enc::Utf16);
    let start = Instant::now();
    let hover = client.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": at}),
    );
    std::thread::sleep(Duration::from_millis(100));
    client.notify("$/cancelRequest", json!({"id": hover}));
    let response = client.response(hover);
    assert_eq!(response["error"]["code"], -32800, "cancelled: {response}");
    assert!(
        start.elapsed() < PROMPT,
        "cancelled after {:?}",
        start.elapsed()
    );
    // The next request is served as usual.
    let start = Instant::now();
    client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": at, "end": at}, "context": {"diagnostics": []}}),
    );
    assert!(start.elapsed() < PROMPT);
    // Cancelling what is finished, or never was, is harmless.
    client.notify("$/cancelRequest", json!({"id": hover}));
    client.notify("$/cancelRequest", json!({"id": "no-such-request"}));
    assert_serving(&mut client, 2);
}

#[test]
fn a_panic_in_a_handler_is_an_internal_error_and_the_server_goes_on() {
    let mut client = LspClient::spawn_with_env(&[("IACM_LIVE", "0"), ("IACM_TEST_PANIC", "1")]);
    client.initialize(None, Value::Null);
    client.open(URI, 1, &catalog("prod_ws"));
    client.diagnostics(URI, 1);
    for _ in 0..3 {
        let response = client.request_response(
            "workspace/executeCommand",
            json!({"command": "iacm.test.panic", "arguments": []}),
        );
        assert_eq!(response["error"]["code"], -32603, "{response}");
        assert!(
            response["error"]["message"]
                .as_str()
                .unwrap()
                .contains("workspace/executeCommand")
        );
    }
    let stderr = client.stderr();
    assert!(
        stderr.contains("the workspace/executeCommand handler panicked; the server goes on"),
        "{stderr}"
    );
    // Every feature still works: diagnostics, code actions, hover.
    assert_serving(&mut client, 2);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": {"start": {"line": 6, "character": 0}, "end": {"line": 6, "character": 99}},
               "context": {"diagnostics": []}}),
    );
    assert!(!actions.as_array().unwrap().is_empty());
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_file_over_the_size_limit_gets_one_diagnostic_until_the_limit_is_raised() {
    let mut client = LspClient::spawn();
    client.initialize(None, json!({"iacm": {"maxFileSizeBytes": 1000}}));
    let mut text = catalog("prod_ws");
    text.push_str(&format!("  description: {}\n", "x".repeat(2000)));
    client.open(URI, 1, &text);
    let diagnostics = client.diagnostics(URI, 1);
    assert_eq!(codes(&diagnostics), ["file-too-large"]);
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    assert_eq!(diagnostics[0]["severity"], 2, "a warning");
    let at = json!({"textDocument": {"uri": URI}, "position": {"line": 6, "character": 9}});
    assert_eq!(client.request("textDocument/hover", at), Value::Null);
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"iacm": {"maxFileSizeBytes": 1_000_000}}}),
    );
    let diagnostics = client.wait_for_notification("textDocument/publishDiagnostics", |p| {
        p["diagnostics"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["code"] == "workspace-url-insecure"))
    });
    assert_eq!(
        codes(diagnostics["diagnostics"].as_array().unwrap()),
        ["workspace-url-insecure"]
    );
}

#[test]
fn large_messages_are_served_in_order_with_their_ids() {
    let mut client = LspClient::start(Enc::Utf16);
    // About 200 KB: over the size above which the input guard parses a
    // message itself and hands it over (see `transport::Stash`).
    let entity = catalog("prod_ws");
    let padding = format!("---\n{}", entity.replace("http://", "https://")).repeat(500);
    let text = format!("{padding}---\n{entity}");
    assert!(text.len() > 150_000);
    client.open(URI, 1, &text);
    let diagnostics = client.diagnostics(URI, 1);
    assert_eq!(codes(&diagnostics), ["workspace-url-insecure"]);
    let last_doc_line = padding.lines().count() + 1;
    assert_eq!(
        diagnostics[0]["range"]["start"]["line"],
        last_doc_line + 6,
        "the mistake in the last document"
    );
    // A large whole-text change, then a large request with an id: each is
    // answered as if it had been passed on as is.
    let fixed = text.replace("http://", "https://");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert!(client.diagnostics(URI, 2).is_empty());
    let link_params = json!({"textDocument": {"uri": URI}, "padding": "x".repeat(100_000)});
    let id = client.send_request("textDocument/documentLink", link_params);
    let links = client.response(id);
    assert_eq!(links["id"], id);
    assert_eq!(links["result"].as_array().map(Vec::len), Some(501));
    assert_serving(&mut client, 3);
}
