//! Every workspace-url code over fixture text: where it points, and that
//! its fix removes it and leaves valid YAML.

use crate::analysis::{Analysis, analyze_catalog, fix_all};
use crate::diagnostic::{Code, Severity};
use crate::settings::Settings;
use crate::yaml::parse_stream;

const GOOD: &str = "https://app.harness.io/ng/account/abc123/module/iacm/orgs/default/projects/payments/workspaces/prod_ws/resources";

/// A Component whose annotation value is `value` (already indented).
fn entity(value: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  annotations:\n    harness.io/workspace-url: {value}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

fn labelled(lines: &[&str]) -> String {
    let body: String = lines.iter().map(|l| format!("      {l}\n")).collect();
    let text = entity(&format!("|\n{body}"));
    // entity() adds a newline after the value; a block already ends in one.
    text.replacen(&format!("{body}\n"), &body, 1)
}

fn analyze(text: &str) -> Analysis {
    analyze_catalog(text, &Settings::default())
}

fn codes(text: &str) -> Vec<Code> {
    analyze(text).diagnostics.iter().map(|d| d.code).collect()
}

/// The text a diagnostic of `code` underlines (the first one).
fn underlined(text: &str, code: Code) -> String {
    let a = analyze(text);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code:?} in {:#?}\n{text}", a.diagnostics));
    text[d.range.clone()].to_string()
}

/// Applies every fix; the code must be gone, the YAML must still parse,
/// and fixing again must change nothing.
fn fixed(text: &str, code: Code) -> String {
    let (out, applied) = fix_all(text, &Settings::default());
    assert!(applied > 0, "no fix applied for {code:?}:\n{text}");
    assert!(
        !codes(&out).contains(&code),
        "{code:?} still there after the fix:\n{out}"
    );
    assert!(
        parse_stream(&out)
            .documents
            .iter()
            .all(|d| d.error.is_none()),
        "the fix broke the YAML:\n{out}"
    );
    assert_eq!(
        fix_all(&out, &Settings::default()).0,
        out,
        "fixing twice changed the text"
    );
    out
}

#[test]
fn a_correct_labelled_url_is_clean_and_yields_a_workspace_ref() {
    let text = labelled(&[&format!("prod: {GOOD}")]);
    let a = analyze(&text);
    assert!(a.diagnostics.is_empty(), "{:#?}", a.diagnostics);
    let r = &a.workspace_refs[0];
    assert_eq!(&text[r.range.clone()], GOOD);
    assert_eq!(
        (
            &*r.key.account,
            &*r.key.org,
            &*r.key.project,
            &*r.key.workspace
        ),
        ("abc123", "default", "payments", "prod_ws")
    );
    assert_eq!(r.label.as_deref(), Some("prod"));
    assert_eq!(r.harness_url(), GOOD);
}

#[test]
fn accepted_url_variants() {
    for url in [
        GOOD.replace("/ng/", "/"),
        GOOD.replace("/ng/", "/ng/#/"),
        GOOD.to_uppercase()
            .replace("HTTPS://APP.HARNESS.IO", "https://app.harness.io"),
        format!("{GOOD}/"),
    ] {
        let text = labelled(&[&format!("prod: {url}")]);
        let errors: Vec<_> = analyze(&text)
            .diagnostics
            .into_iter()
            .filter(|d| d.severity <= Severity::Warning)
            .collect();
        assert!(errors.is_empty(), "{url}: {errors:#?}");
    }
}

#[test]
fn not_string() {
    for value in ["", "~", "[a, b]", "\n      prod: x"] {
        let text = entity(value);
        assert!(
            codes(&text).contains(&Code::WorkspaceUrlNotString),
            "{value:?}: {:?}",
            codes(&text)
        );
    }
}

#[test]
fn empty() {
    assert_eq!(codes(&entity("''")), [Code::WorkspaceUrlEmpty]);
    assert_eq!(codes(&entity("\"   \"")), [Code::WorkspaceUrlEmpty]);
}

#[test]
fn folded() {
    let text = labelled(&[
        &format!("a: {GOOD}"),
        &format!("b: {}", GOOD.replace("prod_ws", "dev_ws")),
    ])
    .replace("url: |", "url: >-");
    assert_eq!(underlined(&text, Code::WorkspaceUrlFolded), ">");
    let out = fixed(&text, Code::WorkspaceUrlFolded);
    assert!(out.contains("url: |-\n"), "{out}");
    // One line in a folded block reads the same as in a literal one.
    let one = labelled(&[&format!("a: {GOOD}")]).replace("url: |", "url: >");
    assert!(!codes(&one).contains(&Code::WorkspaceUrlFolded));
}

#[test]
fn bad_lines() {
    for (line, under) in [
        ("just some words", "just some words"),
        ("# prod workspace", "# prod workspace"),
        (": https://x", ":"),
        ("prod:", "prod"),
    ] {
        let text = labelled(&[&format!("ok: {GOOD}"), line]);
        assert_eq!(
            underlined(&text, Code::WorkspaceUrlBadLine),
            under,
            "{line}"
        );
    }
}

#[test]
fn duplicate_label_points_at_the_later_label() {
    let text = labelled(&[
        &format!("prod: {GOOD}"),
        &format!("prod: {}", GOOD.replace("prod_ws", "b")),
    ]);
    let a = analyze(&text);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::WorkspaceUrlDuplicateLabel)
        .unwrap();
    assert_eq!(&text[d.range.clone()], "prod");
    assert!(d.range.start > text.find("prod:").unwrap());
    assert!(d.message.contains("line 7"), "{}", d.message);
}

