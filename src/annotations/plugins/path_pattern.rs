//! The subset of path-to-regexp 6.2.2 the Harness plugins use, matched the
//! way `match(pattern, { decode: decodeURIComponent })` matches: `:name` is
//! `[^/#?]+?`, `(.*)` is `.*` (no line breaks), a `/` before either belongs
//! to it, `?` after one makes it optional, literals compare ignoring ASCII
//! case, and one trailing `/`, `#` or `?` may end the input
//! (`sensitive: false`, `strict: false`, `end: true`).
//! See `../shared/harness-api.md` sections 1.2 and 3.

use std::collections::HashSet;
use std::ops::Range;

/// Longer inputs are not matched: backtracking over them could take long,
/// and no real Harness URL comes near this.
pub const MAX_INPUT: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Group {
        /// `Some(name)` for `:name`, `None` for `(.*)`.
        name: Option<String>,
        /// `(.*)` rather than `[^/#?]+?`.
        any: bool,
        /// A `/` in front of the group belongs to it.
        slash: bool,
        optional: bool,
    },
}

/// A compiled pattern such as `(.*)/account/:accountId/(.*)?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
}

/// A successful match: the named parameters, by byte range of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub params: Vec<(String, Range<usize>)>,
    /// A group whose text `decodeURIComponent` rejects (a bad `%` escape):
    /// the plugin throws `URIError` instead of reading the URL.
    pub bad_escape: Option<Range<usize>>,
}

impl Match {
    pub fn get(&self, name: &str) -> Option<Range<usize>> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.clone())
    }
}

impl Pattern {
    pub fn new(pattern: &str) -> Pattern {
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            let group = match c {
                ':' => {
                    let mut name = String::new();
                    while let Some(&n) = chars
                        .peek()
                        .filter(|n| n.is_ascii_alphanumeric() || **n == '_')
                    {
                        name.push(n);
                        chars.next();
                    }
                    Some((Some(name), false))
                }
                '(' => {
                    let inner: String = chars.by_ref().take_while(|&c| c != ')').collect();
                    debug_assert_eq!(inner, ".*", "only (.*) groups are supported");
                    Some((None, true))
                }
                _ => None,
            };
            let Some((name, any)) = group else {
                literal.push(c);
                continue;
            };
            let slash = literal.ends_with('/');
            if slash {
                literal.pop();
            }
            if !literal.is_empty() {
                tokens.push(Token::Literal(std::mem::take(&mut literal)));
            }
            let optional = chars.next_if_eq(&'?').is_some();
            tokens.push(Token::Group {
                name,
                any,
                slash,
                optional,
            });
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        Pattern { tokens }
    }

    /// Matches the whole of `input`, as the plugin's compiled regex does.
    /// `None` for no match, and for inputs longer than [`MAX_INPUT`].
    pub fn matches(&self, input: &str) -> Option<Match> {
        if input.len() > MAX_INPUT {
            return None;
        }
        let mut m = Matcher {
            input,
            tokens: &self.tokens,
            failed: HashSet::new(),
            groups: vec![None; self.tokens.len()],
        };
        if !m.go(0, 0) {
            return None;
        }
        let mut params = Vec::new();
        let mut bad_escape = None;
        for (token, range) in self.tokens.iter().zip(&m.groups) {
            let (Token::Group { name, .. }, Some(range)) = (token, range) else {
                continue;
            };
            if bad_escape.is_none() && !decodes(&input[range.clone()]) {
                bad_escape = Some(range.clone());
            }
            if let Some(name) = name {
                params.push((name.clone(), range.clone()));
            }
        }
        Some(Match { params, bad_escape })
    }
}

struct Matcher<'a> {
    input: &'a str,
    tokens: &'a [Token],
    /// (token, position) pairs known not to match: keeps backtracking
    /// polynomial.
    failed: HashSet<(usize, usize)>,
    /// The range each group captured on the successful path.
    groups: Vec<Option<Range<usize>>>,
}

impl Matcher<'_> {
    fn go(&mut self, t: usize, pos: usize) -> bool {
        if self.failed.contains(&(t, pos)) {
            return false;
        }
        let ok = self.step(t, pos);
        if !ok {
            self.failed.insert((t, pos));
        }
        ok
    }

    fn step(&mut self, t: usize, pos: usize) -> bool {
        let rest = &self.input[pos..];
        let Some(token) = self.tokens.get(t) else {
            // `[\/#\?]?$`
            let mut chars = rest.chars();
            return match chars.next() {
                None => true,
                Some(c) => "/#?".contains(c) && chars.next().is_none(),
            };
        };
        match token {
            Token::Literal(lit) => self.literal_at(lit, pos) && self.go(t + 1, pos + lit.len()),
            &Token::Group {
                any,
                slash,
                optional,
                ..
            } => {
                let body = if slash {
                    match rest.strip_prefix('/') {
                        Some(_) => pos + 1,
                        None => usize::MAX,
                    }
                } else {
                    pos
                };
                if body != usize::MAX {
                    for end in self.candidate_ends(body, any) {
                        // Most ends fail on the next literal: test it
                        // before recursing (and memoising the failure).
                        if let Some(Token::Literal(next)) = self.tokens.get(t + 1)
                            && !self.literal_at(next, end)
                        {
                            continue;
                        }
                        if self.go(t + 1, end) {
                            self.groups[t] = Some(body..end);
                            return true;
                        }
                    }
                }
                optional && {
                    self.groups[t] = None;
                    self.go(t + 1, pos)
                }
            }
        }
    }

    /// Whether `lit` stands at `pos`, ignoring ASCII case.
    fn literal_at(&self, lit: &str, pos: usize) -> bool {
        self.input
            .as_bytes()
            .get(pos..pos + lit.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(lit.as_bytes()))
    }

    /// Where the group's body may end, in the order the regex tries them:
    /// `.*` longest first, `[^/#?]+?` shortest first.
    fn candidate_ends(&self, start: usize, any: bool) -> Vec<usize> {
        let rest = &self.input[start..];
        if any {
            let stop = rest
                .find(['\n', '\r', '\u{2028}', '\u{2029}'])
                .unwrap_or(rest.len());
            let mut ends: Vec<usize> = rest[..stop]
                .char_indices()
                .map(|(i, _)| start + i)
                .chain([start + stop])
                .collect();
            ends.reverse();
            ends
        } else {
            let stop = rest.find(['/', '#', '?']).unwrap_or(rest.len());
            rest[..stop]
                .char_indices()
                .skip(1)
                .map(|(i, _)| start + i)
                .chain([start + stop])
                .filter(|&e| e > start)
                .collect()
        }
    }
}

