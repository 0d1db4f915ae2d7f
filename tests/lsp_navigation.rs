//! End to end: navigation between entities over the real binary, on the
//! several-file workspace in tests/fixtures/workspace (groups, users, a
//! domain and system, an API, a resource, two components, one with bad
//! refs; a .gitignored file that must not be indexed).

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::lsp_client::{Enc, LspClient, capabilities, position, range};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workspace")
}

fn uri_of(path: &Path) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

/// Client capabilities with work done progress and watched-file
/// registration as `progress` says.
fn caps(progress: bool) -> Value {
    let mut caps = capabilities(None);
    caps["window"] = json!({"workDoneProgress": progress});
    caps["workspace"]["didChangeWatchedFiles"] = json!({"dynamicRegistration": progress});
    caps["textDocument"]["completion"] = json!({"completionItem": {"snippetSupport": true}});
    caps
}

/// A server on `root` as workspace folder, once its start-up indexing is
/// done (seen from `$/progress` when `progress`, else from workspace symbols).
fn start(root: &Path, progress: bool, options: Value) -> LspClient {
    let mut client = LspClient::spawn();
    client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "workspaceFolders": [{"uri": uri_of(root), "name": "ws"}],
            "capabilities": caps(progress),
            "initializationOptions": options,
        }),
    );
    client.notify("initialized", json!({}));
    if progress {
        client.wait_for_notification("$/progress", |p| p["value"]["kind"] == "end");
    } else {
        let deadline = std::time::Instant::now() + support::lsp_client::TIMEOUT;
        while symbols(&mut client, "").is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the index never filled"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
    client
}

fn symbols(client: &mut LspClient, query: &str) -> Vec<Value> {
    let result = client.request("workspace/symbol", json!({"query": query}));
    result.as_array().cloned().unwrap_or_default()
}

fn open(client: &mut LspClient, root: &Path, rel: &str) -> (String, String) {
    let uri = uri_of(&root.join(rel));
    let text = read(root, rel);
    client.open(&uri, 1, &text);
    (uri, text)
}

/// Byte offset of the `nth` (0-based) occurrence of `needle`, plus `delta`.
fn at(text: &str, needle: &str, nth: usize) -> usize {
    text.match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle} #{nth}"))
        .0
}

fn request_at(client: &mut LspClient, method: &str, uri: &str, text: &str, offset: usize) -> Value {
    client.request(
        method,
        json!({"textDocument": {"uri": uri}, "position": position(text, offset, Enc::Utf16),
               "context": {"includeDeclaration": true}}),
    )
}

