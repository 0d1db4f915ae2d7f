//! `textDocument/codeAction`: one quick fix per `Fix` of the diagnostics
//! under the cursor, and a `source.fixAll.iacm` action for the whole file.

use std::collections::HashMap;
use std::ops::Range;

use tower_lsp_server::ls_types::{CodeAction, CodeActionKind, TextEdit, Uri, WorkspaceEdit};

use super::diagnostics::to_lsp_diagnostic;
use super::lsp_range;
use crate::analysis::{Analysis, fix_all};
use crate::settings::Settings;
use crate::text::{Edit, LineIndex, PositionEncoding};

pub const FIX_ALL_KIND: CodeActionKind = CodeActionKind::new("source.fixAll.iacm");
pub const FIX_ALL_TITLE: &str = "Fix all iacm problems";

/// Whether a request whose `context.only` is `only` wants actions of `kind`.
/// Kinds are hierarchical: asking for `source` or `source.fixAll` includes
/// `source.fixAll.iacm`. No `only` means every kind.
pub fn is_wanted(only: Option<&[CodeActionKind]>, kind: &CodeActionKind) -> bool {
    let Some(only) = only else {
        return true;
    };
    let kind = kind.as_str();
    only.iter().any(|wanted| {
        let wanted = wanted.as_str();
        wanted.is_empty()
            || kind == wanted
            || (kind.starts_with(wanted) && kind.as_bytes().get(wanted.len()) == Some(&b'.'))
    })
}

/// Quick fixes for the diagnostics that touch `range` (byte offsets; a
/// cursor at either edge of a diagnostic counts).
pub fn quick_fixes(
    analysis: &Analysis,
    index: &LineIndex,
    enc: PositionEncoding,
    uri: &Uri,
    range: Range<usize>,
) -> Vec<CodeAction> {
    let mut actions = Vec::new();
    for diagnostic in &analysis.diagnostics {
        let touches = diagnostic.range.start <= range.end && range.start <= diagnostic.range.end;
        if !touches || diagnostic.fixes.is_empty() {
            continue;
        }
        let lsp_diagnostic = to_lsp_diagnostic(diagnostic, index, enc);
        for (i, fix) in diagnostic.fixes.iter().enumerate() {
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit::new(lsp_range(index, &e.range, enc), e.new_text.clone()))
                .collect();
            actions.push(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp_diagnostic.clone()]),
                edit: Some(workspace_edit(uri, edits)),
                is_preferred: (i == 0).then_some(true),
                ..CodeAction::default()
            });
        }
    }
    actions
}

/// "Fix all iacm problems", when the file has anything fixable. The fixes
/// are applied in rounds by `fix_all`; the result is sent as one minimal
/// edit so the editor keeps the cursor and undo history sensible.
pub fn fix_all_action(
    text: &str,
    settings: &Settings,
    analysis: &Analysis,
    index: &LineIndex,
    enc: PositionEncoding,
    uri: &Uri,
) -> Option<CodeAction> {
    if !is_fixable(analysis) {
        return None;
    }
    let (fixed, applied) = fix_all(text, settings);
    if applied == 0 || fixed == text {
        return None;
    }
    let edit = minimal_edit(text, &fixed);
    let text_edit = TextEdit::new(lsp_range(index, &edit.range, enc), edit.new_text);
    Some(CodeAction {
        title: FIX_ALL_TITLE.to_string(),
        kind: Some(FIX_ALL_KIND),
        edit: Some(workspace_edit(uri, vec![text_edit])),
        ..CodeAction::default()
    })
}

/// "Fix all iacm problems" without its edit, which the client asks for with
/// `codeAction/resolve` only if the user picks the action: computing it
/// costs several analyses, too many to spend on every cursor move.
pub fn deferred_fix_all_action(analysis: &Analysis, uri: &Uri) -> Option<CodeAction> {
    is_fixable(analysis).then(|| CodeAction {
        title: FIX_ALL_TITLE.to_string(),
        kind: Some(FIX_ALL_KIND),
        data: Some(serde_json::json!({ "uri": uri.as_str() })),
        ..CodeAction::default()
    })
}

/// The document of a deferred fix-all action sent back for resolving.
pub fn deferred_fix_all_uri(action: &CodeAction) -> Option<Uri> {
    if action.kind.as_ref() != Some(&FIX_ALL_KIND) || action.edit.is_some() {
        return None;
    }
    action.data.as_ref()?.get("uri")?.as_str()?.parse().ok()
}

