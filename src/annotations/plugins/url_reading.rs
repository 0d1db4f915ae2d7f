//! One URL checked against every plugin that reads it. Each plugin is a
//! `Reader` (its exact path-to-regexp pattern); the URL is fine when every
//! reader gets its ids, broken (`family` code) when none does, and a
//! `harness-plugin-mismatch` when the plugins disagree. A repair is
//! offered only when it makes every reader accept the URL.

use std::ops::Range;

use super::path_pattern::{MAX_INPUT, Match};
use super::value::{finding, fixable};
use crate::annotations::url_check::Finding;
use crate::annotations::url_parts::{self, is_account_id, is_identifier};
use crate::diagnostic::Code;
use crate::settings::Settings;

/// A plugin reading the URL.
pub struct Reader {
    /// e.g. "CI/CD plugin".
    pub plugin: &'static str,
    /// What the plugin does with a URL it cannot read.
    pub effect: &'static str,
    /// The plugin's parse: the ids it reads, or `None`.
    pub read: fn(&str) -> Option<Match>,
}

/// A candidate repair: the repaired URL and what to call it.
pub type Repair = fn(&str) -> Option<(&'static str, String)>;

pub struct UrlRules<'a> {
    pub family: Code,
    /// The annotation key, for messages.
    pub key: &'a str,
    /// An example of a URL every reader accepts.
    pub shape: &'a str,
    pub readers: Vec<Reader>,
    pub repairs: &'a [Repair],
}

/// Named parameters worth checking as Harness identifiers, with what each is.
const IDS: &[(&str, &str)] = &[
    ("accountId", "account"),
    ("orgId", "organization"),
    ("projectId", "project"),
    ("pipelineId", "pipeline"),
    ("serviceId", "service"),
    ("perspectiveId", "perspective"),
];