/// (file name relative to the root, text under the range) of locations.
fn places(root: &Path, locations: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = locations
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let path = url::Url::parse(l["uri"].as_str().unwrap())
                .unwrap()
                .to_file_path()
                .unwrap();
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let text = read(root, &rel);
            let start = support::lsp_client::offset(&text, &l["range"]["start"], Enc::Utf16);
            let end = support::lsp_client::offset(&text, &l["range"]["end"], Enc::Utf16);
            (rel, text[start..end].to_string())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn owner_jumps_to_the_group_that_defines_it() {
    let root = fixture();
    let mut client = start(&root, false, Value::Null);
    let (uri, text) = open(&mut client, &root, "services/payments/catalog-info.yaml");
    let owner = at(&text, "team-platform", 0);
    let found = request_at(
        &mut client,
        "textDocument/definition",
        &uri,
        &text,
        owner + 3,
    );
    let groups = read(&root, "org/groups.yaml");
    let name = at(&groups, "name: team-platform", 0) + "name: ".len();
    assert_eq!(
        found,
        json!([{
            "uri": uri_of(&root.join("org/groups.yaml")),
            "range": range(&groups, name..name + "team-platform".len(), Enc::Utf16),
        }])
    );
    // Every field with its default kind: system -> System, an explicit kind.
    let system = request_at(
        &mut client,
        "textDocument/definition",
        &uri,
        &text,
        at(&text, "checkout", 0),
    );
    assert_eq!(
        places(&root, &system),
        [("systems/commerce.yaml".into(), "checkout".into())]
    );
    let db = request_at(
        &mut client,
        "textDocument/definition",
        &uri,
        &text,
        at(&text, "payments-db", 0),
    );
    assert_eq!(
        places(&root, &db),
        [("infra/database.yaml".into(), "payments-db".into())]
    );
    let api = request_at(
        &mut client,
        "textDocument/definition",
        &uri,
        &text,
        at(&text, "payments-api", 0),
    );
    assert_eq!(
        places(&root, &api),
        [("apis/payments-api.yaml".into(), "payments-api".into())]
    );
    // Not defined anywhere, and not a ref at all: nothing.
    let fraud = request_at(
        &mut client,
        "textDocument/definition",
        &uri,
        &text,
        at(&text, "fraud-api", 0),
    );
    assert_eq!(fraud, Value::Null);
    let lifecycle = request_at(
        &mut client,
        "textDocument/definition",
        &uri,
        &text,
        at(&text, "production", 0),
    );
    assert_eq!(lifecycle, Value::Null);
    client.shutdown_and_exit();
}

#[test]
fn references_find_every_ref_to_an_entity_in_every_file() {
    let root = fixture();
    let mut client = start(&root, false, Value::Null);
    let (uri, text) = open(&mut client, &root, "org/groups.yaml");
    let found = request_at(
        &mut client,
        "textDocument/references",
        &uri,
        &text,
        at(&text, "team-platform", 0),
    );
    assert_eq!(
        places(&root, &found),
        [
            (
                "infra/database.yaml".to_string(),
                "team-platform".to_string()
            ),
            ("org/groups.yaml".into(), "team-platform".into()), // the declaration
            ("org/groups.yaml".into(), "team-platform".into()), // engineering's children
            ("org/users.yaml".into(), "team-platform".into()),
            (
                "services/payments/catalog-info.yaml".into(),
                "team-platform".into()
            ),
        ]
    );
    // Case does not matter: `system: Checkout` in the broken file counts.
    let (uri, text) = open(&mut client, &root, "systems/commerce.yaml");
    let found = request_at(
        &mut client,
        "textDocument/references",
        &uri,
        &text,
        at(&text, "name: checkout", 0) + 6,
    );
    let files: Vec<String> = places(&root, &found).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        files,
        [
            "apis/payments-api.yaml",
            "infra/database.yaml",
            "services/broken/catalog-info.yaml",
            "services/payments/catalog-info.yaml",
            "systems/commerce.yaml",
        ]
    );
    client.shutdown_and_exit();
}

#[test]
fn hover_on_a_ref_shows_the_target() {
    let root = fixture();
    let mut client = start(&root, false, Value::Null);
    let (uri, text) = open(&mut client, &root, "services/payments/catalog-info.yaml");
    let system = at(&text, "checkout", 0);
    let hover = request_at(&mut client, "textDocument/hover", &uri, &text, system + 2);
    let card = hover["contents"]["value"].as_str().unwrap();
    for part in [
        "**System** `checkout`",
        "Checkout",
        "Everything between the basket and the receipt.",
        "`systems/commerce.yaml`, line 12",
    ] {
        assert!(card.contains(part), "{part} not in {card}");
    }
    assert_eq!(hover["range"], range(&text, system..system + 8, Enc::Utf16));
    let hover = request_at(
        &mut client,
        "textDocument/hover",
        &uri,
        &text,
        at(&text, "fraud-api", 0),
    );
    let card = hover["contents"]["value"].as_str().unwrap();
    assert!(
        card.contains("`api:default/fraud-api`") && card.contains("No catalog file"),
        "{card}"
    );
    client.shutdown_and_exit();
}

fn labels(result: &Value) -> Vec<String> {
    let mut labels: Vec<String> = support::lsp_client::completion_items(result)
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect();
    labels.sort();
    labels
}

