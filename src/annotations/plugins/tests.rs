//! Every `harness-*` code over fixture text: where it points, and that its
//! fix removes it, keeps the YAML valid and is idempotent.

use crate::analysis::{Analysis, analyze_catalog, fix_all};
use crate::diagnostic::Code;
use crate::settings::Settings;
use crate::yaml::parse_stream;

const ACC: &str = "https://app.harness.io/ng/account/vpCkHKsDSxK9_KYfjCTMKA";
const PIPE: &str = "https://app.harness.io/ng/account/vpCkHKsDSxK9_KYfjCTMKA/module/ci/orgs/default/projects/payments/pipelines/build";
const SVC: &str = "https://app.harness.io/ng/account/vpCkHKsDSxK9_KYfjCTMKA/cd/orgs/default/projects/payments/services/checkout";
const PROJECT: &str =
    "https://app.harness.io/ng/account/vpCkHKsDSxK9_KYfjCTMKA/home/orgs/default/projects/payments";
const PERSPECTIVE: &str =
    "https://app.harness.io/ng/account/vpCkHKsDSxK9_KYfjCTMKA/ce/perspectives/Pq1/name/payments";

/// A Component with these annotation lines (already indented by 4).
fn entity(annotations: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  annotations:\n{annotations}spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
}

/// `key: |` with `lines` as the block.
fn block(key: &str, lines: &[&str]) -> String {
    let body: String = lines.iter().map(|l| format!("      {l}\n")).collect();
    format!("    {key}: |\n{body}")
}

fn plain(key: &str, value: &str) -> String {
    format!("    {key}: {value}\n")
}

fn analyze(text: &str) -> Analysis {
    analyze_catalog(text, &Settings::default())
}

fn codes(text: &str) -> Vec<Code> {
    analyze(text).diagnostics.iter().map(|d| d.code).collect()
}

fn clean(text: &str) {
    let a = analyze(text);
    assert!(a.diagnostics.is_empty(), "{:#?}\n{text}", a.diagnostics);
}

/// The text the first diagnostic of `code` underlines.
fn underlined(text: &str, code: Code) -> String {
    let a = analyze(text);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code:?} in {:#?}\n{text}", a.diagnostics));
    text[d.range.clone()].to_string()
}

fn message(text: &str, code: Code) -> String {
    let a = analyze(text);
    let d = a.diagnostics.iter().find(|d| d.code == code);
    d.unwrap_or_else(|| panic!("no {code:?} in {:#?}", a.diagnostics))
        .message
        .clone()
}

