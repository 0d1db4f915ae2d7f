//! End to end with live data: the real `iacm-lsp` binary over stdio, and
//! the fake Harness API on 127.0.0.1 (`support/fake_harness.rs`). What a
//! user sees: hover cards, live diagnostics, code lenses and commands; and
//! what they must never see: a hang while Harness is slow, a request to a
//! host they did not allow, their API key anywhere.

mod support;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_harness::{ACCOUNT, DEFAULT_KEY, FakeHarness, Fault, ORG, PROJECT};
use support::lsp_client::{ConfigAnswer, Enc, LspClient, capabilities, position, range};

const URI: &str = "file:///repo/catalog-info.yaml";
/// What the fake serves, to compute expected numbers from.
const DATA: &str = include_str!("support/fake_harness_data.json");
/// The mask the hover shows instead of a sensitive output's value.
const MASK: &str = "••••••";
/// "Answered at once", generously: a loaded CI machine, a debug build.
const PROMPT: Duration = Duration::from_secs(1);

// ---- Fixtures -------------------------------------------------------------

/// A catalog file whose annotation has one `label: URL` line per workspace.
fn catalog(workspaces: &[&str]) -> String {
    let lines: Vec<String> = workspaces
        .iter()
        .map(|ws| format!("{ws}: {}", FakeHarness::workspace_url(ws)))
        .collect();
    catalog_with_lines(&lines)
}

fn catalog_with_lines(lines: &[String]) -> String {
    let block: String = lines.iter().map(|l| format!("      {l}\n")).collect();
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  \
         annotations:\n    harness.io/workspace-url: |\n{block}spec:\n  type: service\n  \
         lifecycle: production\n  owner: team-payments\n"
    )
}

/// The byte range of the first URL that names `workspace`.
fn url_range(text: &str, workspace: &str) -> std::ops::Range<usize> {
    let url = FakeHarness::workspace_url(workspace);
    let start = text.find(&format!(" {url}")).expect("URL in text") + 1;
    start..start + url.len()
}

/// A workspace as the fake serves it.
struct Served {
    name: String,
    status: String,
    resources: usize,
    data_sources: usize,
    outputs: usize,
    /// (name, value) of the sensitive outputs.
    sensitive: Vec<(String, String)>,
}