#[test]
fn unlabeled_bare_url_converts_to_a_labelled_block() {
    let text = entity(GOOD);
    assert_eq!(underlined(&text, Code::WorkspaceUrlUnlabeled), GOOD);
    let out = fixed(&text, Code::WorkspaceUrlUnlabeled);
    assert!(
        out.contains(&format!(
            "harness.io/workspace-url: |\n      prod_ws: {GOOD}\n"
        )),
        "{out}"
    );
    assert!(analyze(&out).diagnostics.is_empty());
    // Quoted, and a bare URL line inside a block.
    let quoted = entity(&format!("\"{GOOD}\""));
    assert!(fixed(&quoted, Code::WorkspaceUrlUnlabeled).contains(&format!("prod_ws: {GOOD}\n")));
    // Quoted in a flow mapping: the label goes inside the quotes.
    let flow = entity(&format!("'{GOOD}'"))
        .replace(
            "  annotations:\n    harness.io/workspace-url: ",
            "  annotations: {harness.io/workspace-url: ",
        )
        .replace(&format!("{GOOD}'\n"), &format!("{GOOD}'}}\n"));
    assert!(
        fixed(&flow, Code::WorkspaceUrlUnlabeled)
            .contains(&format!("{{harness.io/workspace-url: 'prod_ws: {GOOD}'}}"))
    );
    // CRLF files get CRLF in the new block.
    let crlf = entity(GOOD).replace('\n', "\r\n");
    let out = fixed(&crlf, Code::WorkspaceUrlUnlabeled);
    assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
    let in_block = labelled(&[GOOD]);
    assert!(
        fixed(&in_block, Code::WorkspaceUrlUnlabeled).contains(&format!("      prod_ws: {GOOD}\n"))
    );
}

#[test]
fn placeholder() {
    let url = "https://app.harness.io/ng/account/<ACCOUNT_ID>/module/iacm/orgs/<ORG_ID>/projects/p/workspaces/w/resources";
    let text = labelled(&[&format!("<WORKSPACE_NAME>: {url}")]);
    let a = analyze(&text);
    let found: Vec<&str> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::WorkspaceUrlPlaceholder)
        .map(|d| &text[d.range.clone()])
        .collect();
    assert_eq!(found, ["<ACCOUNT_ID>", "<ORG_ID>"]);
    assert_eq!(
        codes(&labelled(&["a: <harness_iacm_workspace_url>"])),
        [Code::WorkspaceUrlPlaceholder]
    );
}