/// Applies every fix: `code` must be gone, the YAML must parse, a second
/// pass must change nothing. Returns the fixed text.
fn fixed(text: &str, code: Code) -> String {
    let (out, applied) = fix_all(text, &Settings::default());
    assert!(applied > 0, "no fix applied for {code:?}:\n{text}");
    assert!(
        !codes(&out).contains(&code),
        "{code:?} still there after the fix:\n{out}\n{:#?}",
        analyze(&out).diagnostics
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
fn correct_uses_of_every_annotation_are_clean() {
    clean(&entity(&format!(
        "{}{}{}{}",
        block(
            "harness.io/pipelines",
            &[
                &format!("Build: {PIPE}/pipeline-studio/?storeType=INLINE"),
                &format!(
                    "Deploy: {ACC}/all/orgs/default/projects/payments/pipelines/deploy/executions/E1/pipeline"
                ),
                &format!(
                    "Old: {ACC}/cd/orgs/default/projects/payments/pipelines/old/pipeline-studio/ |"
                ),
            ]
        ),
        block("harness.io/services", &[&format!("checkout: {SVC}")]),
        block(
            "harness.io/workspace-url",
            &[&format!(
                "prod: {ACC}/module/iacm/orgs/default/projects/payments/workspaces/prod/resources"
            )]
        ),
        plain("harness.io/perspective-url", PERSPECTIVE),
    )));
    // The old CI/CD annotations, and Chaos V2.
    clean(&entity(&format!(
        "{}{}{}{}{}{}",
        plain("harness.io/project-url", &format!("{PROJECT}/details")),
        plain(
            "harness.io/project-url-qa",
            &format!("{PROJECT}/details").replace("app.", "qa.")
        ),
        plain(
            "harness.io/ci-pipelineIds",
            "  Dochub_pr_env    ,    Seleniumgridsetup  "
        ),
        plain("harness.io/cd-serviceId", "serv1,serv2,serv3"),
        plain("harness.io/projects", "payments, billing"),
        plain("harness.io/ci-pipelineIds-qa", "build,,deploy"),
    )));
    clean(&entity(&format!(
        "{}{}{}",
        plain(
            "harness.io/project-url",
            &format!("{ACC}/chaos/orgs/default/projects/payments/experiments")
        ),
        block(
            "harness.io/service-tags",
            &["checkout: checkout-svc", "cart"]
        ),
        block("harness.io/application-map-tags", &["shop: shop-map"]),
    )));
}

#[test]
fn pipeline_url_ending_at_the_id_gets_pipeline_studio() {
    let text = entity(&block("harness.io/pipelines", &[&format!("build: {PIPE}")]));
    assert_eq!(underlined(&text, Code::HarnessPipelineUrl), PIPE);
    assert!(message(&text, Code::HarnessPipelineUrl).contains("Invalid URL format"));
    let out = fixed(&text, Code::HarnessPipelineUrl);
    assert!(out.contains(&format!("{PIPE}/pipeline-studio/\n")), "{out}");
    // Before a query, which the pattern would otherwise reject.
    let text = entity(&block(
        "harness.io/pipelines",
        &[&format!("build: {PIPE}?storeType=INLINE")],
    ));
    let out = fixed(&text, Code::HarnessPipelineUrl);
    assert!(
        out.contains(&format!("{PIPE}/pipeline-studio/?storeType=INLINE")),
        "{out}"
    );
}

#[test]
fn pipeline_lines_that_are_not_label_url() {
    let text = entity(&block(
        "harness.io/pipelines",
        &[
            "no colon here",
            ": https://x",
            "empty:",
            "# a comment",
            "   ",
        ],
    ));
    let a = analyze(&text);
    let got: Vec<&str> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::HarnessPipelineUrl)
        .map(|d| &text[d.range.clone()])
        .collect();
    assert_eq!(got, ["no colon here", ":", "empty", "# a comment", "   "]);
}

#[test]
fn bare_pipeline_url_becomes_a_labelled_block() {
    let url = format!("{PIPE}/pipeline-studio/");
    let text = entity(&plain("harness.io/pipelines", &url));
    assert_eq!(underlined(&text, Code::HarnessPipelineUrl), url);
    let out = fixed(&text, Code::HarnessPipelineUrl);
    assert!(
        out.contains(&format!("harness.io/pipelines: |\n      Pipeline: {url}\n")),
        "{out}"
    );
    clean(&out);
    // Inside a block the label goes in front.
    let text = entity(&block("harness.io/services", &[SVC]));
    let out = fixed(&text, Code::HarnessServiceUrl);
    assert!(out.contains(&format!("      Service: {SVC}\n")), "{out}");
}

#[test]
fn service_urls_that_the_srm_plugin_cannot_read() {
    // New navigation: CI/CD reads it, SRM crashes. The fix suits both.
    let new_nav = SVC.replace("/cd/", "/module/cd/");
    let text = entity(&block(
        "harness.io/services",
        &[&format!("checkout: {new_nav}")],
    ));
    let m = message(&text, Code::HarnessPluginMismatch);
    assert!(
        m.contains("The CI/CD plugin reads this URL") && m.contains("SRM plugin"),
        "{m}"
    );
    assert!(fixed(&text, Code::HarnessPluginMismatch).contains(SVC));
    // A query: CI/CD strips it, SRM does not.
    let text = entity(&block(
        "harness.io/services",
        &[&format!("checkout: {SVC}?tab=configuration")],
    ));
    assert!(fixed(&text, Code::HarnessPluginMismatch).contains(&format!("{SVC}\n")));
    // A tab after the service id: neither reads it.
    let text = entity(&block(
        "harness.io/services",
        &[&format!("checkout: {SVC}/configuration")],
    ));
    assert!(fixed(&text, Code::HarnessServiceUrl).contains(&format!("{SVC}\n")));
    // A trailing ` |` ends up in the service id.
    let text = entity(&block(
        "harness.io/services",
        &[&format!("checkout: {SVC} |")],
    ));
    assert_eq!(underlined(&text, Code::HarnessServiceUrl), "checkout |");
    assert!(fixed(&text, Code::HarnessServiceUrl).contains(&format!("{SVC}\n")));
}

#[test]
fn project_url_forms_the_old_plugins_cannot_read() {
    // New navigation: none of the readers matches `/module/cf/`.
    let new_nav = format!("{ACC}/module/cf/orgs/default/projects/payments/overview");
    let text = entity(&plain("harness.io/project-url", &new_nav));
    let m = message(&text, Code::HarnessProjectUrl);
    assert!(
        m.contains("CI/CD plugin") && m.contains("Feature Flags plugin"),
        "{m}"
    );
    let out = fixed(&text, Code::HarnessProjectUrl);
    assert!(
        out.contains(&format!("{ACC}/cf/orgs/default/projects/payments/overview")),
        "{out}"
    );
    // Ending at the project id: Feature Flags reads it, CI/CD does not.
    let text = entity(&plain("harness.io/project-url", PROJECT));
    assert!(
        message(&text, Code::HarnessPluginMismatch)
            .starts_with("The Feature Flags plugin reads this URL")
    );
    assert!(fixed(&text, Code::HarnessPluginMismatch).contains(&format!("{PROJECT}/\n")));
    // With Chaos tags, Chaos needs `/experiments`.
    let text = entity(&format!(
        "{}{}",
        plain("harness.io/project-url", &format!("{PROJECT}/details")),
        block("harness.io/application-map-tags", &["shop: shop-map"]),
    ));
    assert!(message(&text, Code::HarnessPluginMismatch).contains("Chaos plugin crashes"));
    assert!(
        fixed(&text, Code::HarnessPluginMismatch).contains(&format!("{PROJECT}/experiments\n"))
    );
    // When harness.io/pipelines is there, the CI/CD plugin ignores the
    // project URLs, and nothing reads the `-qa` one.
    let text = entity(&format!(
        "{}{}",
        block("harness.io/pipelines", &[&format!("b: {PIPE}/")]),
        plain("harness.io/project-url-qa", "not a url"),
    ));
    clean(&text);
}

#[test]
fn single_url_values_in_blocks() {
    let url = format!("{PROJECT}/details");
    let text = entity(&block("harness.io/project-url", &[&url]));
    assert_eq!(underlined(&text, Code::HarnessProjectUrl), "|");
    let out = fixed(&text, Code::HarnessProjectUrl);
    assert!(out.contains("harness.io/project-url: |-\n"), "{out}");
    let text = entity(&block(
        "harness.io/project-url",
        &[&format!("a: {url}"), &format!("b: {url}")],
    ));
    assert!(message(&text, Code::HarnessProjectUrl).contains("2 lines"));
}

#[test]
fn perspective_url() {
    let bare = format!("{ACC}/ce/perspectives/Pq1");
    let text = entity(&plain("harness.io/perspective-url", &format!("\"{bare}\"")));
    assert_eq!(underlined(&text, Code::HarnessPerspectiveUrl), bare);
    assert!(fixed(&text, Code::HarnessPerspectiveUrl).contains(&format!("\"{bare}/\"")));
    let text = entity(&plain(
        "harness.io/perspective-url",
        "https://url-details/perspectives/perspectiveId/name/perspectiveName",
    ));
    assert_eq!(
        codes(&text),
        [Code::HarnessPerspectiveUrl, Code::HarnessUrlHost]
    );
    // Text after a space is dropped by the plugin.
    clean(&entity(&plain(
        "harness.io/perspective-url",
        &format!("'{PERSPECTIVE} (payments)'"),
    )));
}

#[test]
fn not_absolute_insecure_host_and_placeholders() {
    let text = entity(&plain(
        "harness.io/perspective-url",
        "app.harness.io/ng/account/A/ce/perspectives/P/x",
    ));
    assert!(message(&text, Code::HarnessPerspectiveUrl).contains("Invalid URL"));
    assert!(
        fixed(&text, Code::HarnessPerspectiveUrl)
            .contains("https://app.harness.io/ng/account/A/ce")
    );

    let text = entity(&plain(
        "harness.io/perspective-url",
        &PERSPECTIVE.replace("https", "http"),
    ));
    assert_eq!(underlined(&text, Code::HarnessUrlInsecure), "http");
    fixed(&text, Code::HarnessUrlInsecure);

    let other = PERSPECTIVE.replace("app.harness.io", "harness.acme.com");
    let text = entity(&plain("harness.io/perspective-url", &other));
    assert_eq!(underlined(&text, Code::HarnessUrlHost), "harness.acme.com");
    let mut settings = Settings::default();
    settings.add_host("harness.acme.com");
    assert!(analyze_catalog(&text, &settings).diagnostics.is_empty());

    let text = entity(&block(
        "harness.io/services",
        &["Service: <harness_service_url>"],
    ));
    assert_eq!(
        underlined(&text, Code::HarnessPlaceholder),
        "<harness_service_url>"
    );
    let text = entity(&plain("harness.io/cd-serviceId", "<serviceId>"));
    assert_eq!(underlined(&text, Code::HarnessPlaceholder), "<serviceId>");
}

#[test]
fn id_lists() {
    let text = entity(&plain("harness.io/ci-pipelineIds", "build, my-pipeline"));
    assert_eq!(underlined(&text, Code::HarnessIdList), "my-pipeline");
    let text = entity(&plain("harness.io/ci-pipelineIds", &format!("{PIPE}/")));
    assert!(message(&text, Code::HarnessIdList).contains("not URLs"));
    // Only the first service id is read.
    clean(&entity(&plain(
        "harness.io/cd-serviceId",
        "checkout, not valid",
    )));
    let text = entity(&plain("harness.io/cd-serviceId-qa", "',checkout'"));
    assert!(message(&text, Code::HarnessIdList).contains("starts with an empty service id"));
    let text = entity(&plain("harness.io/projects", "payments,,billing"));
    assert!(message(&text, Code::HarnessIdList).contains("named \"\""));
    assert_eq!(underlined(&text, Code::HarnessIdList), ",");
    let text = entity("    harness.io/ci-pipelineIds:\n");
    assert!(message(&text, Code::HarnessIdList).contains("empty (null)"));
}

#[test]
fn chaos_tag_maps() {
    let project = plain(
        "harness.io/project-url",
        &format!("{ACC}/chaos/orgs/default/projects/payments/experiments"),
    );
    // service-tags alone: the V2 table crashes on the missing application map.
    let text = entity(&format!(
        "{project}{}",
        block("harness.io/service-tags", &["checkout: c"])
    ));
    assert_eq!(
        underlined(&text, Code::HarnessTagMap),
        "harness.io/service-tags"
    );
    // Without a project URL the Chaos tab ignores them.
    let text = entity(&block("harness.io/application-map-tags", &["shop: s"]));
    assert!(
        message(&text, Code::HarnessTagMap).contains("only together with harness.io/project-url")
    );
    let text = entity(&format!(
        "{project}{}",
        block(
            "harness.io/application-map-tags",
            &["shop", "cart:", "shop: again", ": x"]
        )
    ));
    let a = analyze(&text);
    let got: Vec<(Code, &str)> = a
        .diagnostics
        .iter()
        .map(|d| (d.code, &text[d.range.clone()]))
        .collect();
    assert_eq!(
        got,
        [
            (Code::HarnessTagMap, "shop"),
            (Code::HarnessTagMap, "cart"),
            (Code::HarnessDuplicateLabel, "shop"),
            (Code::HarnessTagMap, ":"),
        ]
    );
    // A folded block joins the lines.
    let text = entity(&format!(
        "{project}    harness.io/application-map-tags: >\n      shop: s\n      cart: c\n"
    ));
    assert!(fixed(&text, Code::HarnessTagMap).contains("application-map-tags: |\n"));
}

#[test]
fn near_miss_keys() {
    let text = entity(&block("harness.io/Pipelines", &[&format!("b: {PIPE}/")]));
    assert_eq!(
        underlined(&text, Code::HarnessAnnotationUnknown),
        "harness.io/Pipelines"
    );
    let out = fixed(&text, Code::HarnessAnnotationUnknown);
    assert!(out.contains("    harness.io/pipelines: |"), "{out}");
    let text = entity(&block("harness.io/network-map-tags", &["shop: s"]));
    assert!(
        message(&text, Code::HarnessAnnotationUnknown).contains("harness.io/application-map-tags")
    );
    let text = entity(&plain("harness.io/ci_pipelineIds", "build"));
    assert!(
        fixed(&text, Code::HarnessAnnotationUnknown).contains("harness.io/ci-pipelineIds: build")
    );
    let text = entity(&plain(
        "harness.io/project-url-prod",
        &format!("{PROJECT}/"),
    ));
    assert!(fixed(&text, Code::HarnessAnnotationUnknown).contains("    harness.io/project-url: "));
    let text = entity(&plain("harness.io/pipeline-url", &format!("{PIPE}/")));
    assert!(analyze(&text).diagnostics[0].fixes.is_empty());
    // Workspace-url near misses are annotation-key-typo's alone; unrelated
    // and old keys that are no near miss stay quiet.
    let text = entity(&block("harness.io/workspace_url", &["a: b"]));
    assert!(!codes(&text).contains(&Code::HarnessAnnotationUnknown));
    clean(&entity(&plain(
        "harness.io/cicd-accountId",
        "vpCkHKsDSxK9_KYfjCTMKA",
    )));
    clean(&entity(&plain("harness.io/ci-pipelineIdentifiers", "a,b")));
    // Two near misses of one key: only the first is renamed, no duplicate.
    let text = entity(&format!(
        "{}{}",
        plain("harness.io/Application-Map-Tags", "'a: b'"),
        plain("harness.io/network_map_tags", "'a: b'")
    ));
    let a = analyze(&text);
    let fixes: Vec<usize> = a
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::HarnessAnnotationUnknown)
        .map(|d| d.fixes.len())
        .collect();
    assert_eq!(fixes, [1, 0]);
    let (out, _) = fix_all(&text, &Settings::default());
    assert!(!codes(&out).contains(&Code::DuplicateKey), "{out}");
    // A rename next to the correct key would make a duplicate: no fix.
    let text = entity(&format!(
        "{}{}",
        plain("harness.io/projects", "p"),
        plain("harness.io/Projects", "q")
    ));
    let a = analyze(&text);
    let d = a
        .diagnostics
        .iter()
        .find(|d| d.code == Code::HarnessAnnotationUnknown)
        .unwrap();
    assert!(d.fixes.is_empty());
}

#[test]
fn not_strings() {
    let text = entity("    harness.io/services:\n      a: b\n");
    assert!(message(&text, Code::HarnessServiceUrl).contains("a mapping"));
    let text = entity("    harness.io/project-url: ''\n");
    assert!(message(&text, Code::HarnessProjectUrl).contains("empty"));
}

#[test]
fn positions_survive_crlf_and_non_ascii() {
    let text =
        entity(&block("harness.io/pipelines", &[&format!("Bäu: {PIPE}")])).replace('\n', "\r\n");
    assert_eq!(underlined(&text, Code::HarnessPipelineUrl), PIPE);
    let out = fixed(&text, Code::HarnessPipelineUrl);
    assert!(out.contains(&format!("{PIPE}/pipeline-studio/\r\n")));
}

#[test]
fn bad_percent_escape_throws_in_the_plugin() {
    let text = entity(&block(
        "harness.io/pipelines",
        &[&format!("b: {PIPE}/pipeline-studio/?x=%zz")],
    ));
    assert!(message(&text, Code::HarnessPipelineUrl).contains("URIError"));
}
