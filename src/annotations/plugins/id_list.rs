//! `harness.io/ci-pipelineIds`, `harness.io/cd-serviceId` and
//! `harness.io/projects` (each also with `-qa`, `-stage`, `-stress`): the
//! CI/CD plugin's old annotations, comma-separated ids that it splits at
//! `,` and trims. It reads every pipeline id (skipping empty ones), only
//! the first service id, and every project (the first by default).

use std::ops::Range;

use super::value;
use crate::annotations::url_parts::{self, is_identifier};
use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::{Code, Diagnostic};
use crate::yaml::Entry;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum List {
    Pipelines,
    Service,
    Projects,
}

impl List {
    fn what(self) -> &'static str {
        match self {
            List::Pipelines => "pipeline",
            List::Service => "service",
            List::Projects => "project",
        }
    }
}

pub fn check(cx: &Context<'_>, entry: &Entry, list: List, out: &mut Output) {
    let code = Code::HarnessIdList;
    let what = list.what();
    let key = entry.key.as_scalar().unwrap_or("");
    let Some(value) = value::read(cx, entry, code, &format!("comma-separated {what} ids"), out)
    else {
        return;
    };
    // Items with their source ranges, in order.
    let mut items: Vec<(&str, Range<usize>)> = Vec::new();
    for line in value.content_lines() {
        let placeholders = url_parts::placeholders(line.text);
        if !placeholders.is_empty() {
            for range in placeholders {
                out.diagnostics.push(Diagnostic::new(
                    Code::HarnessPlaceholder,
                    line.source_range(range.clone()),
                    format!(
                        "`{}` is a placeholder: replace it with the {what} id(s) from Harness, separated by commas.",
                        &line.text[range]
                    ),
                ));
            }
            return;
        }
        let mut offset = 0;
        for part in line.text.split(',') {
            let lead = part.len() - part.trim_start().len();
            let item = part.trim();
            let start = offset + lead;
            let range = if !item.is_empty() {
                start..start + item.len()
            } else if offset + part.len() < line.text.len() {
                // An empty id: point at the comma that ends it.
                offset + part.len()..offset + part.len() + 1
            } else {
                offset.saturating_sub(1)..offset
            };
            items.push((item, line.source_range(range)));
            offset += part.len() + 1;
        }
    }
    let read: Vec<&(&str, Range<usize>)> = match list {
        // Only the first service id is used.
        List::Service => items.iter().take(1).collect(),
        // Empty pipeline ids are skipped.
        List::Pipelines => items.iter().filter(|(i, _)| !i.is_empty()).collect(),
        List::Projects => items.iter().collect(),
    };
    for (i, (item, range)) in read.into_iter().enumerate() {
        let message = if item.is_empty() {
            if list == List::Projects && i > 0 {
                format!(
                    "An empty {what} id: the CI/CD plugin lists it as a project named \"\". Remove the extra comma."
                )
            } else {
                format!(
                    "{key} starts with an empty {what} id, which the CI/CD plugin uses as the {what} to show. Remove the comma."
                )
            }
        } else if is_identifier(item) {
            continue;
        } else if item.contains("://") {
            format!(
                "{key} takes {what} ids, not URLs: the CI/CD plugin looks for a {what} with this id and finds none. Write the id from the URL."
            )
        } else {
            format!(
                "`{item}` is not a Harness {what} identifier (a letter or `_`, then letters, digits, `_` or `$`; no \
                 spaces or `-`), so the CI/CD plugin finds no such {what}. Use the identifier, not the name."
            )
        };
        let range = if range.is_empty() {
            value::value_range(entry)
        } else {
            range.clone()
        };
        out.diagnostics.push(Diagnostic::new(code, range, message));
    }
}
