//! Reading an annotation's value the way the plugins get it (a string),
//! and putting findings about characters inside it back at their place in
//! the file.

use std::ops::Range;

use crate::annotations::url_check::{Finding, UrlFix};
use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::text::Edit;
use crate::yaml::{Entry, NodeKind, ScalarStyle, ValueLine, scalar_lines};

/// A string annotation value and its lines.
pub struct Value<'a> {
    pub entry: &'a Entry,
    pub style: ScalarStyle,
    /// The string the plugin receives.
    pub text: &'a str,
    pub lines: Vec<ValueLine<'a>>,
}

impl<'a> Value<'a> {
    /// Lines the plugin does not skip (`line === ''` is skipped).
    pub fn content_lines(&self) -> impl Iterator<Item = &ValueLine<'a>> {
        self.lines.iter().filter(|l| !l.text.is_empty())
    }

    pub fn is_block(&self) -> bool {
        matches!(self.style, ScalarStyle::Literal | ScalarStyle::Folded)
    }
}

/// Where to report something about the value as a whole.
pub fn value_range(entry: &Entry) -> Range<usize> {
    if entry.value.range.is_empty() {
        entry.key.range.clone()
    } else {
        entry.value.range.clone()
    }
}

/// The value of `entry` if it is a non-empty string; otherwise reports why
/// the plugin cannot use it (`what` names the expected content).
pub fn read<'a>(
    cx: &Context<'a>,
    entry: &'a Entry,
    code: Code,
    what: &str,
    out: &mut Output,
) -> Option<Value<'a>> {
    let key = entry.key.as_scalar().unwrap_or("");
    let (text, style) = match &entry.value.kind {
        NodeKind::Scalar { value, style } if !entry.value.is_null() => (value.as_str(), *style),
        other => {
            let found = match other {
                NodeKind::Mapping { .. } => "a mapping",
                NodeKind::Sequence { .. } => "a list",
                NodeKind::Alias => "an alias",
                NodeKind::Scalar { .. } => "empty (null)",
            };
            out.diagnostics.push(Diagnostic::new(
                code,
                value_range(entry),
                format!(
                    "{key} must be text ({what}); this value is {found}, which Backstage rejects."
                ),
            ));
            return None;
        }
    };
    if text.trim().is_empty() {
        out.diagnostics.push(Diagnostic::new(
            code,
            value_range(entry),
            format!("{key} is empty, so the plugin treats it as missing. Write {what}."),
        ));
        return None;
    }
    Some(Value {
        entry,
        style,
        text,
        lines: scalar_lines(cx.text, &entry.value, cx.index),
    })
}

/// The `|` or `>` (with its chomping and indent indicators) heading a
/// block scalar value.
pub fn block_header(cx: &Context<'_>, entry: &Entry) -> Option<Range<usize>> {
    let between = cx.text.get(entry.key.range.end..entry.value.range.start)?;
    let at = between.find(['|', '>'])?;
    let start = entry.key.range.end + at;
    let len = cx.text[start + 1..]
        .find(|c: char| !matches!(c, '+' | '-' | '1'..='9'))
        .unwrap_or(0);
    Some(start..start + 1 + len)
}

/// Reports a folded (`>`) value of several lines: folding joins them into
/// one, so a `label: value` per line is lost. The fix makes it `|`.
pub fn folded(cx: &Context<'_>, value: &Value<'_>, code: Code, out: &mut Output) -> bool {
    if value.style != ScalarStyle::Folded || value.content_lines().count() < 2 {
        return false;
    }
    let Some(header) = block_header(cx, value.entry) else {
        return false;
    };
    let indicator = header.start..header.start + 1;
    out.diagnostics.push(
        Diagnostic::new(
            code,
            indicator.clone(),
            "A folded block (`>`) joins these lines into one, so the plugin sees a single garbled entry. \
             Use a literal block (`|`) to keep one entry per line.",
        )
        .with_fix(Fix::new("Use a literal block (|)", vec![Edit::replace(indicator, "|")])),
    );
    true
}

