//! Arbitrary and truncated input never panics the analysis, and every fix
//! it offers applies cleanly.

use iacm_lsp::text::apply_edits;
use iacm_lsp::{Settings, analyze_catalog, fix_all};
use proptest::prelude::*;

const SAMPLE: &str = "\u{feff}apiVersion: backstage.io/v1alpha1\r\nkind: Component\nmetadata:\n  name: payments-ü\n  labels:\n    harness.io/workspace-url: x\n  annotations:\n    harness.io/workspace_url: \"http://app.harness.io/ng/#/account/a-b/all/iacm/orgs/o/projects/p/workspaces/w-1/overview?x=1 |\"\n    harness.io/workspace-url: >\n      a: https://app.harness.io/account/<ACC>/module/cd/orgs/o/projects/p/workspaces/w\n      a: app.harness.io/ng/account/a/module/iacm/orgs/o/projects/p/workspaces/w/resources/\n      # comment\n      https://qa.harness.io/ng/account/a/module/iacm/orgs/o/projects/p/workspaces/w/resources\n---\nkind: Resource\nmetadata: {name: r, annotations: {harness.io/workspace-url: 'https://x.io/ng'}}\nspec:\n  harness.io/workspace-url: [1]\n";

fn check(text: &str) {
    let settings = Settings::default();
    let analysis = analyze_catalog(text, &settings);
    for d in &analysis.diagnostics {
        assert!(d.range.start <= d.range.end && d.range.end <= text.len());
        assert!(text.is_char_boundary(d.range.start) && text.is_char_boundary(d.range.end));
        for fix in &d.fixes {
            let (_, skipped) = apply_edits(text, &fix.edits);
            assert_eq!(skipped, 0, "fix {:?} does not apply", fix.title);
        }
    }
    let _ = fix_all(text, &settings);
}

#[test]
fn every_prefix_of_a_messy_file() {
    for (i, _) in SAMPLE.char_indices() {
        check(&SAMPLE[..i]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(text in "\\PC{0,300}") {
        check(&text);
    }

    #[test]
    fn arbitrary_yamlish_text(text in "[ \\t\\n\\r:|>#'\"\\[\\]{}a-z/.<>?&*!-]{0,200}") {
        check(&text);
    }

    #[test]
    fn sample_with_a_random_splice(at in 0usize..SAMPLE.len(), junk in "\\PC{0,8}") {
        let mut at = at;
        while !SAMPLE.is_char_boundary(at) { at -= 1; }
        let text = format!("{}{}{}", &SAMPLE[..at], junk, &SAMPLE[at..]);
        check(&text);
    }

    #[test]
    fn arbitrary_bytes_decoded_lossily(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&String::from_utf8_lossy(&bytes));
    }
}
