//! `harness-annotation-unknown`: a `harness.io/` key no plugin reads that
//! is a near miss of one that a plugin reads (wrong case, `_` for `-`, a
//! letter or two off), or an old name a plugin no longer reads. Near
//! misses of `harness.io/workspace-url` are `annotation-key-typo`'s.

use super::{Annotations, KNOWN_KEYS};
use crate::annotations::workspace_url::Context;
use crate::catalog::key_typo;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::text::Edit;
use crate::yaml::{Entry, NodeKind, ScalarStyle};

/// Keys that were read once, or are often guessed, and what reads the
/// value now. `rename` when the value can stay as it is.
const RETIRED: &[(&str, &str, bool, &str)] = &[
    (
        "harness.io/network-map-tags",
        "harness.io/application-map-tags",
        true,
        "the Chaos plugin renamed it in August 2024",
    ),
    (
        "harness.io/pipeline-url",
        "harness.io/pipelines",
        false,
        "the CI/CD plugin reads `label: URL` lines under harness.io/pipelines",
    ),
    (
        "harness.io/serviceid",
        "harness.io/cd-serviceId",
        true,
        "the CI/CD plugin reads the service id from harness.io/cd-serviceId",
    ),
];

pub fn check(
    cx: &Context<'_>,
    entry: &Entry,
    key: &str,
    annotations: &Annotations<'_>,
) -> Option<Diagnostic> {
    let lower = key.trim().to_ascii_lowercase();
    if !lower.contains("harness") || key_typo::is_typo(key) {
        return None;
    }
    let normalized = lower.replace('_', "-");
    let (target, rename, why) = if let Some(&(_, to, rename, why)) =
        RETIRED.iter().find(|(from, ..)| *from == normalized)
    {
        (to, rename, why.to_string())
    } else if let Some(base) = normalized
        .strip_suffix("-prod")
        .and_then(|b| KNOWN_KEYS.iter().find(|k| k.eq_ignore_ascii_case(b)))
    {
        (
            *base,
            true,
            "the CI/CD plugin reads production from the key without a suffix".to_string(),
        )
    } else {
        let near = KNOWN_KEYS.iter().find(|k| {
            let k = k.to_ascii_lowercase();
            k == normalized
                || (k.len().abs_diff(normalized.len()) <= 2
                    && strsim::levenshtein(&k, &normalized) <= 2)
        })?;
        (
            *near,
            true,
            "plugins read annotation keys exactly, case included".to_string(),
        )
    };
    let mut diagnostic = Diagnostic::new(
        Code::HarnessAnnotationUnknown,
        entry.key.range.clone(),
        format!("No Harness plugin reads `{key}`: did you mean `{target}`? ({why})."),
    );
    // The entry itself counts once when only its case or `_` differ.
    let own = usize::from(normalized == target.to_ascii_lowercase());
    if rename
        && annotations.keys_like(target) == own
        && let Some(range) = key_text_range(cx, entry, key)
    {
        diagnostic = diagnostic.with_fix(Fix::new(
            format!("Rename to {target}"),
            vec![Edit::replace(range, target)],
        ));
    }
    Some(diagnostic)
}

/// The key's characters in the source, when they are exactly the key.
fn key_text_range(cx: &Context<'_>, entry: &Entry, key: &str) -> Option<std::ops::Range<usize>> {
    let range = entry.key.range.clone();
    match &entry.key.kind {
        NodeKind::Scalar {
            style: ScalarStyle::Plain,
            ..
        } if cx.text.get(range.clone()) == Some(key) => Some(range),
        NodeKind::Scalar {
            style: ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted,
            ..
        } if cx.text.get(range.start + 1..range.end - 1) == Some(key) => {
            Some(range.start + 1..range.end - 1)
        }
        _ => None,
    }
}