#[test]
fn completion_offers_the_entities_a_field_can_name() {
    let root = fixture();
    let mut client = start(&root, false, Value::Null);
    let uri = uri_of(&root.join("services/new/catalog-info.yaml"));
    let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: new-svc\nspec:\n  owner: \n  system: ch\n  providesApis:\n    - \n";
    client.open(&uri, 1, text);
    let owner = at(text, "owner: ", 0) + "owner: ".len();
    let result = client.completion(&uri, text, owner, Enc::Utf16);
    assert_eq!(
        labels(&result),
        [
            "engineering",
            "team-payments",
            "team-platform",
            "user:bob",
            "user:jane"
        ]
    );
    // Groups (the default kind) come before Users.
    let items = support::lsp_client::completion_items(&result);
    let first = items
        .iter()
        .min_by_key(|i| i["sortText"].as_str().unwrap().to_string())
        .unwrap();
    assert_eq!(first["label"], "engineering");
    assert_eq!(first["detail"], "Group");
    let system = at(text, "ch\n", 0) + 2;
    let result = client.completion(&uri, text, system, Enc::Utf16);
    assert_eq!(labels(&result), ["checkout"]);
    let item = &support::lsp_client::completion_items(&result)[0];
    let done = support::lsp_client::apply_completion(text, item, Enc::Utf16);
    assert!(done.contains("  system: checkout\n"), "{done}");
    let api = at(text, "    - ", 0) + 6;
    let result = client.completion(&uri, text, api, Enc::Utf16);
    assert_eq!(labels(&result), ["payments-api"]);
    // Right after the colon the item brings its space.
    let text2 = text.replace("owner: \n", "owner:\n");
    client.change(&uri, 2, vec![json!({"text": text2})]);
    let owner = at(&text2, "owner:", 0) + "owner:".len();
    let result = client.completion(&uri, &text2, owner, Enc::Utf16);
    let item = support::lsp_client::completion_items(&result)
        .into_iter()
        .find(|i| i["label"] == "team-platform")
        .unwrap();
    let done = support::lsp_client::apply_completion(&text2, &item, Enc::Utf16);
    assert!(done.contains("  owner: team-platform\n"), "{done}");
    client.shutdown_and_exit();
}

#[test]
fn document_and_workspace_symbols_list_entities() {
    let root = fixture();
    let mut client = start(&root, false, Value::Null);
    let (uri, text) = open(&mut client, &root, "org/groups.yaml");
    let found = client.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Group team-platform",
            "Group team-payments",
            "Group engineering"
        ]
    );
    let second = &found[1];
    let name = at(&text, "team-payments", 0);
    assert_eq!(
        second["selectionRange"],
        range(&text, name..name + 13, Enc::Utf16)
    );
    assert_eq!(
        second["range"]["start"]["line"], 13,
        "the document starts after ---"
    );
    let mut names: Vec<String> = symbols(&mut client, "pay")
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "API payments-api",
            "Component payments",
            "Group team-payments",
            "Resource payments-db"
        ]
    );
    // Every entity of the 7 catalog files, and none from the .gitignored one.
    assert_eq!(symbols(&mut client, "").len(), 11);
    assert!(symbols(&mut client, "ghost").is_empty());
    client.shutdown_and_exit();
}

fn unresolved(diagnostics: &[Value]) -> Vec<&Value> {
    diagnostics
        .iter()
        .filter(|d| d["code"] == "entity-ref-unresolved")
        .collect()
}

