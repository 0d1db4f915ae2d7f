//! `harness.io/pipelines` (CI/CD plugin) and `harness.io/services` (CI/CD
//! and SRM plugins): `label: URL` lines, each URL read by the plugin's
//! patterns. Any line can be picked in the plugin's dropdown, so every line
//! must be readable.

use super::label_lines::{self, LabelLine};
use super::readers::{CICD, SRM};
use super::url_reading::{Repair, UrlRules, repairs};
use super::value::{self, Value};
use super::{Annotations, PIPELINES};
use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::{Code, Diagnostic};
use crate::yaml::Entry;

const PIPELINE_SHAPE: &str = "https://app.harness.io/ng/account/<account>/module/<module>/orgs/<org>/projects/<project>/pipelines/<pipeline>/pipeline-studio/";
const SERVICE_SHAPE: &str = "https://app.harness.io/ng/account/<account>/cd/orgs/<org>/projects/<project>/services/<service>";

pub fn check(cx: &Context<'_>, entry: &Entry, annotations: &Annotations<'_>, out: &mut Output) {
    let key = entry.key.as_scalar().unwrap_or("");
    let pipelines = key == PIPELINES;
    let (code, plugin, word) = if pipelines {
        (Code::HarnessPipelineUrl, "CI/CD plugin", "Pipeline")
    } else {
        (Code::HarnessServiceUrl, "CI/CD and SRM plugins", "Service")
    };
    let Some(value) = value::read(cx, entry, code, "`label: URL` lines in a `|` block", out) else {
        return;
    };
    if value::folded(cx, &value, code, out) {
        return;
    }
    let rules = if pipelines {
        UrlRules {
            family: code,
            key,
            shape: PIPELINE_SHAPE,
            readers: vec![CICD],
            repairs: &[repairs::pipeline_studio as Repair],
        }
    } else {
        UrlRules {
            family: code,
            key,
            shape: SERVICE_SHAPE,
            readers: vec![CICD, SRM],
            repairs: &[
                repairs::end_at_service as Repair,
                repairs::drop_query,
                repairs::drop_module_segment,
            ],
        }
    };
    for line in label_lines::read(cx, &value, code, plugin, out) {
        check_line(cx, &value, &line, &rules, (plugin, word), annotations, out);
    }
}

fn check_line(
    cx: &Context<'_>,
    value: &Value<'_>,
    l: &LabelLine<'_, '_>,
    rules: &UrlRules<'_>,
    (plugin, word): (&str, &str),
    annotations: &Annotations<'_>,
    out: &mut Output,
) {
    let code = rules.family;
    let bare = (l.label.eq_ignore_ascii_case("https") || l.label.eq_ignore_ascii_case("http"))
        && l.value.starts_with("//");
    if bare {
        let start = l.label_range.start;
        let url = l.line.text[start..].trim_end();
        let mut diagnostic = Diagnostic::new(
            code,
            l.line.source_range(start..start + url.len()),
            format!(
                "{} reads `label: URL` lines; this bare URL splits at `https:` and the {plugin} crashes with \
                 \"Invalid URL\". Put a label before it.",
                rules.key
            ),
        );
        if let Some(fix) = value::label_fix(cx, value, l.line, start, word, annotations.block) {
            diagnostic = diagnostic.with_fix(fix);
        }
        out.diagnostics.push(diagnostic);
        value::emit(l.line, start, rules.check(url, cx.settings), out);
        return;
    }
    let message = if l.colon.is_none() {
        format!(
            "Each line must be `label: URL`; this one has no `:`, so the {plugin} reads no URL from it."
        )
    } else if l.label.is_empty() {
        format!(
            "This line has no label before `:`. Write `<label>: <URL>`; the label names the entry in the {plugin}'s dropdown."
        )
    } else if l.value.is_empty() {
        format!(
            "`{}:` has no URL after it, so the {plugin} crashes with \"Invalid URL\" when it is picked. Add the URL, or remove the line.",
            l.label
        )
    } else {
        value::emit(
            l.line,
            l.value_start,
            rules.check(l.value, cx.settings),
            out,
        );
        return;
    };
    let range = match (l.colon, l.label.is_empty()) {
        (Some(c), true) => l.line.source_range(c..c + 1),
        (Some(_), false) => l.line.source_range(l.label_range.clone()),
        (None, _) => l.whole(),
    };
    out.diagnostics.push(Diagnostic::new(code, range, message));
}
