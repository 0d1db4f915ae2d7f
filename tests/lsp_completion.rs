//! Completion end to end: the real `iacm-lsp` binary over stdio, the fake
//! Harness API on 127.0.0.1 for the lists. Expected items come from the
//! fake's own data, expected ranges from the text.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::fake_harness::{ACCOUNT, DEFAULT_KEY, FakeHarness, Fault, ORG, PROJECT, Scope};
use support::lsp_client::{
    Enc, LspClient, apply_completion, capabilities, completion_items, range,
};

const URI: &str = "file:///repo/catalog-info.yaml";
const HEAD: &str =
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n";
const KEY: &str = "harness.io/workspace-url";
/// Pages this small make every list take several requests.
const PAGE: usize = 2;

struct Session {
    fake: FakeHarness,
    client: LspClient,
    version: i32,
}

/// The fake and a server using it; `key` in `initializationOptions`; a
/// client that takes snippets (as VS Code and Neovim do).
fn session(key: Option<&str>) -> Session {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_max_page_size(PAGE);
    let mut client = LspClient::spawn_with_env(&[("HARNESS_BASE_URL", &fake.base_url())]);
    let mut caps = capabilities(None);
    caps["textDocument"]["completion"] = json!({"completionItem": {"snippetSupport": true}});
    let options = key.map_or(Value::Null, |k| json!({"iacm": {"apiKey": k}}));
    let result = client.initialize_with(caps, options);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    let triggers = &result["capabilities"]["completionProvider"]["triggerCharacters"];
    assert_eq!(*triggers, json!(["/", ":"]));
    Session {
        fake,
        client,
        version: 0,
    }
}

impl Session {
    /// Sets the document's text (opened on first use).
    fn set_text(&mut self, text: &str) {
        self.version += 1;
        if self.version == 1 {
            self.client.open(URI, self.version, text);
        } else {
            self.client
                .change(URI, self.version, vec![json!({"text": text})]);
        }
    }

    /// Completion where `‸` marks the cursor; returns the text without the
    /// mark, the cursor's offset and the result.
    fn complete(&mut self, marked: &str) -> (String, usize, Value) {
        let offset = marked.find('‸').expect("a cursor mark");
        let text = marked.replacen('‸', "", 1);
        self.set_text(&text);
        let result = self.client.completion(URI, &text, offset, Enc::Utf16);
        (text, offset, result)
    }
}

