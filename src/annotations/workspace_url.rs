//! The `harness.io/workspace-url` annotation value: its forms (`label: URL`
//! lines in a `|` block, or a bare URL) and every URL in it.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::url_check::{UrlReport, check_url};
use crate::analysis::{WorkspaceKey, WorkspaceRef};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::settings::Settings;
use crate::text::{Edit, LineIndex, Shift};
use crate::yaml::{Entry, Node, NodeKind, ScalarStyle, ValueLine, scalar_lines};

pub const WORKSPACE_URL_KEY: &str = "harness.io/workspace-url";

/// What the checks of one annotation need to know about the file.
pub struct Context<'a> {
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub settings: &'a Settings,
}

impl Context<'_> {
    /// The file's own line ending: its first line's. Only that line is
    /// read: a rule may ask once per finding, and a scan of the whole text
    /// each time made a file with thousands of findings quadratic.
    pub fn line_ending(&self) -> &'static str {
        line_ending(self.text)
    }

    /// The ending of the line holding `offset`: what a line added next to
    /// it gets, so a file mixing `\r\n` and `\n` keeps each line's own. The
    /// last line, which has none, takes the file's.
    pub fn line_ending_at(&self, offset: usize) -> &'static str {
        let end = self.index.line_end(self.index.line_of(offset));
        match self.text.as_bytes().get(end) {
            Some(b'\r') => "\r\n",
            Some(_) => "\n",
            None => self.line_ending(),
        }
    }
}

/// `\r\n` when the first line of `text` ends with it, else `\n`.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// What the rules of one document produce. Every field holds byte offsets
/// into the text, so each one is moved by `shift` and joined by `append`
/// (incremental analysis caches a document's output relative to its start).
#[derive(Default, Clone)]
pub struct Output {
    pub diagnostics: Vec<Diagnostic>,
    pub refs: Vec<WorkspaceRef>,
    /// One per document that is an entity (`catalog::refs`).
    pub entities: Vec<crate::catalog::refs::EntityInfo>,
}

impl Shift for Output {
    fn shift(&mut self, delta: isize) {
        // Destructured so a new field cannot be forgotten here.
        let Output {
            diagnostics,
            refs,
            entities,
        } = self;
        diagnostics.shift(delta);
        refs.shift(delta);
        entities.shift(delta);
    }
}

impl Output {
    /// Gives back the spare capacity of each list: a cached output lives as
    /// long as its document, and most hold one or two items in lists grown
    /// for four.
    pub fn shrink_to_fit(&mut self) {
        let Output {
            diagnostics,
            refs,
            entities,
        } = self;
        diagnostics.shrink_to_fit();
        refs.shrink_to_fit();
        entities.shrink_to_fit();
    }

    /// Adds `other`'s results after this one's.
    pub fn append(&mut self, other: Output) {
        let Output {
            diagnostics,
            refs,
            entities,
        } = other;
        self.diagnostics.extend(diagnostics);
        self.refs.extend(refs);
        self.entities.extend(entities);
    }

    /// Adds copies of `other`'s results, moved by `delta`, after this
    /// one's (without the intermediate copy of `other` that `clone`,
    /// `shift` and `append` would make: this runs for every document on
    /// every keystroke).
    pub fn append_shifted(&mut self, other: &Output, delta: isize) {
        fn moved<T: Clone + Shift>(item: &T, delta: isize) -> T {
            let mut item = item.clone();
            item.shift(delta);
            item
        }
        let Output {
            diagnostics,
            refs,
            entities,
        } = other;
        self.diagnostics
            .extend(diagnostics.iter().map(|d| moved(d, delta)));
        self.refs.extend(refs.iter().map(|r| moved(r, delta)));
        self.entities
            .extend(entities.iter().map(|e| moved(e, delta)));
    }
}

/// The annotation entry being checked, and what decides how it can be fixed.
struct Annotation<'a> {
    key: &'a Node,
    value: &'a Node,
    /// The value is a `|` or `>` block scalar.
    block: bool,
    /// The entry stands in a block mapping, where the value can be
    /// rewritten as a `|` block.
    in_block_mapping: bool,
}