impl UrlRules<'_> {
    /// Findings about `url` (ranges relative to it).
    pub fn check(&self, url: &str, settings: &Settings) -> Vec<Finding> {
        let mut out = Vec::new();
        if url.len() > MAX_INPUT {
            return out;
        }
        if !self.precheck(url, settings, &mut out) {
            return out;
        }
        let verdicts: Vec<Option<Match>> = self.readers.iter().map(|r| (r.read)(url)).collect();
        if verdicts.iter().all(Option::is_some) {
            self.check_ids(url, &verdicts, &mut out);
            return out;
        }
        let failing: Vec<&Reader> = self
            .readers
            .iter()
            .zip(&verdicts)
            .filter(|(_, v)| v.is_none())
            .map(|(r, _)| r)
            .collect();
        let reading: Vec<&str> = self
            .readers
            .iter()
            .zip(&verdicts)
            .filter(|(_, v)| v.is_some())
            .map(|(r, _)| r.plugin)
            .collect();
        let broken = failing
            .iter()
            .map(|r| format!("the {} {}", r.plugin, r.effect))
            .collect::<Vec<_>>()
            .join(", and ");
        let whole = 0..url.len();
        let (code, message) = if reading.is_empty() {
            (
                self.family,
                format!(
                    "{}. It expects a URL like {}.",
                    capitalize(&broken),
                    self.shape
                ),
            )
        } else {
            (
                Code::HarnessPluginMismatch,
                format!(
                    "The {} reads this URL, but {broken}. A URL like {} works for every plugin that reads {}.",
                    reading.join(" and the "),
                    self.shape,
                    self.key
                ),
            )
        };
        match self.repair(url) {
            Some((title, fixed)) => {
                let (range, text) = diff(url, &fixed);
                out.push(fixable(code, whole, message, title, vec![(range, text)]));
            }
            None => out.push(finding(code, whole, message)),
        }
        out
    }

    /// Placeholder, absolute URL, scheme and host. `false` when the URL
    /// cannot be read further.
    fn precheck(&self, url: &str, settings: &Settings, out: &mut Vec<Finding>) -> bool {
        let placeholders = url_parts::placeholders(url);
        if !placeholders.is_empty() {
            for range in placeholders {
                let p = &url[range.clone()];
                out.push(finding(
                    Code::HarnessPlaceholder,
                    range,
                    format!(
                        "`{p}` is a placeholder: replace it with the real URL from Harness, like {}.",
                        self.shape
                    ),
                ));
            }
            return false;
        }
        let crash = self
            .readers
            .iter()
            .map(|r| format!("the {}", r.plugin))
            .collect::<Vec<_>>()
            .join(" and ");
        let layout = url_parts::layout(url).filter(|_| url::Url::parse(url).is_ok());
        let Some(layout) = layout else {
            let message = format!(
                "This is not an absolute URL, so {crash} crash{} with \"Invalid URL\". Write the full https:// URL, like {}.",
                if self.readers.len() == 1 { "es" } else { "" },
                self.shape
            );
            let looks_like_harness =
                url.to_ascii_lowercase().contains("/account/") && !url.contains("://");
            if looks_like_harness {
                let prefix = if url.starts_with("//") {
                    "https:"
                } else {
                    "https://"
                };
                out.push(fixable(
                    self.family,
                    0..url.len(),
                    message,
                    "Add https://",
                    vec![(0..0, prefix.to_string())],
                ));
            } else {
                out.push(finding(self.family, 0..url.len(), message));
            }
            return false;
        };
        let scheme = &url[layout.scheme.clone()];
        if scheme.eq_ignore_ascii_case("http") {
            out.push(fixable(
                Code::HarnessUrlInsecure,
                layout.scheme.clone(),
                "Harness serves its pages over https; links the plugin builds from this URL would use http.",
                "Use https",
                vec![(layout.scheme.clone(), "https".into())],
            ));
        } else if !scheme.eq_ignore_ascii_case("https") {
            out.push(finding(
                self.family,
                layout.scheme.clone(),
                format!(
                    "{} needs an https:// URL to Harness; this one uses `{scheme}:`.",
                    self.key
                ),
            ));
            return false;
        }
        let host = &url[layout.host.clone()];
        let bare = host
            .rsplit_once(':')
            .map_or(host, |(h, _)| h)
            .to_ascii_lowercase();
        if !(bare == "harness.io"
            || bare.ends_with(".harness.io")
            || settings.is_harness_host(host))
        {
            out.push(finding(
                Code::HarnessUrlHost,
                layout.host.clone(),
                format!(
                    "`{host}` is not a Harness host. For a self-managed Harness, add it to the `iacm.hosts` setting \
                     (or pass `--host {host}` to `iacm-lsp check`); otherwise copy the URL from app.harness.io."
                ),
            ));
        }
        true
    }

    /// Every reader read the URL: are the ids it read real identifiers?
    fn check_ids(&self, url: &str, verdicts: &[Option<Match>], out: &mut Vec<Finding>) {
        let mut seen: Vec<Range<usize>> = Vec::new();
        for (reader, verdict) in self.readers.iter().zip(verdicts) {
            let Some(m) = verdict else { continue };
            if let Some(range) = m.bad_escape.clone().filter(|r| !seen.contains(r)) {
                seen.push(range.clone());
                out.push(finding(
                    self.family,
                    range,
                    format!(
                        "This part has a `%` that is not a valid escape: the {} throws \"URIError: URI malformed\" \
                         when decoding it. Write `%25` for a literal `%`.",
                        reader.plugin
                    ),
                ));
                continue;
            }
            for &(name, what) in IDS {
                let Some(range) = m.get(name).filter(|r| !seen.contains(r)) else {
                    continue;
                };
                seen.push(range.clone());
                let raw = &url[range.clone()];
                let id = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
                let valid = if name == "accountId" {
                    is_account_id(&id)
                } else {
                    is_identifier(&id)
                };
                if valid {
                    continue;
                }
                let message = format!(
                    "The {} reads `{id}` as the {what} id, which is not a Harness identifier, so it will find no \
                     such {what}.",
                    reader.plugin
                );
                match raw.find(char::is_whitespace) {
                    // Text after a space, such as a trailing ` |`, ends up in the id.
                    Some(ws) if range.end == url.len() || url[range.end..].trim().is_empty() => {
                        let cut = range.start + ws;
                        out.push(fixable(
                            self.family,
                            range,
                            message,
                            "Remove the text after the URL",
                            vec![(cut..url.len(), String::new())],
                        ));
                    }
                    _ => out.push(finding(self.family, range, message)),
                }
            }
        }
    }

    /// The first repair, alone or followed by a second, that every reader
    /// accepts.
    fn repair(&self, url: &str) -> Option<(String, String)> {
        let accepted = |u: &str| self.readers.iter().all(|r| (r.read)(u).is_some());
        for first in self.repairs {
            let Some((t1, u1)) = first(url) else { continue };
            if accepted(&u1) {
                return Some((t1.to_string(), u1));
            }
            for second in self.repairs {
                if let Some((t2, u2)) = second(&u1)
                    && accepted(&u2)
                {
                    return Some((format!("{t1}; {}", lowercase_first(t2)), u2));
                }
            }
        }
        None
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The one replacement that turns `old` into `new`.
fn diff(old: &str, new: &str) -> (Range<usize>, String) {
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((i, _), _)| i);
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let suffix = old[prefix..]
        .chars()
        .rev()
        .zip(new[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .scan(0, |sum, n| {
            *sum += n;
            Some(*sum)
        })
        .take_while(|&s| s <= max_suffix)
        .last()
        .unwrap_or(0);
    (
        prefix..old.len() - suffix,
        new[prefix..new.len() - suffix].to_string(),
    )
}

/// Repairs shared by the URL annotations. Each returns the repaired URL.
pub mod repairs {
    use crate::annotations::url_parts::{self, Segment};

    fn path_segments(url: &str) -> Option<(Vec<Segment<'_>>, std::ops::Range<usize>)> {
        let layout = url_parts::layout(url)?;
        Some((url_parts::segments(url, layout.path.clone()), layout.path))
    }

    /// `.../pipelines/<id>` -> `.../pipelines/<id>/pipeline-studio/`.
    pub fn pipeline_studio(url: &str) -> Option<(&'static str, String)> {
        let (segs, path) = path_segments(url)?;
        let last = segs.iter().rposition(|s| !s.text.is_empty())?;
        (last >= 1 && segs[last - 1].is("pipelines")).then_some(())?;
        let at = segs[last].range.end;
        let insert = if url[at..path.end].starts_with('/') {
            "/pipeline-studio"
        } else {
            "/pipeline-studio/"
        };
        Some((
            "Add /pipeline-studio/ after the pipeline id",
            format!("{}{insert}{}", &url[..at], &url[at..]),
        ))
    }

    /// Drops `?query` / `#fragment`.
    pub fn drop_query(url: &str) -> Option<(&'static str, String)> {
        let query = url_parts::layout(url)?.query?;
        Some(("Remove the query", url[..query.start].to_string()))
    }

    /// `.../services/<id>/more` -> `.../services/<id>`.
    pub fn end_at_service(url: &str) -> Option<(&'static str, String)> {
        let (segs, path) = path_segments(url)?;
        let i = segs.iter().rposition(|s| s.is("services"))?;
        let id = segs.get(i + 1).filter(|s| !s.text.is_empty())?;
        (id.range.end < path.end).then_some(())?;
        Some((
            "End the URL at the service id",
            format!("{}{}", &url[..id.range.end], &url[path.end..]),
        ))
    }

    /// `/account/<a>/module/<m>/orgs/` -> `/account/<a>/<m>/orgs/`: the
    /// one-segment module form the older patterns read.
    pub fn drop_module_segment(url: &str) -> Option<(&'static str, String)> {
        let (segs, _) = path_segments(url)?;
        let i = segs.iter().position(|s| s.is("account"))?;
        let module = segs.get(i + 2).filter(|s| s.is("module"))?;
        segs.get(i + 3).filter(|s| !s.text.is_empty())?;
        Some((
            "Use the URL form without module/",
            format!(
                "{}{}",
                &url[..module.range.start],
                &url[module.range.end + 1..]
            ),
        ))
    }

    /// Adds a `/` after the last path segment.
    pub fn trailing_slash(url: &str) -> Option<(&'static str, String)> {
        let layout = url_parts::layout(url)?;
        let path = &url[layout.path.clone()];
        (!path.is_empty() && !path.ends_with('/')).then_some(())?;
        let at = layout.path.end;
        Some(("Add a trailing /", format!("{}/{}", &url[..at], &url[at..])))
    }

    /// `.../projects/<p>/anything` -> `.../projects/<p>/experiments`.
    pub fn experiments(url: &str) -> Option<(&'static str, String)> {
        let (segs, path) = path_segments(url)?;
        let i = segs.iter().rposition(|s| s.is("projects"))?;
        let id = segs.get(i + 1).filter(|s| !s.text.is_empty())?;
        Some((
            "End the URL in /experiments",
            format!("{}/experiments{}", &url[..id.range.end], &url[path.end..]),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::diff;

    #[test]
    fn diff_is_one_minimal_replacement() {
        assert_eq!(diff("abc", "abXc"), (2..2, "X".into()));
        assert_eq!(diff("a/b/", "a/b/c/"), (4..4, "c/".into()));
        assert_eq!(diff("aXXb", "ab"), (1..3, String::new()));
        assert_eq!(diff("ü/x", "ü/x/"), (4..4, "/".into()));
        assert_eq!(diff("same", "same"), (4..4, String::new()));
    }
}