#[test]
fn not_absolute() {
    let bare = GOOD.trim_start_matches("https://");
    let text = labelled(&[&format!("prod: {bare}")]);
    assert_eq!(underlined(&text, Code::WorkspaceUrlNotAbsolute), bare);
    assert!(fixed(&text, Code::WorkspaceUrlNotAbsolute).contains(&format!("prod: {GOOD}\n")));
    // Not a Harness URL: reported, but there is nothing safe to add.
    let other = labelled(&["prod: /workspaces/ws/resources"]);
    let a = analyze(&other);
    assert!(
        a.diagnostics
            .iter()
            .any(|d| d.code == Code::WorkspaceUrlNotAbsolute && d.fixes.is_empty())
    );
    assert!(
        codes(&labelled(&["prod: ftp://app.harness.io/x"]))
            .contains(&Code::WorkspaceUrlNotAbsolute)
    );
}

#[test]
fn insecure() {
    let text = labelled(&[&format!("prod: {}", GOOD.replace("https:", "http:"))]);
    assert_eq!(underlined(&text, Code::WorkspaceUrlInsecure), "http");
    assert!(fixed(&text, Code::WorkspaceUrlInsecure).contains(GOOD));
}

#[test]
fn host_unless_configured() {
    let url = GOOD.replace("app.harness.io", "harness.acme.com");
    let text = labelled(&[&format!("prod: {url}")]);
    assert_eq!(
        underlined(&text, Code::WorkspaceUrlHost),
        "harness.acme.com"
    );
    let mut settings = Settings::default();
    settings.add_host("harness.acme.com");
    assert!(analyze_catalog(&text, &settings).diagnostics.is_empty());
    assert!(
        codes(&labelled(&[
            "a: https://url-details/workspaces/beta1/resources"
        ]))
        .contains(&Code::WorkspaceUrlHost)
    );
}

#[test]
fn path() {
    for (url, under) in [
        ("https://app.harness.io/ng/", "/ng/"),
        (
            "https://url-details/workspaces/beta1/resources",
            "/workspaces/beta1/resources",
        ),
        (
            "https://app.harness.io/ng/account/a/module/iacm/orgs/o/projects/p",
            "p",
        ),
        (
            "https://app.harness.io/ng/account/a/module/iacm/orgs/o/pipelines/p/workspaces/w/resources",
            "pipelines",
        ),
    ] {
        let text = labelled(&[&format!("prod: {url}")]);
        assert_eq!(underlined(&text, Code::WorkspaceUrlPath), under, "{url}");
    }
}

#[test]
fn missing_module() {
    for (from, under) in [
        ("module/iacm/orgs", "iacm"),
        ("module/iacm/orgs", "all/iacm"),
        ("module/iacm/orgs", "all"),
    ] {
        let url = GOOD.replace(from, &format!("{under}/orgs"));
        let text = labelled(&[&format!("prod: {url}")]);
        assert_eq!(
            underlined(&text, Code::WorkspaceUrlMissingModule),
            under,
            "{url}"
        );
        assert!(fixed(&text, Code::WorkspaceUrlMissingModule).contains(GOOD));
    }
    let straight = GOOD.replace("module/iacm/", "");
    let text = labelled(&[&format!("prod: {straight}")]);
    assert!(fixed(&text, Code::WorkspaceUrlMissingModule).contains(GOOD));
}

#[test]
fn module() {
    let text = labelled(&[&format!(
        "prod: {}",
        GOOD.replace("module/iacm", "module/cd")
    )]);
    assert_eq!(underlined(&text, Code::WorkspaceUrlModule), "cd");
    assert!(fixed(&text, Code::WorkspaceUrlModule).contains(GOOD));
}

