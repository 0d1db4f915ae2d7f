//! Completion over fixture text; `‸` marks the cursor.

use std::sync::Arc;

use super::*;
use crate::analysis::analyze_catalog;
use crate::harness::lists::ListItem;
use crate::settings::Settings;

const HEAD: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nspec: {type: service, lifecycle: production, owner: team-a}\n";
const URL: &str = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources";

fn item(id: &str, name: &str, status: Option<&str>) -> ListItem {
    ListItem {
        identifier: id.into(),
        name: name.into(),
        status: status.map(str::to_string),
    }
}

/// Lists as a fake service would have them: every list ready.
fn ready_lists(key: &ListKey) -> ListState {
    let items = match key {
        ListKey::Orgs { .. } => vec![
            item("sandbox", "Sandbox", None),
            item("default", "Default", None),
            item("platform", "Platform", None),
        ],
        ListKey::Projects { org, .. } if org == "default" => {
            vec![
                item("payments", "Payments", None),
                item("search", "Search", None),
            ]
        }
        ListKey::Workspaces { project, .. } if project == "payments" => vec![
            item("prod_ws", "Payments prod", Some("active")),
            item("staging_ws", "Payments staging", Some("failed")),
            item("analytics_ws", "analytics_ws", Some("active")),
        ],
        _ => Vec::new(),
    };
    ListState::Ready {
        items: Arc::new(items),
        refreshing: false,
    }
}

fn no_data(_: &WorkspaceKey) -> LiveState {
    LiveState::Loading
}

struct Run {
    text: String,
    offset: usize,
    out: Completions,
}

fn run_with(
    marked: &str,
    lists: &dyn Fn(&ListKey) -> ListState,
    account: Option<&str>,
    workspace: &dyn Fn(&WorkspaceKey) -> LiveState,
) -> Run {
    let offset = marked.find('‸').expect("a cursor mark");
    let text = marked.replacen('‸', "", 1);
    let analysis = analyze_catalog(&text, &Settings::default());
    let out = complete(&Inputs {
        text: &text,
        offset,
        analysis: &analysis,
        list: lists,
        key_account: account,
        workspace,
    });
    Run { text, offset, out }
}

fn run(marked: &str) -> Run {
    run_with(marked, &ready_lists, Some("abc123"), &no_data)
}

impl Run {
    fn labels(&self) -> Vec<&str> {
        self.out.items.iter().map(|i| i.label.as_str()).collect()
    }

    fn replaced(&self, i: usize) -> &str {
        &self.text[self.out.items[i].replace.clone()]
    }

    /// The text after accepting item `i` with every placeholder at its default.
    fn accept(&self, i: usize) -> String {
        let item = &self.out.items[i];
        let mut text = self.text.clone();
        let new = if item.snippet {
            snippet_to_plain(&item.new_text)
        } else {
            item.new_text.clone()
        };
        text.replace_range(item.replace.clone(), &new);
        text
    }
}

#[test]
fn the_key_in_a_block_mapping_is_a_labelled_block_snippet() {
    let r = run(&format!(
        "{HEAD}metadata:\n  name: x\n  annotations:\n    backstage.io/a: b\n    harn‸\nspec: {{}}\n"
    ));
    assert_eq!(r.labels(), [WORKSPACE_URL]);
    assert_eq!(r.replaced(0), "harn");
    assert_eq!(
        r.out.items[0].new_text,
        "harness.io/workspace-url: |\n      ${1:label}: https://app.harness.io/ng/account/${2:abc123}/module/iacm/orgs/${3}/projects/${4}/workspaces/${5}/resources"
    );
    assert!(r.out.items[0].snippet);
    // An empty line of the mapping, and a four-space indented file.
    let r = run_with(
        &format!("{HEAD}metadata:\n    annotations:\n        ‸\n"),
        &ready_lists,
        None,
        &no_data,
    );
    assert_eq!(r.replaced(0), "");
    assert!(
        r.out.items[0]
            .new_text
            .contains(": |\n            ${1:label}: https://app.harness.io/ng/account/${2}/module"),
        "{}",
        r.out.items[0].new_text
    );
}

const WORKSPACE_URL: &str = "harness.io/workspace-url";