/// Whether `decodeURIComponent` accepts `text`: every `%` starts a
/// two-digit hex escape, and the escapes decode to UTF-8.
fn decodes(text: &str) -> bool {
    let bytes = text.as_bytes();
    let escapes_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    escapes_ok
        && percent_encoding::percent_decode_str(text)
            .decode_utf8()
            .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPELINE: &str = "(.*)/account/:accountId/:module/orgs/:orgId/projects/:projectId/pipelines/:pipelineId/(.*)";

    fn params(pattern: &str, input: &str) -> Option<Vec<(String, String)>> {
        Pattern::new(pattern).matches(input).map(|m| {
            m.params
                .into_iter()
                .map(|(n, r)| (n, input[r].to_string()))
                .collect()
        })
    }

    fn param(pattern: &str, input: &str, name: &str) -> Option<String> {
        params(pattern, input)?
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    #[test]
    fn pipeline_pattern_needs_a_segment_after_the_id() {
        let base = "https://app.harness.io/ng/account/A/cd/orgs/o/projects/p/pipelines/pipe";
        assert_eq!(params(PIPELINE, base), None);
        assert_eq!(params(PIPELINE, &format!("{base}?storeType=INLINE")), None);
        assert_eq!(
            param(PIPELINE, &format!("{base}/"), "pipelineId").as_deref(),
            Some("pipe")
        );
        let studio = format!("{base}/pipeline-studio/?storeType=INLINE");
        assert_eq!(
            param(PIPELINE, &studio, "pipelineId").as_deref(),
            Some("pipe")
        );
        assert_eq!(param(PIPELINE, &studio, "module").as_deref(), Some("cd"));
        // A trailing ` |` lands in the tail group.
        assert!(params(PIPELINE, &format!("{studio} |")).is_some());
    }

    #[test]
    fn case_insensitive_and_one_trailing_delimiter() {
        let p = "(.*)/account/:a/:m/orgs/:o/projects/:p/services/:s";
        let url = "https://h/ACCOUNT/A/cd/ORGS/o/projects/p/Services/svc";
        assert_eq!(param(p, url, "s").as_deref(), Some("svc"));
        assert!(params(p, &format!("{url}/")).is_some());
        assert!(params(p, &format!("{url}?")).is_some());
        assert_eq!(params(p, &format!("{url}?x=1")), None);
        assert_eq!(params(p, &format!("{url}//")), None);
        // Spaces are ordinary characters for `[^/#?]`.
        assert_eq!(param(p, &format!("{url} |"), "s").as_deref(), Some("svc |"));
    }

    #[test]
    fn optional_tail_and_new_navigation() {
        let ff = "(.*)/account/:accountId/:module/orgs/:orgId/projects/:projectId/(.*)?";
        let old = "https://app.harness.io/ng/#/account/A/cf/orgs/o/projects/p";
        assert_eq!(param(ff, old, "projectId").as_deref(), Some("p"));
        assert!(params(ff, &format!("{old}/feature-flags")).is_some());
        let new = "https://app.harness.io/ng/account/A/module/cf/orgs/o/projects/p/feature-flags";
        assert_eq!(params(ff, new), None);
    }

    #[test]
    fn dot_star_stops_at_line_breaks() {
        let cicd = "(.*)/account/:accountId/:module/orgs/:orgId/projects/:projectId/(.*)";
        let url = "https://h/ng/account/A/home/orgs/o/projects/p/details";
        assert!(params(cicd, url).is_some());
        assert_eq!(params(cicd, &format!("{url}\n")), None);
        assert_eq!(params(cicd, &format!("x: {url}\ny: {url}")), None);
    }

    #[test]
    fn greedy_prefix_takes_the_last_account() {
        let p = "(.*)/account/:a/x";
        assert_eq!(
            param(p, "/account/one/account/two/x", "a").as_deref(),
            Some("two")
        );
    }

    #[test]
    fn bad_percent_escapes_are_reported() {
        let p = "(.*)/account/:a/x";
        assert_eq!(
            Pattern::new(p)
                .matches("/account/a%zz/x")
                .unwrap()
                .bad_escape,
            Some(9..13)
        );
        assert_eq!(
            Pattern::new(p)
                .matches("/account/a%C3/x")
                .unwrap()
                .bad_escape,
            Some(9..13)
        );
        assert_eq!(
            Pattern::new(p)
                .matches("/account/a%C3%A9/x")
                .unwrap()
                .bad_escape,
            None
        );
    }

    #[test]
    fn hostile_inputs_stay_fast() {
        let p = Pattern::new(PIPELINE);
        let s = "/account/a".repeat(800);
        assert_eq!(p.matches(&s), None);
        assert_eq!(p.matches(&"/".repeat(MAX_INPUT)), None);
        assert_eq!(p.matches(&"a".repeat(MAX_INPUT + 1)), None);
    }
}
