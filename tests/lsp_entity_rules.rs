//! End to end: Backstage's entity rules through the real `iacm-lsp` binary
//! over stdio: where an editor underlines them (UTF-16 columns past
//! non-ASCII text), and what their quick fixes do to the buffer.

mod support;

use serde_json::{Value, json};
use support::lsp_client::{Enc, LspClient, apply_text_edits, changes_for, range};

const URI: &str = "file:///repo/catalog-info.yaml";

/// A Component with a title in non-ASCII text, a lower-case kind, an
/// upper-case tag, a top-level `dependsOn` and an e-mail owner.
const TEXT: &str = "apiVersion: backstage.io/v1alpha1
kind: component
metadata:
  name: payments
  title: Paiements ✓ — équipe
  tags: [Java, 'Spring Boot']
spec:
  type: service
  lifecycle: production
  owner: jane@example.com
dependsOn:
  - resource:payments-db
";

fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["code"] == code).collect()
}

#[test]
fn entity_rules_are_published_at_their_fields_and_their_fixes_clear_them() {
    let enc = Enc::Utf16;
    let mut client = LspClient::start(enc);
    client.open(URI, 1, TEXT);
    let diagnostics = client.diagnostics(URI, 1);

    let at = |needle: &str| {
        let start = TEXT.find(needle).unwrap();
        range(TEXT, start..start + needle.len(), enc)
    };
    let kind = with_code(&diagnostics, "entity-kind");
    assert_eq!(kind.len(), 1, "{diagnostics:#?}");
    assert_eq!(kind[0]["range"], at("component"));
    assert_eq!(kind[0]["severity"], 1);
    let tags: Vec<&Value> = with_code(&diagnostics, "entity-tag")
        .iter()
        .map(|d| &d["range"])
        .collect();
    assert_eq!(tags, [&at("Java"), &at("'Spring Boot'")]);
    assert_eq!(
        with_code(&diagnostics, "entity-unknown-root-field")[0]["range"],
        at("dependsOn")
    );
    let owner = with_code(&diagnostics, "entity-owner-email");
    assert_eq!(
        (owner[0]["range"].clone(), owner[0]["severity"].clone()),
        (at("jane@example.com"), json!(2))
    );

    // Fix everything fixable in one action, as on save.
    let everything = range(TEXT, 0..TEXT.len(), enc);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": everything,
               "context": {"diagnostics": [], "only": ["source.fixAll.iacm"]}}),
    );
    let edits = actions[0]["edit"]["changes"][URI]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let fixed = apply_text_edits(TEXT, &edits, enc);
    assert_eq!(
        fixed,
        TEXT.replace("kind: component", "kind: Component")
            .replace("[Java, 'Spring Boot']", "[java, 'spring-boot']")
            .replace("dependsOn:\n  - resource:payments-db\n", "")
            .replace(
                "jane@example.com\n",
                "jane@example.com\n  dependsOn:\n    - resource:payments-db\n"
            )
    );
    client.change(URI, 2, changes_for(TEXT, &edits, enc));
    let after = client.diagnostics(URI, 2);
    let codes: Vec<&str> = after.iter().map(|d| d["code"].as_str().unwrap()).collect();
    // What is left has no safe fix: the owner is someone to ask about.
    assert_eq!(codes, ["entity-owner-email"], "{fixed}");
}