fn labels(result: &Value) -> Vec<String> {
    completion_items(result)
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// A file whose annotation has one labelled line ending in `url`.
fn with_url(url: &str) -> String {
    format!("{HEAD}  annotations:\n    {KEY}: |\n      café 😀: {url}\nspec:\n  type: service\n")
}

/// The byte range of `what`, which comes right after `after` in `text`.
fn after(text: &str, after: &str, what: &str) -> std::ops::Range<usize> {
    let start = text.find(after).expect("in text") + after.len();
    start..start + what.len()
}

const URL_START: &str = "https://app.harness.io/ng/account/";

#[test]
fn the_key_snippet_in_block_and_flow_mappings_and_never_twice() {
    let mut s = session(None);
    let (text, _, result) = s.complete(&format!("{HEAD}  annotations:\n    a: b\n    harn‸\n"));
    let items = completion_items(&result);
    assert_eq!(labels(&result), [KEY]);
    assert_eq!(items[0]["insertTextFormat"], 2);
    assert_eq!(
        items[0]["textEdit"]["range"],
        range(&text, after(&text, "    a: b\n    ", "harn"), Enc::Utf16)
    );
    assert_eq!(
        items[0]["textEdit"]["newText"],
        format!(
            "{KEY}: |\n      ${{1:label}}: {URL_START}${{2}}/module/iacm/orgs/${{3}}/projects/${{4}}/workspaces/${{5}}/resources"
        )
    );
    // Flow mappings get one quoted line.
    let (_, _, result) = s.complete(&format!("{HEAD}  annotations: {{a: b, ‸}}\n"));
    let new_text = completion_items(&result)[0]["textEdit"]["newText"].clone();
    assert!(
        new_text
            .as_str()
            .unwrap()
            .starts_with(&format!("{KEY}: '${{1:label}}: https://")),
        "{new_text}"
    );
    // Not offered again in a mapping that has it.
    let (_, _, result) = s.complete(&format!(
        "{HEAD}  annotations:\n    {KEY}: |\n      p: x\n    ‸\n"
    ));
    assert!(labels(&result).is_empty(), "{result}");
    // In `metadata` without annotations: `annotations`, with the key.
    let (_, _, result) = s.complete(&format!("{HEAD}  ‸\n"));
    assert_eq!(labels(&result), ["annotations"]);
}

#[test]
fn without_a_key_only_static_items() {
    let mut s = session(None);
    let (_, _, result) = s.complete(&with_url(&format!("{URL_START}‸")));
    assert!(labels(&result).is_empty());
    let (text, _, result) = s.complete(&with_url(&format!("{URL_START}a/module/ia‸/orgs")));
    assert_eq!(labels(&result), ["iacm"]);
    let item = &completion_items(&result)[0];
    assert_eq!(
        item["textEdit"]["range"],
        range(&text, after(&text, "/module/", "ia"), Enc::Utf16)
    );
    let (_, _, result) = s.complete(&with_url(&format!("{URL_START}a/module/iacm/orgs/‸")));
    assert!(labels(&result).is_empty());
    assert_ne!(result["isIncomplete"], true);
    assert!(s.fake.requests().is_empty(), "no key, no request");
}

#[test]
fn each_segment_from_live_lists_all_pages_in_a_utf16_session() {
    let mut s = session(Some(DEFAULT_KEY));
    let base = format!("{URL_START}{ACCOUNT}/module/iacm");
    // Account: the key's.
    let (text, _, result) = s.complete(&with_url(&format!("{URL_START}‸/module/iacm")));
    assert_eq!(labels(&result), [ACCOUNT]);
    let edit = &completion_items(&result)[0]["textEdit"];
    let at = text.find("account/").unwrap() + "account/".len();
    assert_eq!(edit["range"], range(&text, at..at, Enc::Utf16));
    // Orgs, every page.
    let (text, _, result) = s.complete(&with_url(&format!("{base}/orgs/d‸ef/projects/x")));
    assert_eq!(sorted(labels(&result)), sorted(s.fake.org_ids()));
    assert!(s.fake.org_ids().len() > PAGE, "the fake's orgs take pages");
    assert_eq!(labels(&result)[0], ORG, "prefix matches first");
    let item = &completion_items(&result)[0];
    assert_eq!(
        item["textEdit"]["range"],
        range(&text, after(&text, "/orgs/", "def"), Enc::Utf16)
    );
    // Projects of the org.
    let (_, _, result) = s.complete(&with_url(&format!("{base}/orgs/{ORG}/projects/‸")));
    assert_eq!(sorted(labels(&result)), sorted(s.fake.project_ids(ORG)));
    assert!(s.fake.project_ids(ORG).len() > PAGE);
    // Workspaces of the project: the item writes `/resources` too.
    let marked = with_url(&format!(
        "{base}/orgs/{ORG}/projects/{PROJECT}/workspaces/‸/resources"
    ));
    let (text, _, result) = s.complete(&marked);
    let expected = s.fake.workspace_ids_of(ORG, PROJECT);
    assert!(expected.len() > PAGE);
    assert_eq!(sorted(labels(&result)), sorted(expected.clone()));
    let items = completion_items(&result);
    let at = text.find("/workspaces/").unwrap() + "/workspaces/".len();
    for item in &items {
        assert_eq!(
            item["textEdit"]["range"],
            range(&text, at..at + "/resources".len(), Enc::Utf16)
        );
        let id = item["label"].as_str().unwrap();
        assert_eq!(item["textEdit"]["newText"], format!("{id}/resources"));
        assert!(item["detail"].is_string(), "name and status: {item}");
    }
    assert!(s.fake.request_count("page=2") > 0, "paging followed");
}

#[test]
fn new_lines_offer_the_project_workspaces_not_yet_named() {
    let mut s = session(Some(DEFAULT_KEY));
    let named = &s.fake.workspace_ids_of(ORG, PROJECT)[0];
    let url = FakeHarness::workspace_url(named);
    let marked = format!(
        "{HEAD}  annotations:\n    {KEY}: |\n      {named}: {url}\n      ‸\nspec: {{type: service, lifecycle: production, owner: team-a}}\n"
    );
    let (text, offset, result) = s.complete(&marked);
    let mut expected = s.fake.workspace_ids_of(ORG, PROJECT);
    expected.retain(|w| w != named);
    let items = completion_items(&result);
    assert_eq!(
        items.last().unwrap()["insertTextFormat"],
        2,
        "a line to fill in comes last"
    );
    let inserted: Vec<String> = items
        .iter()
        .filter(|i| i["insertTextFormat"] != 2)
        .map(|i| i["textEdit"]["newText"].as_str().unwrap().to_string())
        .collect();
    let wanted: Vec<String> = expected
        .iter()
        .map(|w| format!("{w}: {}", FakeHarness::workspace_url(w)))
        .collect();
    assert_eq!(sorted(inserted), sorted(wanted));
    assert_eq!(
        items[0]["textEdit"]["range"],
        range(&text, offset..offset, Enc::Utf16)
    );
    let accepted = apply_completion(&text, &items[0], Enc::Utf16);
    let analysis = iacm_lsp::analyze_catalog(&accepted, &iacm_lsp::Settings::default());
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}",
        analysis.diagnostics
    );
    assert_eq!(analysis.workspace_refs.len(), 2);
}

