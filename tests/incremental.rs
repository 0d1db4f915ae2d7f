//! The server's incremental analysis gives exactly what a whole-file
//! analysis gives, over random edits of a generated multi-document catalog
//! (including edits that add or remove `---` lines, open quotes and flow
//! collections across documents, directives, CRLF and non-ASCII text).

#[path = "../benches/support/generate.rs"]
#[allow(dead_code)]
mod generate;

use iacm_lsp::analysis::Incremental;
use iacm_lsp::text::LineIndex;
use iacm_lsp::{Settings, analyze_catalog};
use proptest::prelude::*;

/// What an edit inserts: YAML structure, document markers and the content
/// the rules look at.
const SNIPPETS: &[&str] = &[
    "",
    "\n",
    "---\n",
    "--- ",
    "...\n",
    "%YAML 1.2\n",
    "\"",
    "'",
    "[",
    "]",
    "{",
    "}",
    ": ",
    "  ",
    "\t",
    "- ",
    "|\n",
    ">\n",
    "# c\n",
    "\r\n",
    "é😀",
    "\u{feff}",
    "&a ",
    "*a",
    "? ",
    ",",
    "http://",
    "harness.io/workspace-url: ",
    "kind: Component\n",
    "metadata:\n  annotations:\n    harness.io/workspace-url: |\n      p: https://app.harness.io/ng/account/a/module/iacm/orgs/o/projects/p/workspaces/w\n",
];

#[derive(Debug, Clone)]
struct Edit {
    /// Where, as a fraction of the text's length.
    at: f64,
    /// How many bytes to remove (clamped to the text).
    remove: usize,
    insert: usize,
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        0.0..1.0f64,
        prop_oneof![Just(0usize), 0..8usize, 0..400usize],
        0..SNIPPETS.len(),
    )
        .prop_map(|(at, remove, insert)| Edit { at, remove, insert })
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, edit: &Edit) {
    let start = floor_boundary(text, (edit.at * text.len() as f64) as usize);
    let end = floor_boundary(text, start + edit.remove).max(start);
    text.replace_range(start..end, SNIPPETS[edit.insert]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn incremental_equals_whole_file_after_every_edit(
        seed in 1..1000u64,
        edits in prop::collection::vec(edit(), 1..24),
    ) {
        let settings = Settings::default();
        let (mut text, _) = generate::catalog(6 * 1024, seed);
        let mut incremental = Incremental::default();
        for edit in &edits {
            apply(&mut text, edit);
            let index = LineIndex::new(&text);
            let got = incremental.analyze_catalog(&text, &index, &settings);
            let want = analyze_catalog(&text, &settings);
            prop_assert_eq!(got, want, "after {:?}", edit);
        }
    }
}

#[test]
fn settings_changes_are_not_answered_from_the_cache() {
    let (text, _) = generate::catalog(8 * 1024, 7);
    let index = LineIndex::new(&text);
    let mut incremental = Incremental::default();
    let default = Settings::default();
    let mut quiet = Settings::default();
    quiet.apply_json(&serde_json::json!({"diagnostics": {"workspace-url-insecure": "off"}, "hosts": ["harness.acme.com"]}));
    assert_ne!(default, quiet, "the test needs settings that differ");
    for settings in [&default, &quiet, &default] {
        let got = incremental.analyze_catalog(&text, &index, settings);
        assert_eq!(got, analyze_catalog(&text, settings));
    }
}

#[test]
fn a_large_file_analysed_on_all_cores_gives_the_same_results() {
    // Large enough for the first analysis to share documents among threads.
    let (mut text, _) = generate::catalog(320 * 1024, 3);
    let settings = Settings::default();
    let mut incremental = Incremental::default();
    for round in 0..2 {
        let index = LineIndex::new(&text);
        let got = incremental.analyze_catalog(&text, &index, &settings);
        assert_eq!(got, analyze_catalog(&text, &settings), "round {round}");
        // Break many documents at once: the second round re-analyses them.
        text = text.replace("lifecycle: production", "lifecycle: production\n  x: [");
    }
}

#[test]
fn a_block_scalar_ended_by_the_next_marker_is_read_as_in_the_whole_file() {
    // Found by the property above: parsed alone, the empty `|` block ends at
    // the end of the stream and spans `|\n`; in the whole file it ends at
    // the `---`, and the empty-field error stands on its key.
    let text = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api\nspec:\n  \
                type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: |\n---\n    \
                openapi: 3.0.0\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  \
                name: team-a\nspec:\n  type: team\n  children: []\n";
    let settings = Settings::default();
    let want = analyze_catalog(text, &settings);
    assert!(
        want.diagnostics
            .iter()
            .any(|d| d.code.as_str() == "entity-empty-field"),
        "{:#?}",
        want.diagnostics
    );
    let got = Incremental::default().analyze_catalog(text, &LineIndex::new(text), &settings);
    assert_eq!(got, want);
}