#[test]
fn the_key_is_never_offered_twice() {
    let r = run(&format!(
        "{HEAD}metadata:\n  annotations:\n    harness.io/workspace-url: |\n      p: {URL}\n    ‸\n"
    ));
    assert!(r.out.items.is_empty(), "{:?}", r.labels());
    let r = run(&format!(
        "{HEAD}metadata:\n  annotations:\n    ha‸\n    harness.io/workspace-url: x\n"
    ));
    assert!(r.out.items.is_empty());
    let r = run(&format!(
        "{HEAD}metadata:\n  annotations: {{harness.io/workspace-url: 'p: {URL}', ‸}}\n"
    ));
    assert!(r.out.items.is_empty());
}

#[test]
fn flow_mappings_get_one_quoted_line() {
    let r = run(&format!(
        "{HEAD}metadata:\n  annotations: {{backstage.io/a: b, har‸}}\n"
    ));
    assert_eq!(r.labels(), [WORKSPACE_URL]);
    assert_eq!(r.replaced(0), "har");
    assert_eq!(
        r.out.items[0].new_text,
        "harness.io/workspace-url: '${1:label}: https://app.harness.io/ng/account/${2:abc123}/module/iacm/orgs/${3}/projects/${4}/workspaces/${5}/resources'"
    );
    let accepted = r.accept(0);
    assert!(
        crate::yaml::parse_stream(&accepted).documents[0]
            .error
            .is_none(),
        "{accepted}"
    );
}

#[test]
fn metadata_without_annotations_offers_them() {
    let r = run(&format!("{HEAD}metadata:\n  name: x\n  an‸\n"));
    assert_eq!(r.labels(), ["annotations"]);
    assert_eq!(r.replaced(0), "an");
    assert!(
        r.out.items[0].new_text.starts_with(
            "annotations:\n    harness.io/workspace-url: |\n      ${1:label}: https://"
        ),
        "{}",
        r.out.items[0].new_text
    );
    let r = run(&format!("{HEAD}metadata:\n  annotations:\n    a: b\n  ‸\n"));
    assert!(r.out.items.is_empty(), "{:?}", r.labels());
    // Not in other mappings, nor at the top level.
    assert!(run(&format!("{HEAD}spec:\n  ‸\n")).out.items.is_empty());
    assert!(run(&format!("{HEAD}‸\n")).out.items.is_empty());
    assert!(
        run(&format!("{HEAD}metadata:\n  labels:\n    ‸\n"))
            .out
            .items
            .is_empty()
    );
}

fn url_with(tail: &str) -> String {
    format!(
        "{HEAD}metadata:\n  annotations:\n    harness.io/workspace-url: |\n      p: {tail}\nspec: [broken\n"
    )
}

#[test]
fn each_segment_completes_from_its_list() {
    let base = "https://app.harness.io/ng/account/";
    let r = run(&url_with(&format!("{base}‸/module/iacm/orgs")));
    assert_eq!(r.labels(), ["abc123"]);
    assert_eq!(r.replaced(0), "");
    let r = run(&url_with(&format!("{base}abc123/module/ia‸c")));
    assert_eq!(r.labels(), ["iacm"]);
    assert_eq!(r.replaced(0), "iac");
    let r = run(&url_with(&format!(
        "{base}abc123/module/iacm/orgs/pl‸x/projects/p"
    )));
    assert_eq!(r.labels(), ["platform", "default", "sandbox"]);
    assert_eq!(r.replaced(0), "plx");
    assert_eq!(r.out.items[0].detail.as_deref(), Some("Platform"));
    let r = run(&url_with(&format!(
        "{base}abc123/module/iacm/orgs/default/projects/‸"
    )));
    assert_eq!(r.labels(), ["payments", "search"]);
    // The workspace writes `/resources` too, replacing the one there.
    let r = run(&url_with(&format!(
        "{base}abc123/module/iacm/orgs/default/projects/payments/workspaces/st‸/resources"
    )));
    assert_eq!(r.labels(), ["staging_ws", "analytics_ws", "prod_ws"]);
    assert_eq!(r.replaced(0), "st/resources");
    assert_eq!(r.out.items[0].new_text, "staging_ws/resources");
    assert_eq!(
        r.out.items[0].detail.as_deref(),
        Some("Payments staging · failed")
    );
    assert_eq!(r.out.items[1].detail.as_deref(), Some("active"));
    let sorted: Vec<&str> = r.out.items.iter().map(|i| i.sort_text.as_str()).collect();
    assert!(sorted.is_sorted(), "{sorted:?}");
    assert!(!r.out.is_incomplete);
}