/// Checks the value of one `harness.io/workspace-url` entry.
pub fn check(cx: &Context<'_>, entry: &Entry, in_block_mapping: bool, out: &mut Output) {
    let (key, value) = (&entry.key, &entry.value);
    let at_value = if value.range.is_empty() {
        key.range.clone()
    } else {
        value.range.clone()
    };
    let style = match &value.kind {
        NodeKind::Scalar { style, .. } if !value.is_null() => *style,
        other => {
            let what = match other {
                NodeKind::Mapping { .. } => "a mapping",
                NodeKind::Sequence { .. } => "a list",
                NodeKind::Alias => "an alias",
                NodeKind::Scalar { .. } => "empty (null)",
            };
            out.diagnostics.push(Diagnostic::new(
                Code::WorkspaceUrlNotString,
                at_value,
                format!(
                    "{WORKSPACE_URL_KEY} must be text: `label: URL` lines in a `|` block. This value is {what}, \
                     which Backstage rejects."
                ),
            ));
            return;
        }
    };
    let lines = scalar_lines(cx.text, value, cx.index);
    // The plugin skips only lines that are exactly empty.
    let content: Vec<&ValueLine> = lines.iter().filter(|l| !l.text.is_empty()).collect();
    if content.iter().all(|l| l.text.trim().is_empty()) {
        out.diagnostics.push(Diagnostic::new(
            Code::WorkspaceUrlEmpty,
            at_value,
            format!(
                "{WORKSPACE_URL_KEY} is empty, so the IACM tab shows \"Missing annotation\". Add a line \
                 `<label>: <workspace URL>`."
            ),
        ));
        return;
    }
    if style == ScalarStyle::Folded && content.len() > 1 {
        folded(cx, key, value, out);
    }
    let annotation = Annotation {
        key,
        value,
        block: matches!(style, ScalarStyle::Literal | ScalarStyle::Folded),
        in_block_mapping,
    };
    let mut labels: HashMap<String, Range<usize>> = HashMap::new();
    for line in content {
        check_line(cx, &annotation, line, &mut labels, out);
    }
}

fn folded(cx: &Context<'_>, key: &Node, value: &Node, out: &mut Output) {
    let header = &cx.text[key.range.end..value.range.start];
    let Some(at) = header.rfind('>') else { return };
    let range = key.range.end + at..key.range.end + at + 1;
    out.diagnostics.push(
        Diagnostic::new(
            Code::WorkspaceUrlFolded,
            range.clone(),
            "A folded block (`>`) joins these lines into one, so the IACM tab sees a single garbled URL. \
             Use a literal block (`|`) to keep one `label: URL` per line.",
        )
        .with_fix(Fix::new("Use a literal block (|)", vec![Edit::replace(range, "|")])),
    );
}

fn check_line(
    cx: &Context<'_>,
    annotation: &Annotation<'_>,
    line: &ValueLine<'_>,
    labels: &mut HashMap<String, Range<usize>>,
    out: &mut Output,
) {
    let text = line.text;
    let start = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    let whole = line.source_range(start..start + trimmed.len());
    if trimmed.is_empty() {
        out.diagnostics.push(Diagnostic::new(
            Code::WorkspaceUrlBadLine,
            line.source_range(0..text.len()),
            "This line holds only spaces; the IACM tab reads it as a workspace with no URL. Remove the spaces.",
        ));
        return;
    }
    if annotation.block && trimmed.starts_with('#') {
        out.diagnostics.push(Diagnostic::new(
            Code::WorkspaceUrlBadLine,
            whole,
            "`#` does not start a comment inside a `|` block: the IACM tab reads this line as a workspace. \
             Move the comment above the annotation.",
        ));
        return;
    }
    let Some(colon) = text.find(':') else {
        out.diagnostics.push(Diagnostic::new(
            Code::WorkspaceUrlBadLine,
            whole,
            "Each line must be `label: URL`; this one has no `:`, so the IACM tab cannot read it.",
        ));
        return;
    };
    let label = text[..colon].trim();
    let after = &text[colon + 1..];
    let url_start = colon + 1 + (after.len() - after.trim_start().len());
    let url_text = after.trim();

    if (label.eq_ignore_ascii_case("https") || label.eq_ignore_ascii_case("http"))
        && url_text.starts_with("//")
    {
        let url = trimmed;
        let report = check_url(url, cx.settings);
        unlabeled(cx, annotation, line, start, url, &report, out);
        emit_url(line, start, None, report, out);
        return;
    }
    if label.is_empty() {
        out.diagnostics.push(Diagnostic::new(
            Code::WorkspaceUrlBadLine,
            line.source_range(colon..colon + 1),
            "This line has no label before `:`. Write `<label>: <URL>`; the label names the workspace in the IACM tab.",
        ));
        return;
    }
    let label_range = line.source_range(start..start + label.len());
    if url_text.is_empty() {
        out.diagnostics.push(Diagnostic::new(
            Code::WorkspaceUrlBadLine,
            label_range,
            format!("`{label}:` has no URL after it. Add the workspace URL, or remove the line."),
        ));
        return;
    }
    if let Some(first) = labels.insert(label.to_string(), label_range.clone()) {
        let first_line = cx.index.line_col(first.start).line;
        out.diagnostics.push(Diagnostic::new(
            Code::WorkspaceUrlDuplicateLabel,
            label_range,
            format!(
                "The label `{label}` is already used on line {first_line}; the IACM tab silently keeps only this \
                 later line. Give each workspace its own label."
            ),
        ));
    }
    let report = check_url(url_text, cx.settings);
    emit_url(line, url_start, Some(label.into()), report, out);
}

