//! `convertStringToObject`, the `label: value` line reader the CI/CD, SRM,
//! Chaos (and IaCM) plugins share: split at `\n`, skip lines that are
//! exactly empty, label = text before the first `:` (trimmed), value = the
//! rest (trimmed); a later label overwrites an earlier one.

use std::collections::HashMap;
use std::ops::Range;

use super::value::Value;
use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::{Code, Diagnostic};
use crate::yaml::ValueLine;

/// One `label: value` line, ranges into `line.text`.
pub struct LabelLine<'l, 'a> {
    pub line: &'l ValueLine<'a>,
    pub label: &'a str,
    pub label_range: Range<usize>,
    /// `None` when the line has no `:` (the plugin reads value `''`).
    pub colon: Option<usize>,
    pub value: &'a str,
    pub value_start: usize,
}

impl LabelLine<'_, '_> {
    /// The whole trimmed line, as a source range.
    pub fn whole(&self) -> Range<usize> {
        let text = self.line.text;
        let start = text.len() - text.trim_start().len();
        self.line.source_range(start..text.trim_end().len())
    }
}

/// Splits the value into label lines. Lines the plugin reads as junk
/// entries (only spaces, a `#` comment inside a block) are reported with
/// `code`; a repeated label gets `harness-duplicate-label`.
pub fn read<'l, 'a>(
    cx: &Context<'_>,
    value: &'l Value<'a>,
    code: Code,
    plugin: &str,
    out: &mut Output,
) -> Vec<LabelLine<'l, 'a>> {
    let mut seen: HashMap<&str, Range<usize>> = HashMap::new();
    let mut lines = Vec::new();
    for line in value.content_lines() {
        let text = line.text;
        let trimmed = text.trim();
        let start = text.len() - text.trim_start().len();
        if trimmed.is_empty() {
            out.diagnostics.push(Diagnostic::new(
                code,
                line.source_range(0..text.len()),
                format!("This line holds only spaces; the {plugin} reads it as an entry with an empty label. Remove the spaces."),
            ));
            continue;
        }
        if value.is_block() && trimmed.starts_with('#') {
            out.diagnostics.push(Diagnostic::new(
                code,
                line.source_range(start..start + trimmed.len()),
                format!(
                    "`#` does not start a comment inside a `|` block: the {plugin} reads this line as an entry. \
                     Move the comment above the annotation."
                ),
            ));
            continue;
        }
        let colon = text.find(':');
        let label_end = colon.unwrap_or(text.len());
        let label = text[..label_end].trim();
        let label_start = start.min(label_end);
        let label_range = label_start..label_start + label.len();
        let (value_start, value_text) = match colon {
            Some(c) => {
                let after = &text[c + 1..];
                let lead = after.len() - after.trim_start().len();
                (c + 1 + lead, after.trim())
            }
            None => (text.len(), ""),
        };
        let parsed = LabelLine {
            line,
            label,
            label_range,
            colon,
            value: value_text,
            value_start,
        };
        let at = line.source_range(parsed.label_range.clone());
        if !label.is_empty()
            && let Some(first) = seen.insert(label, at.clone())
        {
            let first_line = cx.index.line_col(first.start).line;
            out.diagnostics.push(Diagnostic::new(
                Code::HarnessDuplicateLabel,
                at,
                format!(
                    "The label `{label}` is already used on line {first_line}; the {plugin} silently keeps only \
                     this later line. Give each entry its own label."
                ),
            ));
        }
        lines.push(parsed);
    }
    lines
}