#[test]
fn the_bare_and_quoted_forms_complete_too() {
    let r = run(&format!(
        "{HEAD}metadata:\n  annotations:\n    harness.io/workspace-url: https://app.harness.io/ng/account/abc123/module/iacm/orgs/‸\n"
    ));
    assert_eq!(r.labels(), ["default", "platform", "sandbox"]);
    let r = run(&format!(
        "{HEAD}metadata:\n  annotations: {{harness.io/workspace-url: 'p: https://app.harness.io/ng/account/abc123/module/iacm/orgs/d‸'}}\n"
    ));
    assert_eq!(r.labels(), ["default", "platform", "sandbox"]);
    assert_eq!(r.replaced(0), "d");
}

#[test]
fn without_a_key_or_data_live_segments_offer_nothing() {
    let none = |_: &ListKey| ListState::NoKey;
    let marked = url_with("https://app.harness.io/ng/account/‸");
    assert!(
        run_with(&marked, &none, None, &no_data)
            .out
            .items
            .is_empty()
    );
    let marked = url_with("https://app.harness.io/ng/account/a/module/‸");
    assert_eq!(run_with(&marked, &none, None, &no_data).labels(), ["iacm"]);
    let marked = url_with("https://app.harness.io/ng/account/a/module/iacm/orgs/‸");
    let r = run_with(&marked, &none, None, &no_data);
    assert!(r.out.items.is_empty() && !r.out.is_incomplete);
    let loading = |_: &ListKey| ListState::Loading;
    let r = run_with(&marked, &loading, None, &no_data);
    assert!(r.out.items.is_empty() && r.out.is_incomplete);
    // The list asked for is the URL's account's.
    let text = marked.replacen('‸', "", 1);
    let offset = marked.find('‸').unwrap();
    let a = analyze_catalog(&text, &Settings::default());
    assert_eq!(
        needed_lists(&text, offset, &a, Some("other")),
        [ListKey::Orgs {
            origin: "https://app.harness.io".into(),
            account: "a".into()
        }]
    );
}

#[test]
fn new_lines_of_the_block_offer_the_missing_workspaces() {
    let marked = format!(
        "{HEAD}metadata:\n  name: payments\n  annotations:\n    harness.io/workspace-url: |\n      prod: {URL}\n      an‸\n"
    );
    let counted = |k: &WorkspaceKey| {
        if &*k.workspace != "analytics_ws" {
            return LiveState::Loading;
        }
        let mut data = crate::harness::live::WorkspaceData {
            fetched_at: std::time::SystemTime::now(),
            workspace: Err(crate::harness::FetchError::Timeout),
            resources: Ok(Default::default()),
            activities: Ok(Vec::new()),
        };
        if let Ok(r) = &mut data.resources {
            r.total_resources = Some(12);
        }
        LiveState::Ready {
            data: Arc::new(data),
            refreshing: false,
        }
    };
    let r = run_with(&marked, &ready_lists, Some("abc123"), &counted);
    let inserted: Vec<&str> = r
        .out
        .items
        .iter()
        .filter(|i| !i.snippet)
        .map(|i| i.new_text.as_str())
        .collect();
    assert_eq!(
        inserted,
        [
            URL.replace("prod_ws", "analytics_ws")
                .replacen("https", "analytics_ws: https", 1),
            URL.replace("prod_ws", "staging_ws")
                .replacen("https", "staging_ws: https", 1),
        ]
    );
    assert_eq!(r.replaced(0), "an");
    assert_eq!(
        r.out.items[0].documentation.as_deref(),
        Some("12 resources (cached)")
    );
    let accepted = r.accept(0);
    let a = analyze_catalog(&accepted, &Settings::default());
    assert!(a.diagnostics.is_empty(), "{:?}\n{accepted}", a.diagnostics);
    assert_eq!(a.workspace_refs.len(), 2);
    // An empty new line too; not a line with a URL being written.
    let r = run(&marked.replace("an‸", "‸"));
    assert_eq!(r.out.items.len(), 3);
    // The last is a line to fill in, segment by segment.
    assert!(r.out.items[2].new_text.starts_with("${1:label}: https://"));
    let text = marked.replace("an‸", "");
    let a = analyze_catalog(&text, &Settings::default());
    let offset = text.len() - 1;
    assert_eq!(needed_lists(&text, offset, &a, None).len(), 1);
}