#[test]
fn a_slow_list_answers_incomplete_at_once_and_complete_later() {
    let mut s = session(Some(DEFAULT_KEY));
    s.fake.set_fault(
        Scope::PathContains("/v1/orgs".into()),
        Fault::Delay(Duration::from_secs(3)),
    );
    let marked = with_url(&format!("{URL_START}{ACCOUNT}/module/iacm/orgs/‸"));
    let started = Instant::now();
    let (text, offset, result) = s.complete(&marked);
    let took = started.elapsed();
    assert_eq!(result["isIncomplete"], true, "{result}");
    assert!(labels(&result).is_empty());
    // About the 1 s bound, well before the list's 3 s.
    assert!(took < Duration::from_millis(2500), "waited {took:?}");
    // Only the first page is slow (it is already under way).
    s.fake.clear_faults();
    // The client asks again, as it does on the next keystroke.
    let deadline = Instant::now() + Duration::from_secs(10);
    let result = loop {
        let result = s.client.completion(URI, &text, offset, Enc::Utf16);
        if result["isIncomplete"] != true || Instant::now() > deadline {
            break result;
        }
    };
    assert_eq!(sorted(labels(&result)), sorted(s.fake.org_ids()));
    // Warm: how long a completion takes now (printed, not asserted).
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let t = Instant::now();
            s.client.completion(URI, &text, offset, Enc::Utf16);
            t.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "completion on a warm list, round trip over stdio: median {:?}, max {:?}",
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

/// Done when: from an empty `metadata:` to a complete, valid, labelled URL
/// by accepting a handful of completions, typing no identifier.
#[test]
fn a_handful_of_completions_write_a_valid_labelled_url() {
    let mut s = session(Some(DEFAULT_KEY));
    // A complete entity but for the annotation, so the end result is clean.
    let mut text = HEAD.replace(
        "metadata:",
        "spec: {type: service, lifecycle: production, owner: team-a}\nmetadata:",
    ) + "  ";
    let mut cursor = text.len();
    let org = s.fake.org_ids().into_iter().find(|o| o == ORG).unwrap();
    let project = s.fake.project_ids(&org)[0].clone();
    let workspace = s.fake.workspace_ids_of(&org, &project)[0].clone();
    let mut accepted = 0;
    for (after_text, pick) in [
        (None, "annotations"),
        (Some("/orgs/"), org.as_str()),
        (Some("/projects/"), project.as_str()),
        (Some("/workspaces/"), workspace.as_str()),
    ] {
        if let Some(a) = after_text {
            cursor = text.find(a).unwrap() + a.len();
        }
        s.set_text(&text);
        let result = s.client.completion(URI, &text, cursor, Enc::Utf16);
        let item = completion_items(&result)
            .into_iter()
            .find(|i| i["filterText"] == pick)
            .unwrap_or_else(|| panic!("no {pick} in {result}\n{text}"));
        text = apply_completion(&text, &item, Enc::Utf16);
        accepted += 1;
    }
    let analysis = iacm_lsp::analyze_catalog(&text, &iacm_lsp::Settings::default());
    assert!(
        analysis.diagnostics.is_empty(),
        "{:?}\n{text}",
        analysis.diagnostics
    );
    let r = &analysis.workspace_refs[0];
    assert_eq!(r.label.as_deref(), Some("label"));
    assert_eq!(
        (
            &*r.key.account,
            &*r.key.org,
            &*r.key.project,
            &*r.key.workspace
        ),
        (ACCOUNT, org.as_str(), project.as_str(), workspace.as_str())
    );
    assert_eq!(accepted, 4);
}

/// A client without snippet support, speaking UTF-8: plain text, with each
/// placeholder at its default.
#[test]
fn plain_text_for_a_client_without_snippets() {
    let mut client = LspClient::start(Enc::Utf8);
    let text = format!("{HEAD}  annotations:\n    ");
    client.open(URI, 1, &text);
    let result = client.completion(URI, &text, text.len(), Enc::Utf8);
    let items = completion_items(&result);
    assert_eq!(items.len(), 1, "{result}");
    assert_eq!(items[0]["insertTextFormat"], 1);
    assert_eq!(
        items[0]["textEdit"]["newText"],
        format!(
            "{KEY}: |\n      label: {URL_START}/module/iacm/orgs//projects//workspaces//resources"
        )
    );
    let marked = with_url(&format!("{URL_START}a/module/é‸"));
    let offset = marked.find('‸').unwrap();
    let text = marked.replacen('‸', "", 1);
    client.change(URI, 2, vec![json!({"text": text})]);
    let result = client.completion(URI, &text, offset, Enc::Utf8);
    let item = &completion_items(&result)[0];
    assert_eq!(
        item["textEdit"]["range"],
        range(&text, after(&text, "/module/", "é"), Enc::Utf8)
    );
}
