//! `harness.io/project-url` and its `-qa`, `-stage`, `-stress` variants:
//! one URL, read by up to three plugins that disagree. The CI/CD plugin
//! reads them only when the entity has no `harness.io/pipelines` or
//! `harness.io/services`; Feature Flags and Chaos read only `project-url`,
//! Chaos (checked only when the entity is set up for it) needing
//! `.../experiments` at the end.

use super::readers::{CHAOS, CICD_OLD, FEATURE_FLAGS};
use super::url_reading::{Repair, UrlRules, repairs};
use super::value;
use super::{APPLICATION_MAP_TAGS, Annotations, PIPELINES, SERVICE_TAGS, SERVICES};
use crate::annotations::url_parts;
use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::Code;
use crate::yaml::Entry;

const SHAPE: &str =
    "https://app.harness.io/ng/account/<account>/<module>/orgs/<org>/projects/<project>/overview";
const CHAOS_SHAPE: &str =
    "https://app.harness.io/ng/account/<account>/chaos/orgs/<org>/projects/<project>/experiments";

/// `env` is `None` for `harness.io/project-url`, else the suffix.
pub fn check(
    cx: &Context<'_>,
    entry: &Entry,
    env: Option<&str>,
    annotations: &Annotations<'_>,
    out: &mut Output,
) {
    let code = Code::HarnessProjectUrl;
    let key = entry.key.as_scalar().unwrap_or("");
    let cicd = !annotations.has(PIPELINES) && !annotations.has(SERVICES);
    if env.is_some() && !cicd {
        // Nothing reads it: the CI/CD plugin uses the new annotations.
        return;
    }
    let Some(value) = value::read(cx, entry, code, "one Harness project URL", out) else {
        return;
    };
    let Some((line, start, url)) = value::single_url(cx, &value, code, out) else {
        return;
    };
    let mut readers = Vec::new();
    if cicd {
        readers.push(CICD_OLD);
    }
    let mut chaos = false;
    if env.is_none() {
        readers.push(FEATURE_FLAGS);
        chaos = annotations.has(SERVICE_TAGS)
            || annotations.has(APPLICATION_MAP_TAGS)
            || names_chaos(url);
        if chaos {
            readers.push(CHAOS);
        }
    }
    let repairs: &[Repair] = if chaos {
        &[
            repairs::drop_module_segment,
            repairs::experiments,
            repairs::trailing_slash,
        ]
    } else {
        &[repairs::drop_module_segment, repairs::trailing_slash]
    };
    let rules = UrlRules {
        family: code,
        key,
        shape: if chaos { CHAOS_SHAPE } else { SHAPE },
        readers,
        repairs,
    };
    value::emit(line, start, rules.check(url, cx.settings), out);
}

/// A URL into the Chaos module, or to its experiments page.
fn names_chaos(url: &str) -> bool {
    let Some(layout) = url_parts::layout(url) else {
        return false;
    };
    let segments = url_parts::segments(url, layout.path);
    segments.iter().any(|s| s.is("chaos")) || segments.last().is_some_and(|s| s.is("experiments"))
}