#[test]
fn missing_resources() {
    for (tail, under) in [
        ("", "prod_ws"),
        ("/", "prod_ws/"),
        ("/overview", "overview"),
        ("/executions/x1/pipeline", "executions/x1/pipeline"),
    ] {
        let url = GOOD.replace("prod_ws/resources", &format!("prod_ws{tail}"));
        let text = labelled(&[&format!("prod: {url}")]);
        assert_eq!(
            underlined(&text, Code::WorkspaceUrlMissingResources),
            under,
            "{url}"
        );
        assert!(fixed(&text, Code::WorkspaceUrlMissingResources).contains(GOOD));
    }
    let a = analyze(&labelled(&[&format!(
        "prod: {}",
        GOOD.replace("/resources", "/overview")
    )]));
    assert!(
        a.diagnostics[0]
            .message
            .contains("ends at the `overview` tab"),
        "{}",
        a.diagnostics[0].message
    );
}

#[test]
fn query_and_fragment() {
    for extra in ["?tab=outputs", "#top"] {
        let text = labelled(&[&format!("prod: {GOOD}{extra}")]);
        assert_eq!(underlined(&text, Code::WorkspaceUrlQuery), extra);
        assert!(fixed(&text, Code::WorkspaceUrlQuery).contains(&format!("{GOOD}\n")));
    }
}

#[test]
fn trailing() {
    for extra in [" |", "/", "/foo/bar"] {
        let text = labelled(&[&format!("prod: {GOOD}{extra}")]);
        assert_eq!(
            underlined(&text, Code::WorkspaceUrlTrailing),
            extra,
            "{extra}"
        );
        assert_eq!(analyze(&text).diagnostics[0].severity, Severity::Hint);
        assert!(fixed(&text, Code::WorkspaceUrlTrailing).contains(&format!("{GOOD}\n")));
    }
}

#[test]
fn identifiers() {
    let url = GOOD
        .replace("prod_ws", "prod-ws")
        .replace("abc123", "abc%20123");
    let text = labelled(&[&format!("prod: {url}")]);
    let a = analyze(&text);
    let found: Vec<&str> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::WorkspaceUrlIdentifier)
        .map(|d| &text[d.range.clone()])
        .collect();
    assert_eq!(found, ["abc%20123", "prod-ws"]);
    assert!(
        a.workspace_refs.is_empty(),
        "no live lookups for ids Harness cannot have"
    );
}

#[test]
fn kind_other_than_component() {
    let text = labelled(&[&format!("prod: {GOOD}")]).replace("kind: Component", "kind: Resource");
    assert_eq!(
        underlined(&text, Code::WorkspaceUrlKind),
        "harness.io/workspace-url"
    );
}

#[test]
fn misplaced_moves_into_annotations() {
    // Under labels, creating nothing: annotations exists.
    let text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  labels:\n    harness.io/workspace-url: |\n      prod: {GOOD}\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  owner: t\n"
    );
    assert_eq!(
        underlined(&text, Code::AnnotationMisplaced),
        "harness.io/workspace-url"
    );
    let out = fixed(&text, Code::AnnotationMisplaced);
    assert!(
        out.contains(&format!("  annotations:\n    backstage.io/techdocs-ref: dir:.\n    harness.io/workspace-url: |\n      prod: {GOOD}\nspec:")),
        "{out}"
    );
    // Alone under labels: `labels:` goes too, rather than being left null.
    let text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  labels:\n    harness.io/workspace-url: 'prod: {GOOD}'\n  annotations:\n    x.io/y: z\n"
    );
    let out = fixed(&text, Code::AnnotationMisplaced);
    assert_eq!(
        out,
        format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  annotations:\n    x.io/y: z\n    harness.io/workspace-url: 'prod: {GOOD}'\n"
        )
    );
    // Under spec, with no annotations mapping yet: it is created.
    let text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n  harness.io/workspace-url: |\n    prod: {GOOD}\n"
    );
    let out = fixed(&text, Code::AnnotationMisplaced);
    assert!(
        out.contains(&format!("metadata:\n  name: a\n  annotations:\n    harness.io/workspace-url: |\n      prod: {GOOD}\nspec:\n  type: service\n  lifecycle: production\n  owner: t\n")),
        "{out}"
    );
    assert!(
        analyze(&out).diagnostics.is_empty(),
        "{:#?}",
        analyze(&out).diagnostics
    );
    // At the top level, and as the last line of a file with no final newline.
    let text = format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nharness.io/workspace-url: 'prod: {GOOD}'"
    );
    let out = fixed(&text, Code::AnnotationMisplaced);
    assert!(
        out.ends_with(&format!(
            "  annotations:\n    harness.io/workspace-url: 'prod: {GOOD}'\n"
        )),
        "{out}"
    );
}

