//! Every entity-* code over fixture text: what it underlines, that its
//! message quotes the rule, and that its fix removes it and stays valid.

use crate::analysis::{analyze_catalog, fix_all};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::settings::Settings;
use crate::yaml::parse_stream;

const COMPONENT: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  \
                         tags:\n    - java\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n";

fn diagnostics(text: &str) -> Vec<Diagnostic> {
    analyze_catalog(text, &Settings::default()).diagnostics
}

fn entity_codes(text: &str) -> Vec<Code> {
    diagnostics(text)
        .iter()
        .map(|d| d.code)
        .filter(|c| c.as_str().starts_with("entity-"))
        .collect()
}

/// The one diagnostic of `code`; panics when there is not exactly one.
fn only(text: &str, code: Code) -> Diagnostic {
    let all = diagnostics(text);
    let found: Vec<&Diagnostic> = all.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "{code:?} in {all:#?}\n{text}");
    found[0].clone()
}

fn underlined(text: &str, code: Code) -> String {
    text[only(text, code).range].to_string()
}

/// Applies every fix: the code is gone, the YAML parses, a second round
/// changes nothing.
fn fixed(text: &str, code: Code) -> String {
    let (out, applied) = fix_all(text, &Settings::default());
    assert!(applied > 0, "no fix for {code:?}:\n{text}");
    assert!(
        !entity_codes(&out).contains(&code),
        "{code:?} still there:\n{out}"
    );
    assert!(
        parse_stream(&out)
            .documents
            .iter()
            .all(|d| d.error.is_none()),
        "{out}"
    );
    assert_eq!(fix_all(&out, &Settings::default()).0, out, "not idempotent");
    out
}

#[test]
fn valid_entities_of_every_built_in_kind_are_clean() {
    let docs = [
        COMPONENT.to_string(),
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: petstore\nspec:\n  type: openapi\n  \
         lifecycle: production\n  owner: group:default/team-a\n  definition:\n    $text: ./openapi.yaml\n"
            .into(),
        "apiVersion: backstage.io/v1beta1\nkind: Resource\nmetadata:\n  name: db\n  namespace: team--a\n  labels:\n    \
         tier: ''\n    example.com/x: A.b_c\nspec:\n  type: database\n  owner: team-a\n  dependsOn: [resource:x]\n"
            .into(),
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: s\n  links:\n    - url: https://e.com\n      \
         title: Docs\nspec:\n  owner: team-a\n  domain: d\n"
            .into(),
        "apiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata: {name: d, tags: ['lang:go', c++, c#]}\nspec: {owner: team-a}\n".into(),
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n  \
         profile: {displayName: Team A}\n"
            .into(),
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: jane\nspec:\n  memberOf: [team-a]\n".into(),
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: l\nspec:\n  targets: [./a.yaml]\n  \
         presence: optional\n"
            .into(),
        "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: t\nspec:\n  type: service\n  \
         parameters:\n    - title: Name\n      when: true\n  steps:\n    - id: fetch\n      action: fetch:template\n      \
         if: ${{ parameters.x }}\n  output:\n    links:\n      - url: ${{ steps.publish.output.remoteUrl }}\n    \
         repo: text\n"
            .into(),
    ];
    for doc in docs {
        assert_eq!(diagnostics(&doc), [], "{doc}");
    }
}

#[test]
fn a_document_that_is_not_a_mapping_is_rejected_and_empty_ones_are_skipped() {
    let text = "- a\n- b\n";
    assert_eq!(underlined(text, Code::EntityNotMapping), "- a\n- b");
    assert!(
        only(text, Code::EntityNotMapping)
            .message
            .contains("a list")
    );
    assert_eq!(entity_codes("---\n# nothing here\n---\n"), []);
    assert_eq!(
        underlined("just text\n", Code::EntityNotMapping),
        "just text"
    );
}

#[test]
fn a_document_with_a_syntax_error_gets_no_entity_rules() {
    let text = "kind: Component\nmetadata:\n  name: [unclosed\n";
    assert_eq!(entity_codes(text), []);
    assert!(diagnostics(text).iter().any(|d| d.code == Code::YamlSyntax));
}