fn is_fixable(analysis: &Analysis) -> bool {
    analysis.is_catalog && analysis.diagnostics.iter().any(|d| !d.fixes.is_empty())
}

/// The single edit that turns `old` into `new`: the common prefix and suffix
/// are left alone (on character boundaries, so the edit never splits one).
pub fn minimal_edit(old: &str, new: &str) -> Edit {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !(old.is_char_boundary(prefix) && new.is_char_boundary(prefix)) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    while !(old.is_char_boundary(a.len() - suffix) && new.is_char_boundary(b.len() - suffix)) {
        suffix -= 1;
    }
    Edit::replace(prefix..a.len() - suffix, &new[prefix..b.len() - suffix])
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Code, Diagnostic, Fix};
    use crate::text::apply_edits;
    use tower_lsp_server::ls_types::Position;

    const TEXT: &str = "u: é😀 http://h/ws\n";

    fn uri() -> Uri {
        "file:///repo/catalog-info.yaml".parse().unwrap()
    }

    fn analysis() -> Analysis {
        let http = TEXT.find("http").unwrap();
        let end = TEXT.find('\n').unwrap();
        let insecure =
            Diagnostic::new(Code::WorkspaceUrlInsecure, http..http + 4, "insecure").with_fix(
                Fix::new("Use https", vec![Edit::replace(http..http + 4, "https")]),
            );
        let resources = Diagnostic::new(
            Code::WorkspaceUrlMissingResources,
            end - 2..end,
            "resources",
        )
        .with_fix(Fix::new(
            "Add /resources",
            vec![Edit::insert(end, "/resources")],
        ))
        .with_fix(Fix::new(
            "Alternative",
            vec![Edit::insert(end, "/resources/")],
        ));
        Analysis {
            is_catalog: true,
            diagnostics: vec![insecure, resources],
            workspace_refs: Vec::new(),
            entities: Vec::new(),
        }
    }

    fn edits_of(action: &CodeAction) -> &Vec<TextEdit> {
        &action.edit.as_ref().unwrap().changes.as_ref().unwrap()[&uri()]
    }

    #[test]
    fn only_fixes_for_diagnostics_under_the_range() {
        let index = LineIndex::new(TEXT);
        let http = TEXT.find("http").unwrap();
        let actions = quick_fixes(
            &analysis(),
            &index,
            PositionEncoding::Utf16,
            &uri(),
            http..http,
        );
        assert_eq!(actions.len(), 1);
        let action = &actions[0];
        assert_eq!(action.kind, Some(CodeActionKind::QUICKFIX));
        assert_eq!(action.is_preferred, Some(true));
        assert_eq!(action.diagnostics.as_ref().unwrap().len(), 1);
        let edit = &edits_of(action)[0];
        // "u: é😀 " is 7 UTF-16 units.
        assert_eq!(
            (edit.range.start.character, edit.range.end.character),
            (7, 11)
        );
        assert_eq!(edit.new_text, "https");
    }

    #[test]
    fn every_fix_is_an_action_and_only_the_first_is_preferred() {
        let index = LineIndex::new(TEXT);
        let end = TEXT.find('\n').unwrap();
        let actions = quick_fixes(
            &analysis(),
            &index,
            PositionEncoding::Utf8,
            &uri(),
            end..end,
        );
        let preferred: Vec<_> = actions.iter().map(|a| a.is_preferred).collect();
        assert_eq!(preferred, [Some(true), None]);
        assert_eq!(edits_of(&actions[0])[0].range.start.character, end as u32);
    }

    #[test]
    fn minimal_edit_trims_common_prefix_and_suffix() {
        let edit = minimal_edit("a: http://x\n", "a: https://x\n");
        assert_eq!(edit, Edit::insert(7, "s"));
        assert_eq!(minimal_edit("same", "same"), Edit::insert(4, ""));
        assert_eq!(minimal_edit("aXa", "aa"), Edit::delete(1..2));
        // "aa" -> "aaa": the suffix may not overlap the prefix.
        assert_eq!(minimal_edit("aa", "aaa"), Edit::insert(2, "a"));
    }

    #[test]
    fn minimal_edit_never_splits_a_character() {
        // é and è share their first UTF-8 byte; ü and ö share none.
        for (old, new) in [
            ("xéy", "xèy"),
            ("é", "è"),
            ("ü😀", "ö😀"),
            ("😀", "😁"),
            ("", "é"),
        ] {
            let edit = minimal_edit(old, new);
            let (out, skipped) = apply_edits(old, std::slice::from_ref(&edit));
            assert_eq!(
                (out.as_str(), skipped),
                (new, 0),
                "{old} -> {new}: {edit:?}"
            );
        }
    }

    #[test]
    fn kinds_are_hierarchical() {
        let source = [CodeActionKind::SOURCE];
        let fix_all = [CodeActionKind::SOURCE_FIX_ALL];
        let quickfix = [CodeActionKind::QUICKFIX];
        assert!(is_wanted(None, &FIX_ALL_KIND));
        assert!(is_wanted(Some(&source), &FIX_ALL_KIND));
        assert!(is_wanted(Some(&fix_all), &FIX_ALL_KIND));
        assert!(is_wanted(Some(&[FIX_ALL_KIND]), &FIX_ALL_KIND));
        assert!(!is_wanted(Some(&quickfix), &FIX_ALL_KIND));
        assert!(!is_wanted(
            Some(&[CodeActionKind::new("source.fix")]),
            &FIX_ALL_KIND
        ));
        assert!(!is_wanted(Some(&fix_all), &CodeActionKind::QUICKFIX));
    }

    #[test]
    fn a_deferred_fix_all_carries_its_document() {
        let action = deferred_fix_all_action(&analysis(), &uri()).unwrap();
        assert!(action.edit.is_none());
        assert_eq!(deferred_fix_all_uri(&action), Some(uri()));
        // Round trip through JSON, as the client sends it back.
        let back: CodeAction =
            serde_json::from_value(serde_json::to_value(&action).unwrap()).unwrap();
        assert_eq!(deferred_fix_all_uri(&back), Some(uri()));
        let quick = &quick_fixes(
            &analysis(),
            &LineIndex::new(TEXT),
            PositionEncoding::Utf8,
            &uri(),
            0..99,
        )[0];
        assert_eq!(deferred_fix_all_uri(quick), None);
        assert!(deferred_fix_all_action(&Analysis::default(), &uri()).is_none());
    }

    #[test]
    fn no_fix_all_without_fixable_diagnostics() {
        let index = LineIndex::new(TEXT);
        let mut a = analysis();
        a.diagnostics.iter_mut().for_each(|d| d.fixes.clear());
        let settings = Settings::default();
        assert!(
            fix_all_action(TEXT, &settings, &a, &index, PositionEncoding::Utf16, &uri()).is_none()
        );
        let not_catalog = Analysis::default();
        assert!(
            fix_all_action(
                TEXT,
                &settings,
                &not_catalog,
                &index,
                PositionEncoding::Utf16,
                &uri()
            )
            .is_none()
        );
    }

    #[test]
    fn fix_all_is_one_minimal_edit_computed_by_the_core() {
        let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  annotations:\n    harness.io/workspace-url: |\n      é😀: http://app.harness.io/ng/account/abc/module/iacm/orgs/o/projects/p/workspaces/w\nspec: {type: service, lifecycle: production, owner: t}\n";
        let settings = Settings::default();
        let analysis = crate::analysis::analyze_catalog(text, &settings);
        let index = LineIndex::new(text);
        let action = fix_all_action(
            text,
            &settings,
            &analysis,
            &index,
            PositionEncoding::Utf16,
            &uri(),
        )
        .expect("an insecure URL without /resources is fixable");
        assert_eq!(action.kind, Some(FIX_ALL_KIND));
        let edits = edits_of(&action);
        assert_eq!(edits.len(), 1);
        // The edit starts at the `s` of https (after "      é😀: http", 15 UTF-16 units)
        // and leaves the rest of the line alone.
        assert_eq!(
            (edits[0].range.start.line, edits[0].range.start.character),
            (6, 15)
        );
        let (fixed, _) = fix_all(text, &settings);
        let offset = |p: Position| index.offset(p.line, p.character, PositionEncoding::Utf16);
        let bytes = offset(edits[0].range.start)..offset(edits[0].range.end);
        let (applied, _) = apply_edits(text, &[Edit::replace(bytes, edits[0].new_text.clone())]);
        assert_eq!(applied, fixed);
        assert!(fixed.contains("é😀: https://app.harness.io/ng/account/abc/module/iacm/orgs/o/projects/p/workspaces/w/resources\n"));
    }
}