fn served(workspace: &str) -> Served {
    let data: Value = serde_json::from_str(DATA).unwrap();
    let w = data["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["workspace"]["identifier"] == workspace)
        .expect("workspace in the fake's data");
    let len = |v: &Value| v.as_array().map_or(0, Vec::len);
    let r = &w["resources"];
    let outputs = r["outputs"].as_array().cloned().unwrap_or_default();
    Served {
        name: w["workspace"]["name"].as_str().unwrap().to_string(),
        status: w["workspace"]["status"].as_str().unwrap().to_string(),
        // What the portal shows: the total when the list is paged.
        resources: len(&r["resources"]).max(r["total_resources"].as_u64().unwrap_or(0) as usize),
        data_sources: len(&r["data_sources"]),
        outputs: outputs.len(),
        sensitive: outputs
            .iter()
            .filter(|o| o["sensitive"] == true)
            .map(|o| {
                (
                    o["name"].as_str().unwrap().to_string(),
                    o["value"].as_str().unwrap().to_string(),
                )
            })
            .collect(),
    }
}

/// A client like VS Code: pulls settings, refreshes lenses, opens links.
fn editor_capabilities() -> Value {
    let mut caps = capabilities(None);
    caps["workspace"]["codeLens"] = json!({"refreshSupport": true});
    caps["window"] = json!({"showDocument": {"support": true}});
    caps["textDocument"]["hover"] = json!({"contentFormat": ["markdown", "plaintext"]});
    caps
}

/// A client like Neovim 0.7: settings are only pushed.
fn push_only_capabilities() -> Value {
    let mut caps = editor_capabilities();
    caps["workspace"]["configuration"] = json!(false);
    caps
}

struct Session {
    fake: FakeHarness,
    client: LspClient,
}

/// The fake (accepting `DEFAULT_KEY`) and a server whose API base is the
/// fake, given `key` in `initializationOptions`.
fn session(key: Option<&str>) -> Session {
    session_with(key, editor_capabilities())
}

fn session_with(key: Option<&str>, caps: Value) -> Session {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let mut client = LspClient::spawn_with_env(&[("HARNESS_BASE_URL", &fake.base_url())]);
    let options = key.map_or(Value::Null, |k| json!({"iacm": {"apiKey": k}}));
    let result = client.initialize_with(caps, options);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    Session { fake, client }
}

impl Session {
    fn hover(&mut self, text: &str, workspace: &str) -> Value {
        let id = self.send_hover(text, workspace);
        let response = self.client.response(id);
        assert!(response.get("error").is_none(), "hover failed: {response}");
        response["result"].clone()
    }

    /// Sends a hover on the label of `workspace`'s line (not on the URL:
    /// anywhere on the line shows the card).
    fn send_hover(&mut self, text: &str, workspace: &str) -> i64 {
        let url = url_range(text, workspace);
        let line_start = text[..url.start].rfind('\n').unwrap() + 1;
        let label = line_start + 7;
        self.client.send_request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": position(text, label, Enc::Utf16)}),
        )
    }

    /// The hover's markdown, once it is more than "loading" (a cold cache
    /// may answer that first).
    fn card(&mut self, text: &str, workspace: &str) -> String {
        self.card_until(text, workspace, |md| !md.contains("Loading"))
    }

    /// The hover's markdown once `accept` holds (settings may still be on
    /// their way), or the last one after 10 s.
    fn card_until(&mut self, text: &str, workspace: &str, accept: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let hover = self.hover(text, workspace);
            assert_eq!(hover["contents"]["kind"], "markdown", "{hover}");
            let markdown = hover["contents"]["value"].as_str().unwrap().to_string();
            if accept(&markdown) || Instant::now() > deadline {
                return markdown;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The first publish for `URI` at `version` for which `accept` holds.
    fn diagnostics_where(&mut self, version: i32, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let params = self
            .client
            .wait_for_notification("textDocument/publishDiagnostics", |p| {
                p["uri"] == URI
                    && p["version"] == json!(version)
                    && accept(p["diagnostics"].as_array().map_or(&[], Vec::as_slice))
            });
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn code_lenses(&mut self) -> Vec<Value> {
        let result = self.client.request(
            "textDocument/codeLens",
            json!({"textDocument": {"uri": URI}}),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    /// Fails if `secret` is in anything the server wrote: stderr or any
    /// message the client received.
    fn assert_never_shown(&self, secret: &str) {
        assert!(
            !self.client.stderr().contains(secret),
            "the key is in stderr"
        );
        for message in self.client.transcript() {
            assert!(
                !message.contains(secret),
                "the key was sent to the client: {message}"
            );
        }
    }
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect()
}

fn has(code: &'static str) -> impl Fn(&[Value]) -> bool {
    move |ds| ds.iter().any(|d| d["code"] == code)
}

/// Requests the fake saw, per (workspace, endpoint).
fn per_endpoint(fake: &FakeHarness) -> BTreeMap<(String, &'static str), usize> {
    let mut counts = BTreeMap::new();
    for r in fake.requests() {
        let path = r.path.trim_end_matches('/');
        let (ws, endpoint) = if let Some(rest) = path.strip_suffix("/resources") {
            (rest.rsplit('/').next().unwrap().to_string(), "resources")
        } else if path.ends_with("/activities") {
            (r.query_param("workspace").unwrap_or_default(), "activities")
        } else {
            (path.rsplit('/').next().unwrap().to_string(), "workspace")
        };
        *counts.entry((ws, endpoint)).or_default() += 1;
    }
    counts
}

/// Waits until `condition` holds, failing after 10 s.
fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---- Hover ------------------------------------------------------------------

#[test]
fn hover_card_shows_the_workspace_as_harness_serves_it() {
    let mut s = session(Some(DEFAULT_KEY));
    let text = catalog(&["prod_ws"]);
    s.client.open(URI, 1, &text);
    let card = s.card(&text, "prod_ws");

    let ws = served("prod_ws");
    assert!(card.contains(&ws.name), "{card}");
    assert!(card.contains("`prod_ws`"), "{card}");
    assert!(
        card.contains(&format!("**Status:** {}", ws.status)),
        "{card}"
    );
    let counts = format!(
        "Resources ({}) · Data Sources ({}) · Outputs ({})",
        ws.resources, ws.data_sources, ws.outputs
    );
    assert!(card.contains(&counts), "{counts} not in {card}");
    assert!(
        !ws.sensitive.is_empty(),
        "the fake serves a sensitive output"
    );
    for (name, value) in &ws.sensitive {
        let row = card
            .lines()
            .find(|l| l.contains(&format!("`{name}`")))
            .expect("output row");
        assert!(row.contains(MASK), "{row}");
        assert!(
            !card.contains(value.as_str()),
            "a sensitive value is in the card"
        );
    }
    let link = format!(
        "[View in IaCM](https://app.harness.io/ng/account/{ACCOUNT}/module/iacm/orgs/{ORG}/projects/{PROJECT}/workspaces/prod_ws/resources)"
    );
    assert!(card.contains(&link), "{card}");

    // The hover's range is the URL, in the negotiated encoding.
    let hover = s.hover(&text, "prod_ws");
    assert_eq!(
        hover["range"],
        range(&text, url_range(&text, "prod_ws"), Enc::Utf16)
    );

    // Warm cache: the time from request to response, as the client sees it.
    let mut times: Vec<Duration> = (0..50)
        .map(|_| {
            let start = Instant::now();
            s.hover(&text, "prod_ws");
            start.elapsed()
        })
        .collect();
    times.sort();
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "warm-cache hover, 50 requests over stdio ({build} build): median {:?}, p90 {:?}, max {:?}",
        times[25], times[45], times[49]
    );
    assert!(times[25] < PROMPT);
    s.assert_never_shown(DEFAULT_KEY);
}

#[test]
fn hover_without_a_key_explains_how_to_set_one() {
    let mut s = session(None);
    let text = catalog(&["prod_ws"]);
    s.client.open(URI, 1, &text);
    let start = Instant::now();
    let hover = s.hover(&text, "prod_ws");
    assert!(
        start.elapsed() < PROMPT,
        "nothing to wait for without a key"
    );
    let card = hover["contents"]["value"].as_str().unwrap();
    assert!(card.contains("No Harness API key"), "{card}");
    assert!(
        card.contains("iacm.apiKey") && card.contains("HARNESS_API_KEY"),
        "{card}"
    );
    let lenses = s.code_lenses();
    assert!(
        lenses[0]["command"]["title"]
            .as_str()
            .unwrap()
            .contains("API key"),
        "{lenses:?}"
    );
    // Static checks still run; nothing is asked of Harness.
    let diagnostics = s.client.diagnostics(URI, 1);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert_eq!(s.fake.requests().len(), 0);
}

#[test]
fn a_host_outside_the_allow_list_is_never_contacted() {
    let mut s = session(Some(DEFAULT_KEY));
    // Something listening on loopback, named by the annotation: if the
    // server sent it anything, it would connect.
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    other.set_nonblocking(true).unwrap();
    let port = other.local_addr().unwrap().port();
    let url = format!(
        "https://127.0.0.1:{port}/ng/account/{ACCOUNT}/module/iacm/orgs/{ORG}/projects/{PROJECT}/workspaces/prod_ws/resources"
    );
    let text = catalog_with_lines(&[format!("prod: {url}")]);
    s.client.open(URI, 1, &text);
    let diagnostics = s.client.diagnostics(URI, 1);
    assert!(
        codes(&diagnostics).contains(&"workspace-url-host"),
        "{diagnostics:#?}"
    );

    let start = text.find(&url).unwrap();
    let hover = s.client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": URI}, "position": position(&text, start + 10, Enc::Utf16)}),
    );
    let card = hover["contents"]["value"].as_str().unwrap();
    assert!(
        card.contains(&format!(
            "`127.0.0.1:{port}` is not a configured Harness host"
        )),
        "{card}"
    );
    s.code_lenses();
    s.client.request(
        "workspace/executeCommand",
        json!({"command": "iacm.refresh", "arguments": []}),
    );
    // Any fetch would have started by now (requests start before the
    // publish and the hover answers): a last round trip, then count.
    s.client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    match other.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        accepted => panic!("the server connected to a host outside the allow-list: {accepted:?}"),
    }
    assert_eq!(s.fake.requests().len(), 0);
    assert_eq!(s.fake.connections(), 0);
}

// ---- Live diagnostics -------------------------------------------------------

#[test]
fn live_diagnostics_for_each_state_of_a_workspace() {
    let mut s = session(Some(DEFAULT_KEY));
    s.fake.set_fault("staging_ws", Fault::Status(403));
    let workspaces = [
        "ghost_ws",
        "staging_ws",
        "empty_ws",
        "broken_ws",
        "dev_ws",
        "prod_ws",
    ];
    let text = catalog(&workspaces);
    s.client.open(URI, 1, &text);
    let expected = [
        ("ghost_ws", "workspace-not-found", 2, "404"),
        ("staging_ws", "workspace-access-denied", 2, "403"),
        ("empty_ws", "workspace-empty", 3, "no resources"),
        ("broken_ws", "workspace-failed", 2, "failed"),
        ("dev_ws", "workspace-drifted", 3, "drifted"),
    ];
    let diagnostics =
        s.diagnostics_where(1, |ds| expected.iter().all(|(_, code, _, _)| has(code)(ds)));
    for (ws, code, severity, says) in expected {
        let found: Vec<&Value> = diagnostics.iter().filter(|d| d["code"] == code).collect();
        assert_eq!(found.len(), 1, "one {code} in {diagnostics:#?}");
        let d = found[0];
        assert_eq!(
            d["range"],
            range(&text, url_range(&text, ws), Enc::Utf16),
            "{code}"
        );
        assert_eq!(d["severity"], severity, "{code}");
        assert_eq!(d["source"], "iacm");
        let message = d["message"].as_str().unwrap();
        assert!(message.contains(says), "{code}: {message}");
    }
    // prod_ws is healthy: nothing on its line.
    let prod = range(&text, url_range(&text, "prod_ws"), Enc::Utf16);
    assert!(
        diagnostics.iter().all(|d| d["range"] != prod),
        "{diagnostics:#?}"
    );
    s.assert_never_shown(DEFAULT_KEY);
}

#[test]
fn a_refused_key_is_access_denied_on_every_url() {
    let bad = "pat.abc123.revokedToken.notTheSecret";
    let mut s = session(Some(bad));
    let text = catalog(&["prod_ws", "dev_ws"]);
    s.client.open(URI, 1, &text);
    let diagnostics = s.diagnostics_where(1, |ds| {
        ds.iter()
            .filter(|d| d["code"] == "workspace-access-denied")
            .count()
            == 2
    });
    for d in diagnostics
        .iter()
        .filter(|d| d["code"] == "workspace-access-denied")
    {
        let message = d["message"].as_str().unwrap();
        assert!(
            message.contains("401") && message.contains("invalid"),
            "{message}"
        );
    }
    assert!(!codes(&diagnostics).contains(&"api-key-account-mismatch"));
    let card = s.card(&text, "prod_ws");
    assert!(card.contains("401"), "{card}");
    s.assert_never_shown(bad);
}

#[test]
fn a_key_of_another_account_is_a_mismatch() {
    let other = "pat.otherAccount.tokenId.otherSecret";
    let mut s = session(Some(other));
    s.fake.set_key(other);
    let text = catalog(&["prod_ws"]);
    s.client.open(URI, 1, &text);
    let diagnostics = s.diagnostics_where(1, has("api-key-account-mismatch"));
    let d = diagnostics
        .iter()
        .find(|d| d["code"] == "api-key-account-mismatch")
        .unwrap();
    assert_eq!(d["severity"], 2);
    assert_eq!(
        d["range"],
        range(&text, url_range(&text, "prod_ws"), Enc::Utf16)
    );
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("otherAccount") && message.contains(ACCOUNT),
        "{message}"
    );
    s.assert_never_shown(other);
    s.assert_never_shown("otherSecret");
}

// ---- Code lenses and commands -----------------------------------------------

#[test]
fn code_lens_refresh_and_open_workspace() {
    let mut s = session(Some(DEFAULT_KEY));
    let text = catalog(&["prod_ws"]);
    s.client.open(URI, 1, &text);
    s.code_lenses();
    // Data arrived: the server asks the client to refresh its lenses.
    s.client
        .wait_for_server_request("workspace/codeLens/refresh");
    let lenses = s.code_lenses();
    let ws = served("prod_ws");
    let title = format!(
        "IaCM: {} resources · {} outputs · {}",
        ws.resources, ws.outputs, ws.status
    );
    let open = lenses
        .iter()
        .find(|l| l["command"]["command"] == "iacm.openWorkspace")
        .expect("open lens");
    assert_eq!(open["command"]["title"], title);
    assert_eq!(
        open["range"],
        range(&text, url_range(&text, "prod_ws"), Enc::Utf16)
    );
    assert!(
        lenses
            .iter()
            .any(|l| l["command"]["command"] == "iacm.refresh"),
        "{lenses:?}"
    );

    // iacm.refresh: the cache is dropped and the workspace fetched again.
    let before = s.fake.request_count("/workspaces/prod_ws/resources");
    assert_eq!(before, 1);
    let refresh = lenses
        .iter()
        .find(|l| l["command"]["command"] == "iacm.refresh")
        .unwrap();
    s.client
        .request("workspace/executeCommand", refresh["command"].clone());
    eventually("prod_ws is fetched again", || {
        s.fake.request_count("/workspaces/prod_ws/resources") == before + 1
    });

    // iacm.openWorkspace: the client is asked to open the URL outside.
    let result = s
        .client
        .request("workspace/executeCommand", open["command"].clone());
    assert_eq!(result, Value::Null);
    let show = s.client.wait_for_server_request("window/showDocument");
    assert_eq!(show["params"]["uri"], FakeHarness::workspace_url("prod_ws"));
    assert_eq!(show["params"]["external"], true);

    let bad = s.client.request_response(
        "workspace/executeCommand",
        json!({"command": "iacm.openWorkspace", "arguments": ["file:///etc/passwd"]}),
    );
    assert!(
        bad.get("error").is_some(),
        "only web links are opened: {bad}"
    );
}

#[test]
fn open_workspace_without_show_document_shows_the_url() {
    let mut s = session_with(Some(DEFAULT_KEY), capabilities(None));
    let text = catalog(&["prod_ws"]);
    s.client.open(URI, 1, &text);
    let url = FakeHarness::workspace_url("prod_ws");
    s.client.request(
        "workspace/executeCommand",
        json!({"command": "iacm.openWorkspace", "arguments": [url]}),
    );
    let message = s.client.wait_for_notification("window/showMessage", |p| {
        p["message"].as_str().is_some_and(|m| m.contains(&url))
    });
    assert_eq!(message["type"], 3, "information");
    assert!(
        s.client
            .transcript()
            .iter()
            .all(|m| !m.contains("window/showDocument"))
    );
}

#[test]
fn single_flight_for_fifty_urls_over_ten_workspaces() {
    let mut s = session(Some(DEFAULT_KEY));
    let ids: Vec<String> = s.fake.workspace_ids().into_iter().take(10).collect();
    assert_eq!(ids.len(), 10);
    let workspaces: Vec<&str> = (0..50).map(|i| ids[i % 10].as_str()).collect();
    let text = catalog(&workspaces);
    s.client.open(URI, 1, &text);
    // Everything at once, on a cold cache: 50 hovers (one per line), the
    // lenses, then 50 more hovers once the data is in.
    let lines: Vec<usize> = {
        let mut starts = Vec::new();
        let mut from = 0;
        for ws in &workspaces {
            let url = FakeHarness::workspace_url(ws);
            let at = from + text[from..].find(&url).unwrap();
            starts.push(at);
            from = at + url.len();
        }
        starts
    };
    let hover_at = |s: &mut Session, offset: usize| {
        s.client.send_request(
            "textDocument/hover",
            json!({"textDocument": {"uri": URI}, "position": position(&text, offset, Enc::Utf16)}),
        )
    };
    let ids_sent: Vec<i64> = lines.iter().map(|&at| hover_at(&mut s, at)).collect();
    s.code_lenses();
    for id in ids_sent {
        let response = s.client.response(id);
        assert!(response["result"]["contents"].is_object(), "{response}");
    }
    let again: Vec<i64> = lines.iter().map(|&at| hover_at(&mut s, at + 5)).collect();
    for id in again {
        let response = s.client.response(id);
        let card = response["result"]["contents"]["value"].as_str().unwrap();
        assert!(card.contains("Resources ("), "{card}");
    }

    let counts = per_endpoint(&s.fake);
    println!("upstream requests for 50 URLs over 10 workspaces, 100 hovers and the lenses:");
    for ((ws, endpoint), n) in &counts {
        println!("  {ws:>14} {endpoint:<10} {n}");
    }
    println!("  total {}", counts.values().sum::<usize>());
    let sent = s.client.transcript();
    let count = |m: &str| sent.iter().filter(|t| t.contains(m)).count();
    println!(
        "  publishes {}, lens refreshes {}",
        count("textDocument/publishDiagnostics"),
        count("workspace/codeLens/refresh")
    );
    for ws in &ids {
        for endpoint in ["workspace", "resources", "activities"] {
            let n = counts.get(&(ws.clone(), endpoint)).copied().unwrap_or(0);
            assert_eq!(n, 1, "{endpoint} of {ws} requested {n} times");
        }
    }
    assert_eq!(counts.values().sum::<usize>(), 30);
}

// ---- A hanging Harness ------------------------------------------------------

#[test]
fn everything_else_is_answered_while_harness_hangs() {
    let mut s = session(Some(DEFAULT_KEY));
    let mut text = catalog(&["prod_ws"]);
    s.client.open(URI, 1, &text);
    s.card(&text, "prod_ws"); // cached from now on
    s.fake.set_fault("k8s_ws", Fault::Hang);

    // An edit adds a URL whose workspace hangs: its fetch starts now.
    let at = url_range(&text, "prod_ws").end + 1;
    let line = format!("      k8s_ws: {}\n", FakeHarness::workspace_url("k8s_ws"));
    let change = support::lsp_client::edit(&mut text, at..at, &line, Enc::Utf16);
    let start = Instant::now();
    s.client.change(URI, 2, vec![change]);
    s.client.diagnostics(URI, 2);
    assert!(
        start.elapsed() < PROMPT,
        "diagnostics after an edit took {:?}",
        start.elapsed()
    );
    eventually("the k8s_ws fetch reaches the fake", || {
        s.fake.request_count("k8s_ws") > 0
    });

    // A user moving the mouse over the hanging URL: several hovers wait.
    let hanging = Instant::now();
    let slow: Vec<i64> = (0..8).map(|_| s.send_hover(&text, "k8s_ws")).collect();
    // Meanwhile: a hover on cached data, code actions, another edit.
    let start = Instant::now();
    let card = s.hover(&text, "prod_ws");
    assert!(
        start.elapsed() < PROMPT,
        "cached hover took {:?}",
        start.elapsed()
    );
    assert!(
        card["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Resources (")
    );
    let start = Instant::now();
    s.client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": range(&text, 0..0, Enc::Utf16), "context": {"diagnostics": []}}),
    );
    assert!(
        start.elapsed() < PROMPT,
        "code actions took {:?}",
        start.elapsed()
    );
    let start = Instant::now();
    let change = support::lsp_client::edit(&mut text, 0..0, "# edited\n", Enc::Utf16);
    s.client.change(URI, 3, vec![change]);
    s.client.diagnostics(URI, 3);
    assert!(
        start.elapsed() < PROMPT,
        "diagnostics took {:?}",
        start.elapsed()
    );

    // The hovers on the hanging workspace give up after their bounded wait.
    for id in slow {
        let response = s.client.response(id);
        let card = response["result"]["contents"]["value"].as_str().unwrap();
        assert!(card.contains("Loading"), "{card}");
    }
    let waited = hanging.elapsed();
    assert!(
        waited < Duration::from_millis(2500),
        "the hovers waited {waited:?}"
    );
    println!("hovers on a hanging workspace answered after {waited:?}");
}