#[test]
fn missing_fields_point_at_the_mapping_that_lacks_them() {
    // No envelope at all (a GitLab CI catalog file named catalog-info.yaml).
    let text = "spec:\n  inputs:\n";
    let missing: Vec<String> = diagnostics(text)
        .iter()
        .filter(|d| d.code == Code::EntityMissingField)
        .map(|d| {
            format!(
                "{}@{}",
                &d.message[..d.message.find(' ').unwrap()],
                &text[d.range.clone()]
            )
        })
        .collect();
    assert_eq!(
        missing,
        ["`apiVersion`@spec", "`kind`@spec", "`metadata`@spec"]
    );

    let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  title: x\n";
    let found: Vec<String> = diagnostics(text)
        .iter()
        .map(|d| text[d.range.clone()].to_string())
        .collect();
    assert_eq!(
        found,
        ["kind", "metadata"],
        "spec at the kind key, name at metadata"
    );

    let text = COMPONENT.replace("  owner: team-a\n", "");
    assert_eq!(underlined(&text, Code::EntityMissingField), "spec");
    let d = only(&text, Code::EntityMissingField);
    assert_eq!(
        d.message,
        "`spec.owner` is missing: Backstage's Component schema requires it."
    );
}

#[test]
fn wrong_types_point_at_the_value_and_numbers_get_quoted() {
    let text = COMPONENT.replace("owner: team-a", "owner: [team-a]");
    assert_eq!(underlined(&text, Code::EntityFieldType), "[team-a]");
    assert!(
        only(&text, Code::EntityFieldType)
            .message
            .contains("must be text")
    );

    let text = COMPONENT.replace("lifecycle: production", "lifecycle: 1.0");
    assert_eq!(underlined(&text, Code::EntityFieldType), "1.0");
    assert!(fixed(&text, Code::EntityFieldType).contains("lifecycle: \"1.0\""));

    let text = COMPONENT.replace("type: service", "type: ''");
    assert_eq!(underlined(&text, Code::EntityEmptyField), "''");

    let text = COMPONENT.replace(
        "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n",
        "spec:\n  - x\n",
    );
    assert_eq!(underlined(&text, Code::EntityFieldType), "- x");

    // `$json` reads data, never text.
    let text = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: a\nspec:\n  type: openapi\n  \
                lifecycle: x\n  owner: t\n  definition:\n    $json: ./a.json\n";
    assert_eq!(underlined(text, Code::EntityFieldType), "$json: ./a.json");
}

#[test]
fn an_empty_list_or_mapping_value_is_null_and_the_fix_writes_the_empty_one() {
    let text = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g\n  annotations:\nspec:\n  type: team\n  children:\n";
    let found: Vec<String> = diagnostics(text)
        .iter()
        .map(|d| text[d.range.clone()].to_string())
        .collect();
    assert_eq!(found, ["annotations", "children"]);
    let out = fixed(text, Code::EntityFieldType);
    assert!(
        out.contains("  annotations: {}\n") && out.ends_with("  children: []\n"),
        "{out}"
    );
    assert_eq!(diagnostics(&out), []);
}

#[test]
fn api_version_and_kind() {
    let text = COMPONENT.replace("backstage.io/v1alpha1", "backstage.io/v1_alpha1");
    assert_eq!(
        underlined(&text, Code::EntityApiVersion),
        "backstage.io/v1_alpha1"
    );
    assert!(
        only(&text, Code::EntityApiVersion)
            .message
            .contains("the version contains `_`")
    );

    let text = COMPONENT.replace("backstage.io/v1alpha1", "backstage.io/v2");
    let d = only(&text, Code::EntityApiVersion);
    assert!(
        d.message
            .contains("only with apiVersion backstage.io/v1alpha1 or backstage.io/v1beta1"),
        "{}",
        d.message
    );
    assert!(
        fixed(&text, Code::EntityApiVersion).starts_with("apiVersion: backstage.io/v1alpha1\n")
    );

    // A Template's version changes how it is written: no automatic fix.
    let text = "apiVersion: backstage.io/v1beta2\nkind: Template\nmetadata:\n  name: t\nspec:\n  type: x\n  steps: []\n";
    assert!(only(text, Code::EntityApiVersion).fixes.is_empty());

    let text = COMPONENT.replace("kind: Component", "kind: component");
    assert_eq!(underlined(&text, Code::EntityKind), "component");
    assert!(fixed(&text, Code::EntityKind).contains("kind: Component\n"));

    let text = COMPONENT.replace("kind: Component", "kind: My-Kind");
    assert!(
        only(&text, Code::EntityKind)
            .message
            .contains("it contains `-`")
    );

    let text = COMPONENT.replace("kind: Component", "kind: AiResource");
    let d = only(&text, Code::EntityUnknownKind);
    assert_eq!(d.severity, Severity::Information);
    assert_eq!(&text[d.range], "AiResource");
}