#[test]
fn unresolved_refs_are_hinted_only_when_enabled() {
    let root = fixture();
    // Indexing is done (progress ended) before the document opens, so
    // hints would be there now if they were on.
    let mut client = start(&root, true, Value::Null);
    let (uri, _) = open(&mut client, &root, "services/payments/catalog-info.yaml");
    assert!(unresolved(&client.diagnostics(&uri, 1)).is_empty());
    // Format errors are reported either way.
    let (broken, text) = open(&mut client, &root, "services/broken/catalog-info.yaml");
    let found: Vec<String> = client
        .diagnostics(&broken, 1)
        .iter()
        .filter(|d| d["code"] == "entity-ref-invalid")
        .map(|d| {
            let s = support::lsp_client::offset(&text, &d["range"]["start"], Enc::Utf16);
            let e = support::lsp_client::offset(&text, &d["range"]["end"], Enc::Utf16);
            text[s..e].to_string()
        })
        .collect();
    assert_eq!(found, ["group:", "payments-db"]);
    client.shutdown_and_exit();

    let options = json!({"diagnostics": {"entity-ref-unresolved": "hint"}});
    let mut client = start(&root, true, options);
    let (uri, text) = open(&mut client, &root, "services/payments/catalog-info.yaml");
    let diagnostics = client.diagnostics(&uri, 1);
    let hints = unresolved(&diagnostics);
    assert_eq!(hints.len(), 1, "{diagnostics:#?}");
    let fraud = at(&text, "fraud-api", 0);
    assert_eq!(
        hints[0]["range"],
        range(&text, fraud..fraud + 9, Enc::Utf16)
    );
    assert_eq!(hints[0]["severity"], 4);
    assert!(
        hints[0]["message"]
            .as_str()
            .unwrap()
            .contains("api:default/fraud-api")
    );
    // A new file's refs to its own entities resolve in its first publish.
    let new = uri_of(&root.join("org/new-teams.yaml"));
    let text = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-new\nspec:\n  type: team\n  children: [team-newer]\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-newer\nspec:\n  type: team\n  parent: team-new\n  children: []\n";
    client.open(&new, 1, text);
    let diagnostics = client.diagnostics(&new, 1);
    assert!(unresolved(&diagnostics).is_empty(), "{diagnostics:#?}");
    client.shutdown_and_exit();
}

#[test]
fn a_file_created_on_disk_resolves_refs_to_its_entities() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    for rel in ["org/groups.yaml", "services/payments/catalog-info.yaml"] {
        std::fs::create_dir_all(root.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(fixture().join(rel), root.join(rel)).unwrap();
    }
    let options = json!({"diagnostics": {"entity-ref-unresolved": "hint"}});
    let mut client = start(&root, true, options);
    let registration = client.wait_for_server_request("client/registerCapability");
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registered["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.{yaml,yml}"
    );
    let (uri, text) = open(&mut client, &root, "services/payments/catalog-info.yaml");
    let hinted = |d: &Value| {
        d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "entity-ref-unresolved")
            .count()
    };
    // checkout, payments-api, fraud-api, payments-db.
    let first =
        client.wait_for_notification("textDocument/publishDiagnostics", |p| p["uri"] == uri);
    assert_eq!(hinted(&first), 4, "{first:#}");
    let api = root.join("apis/fraud-api.yaml");
    std::fs::create_dir_all(api.parent().unwrap()).unwrap();
    std::fs::write(
        &api,
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: fraud-api\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-platform\n  definition: x\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&api), "type": 1}]}),
    );
    let again = client.wait_for_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri
            && p["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["code"] == "entity-ref-unresolved")
                .count()
                == 3
    });
    assert_eq!(again["version"], 1);
    let found = request_at(
        &mut client,
        "textDocument/definition",
        &uri,
        &text,
        at(&text, "fraud-api", 0),
    );
    assert_eq!(found[0]["uri"], uri_of(&api));
    // Deleted again: unresolved again.
    std::fs::remove_file(&api).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&api), "type": 3}]}),
    );
    client.wait_for_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri
            && p["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["code"] == "entity-ref-unresolved")
                .count()
                == 4
    });
    // Changed on disk: the owner's Group renamed, so the owner is unresolved too.
    let groups = root.join("org/groups.yaml");
    let renamed = read(&root, "org/groups.yaml").replace("name: team-platform", "name: team-core");
    std::fs::write(&groups, renamed).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&groups), "type": 2}]}),
    );
    let hints = |p: &Value| -> Vec<String> {
        p["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "entity-ref-unresolved")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    let last = client.wait_for_notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && hints(p).len() == 5
    });
    assert!(
        hints(&last)
            .iter()
            .any(|m| m.contains("group:default/team-platform"))
    );
    client.shutdown_and_exit();
}