#[test]
fn key_typo_renames() {
    let text = labelled(&[&format!("prod: {GOOD}")])
        .replace("harness.io/workspace-url", "harness.io/workspace_url");
    assert_eq!(
        underlined(&text, Code::AnnotationKeyTypo),
        "harness.io/workspace_url"
    );
    assert!(fixed(&text, Code::AnnotationKeyTypo).contains("harness.io/workspace-url: |"));
    let real = labelled(&[&format!("prod: {GOOD}")])
        .replace("harness.io/workspace-url", "harness.io/pipelines");
    // A real key is no typo; the CI/CD plugin's own check finds that a
    // workspace URL is not a pipeline URL.
    assert_eq!(codes(&real), [Code::HarnessPipelineUrl]);
}

#[test]
fn several_mistakes_in_one_url_all_fix() {
    let url = "http://app.harness.io/ng/account/abc123/iacm/orgs/default/projects/payments/workspaces/prod_ws/overview?tab=1";
    let text = entity(url);
    let found = codes(&text);
    for code in [
        Code::WorkspaceUrlUnlabeled,
        Code::WorkspaceUrlInsecure,
        Code::WorkspaceUrlMissingModule,
        Code::WorkspaceUrlMissingResources,
        Code::WorkspaceUrlQuery,
    ] {
        assert!(found.contains(&code), "{code:?} missing from {found:?}");
    }
    let (out, _) = fix_all(&text, &Settings::default());
    assert!(
        analyze(&out).diagnostics.is_empty(),
        "{out}\n{:#?}",
        analyze(&out).diagnostics
    );
    assert!(out.contains(&format!("prod_ws: {GOOD}")), "{out}");
}

#[test]
fn positions_survive_crlf_bom_and_non_ascii() {
    let text = format!(
        "\u{feff}{}",
        labelled(&[&format!("prød-ü 😀: {}", GOOD.replace("https:", "http:"))])
    )
    .replace('\n', "\r\n");
    assert_eq!(underlined(&text, Code::WorkspaceUrlInsecure), "http");
    let out = fixed(&text, Code::WorkspaceUrlInsecure);
    assert!(out.contains(&format!("{GOOD}\r\n")));
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "line endings stay CRLF"
    );
}

#[test]
fn quoted_single_line_labelled_value() {
    let text = entity(&format!("'prod: {}'", GOOD.replace("https:", "http:")));
    assert_eq!(underlined(&text, Code::WorkspaceUrlInsecure), "http");
    assert!(fixed(&text, Code::WorkspaceUrlInsecure).contains(&format!("'prod: {GOOD}'")));
}

#[test]
fn severity_overrides_and_off() {
    let text = labelled(&[&format!("prod: {}", GOOD.replace("https:", "http:"))]);
    let mut settings = Settings::default();
    settings.apply_json(&serde_json::json!({"diagnostics": {"workspace-url-insecure": "error"}}));
    assert_eq!(
        analyze_catalog(&text, &settings).diagnostics[0].severity,
        Severity::Error
    );
    settings.apply_json(&serde_json::json!({"diagnostics": {"workspace-url-insecure": "off"}}));
    assert!(analyze_catalog(&text, &settings).diagnostics.is_empty());
}