// ---- Settings -----------------------------------------------------------------

#[test]
fn a_pushed_key_change_takes_effect_and_the_key_never_shows() {
    // Neovim 0.7: no pull, settings come by didChangeConfiguration only.
    let mut s = session_with(None, push_only_capabilities());
    let mut text = catalog(&["prod_ws"]);
    s.client.open(URI, 1, &text);
    assert!(s.card(&text, "prod_ws").contains("No Harness API key"));

    let bad = "pat.abc123.oldTokenId.oldSecretValue";
    s.client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"iacm": {"apiKey": bad}}}),
    );
    s.diagnostics_where(1, has("workspace-access-denied"));

    // The whole config as Neovim may send it: the section's keys at the top.
    s.client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"apiKey": DEFAULT_KEY, "cacheTtlSeconds": 60}}),
    );
    let name = served("prod_ws").name;
    let card = s.card_until(&text, "prod_ws", |md| md.contains(&name));
    assert!(card.contains(&name), "{card}");
    // Diagnostics after the next edit are made with the new key's data.
    let change = support::lsp_client::edit(&mut text, 0..0, "# edited\n", Enc::Utf16);
    s.client.change(URI, 2, vec![change]);
    let diagnostics = s.client.diagnostics(URI, 2);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    assert!(
        s.fake
            .requests()
            .iter()
            .any(|r| r.api_key.as_deref() == Some(DEFAULT_KEY)),
        "the new key is used"
    );
    assert!(
        s.client
            .transcript()
            .iter()
            .all(|m| !m.contains("workspace/configuration"))
    );
    for secret in [bad, "oldSecretValue", DEFAULT_KEY, "fakeSecretValue"] {
        s.assert_never_shown(secret);
    }
}

