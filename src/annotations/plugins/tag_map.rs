//! `harness.io/service-tags` and `harness.io/application-map-tags` (Chaos
//! plugin, V2 table): `name: tag` lines. The plugin lists the names of
//! service-tags, and filters experiments by the tag of the selected
//! application map (the first by default). It shows them only with
//! `harness.io/project-url`, and its V2 table crashes without an
//! application map.

use super::label_lines;
use super::value;
use super::{APPLICATION_MAP_TAGS, Annotations, PROJECT_URL, SERVICE_TAGS};
use crate::annotations::url_parts;
use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::{Code, Diagnostic};
use crate::yaml::Entry;

const PLUGIN: &str = "Chaos plugin";

pub fn check(cx: &Context<'_>, entry: &Entry, annotations: &Annotations<'_>, out: &mut Output) {
    let code = Code::HarnessTagMap;
    let key = entry.key.as_scalar().unwrap_or("");
    let app_maps = key == APPLICATION_MAP_TAGS;
    if !annotations.has(PROJECT_URL) {
        out.diagnostics.push(Diagnostic::new(
            code,
            entry.key.range.clone(),
            format!(
                "The {PLUGIN} reads {key} only together with harness.io/project-url; without it the Chaos tab says \
                 the annotation is missing. Add harness.io/project-url (the project's .../experiments URL)."
            ),
        ));
    } else if !app_maps && !annotations.has(APPLICATION_MAP_TAGS) {
        out.diagnostics.push(Diagnostic::new(
            code,
            entry.key.range.clone(),
            format!(
                "With {SERVICE_TAGS} but no {APPLICATION_MAP_TAGS}, the Chaos tab crashes: it selects the first \
                 application map and there is none. Add {APPLICATION_MAP_TAGS} (`<application map>: <tag>` lines)."
            ),
        ));
    }
    let Some(value) = value::read(cx, entry, code, "`name: tag` lines in a `|` block", out) else {
        return;
    };
    if value::folded(cx, &value, code, out) {
        return;
    }
    for l in label_lines::read(cx, &value, code, PLUGIN, out) {
        let placeholders = url_parts::placeholders(l.line.text);
        if !placeholders.is_empty() {
            for range in placeholders {
                out.diagnostics.push(Diagnostic::new(
                    Code::HarnessPlaceholder,
                    l.line.source_range(range.clone()),
                    format!(
                        "`{}` is a placeholder: write the real {} name and tag from Harness Chaos.",
                        &l.line.text[range],
                        if app_maps {
                            "application map"
                        } else {
                            "service"
                        }
                    ),
                ));
            }
            continue;
        }
        let problem = if l.label.is_empty() && l.colon.is_some() {
            Some(
                "This line has no name before `:`; the Chaos tab would list an entry with no name."
                    .to_string(),
            )
        } else if app_maps && l.colon.is_none() {
            Some(format!(
                "Each line must be `<application map>: <tag>`; this one has no `:`, so the {PLUGIN} filters \
                 experiments by an empty tag."
            ))
        } else if app_maps && l.value.is_empty() {
            Some(format!(
                "`{}:` has no tag after it, so the {PLUGIN} filters experiments by an empty tag. Add the tag.",
                l.label
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            let range = match l.colon {
                Some(c) if l.label.is_empty() => l.line.source_range(c..c + 1),
                Some(_) => l.line.source_range(l.label_range.clone()),
                None => l.whole(),
            };
            out.diagnostics.push(Diagnostic::new(code, range, message));
        }
    }
}