#[test]
fn open_documents_stand_in_for_their_files() {
    let root = fixture();
    let mut client = start(&root, false, Value::Null);
    let (groups_uri, groups) = open(&mut client, &root, "org/groups.yaml");
    let renamed = groups.replace("name: team-platform", "name: team-core");
    client.change(&groups_uri, 2, vec![json!({"text": renamed})]);
    client.diagnostics(&groups_uri, 2);
    let (uri, text) = open(&mut client, &root, "services/payments/catalog-info.yaml");
    let owner = at(&text, "team-platform", 0);
    let found = request_at(&mut client, "textDocument/definition", &uri, &text, owner);
    assert_eq!(
        found,
        Value::Null,
        "team-platform is renamed in the open document"
    );
    // Closed without saving: the file on disk counts again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": groups_uri}}),
    );
    let found = request_at(&mut client, "textDocument/definition", &uri, &text, owner);
    assert_eq!(found[0]["uri"], groups_uri);
    client.shutdown_and_exit();
}

#[test]
fn indexing_reports_progress_only_to_clients_that_show_it() {
    let root = fixture();
    let mut client = LspClient::spawn();
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(&root), "capabilities": caps(true)}),
    );
    client.notify("initialized", json!({}));
    let create = client.wait_for_server_request("window/workDoneProgress/create");
    let token = create["params"]["token"].clone();
    let begin = client.wait_for_notification("$/progress", |p| p["value"]["kind"] == "begin");
    assert_eq!(begin["token"], token);
    assert_eq!(begin["value"]["title"], "Indexing catalog files");
    let report = client.wait_for_notification("$/progress", |p| p["value"]["kind"] == "report");
    assert_eq!(report["value"]["percentage"], 100);
    assert_eq!(report["value"]["message"], "7/7 YAML files");
    let end = client.wait_for_notification("$/progress", |p| p["value"]["kind"] == "end");
    let message = end["value"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("7 catalog files, 11 entities"),
        "{message}"
    );
    client.shutdown_and_exit();

    // Without the capability: no token, no progress, and the index still fills.
    let mut client = start(&root, false, Value::Null);
    let sent = client.transcript().join("\n");
    assert!(
        !sent.contains("workDoneProgress/create") && !sent.contains("$/progress"),
        "{sent}"
    );
    assert!(!sent.contains("client/registerCapability"), "{sent}");
    client.shutdown_and_exit();
}

#[test]
fn workspace_folders_added_later_are_indexed_and_removed_ones_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let (org, svc) = (root.join("org-repo"), root.join("svc-repo"));
    std::fs::create_dir_all(&org).unwrap();
    std::fs::create_dir_all(&svc).unwrap();
    std::fs::copy(fixture().join("org/groups.yaml"), org.join("groups.yaml")).unwrap();
    std::fs::copy(
        fixture().join("services/payments/catalog-info.yaml"),
        svc.join("catalog-info.yaml"),
    )
    .unwrap();
    let mut client = start(&svc, false, Value::Null);
    let (uri, text) = open(&mut client, &svc, "catalog-info.yaml");
    let owner = at(&text, "team-platform", 0);
    let definition =
        |client: &mut LspClient| request_at(client, "textDocument/definition", &uri, &text, owner);
    assert_eq!(definition(&mut client), Value::Null);
    let folder = json!({"uri": uri_of(&org), "name": "org-repo"});
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [folder], "removed": []}}),
    );
    let deadline = std::time::Instant::now() + support::lsp_client::TIMEOUT;
    while definition(&mut client) == Value::Null {
        assert!(
            std::time::Instant::now() < deadline,
            "the added folder was never indexed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        definition(&mut client)[0]["uri"],
        uri_of(&org.join("groups.yaml"))
    );
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({"event": {"added": [], "removed": [folder]}}),
    );
    while definition(&mut client) != Value::Null {
        assert!(
            std::time::Instant::now() < deadline,
            "the removed folder stayed indexed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    client.shutdown_and_exit();
}