#[test]
fn utf16_ranges_after_non_ascii_text() {
    let marked =
        url_with("https://app.harness.io/ng/account/abc123/module/iacm/orgs/de‸fault/projects/x")
            .replace("p: https", "café 😀: https");
    let r = run(&marked);
    let index = LineIndex::new(&r.text);
    let all = ClientFeatures {
        snippets: true,
        markdown_documentation: true,
        insert_as_is: true,
    };
    let lsp = to_lsp(&r.out.items[0], &index, PositionEncoding::Utf16, all);
    let Some(ls_types::CompletionTextEdit::Edit(edit)) = lsp.text_edit else {
        panic!("a text edit");
    };
    let line = &r.text[..r.out.items[0].replace.start];
    let line = &line[line.rfind('\n').unwrap() + 1..];
    let col = line.encode_utf16().count() as u32;
    assert_eq!(
        (edit.range.start.character, edit.range.end.character),
        (col, col + 7)
    );
    assert_eq!(r.replaced(0), "default");
    assert!(r.offset > r.out.items[0].replace.start);
}

#[test]
fn plain_text_for_clients_without_snippets() {
    assert_eq!(
        snippet_to_plain("a ${1:label}: x/${2}/y/$3/${4:a\\}b} \\$z"),
        "a label: x//y//a}b $z"
    );
    assert_eq!(escape_snippet("a$b}c\\"), "a\\$b\\}c\\\\");
    let r = run(&format!("{HEAD}metadata:\n  annotations:\n    ‸\n"));
    let index = LineIndex::new(&r.text);
    let item = &r.out.items[0];
    let with_as_is = ClientFeatures {
        insert_as_is: true,
        ..ClientFeatures::default()
    };
    let lsp = to_lsp(item, &index, PositionEncoding::Utf8, with_as_is);
    assert_eq!(
        lsp.insert_text_format,
        Some(ls_types::InsertTextFormat::PLAIN_TEXT)
    );
    assert_eq!(lsp.insert_text_mode, Some(ls_types::InsertTextMode::AS_IS));
    // Nothing the client did not declare: no insertTextMode, and
    // documentation as a plain string rather than markdown.
    let bare = to_lsp(
        item,
        &index,
        PositionEncoding::Utf8,
        ClientFeatures::default(),
    );
    assert_eq!(bare.insert_text_mode, None);
    assert!(!matches!(
        bare.documentation,
        Some(ls_types::Documentation::MarkupContent(_))
    ));
}

/// From an empty `metadata:` to a clean, labelled URL: accept the key
/// snippet, then one item per segment, as an editor would.
#[test]
fn done_when_a_few_completions_write_a_valid_url() {
    let mut text = format!("{HEAD}metadata:\n  name: payments\n  ");
    let mut cursor = text.len();
    let mut steps = 0;
    let mut accept = |text: &mut String, cursor: usize, pick: &str| {
        let a = analyze_catalog(text, &Settings::default());
        let out = complete(&Inputs {
            text,
            offset: cursor,
            analysis: &a,
            list: &ready_lists,
            key_account: Some("abc123"),
            workspace: &no_data,
        });
        let item = out
            .items
            .iter()
            .find(|i| i.filter_text == pick)
            .unwrap_or_else(|| panic!("no {pick} in {out:?}\n{text}"));
        let new = snippet_to_plain(&item.new_text);
        text.replace_range(item.replace.clone(), &new);
        steps += 1;
        item.replace.start
    };
    accept(&mut text, cursor, "annotations");
    for (after, pick) in [
        ("/orgs/", "default"),
        ("/projects/", "payments"),
        ("/workspaces/", "prod_ws"),
    ] {
        cursor = text.find(after).unwrap() + after.len();
        accept(&mut text, cursor, pick);
    }
    let a = analyze_catalog(&text, &Settings::default());
    assert!(a.diagnostics.is_empty(), "{:?}\n{text}", a.diagnostics);
    assert_eq!(a.workspace_refs.len(), 1, "{text}");
    assert_eq!(a.workspace_refs[0].harness_url(), URL);
    assert_eq!(a.workspace_refs[0].label.as_deref(), Some("label"));
    assert_eq!(steps, 4);
}