/// Puts findings about `line.text[offset..]` at their place in the file.
pub fn emit(line: &ValueLine<'_>, offset: usize, findings: Vec<Finding>, out: &mut Output) {
    let shift = |r: &Range<usize>| offset + r.start..offset + r.end;
    for finding in findings {
        let mut diagnostic = Diagnostic::new(
            finding.code,
            line.source_range(shift(&finding.range)),
            finding.message,
        );
        if let (Some(UrlFix { title, edits }), true) = (finding.fix, line.is_exact()) {
            let edits = edits
                .iter()
                .map(|(r, t)| Edit::replace(line.source_range(shift(r)), t.clone()))
                .collect();
            diagnostic = diagnostic.with_fix(Fix::new(title, edits));
        }
        out.diagnostics.push(diagnostic);
    }
}

/// A finding with no repair.
pub fn finding(code: Code, range: Range<usize>, message: impl Into<String>) -> Finding {
    Finding {
        code,
        range,
        message: message.into(),
        fix: None,
    }
}

/// A finding with a repair (edits relative to the same text).
pub fn fixable(
    code: Code,
    range: Range<usize>,
    message: impl Into<String>,
    title: impl Into<String>,
    edits: Vec<(Range<usize>, String)>,
) -> Finding {
    Finding {
        code,
        range,
        message: message.into(),
        fix: Some(UrlFix {
            title: title.into(),
            edits,
        }),
    }
}

/// The one URL of a single-URL annotation (`project-url`,
/// `perspective-url`): its line, where the URL starts in it, and the URL.
/// Reports values the plugins cannot match whatever the URL: several lines,
/// and a block that ends in a line break.
pub fn single_url<'v, 'a>(
    cx: &Context<'_>,
    value: &'v Value<'a>,
    code: Code,
    out: &mut Output,
) -> Option<(&'v ValueLine<'a>, usize, &'a str)> {
    let key = value.entry.key.as_scalar().unwrap_or("");
    let lines: Vec<&ValueLine<'a>> = value.content_lines().collect();
    let [line] = lines[..] else {
        let labelled = lines.iter().filter(|l| l.text.contains(": http")).count() > 1;
        let hint = if labelled {
            " Lines of `label: URL` are the form of harness.io/pipelines, harness.io/services and \
             harness.io/workspace-url, not of this annotation."
        } else {
            ""
        };
        out.diagnostics.push(Diagnostic::new(
            code,
            value_range(value.entry),
            format!(
                "{key} holds one URL; this value has {} lines, which the plugins' URL patterns cannot match.{hint}",
                lines.len()
            ),
        ));
        return None;
    };
    if value.is_block()
        && value.text.ends_with('\n')
        && let Some(header) = block_header(cx, value.entry)
    {
        let indicator = &cx.text[header.start..header.start + 1];
        out.diagnostics.push(
            Diagnostic::new(
                code,
                header.clone(),
                format!(
                    "A `{indicator}` block ends the value with a line break, and the plugins' URL patterns do not \
                     match across it. Use `{indicator}-`, or put the URL on the key's line."
                ),
            )
            .with_fix(Fix::new(
                format!("Use {indicator}- (no final line break)"),
                vec![Edit::replace(header, format!("{indicator}-"))],
            )),
        );
    }
    let text = line.text;
    let start = text.len() - text.trim_start().len();
    Some((line, start, text.trim()))
}

/// A fix that puts `label: ` before a bare URL: in front of the line inside
/// a `|` block or quotes, or by turning a plain value into a `|` block.
pub fn label_fix(
    cx: &Context<'_>,
    value: &Value<'_>,
    line: &ValueLine<'_>,
    start: usize,
    label: &str,
    in_block_mapping: bool,
) -> Option<Fix> {
    let entry = value.entry;
    let quoted = matches!(
        value.style,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
    );
    if (value.is_block() || (quoted && !in_block_mapping)) && line.is_exact() {
        let at = line.source_range(start..start).start;
        return Some(Fix::new(
            format!("Add the label `{label}:`"),
            vec![Edit::insert(at, format!("{label}: "))],
        ));
    }
    if value.is_block() || !in_block_mapping {
        return None;
    }
    let key_line = cx.index.line_of(entry.key.range.start);
    let key_col = entry.key.range.start - cx.index.line_start(key_line);
    let indent = " ".repeat(key_col + 2);
    Some(Fix::new(
        format!("Convert to a `|` block with the label `{label}:`"),
        vec![Edit::replace(
            entry.value.range.clone(),
            format!(
                "|{}{indent}{label}: {}",
                cx.line_ending(),
                value.text.trim()
            ),
        )],
    ))
}
