//! Network faults, end to end: the real binary over stdio against the fake
//! Harness API injecting one fault at a time (timeout, reset, a 429 burst,
//! endless 429s, 5xx, garbage JSON, an oversized body, a slow drip). For
//! each: the hover says what went wrong in words, no diagnostic appears on
//! the file, retries are bounded (counted at the fake), and edits and
//! other requests are answered at once while the fetch is failing.
//! The server's own client times out after 10 s, so the two timeout cases
//! take that long: they are `#[ignore]`d in the default `cargo test` and
//! run by `.ci/run` (`cargo test --test lsp_faults -- --ignored`).

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::fake_harness::{DEFAULT_KEY, FakeHarness, Fault};
use support::lsp_client::{Enc, LspClient, capabilities, edit, position};

const URI: &str = "file:///repo/catalog-info.yaml";
/// Far below the 10 s a hung fetch takes, with room for a loaded CI machine.
const PROMPT: Duration = Duration::from_secs(3);
/// Three endpoints per workspace.
const ENDPOINTS: usize = 3;
/// The server retries a 429 three times (0.5 s, 1 s, 2 s apart).
const ATTEMPTS_PER_429: usize = 4;

fn catalog() -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  \
         annotations:\n    harness.io/workspace-url: |\n      prod: {}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-payments\n",
        FakeHarness::workspace_url("prod_ws")
    )
}

/// What the user sees with `fault` on every request about prod_ws: the
/// hover card once it is no longer loading, and how many requests reached
/// the fake.
fn under_fault(fault: Fault) -> (String, usize) {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault("prod_ws", fault.clone());
    let mut client = LspClient::spawn_with_env(&[("HARNESS_BASE_URL", &fake.base_url())]);
    client.initialize_with(capabilities(None), json!({"iacm": {"apiKey": DEFAULT_KEY}}));
    let mut text = catalog();
    client.open(URI, 1, &text);
    assert!(client.diagnostics(URI, 1).is_empty());

    // The fetch is under way (and failing): the editor does not wait for it.
    let start = Instant::now();
    let change = edit(&mut text, 0..0, "# edited\n", Enc::Utf16);
    client.change(URI, 2, vec![change]);
    assert!(client.diagnostics(URI, 2).is_empty());
    let links = client.request(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": URI}}),
    );
    assert_eq!(links.as_array().map_or(0, Vec::len), 1);
    assert!(
        start.elapsed() < PROMPT,
        "{fault:?}: edit and links took {:?}",
        start.elapsed()
    );

    // The hover explains, once the fetch has given up.
    let at = position(&text, text.find("prod:").unwrap(), Enc::Utf16);
    let hover = json!({"textDocument": {"uri": URI}, "position": at});
    let deadline = Instant::now() + Duration::from_secs(30);
    let card = loop {
        let result = client.request("textDocument/hover", hover.clone());
        let card = result["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string();
        if !card.contains("Loading") || Instant::now() > deadline {
            break card;
        }
    };
    let requests = fake.request_count("prod_ws");
    // Asking again reads the cached failure: no new request.
    client.request("textDocument/hover", hover.clone());
    client.request("textDocument/hover", hover);
    assert_eq!(fake.request_count("prod_ws"), requests, "{fault:?}");

    // No diagnostic noise: whatever was published since has none.
    std::thread::sleep(Duration::from_millis(300));
    for publish in client.take_received("textDocument/publishDiagnostics") {
        assert_eq!(publish["diagnostics"], json!([]), "{fault:?}: {publish}");
    }
    assert!(!card.contains(DEFAULT_KEY) && !client.stderr().contains(DEFAULT_KEY));
    println!("{fault:?}: {requests} requests; hover: {card}");
    (card, requests)
}

fn assert_says(card: &str, words: &str) {
    assert!(
        card.contains(words),
        "expected {words:?} in the hover:\n{card}"
    );
}

#[test]
#[ignore = "slow: waits out the 10 s HTTP timeout; .ci/run runs it"]
fn a_hung_harness_times_out_with_one_request_per_endpoint() {
    let (card, requests) = under_fault(Fault::Hang);
    assert_says(&card, "Harness did not answer in time");
    assert_eq!(requests, ENDPOINTS);
}

#[test]
#[ignore = "slow: waits out the 10 s HTTP timeout; .ci/run runs it"]
fn a_slow_drip_times_out() {
    let (card, requests) = under_fault(Fault::SlowDrip(Duration::from_secs(1)));
    assert_says(&card, "Harness did not answer in time");
    assert_eq!(requests, ENDPOINTS);
}

#[test]
fn a_reset_connection_is_a_network_error() {
    let (card, requests) = under_fault(Fault::Reset);
    assert_says(&card, "could not reach Harness");
    assert!(requests <= 2 * ENDPOINTS, "{requests} requests");
}

#[test]
fn a_burst_of_429s_is_retried_and_the_card_shows() {
    let (card, requests) = under_fault(Fault::RateLimit(2));
    assert_says(&card, "Resources (");
    assert_eq!(requests, ENDPOINTS + 2);
}

#[test]
fn endless_429s_give_up_after_bounded_retries() {
    let (card, requests) = under_fault(Fault::RateLimit(u32::MAX));
    assert_says(&card, "rate limiting");
    assert_eq!(requests, ENDPOINTS * ATTEMPTS_PER_429);
}

#[test]
fn server_errors_are_said_and_not_retried() {
    for status in [500, 502, 503] {
        let (card, requests) = under_fault(Fault::Status(status));
        assert_says(&card, &format!("Harness answered {status}"));
        assert_eq!(requests, ENDPOINTS);
    }
}

#[test]
fn garbage_json_is_an_unexpected_answer() {
    let (card, requests) = under_fault(Fault::MalformedJson);
    assert_says(&card, "unexpected answer from Harness");
    assert_eq!(requests, ENDPOINTS);
}

#[test]
fn an_oversized_body_is_refused() {
    let five_mib = 5 * 1024 * 1024;
    for fault in [
        Fault::Oversized(five_mib),
        Fault::OversizedChunked(five_mib),
    ] {
        let (card, requests) = under_fault(fault);
        assert_says(&card, "larger than");
        assert_eq!(requests, ENDPOINTS);
    }
}

#[test]
fn an_echoed_key_is_masked_in_the_hover() {
    let (card, _) = under_fault(Fault::EchoKey(500));
    assert_says(&card, "\\<redacted\\>");
    assert!(!card.contains("fakeSecretValue"), "{card}");
}