#[test]
fn a_key_or_label_typed_by_hand_gets_the_rest() {
    let r = run(&format!(
        "{HEAD}metadata:\n  annotations:\n    harness.io/workspace-url:‸\n"
    ));
    assert_eq!(r.out.items.len(), 1);
    assert_eq!(r.replaced(0), "");
    assert!(
        r.out.items[0]
            .new_text
            .starts_with(" |\n      ${1:label}: https://app.harness.io/ng/account/${2:abc123}/"),
        "{}",
        r.out.items[0].new_text
    );
    let a = analyze_catalog(&r.accept(0), &Settings::default());
    assert!(
        a.diagnostics
            .iter()
            .all(|d| d.code.as_str() != "yaml-syntax")
    );
    let r = run(&format!(
        "{HEAD}metadata:\n  annotations:\n    harness.io/workspace-url: |\n      prod: ‸\n"
    ));
    assert_eq!(r.out.items.len(), 1);
    assert!(
        r.out.items[0]
            .new_text
            .starts_with("https://app.harness.io/ng/account/${2:abc123}/module/iacm/orgs/${3}/"),
        "{}",
        r.out.items[0].new_text
    );
    // Not once the URL is there, nor after a value.
    assert!(
        run(&format!(
            "{HEAD}metadata:\n  annotations:\n    harness.io/workspace-url: x‸\n"
        ))
        .out
        .items
        .is_empty()
    );
}

#[test]
fn crlf_files_get_crlf_snippets_and_exact_ranges() {
    let r = run(&format!("{HEAD}metadata:\r\n  annotations:\r\n    h‸\r\n")
        .replace("\n", "\r\n")
        .replace("\r\r", "\r"));
    assert_eq!(r.replaced(0), "h");
    assert!(r.out.items[0].new_text.contains("|\r\n      ${1:label}"));
    let marked = url_with("https://app.harness.io/ng/account/abc123/module/iacm/orgs/de‸")
        .replace('\n', "\r\n");
    let r = run(&marked);
    assert_eq!(r.replaced(0), "de");
}

/// Every cursor position of broken, multi-byte, CRLF text: no panic, and
/// every edit lies in the text, on character boundaries, around the cursor.
#[test]
fn any_cursor_position_is_safe() {
    let fixtures = [
        format!("{HEAD}metadata:\n  annotations:\n    harness.io/workspace-url: |\n      café: {URL}\n      x\n    ‸"),
        url_with("https://app.harness.io/ng/#/account/é/module//orgs/ü/projects/p/workspaces/w/resources?x‸")
            .replace('\n', "\r\n"),
        format!("{HEAD}metadata: {{annotations: {{harness.io/workspace-url: 'p: {URL}', 'a': [1, ‸"),
        "metadata:\n  annotations:\n\t\"harness.io/workspace-url\": \"é\n  ‸".to_string(),
    ];
    for marked in fixtures {
        let text = marked.replacen('‸', "", 1);
        let a = analyze_catalog(&text, &Settings::default());
        for offset in 0..=text.len() + 1 {
            let _ = needed_lists(&text, offset, &a, Some("abc123"));
            let out = complete(&Inputs {
                text: &text,
                offset,
                analysis: &a,
                list: &ready_lists,
                key_account: Some("abc123"),
                workspace: &no_data,
            });
            for item in out.items {
                let r = item.replace;
                assert!(
                    r.start <= offset && offset <= r.end && r.end <= text.len(),
                    "{r:?} at {offset} in {text:?}"
                );
                assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            }
        }
    }
}