#[test]
fn names_and_namespaces() {
    let text = COMPONENT.replace("name: payments", "name: my payments");
    assert_eq!(underlined(&text, Code::EntityName), "my payments");
    assert_eq!(
        only(&text, Code::EntityName).message,
        "Backstage requires metadata.name to be 1-63 characters of [a-zA-Z0-9] separated by [-_.]; it contains a space."
    );
    let long = "a".repeat(64);
    let text = COMPONENT.replace("name: payments", &format!("name: {long}"));
    assert!(
        only(&text, Code::EntityName)
            .message
            .ends_with("it is 64 characters long.")
    );

    let text = COMPONENT.replace("name: payments", "name: 123");
    assert!(
        only(&text, Code::EntityName)
            .message
            .ends_with("it is a number.")
    );
    assert!(fixed(&text, Code::EntityName).contains("name: \"123\""));

    // A template skeleton's expression is filled in before the catalog reads it.
    let text = COMPONENT.replace("name: payments", "name: ${{ values.name }}");
    assert_eq!(entity_codes(&text), []);

    let text = COMPONENT.replace("name: payments", "name: payments\n  namespace: Team_A");
    assert_eq!(underlined(&text, Code::EntityNamespace), "Team_A");
    assert!(
        only(&text, Code::EntityNamespace)
            .message
            .contains("[a-z0-9] separated by [-]")
    );
}

#[test]
fn labels_and_annotations() {
    let with = |extra: &str| COMPONENT.replace("  tags:", &format!("{extra}\n  tags:"));
    let text = with("  labels:\n    a/b/c: x\n    tier: tier one\n    empty: ''");
    assert_eq!(underlined(&text, Code::EntityLabelKey), "a/b/c");
    assert!(
        only(&text, Code::EntityLabelKey)
            .message
            .contains("more than one `/`")
    );
    assert_eq!(underlined(&text, Code::EntityLabelValue), "tier one");

    let text = with("  annotations:\n    bad key: x\n    Example.com/y: z");
    let keys: Vec<String> = diagnostics(&text)
        .iter()
        .filter(|d| d.code == Code::EntityAnnotationKey)
        .map(|d| text[d.range.clone()].to_string())
        .collect();
    assert_eq!(keys, ["bad key", "Example.com/y"]);

    // An empty value is null: the key is underlined.
    let text = with("  annotations:\n    openedx.org/release:\n    example.com/n: 7");
    let found: Vec<String> = diagnostics(&text)
        .iter()
        .filter(|d| d.code == Code::EntityAnnotationValue)
        .map(|d| text[d.range.clone()].to_string())
        .collect();
    assert_eq!(found, ["openedx.org/release", "7"]);
    let out = fix_all(&text, &Settings::default()).0;
    assert!(out.contains("example.com/n: \"7\""), "{out}");

    // The workspace-url annotation keeps its own rule for non-text values.
    let text = with("  annotations:\n    harness.io/workspace-url:");
    assert_eq!(entity_codes(&text), []);
    assert!(
        diagnostics(&text)
            .iter()
            .any(|d| d.code == Code::WorkspaceUrlNotString)
    );
}

#[test]
fn tags() {
    let text = COMPONENT.replace("- java", "- Spring Boot\n    - go 1.15\n    - 3");
    let found: Vec<String> = diagnostics(&text)
        .iter()
        .filter(|d| d.code == Code::EntityTag)
        .map(|d| text[d.range.clone()].to_string())
        .collect();
    assert_eq!(found, ["Spring Boot", "go 1.15", "3"]);
    assert!(diagnostics(&text)[0].message.starts_with(
        "Backstage requires each tag to be 1-63 characters of [a-z0-9:+#] separated by [-]; `Spring Boot`: it contains the upper-case `S`"
    ));
    let out = fix_all(&text, &Settings::default()).0;
    assert!(out.contains("- spring-boot\n    - go 1.15\n"), "{out}");

    let text = COMPONENT.replace("tags:\n    - java", "tags: java");
    assert_eq!(underlined(&text, Code::EntityFieldType), "java");
}