/// A bare URL where the plugin wants `label: URL`.
fn unlabeled(
    cx: &Context<'_>,
    annotation: &Annotation<'_>,
    line: &ValueLine<'_>,
    start: usize,
    url: &str,
    report: &UrlReport,
    out: &mut Output,
) {
    let Annotation { key, value, .. } = annotation;
    let label = report
        .parts
        .as_ref()
        .map_or("workspace", |p| p.workspace.as_str());
    let url_end = url.find(char::is_whitespace).unwrap_or(url.len());
    let mut diagnostic = Diagnostic::new(
        Code::WorkspaceUrlUnlabeled,
        line.source_range(start..start + url_end),
        "The harness-iacm plugin reads `label: URL` lines; a bare URL splits at `https:` and the IACM tab \
         crashes with \"Invalid URL\". Put a label before it.",
    );
    let title = format!("Add the label `{label}:`");
    let quoted = matches!(
        value.kind,
        NodeKind::Scalar {
            style: ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted,
            ..
        }
    );
    // Inside a block, or inside quotes (where `: ` is plain text), the
    // label goes in front of the URL; a plain value in a block mapping
    // becomes a `|` block.
    if (annotation.block || (quoted && !annotation.in_block_mapping)) && line.is_exact() {
        let at = line.source_range(start..start).start;
        diagnostic = diagnostic.with_fix(Fix::new(
            title,
            vec![Edit::insert(at, format!("{label}: "))],
        ));
    } else if !annotation.block && annotation.in_block_mapping {
        let key_line = cx.index.line_of(key.range.start);
        let key_col = key.range.start - cx.index.line_start(key_line);
        let indent = " ".repeat(key_col + 2);
        let value_text = value.as_scalar().unwrap_or(url).trim();
        diagnostic = diagnostic.with_fix(Fix::new(
            format!("Convert to a `|` block with the label `{label}:`"),
            vec![Edit::replace(
                value.range.clone(),
                format!(
                    "|{}{indent}{label}: {value_text}",
                    cx.line_ending_at(key.range.start)
                ),
            )],
        ));
    }
    out.diagnostics.push(diagnostic);
}

/// Turns URL findings into diagnostics at their place in the file.
fn emit_url(
    line: &ValueLine<'_>,
    url_start: usize,
    label: Option<Arc<str>>,
    report: UrlReport,
    out: &mut Output,
) {
    let shift = |r: &Range<usize>| url_start + r.start..url_start + r.end;
    for finding in report.findings {
        let mut diagnostic = Diagnostic::new(
            finding.code,
            line.source_range(shift(&finding.range)),
            finding.message,
        );
        if let (Some(fix), true) = (finding.fix, line.is_exact()) {
            let edits = fix
                .edits
                .iter()
                .map(|(r, t)| Edit::replace(line.source_range(shift(r)), t.clone()))
                .collect();
            diagnostic = diagnostic.with_fix(Fix::new(fix.title, edits));
        }
        out.diagnostics.push(diagnostic);
    }
    if let Some(parts) = report.parts {
        let url_len = line.text[url_start..]
            .find(char::is_whitespace)
            .unwrap_or(line.text.len() - url_start);
        out.refs.push(WorkspaceRef {
            range: line.source_range(url_start..url_start + url_len),
            label,
            key: WorkspaceKey {
                origin: parts.origin.into(),
                account: parts.account.into(),
                org: parts.org.into(),
                project: parts.project.into(),
                workspace: parts.workspace.into(),
            },
        });
    }
}