#[test]
fn settings_are_pulled_when_the_client_offers_them() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let mut client = LspClient::spawn_with_env(&[("HARNESS_BASE_URL", &fake.base_url())]);
    client.answer_configuration(ConfigAnswer::Value(json!({"apiKey": DEFAULT_KEY})));
    client.initialize_with(editor_capabilities(), Value::Null);
    let request = client.wait_for_server_request("workspace/configuration");
    assert_eq!(request["params"]["items"][0]["section"], "iacm");
    let mut s = Session { fake, client };
    let text = catalog(&["prod_ws"]);
    s.client.open(URI, 1, &text);
    let name = served("prod_ws").name;
    let card = s.card_until(&text, "prod_ws", |md| md.contains(&name));
    assert!(card.contains(&name), "{card}");

    // A didChangeConfiguration hint (as VS Code sends) pulls again.
    let bad = "pat.abc123.newTokenId.newSecret";
    s.client
        .answer_configuration(ConfigAnswer::Value(json!({"apiKey": bad})));
    s.client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    s.diagnostics_where(1, has("workspace-access-denied"));
    s.assert_never_shown(DEFAULT_KEY);
    s.assert_never_shown(bad);
}

#[test]
fn a_client_that_never_answers_the_pull_blocks_nothing() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let mut client = LspClient::spawn_with_env(&[
        ("HARNESS_BASE_URL", &fake.base_url()),
        ("HARNESS_API_KEY", DEFAULT_KEY),
    ]);
    client.answer_configuration(ConfigAnswer::Never);
    client.initialize_with(editor_capabilities(), Value::Null);
    client.wait_for_server_request("workspace/configuration");
    let mut s = Session { fake, client };
    let text = catalog(&["prod_ws"]);
    let start = Instant::now();
    s.client.open(URI, 1, &text);
    s.client.diagnostics(URI, 1);
    assert!(
        start.elapsed() < PROMPT,
        "diagnostics took {:?}",
        start.elapsed()
    );
    let card = s.card(&text, "prod_ws");
    assert!(card.contains(&served("prod_ws").name), "{card}");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    s.assert_never_shown(DEFAULT_KEY);
}