#[test]
fn links() {
    let with = |links: &str| COMPONENT.replace("  tags:\n    - java\n", links);
    let text = with("  links:   # none yet\n");
    assert_eq!(underlined(&text, Code::EntityFieldType), "links");
    assert!(fixed(&text, Code::EntityFieldType).contains("  links: []   # none yet\n"));
    let text = with(
        "  links:\n    - title: Docs\n    - url: docs/index.html\n    - url: https://e.com\n      title: ' '\n    - x\n",
    );
    let found: Vec<String> = diagnostics(&text)
        .iter()
        .filter(|d| d.code == Code::EntityLink)
        .map(|d| text[d.range.clone()].to_string())
        .collect();
    assert_eq!(found, ["title", "docs/index.html", "' '", "x"]);
    assert!(
        diagnostics(&text)
            .iter()
            .any(|d| d.message.contains("not an absolute URL"))
    );
}

#[test]
fn unknown_root_fields_and_spec_fields_moved_under_spec() {
    let text = format!("{COMPONENT}dependsOn:\n  - resource:db\n");
    assert_eq!(underlined(&text, Code::EntityUnknownRootField), "dependsOn");
    assert!(
        only(&text, Code::EntityUnknownRootField)
            .message
            .ends_with("It belongs under `spec`.")
    );
    let out = fixed(&text, Code::EntityUnknownRootField);
    assert_eq!(out, format!("{COMPONENT}  dependsOn:\n    - resource:db\n"));
    assert_eq!(diagnostics(&out), []);

    // Not at the end of the file, CRLF, and no final newline.
    let text = "apiVersion: backstage.io/v1alpha1\r\nkind: Resource\r\nowner: team-a\r\nmetadata:\r\n  name: db\r\nspec:\r\n    type: database";
    let out = fixed(text, Code::EntityUnknownRootField);
    assert_eq!(
        out,
        "apiVersion: backstage.io/v1alpha1\r\nkind: Resource\r\nmetadata:\r\n  name: db\r\nspec:\r\n    type: database\r\n    owner: team-a\r\n"
    );

    let text = format!("{COMPONENT}status:\n  items: []\n");
    assert!(
        only(&text, Code::EntityUnknownRootField)
            .message
            .contains("filled in by the catalog")
    );
    let text = format!("{COMPONENT}foo: bar\n");
    assert!(only(&text, Code::EntityUnknownRootField).fixes.is_empty());
}

#[test]
fn warnings_backstage_does_not_give() {
    let text = COMPONENT.replace("owner: team-a", "owner: jane@example.com");
    let d = only(&text, Code::EntityOwnerEmail);
    assert_eq!(
        (d.severity, &text[d.range.clone()]),
        (Severity::Warning, "jane@example.com")
    );

    let text = COMPONENT.replace("owner: team-a", "owner: domain:platform");
    assert_eq!(underlined(&text, Code::EntityOwnerKind), "domain:platform");
    assert_eq!(
        entity_codes(&COMPONENT.replace("owner: team-a", "owner: User:default/jane")),
        []
    );

    let text = COMPONENT.replace("  tags:", "  owner: team-b\n  tags:");
    assert_eq!(underlined(&text, Code::EntityMisplacedField), "owner");

    let text = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: a\nspec:\n  type: openapi\n  \
                lifecycle: x\n  owner: t\n  definition: |\n    $text: ./openapi.yaml\n";
    assert_eq!(
        underlined(text, Code::EntityPlaceholderInText),
        "$text: ./openapi.yaml"
    );
    let out = fixed(text, Code::EntityPlaceholderInText);
    assert!(
        out.ends_with("  definition:\n    $text: ./openapi.yaml\n"),
        "{out}"
    );
    assert_eq!(diagnostics(&out), []);
}

#[test]
fn template_steps_and_output() {
    let text = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: t\nspec:\n  type: x\n  \
                parameters:\n    - when: 3\n  steps:\n    - id: a\n  output:\n    repo: [1]\n";
    let found: Vec<(Code, String)> = diagnostics(text)
        .iter()
        .map(|d| (d.code, text[d.range.clone()].to_string()))
        .collect();
    assert_eq!(
        found,
        [
            (Code::EntityFieldType, "3".to_string()),
            (Code::EntityMissingField, "id".to_string()),
            (Code::EntityFieldType, "[1]".to_string()),
        ]
    );
}
