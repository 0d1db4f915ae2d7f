//! Splitting a workspace URL into the parts the harness-iacm plugin reads,
//! keeping the byte range of each so diagnostics can point at it.
//!
//! The plugin matches (path-to-regexp 6.2.2, case-insensitive):
//! `(.*)/account/:acc/module/:module/orgs/:org/projects/:proj/workspaces/:ws/resources(/.*)?`
//! See `../shared/harness-api.md` section 1.2.

use std::ops::Range;

/// A `/`-separated path segment and its byte range in the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment<'a> {
    pub text: &'a str,
    pub range: Range<usize>,
}

impl Segment<'_> {
    pub fn is(&self, keyword: &str) -> bool {
        self.text.eq_ignore_ascii_case(keyword)
    }
}

/// The top-level pieces of an absolute URL, by byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlLayout {
    pub scheme: Range<usize>,
    /// `host[:port]` (userinfo, if any, is left out).
    pub host: Range<usize>,
    /// The path the plugin's pattern is matched against: for the old
    /// `/ng/#/account/...` router form it is the part after `#`.
    pub path: Range<usize>,
    /// A `?query` or `#fragment` that is not the router prefix, to the end.
    pub query: Option<Range<usize>>,
}

/// Splits `url` if it has the form `scheme://authority...`.
pub fn layout(url: &str) -> Option<UrlLayout> {
    let sep = url.find("://")?;
    let scheme = 0..sep;
    if scheme.is_empty()
        || !url[scheme.clone()]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let authority_start = sep + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority_start + i);
    let host_start = url[authority_start..authority_end]
        .rfind('@')
        .map_or(authority_start, |i| authority_start + i + 1);
    let mut path_start = authority_end;
    // The old hash router: https://app.harness.io/ng/#/account/...
    let rest = &url[authority_end..];
    for prefix in ["/ng/#/", "/#/"] {
        if rest
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        {
            path_start = authority_end + prefix.len() - 1;
            break;
        }
    }
    let query_start = url[path_start..].find(['?', '#']).map(|i| path_start + i);
    Some(UrlLayout {
        scheme,
        host: host_start..authority_end,
        path: path_start..query_start.unwrap_or(url.len()),
        query: query_start.map(|q| q..url.len()),
    })
}

/// The segments of `url[path]`, ranges relative to `url`. The leading `/`
/// gives no segment; `a//b` gives an empty one, which the plugin rejects.
pub fn segments(url: &str, path: Range<usize>) -> Vec<Segment<'_>> {
    let text = &url[path.clone()];
    let body = text.strip_prefix('/').unwrap_or(text);
    let mut offset = path.start + (text.len() - body.len());
    let mut out = Vec::new();
    if body.is_empty() {
        return out;
    }
    for part in body.split('/') {
        out.push(Segment {
            text: part,
            range: offset..offset + part.len(),
        });
        offset += part.len() + 1;
    }
    out
}

/// `<ACCOUNT_ID>`, `${VAR}`, `{{ var }}`, `<+expression>`: template
/// placeholders left in a URL. Returns their byte ranges.
pub fn placeholders(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let (open, close) = match bytes[i] {
            b'<' => ("<", ">"),
            b'$' if bytes.get(i + 1) == Some(&b'{') => ("${", "}"),
            b'{' if bytes.get(i + 1) == Some(&b'{') => ("{{", "}}"),
            _ => {
                i += 1;
                continue;
            }
        };
        match text[i + open.len()..].find(close) {
            Some(j) => {
                let end = i + open.len() + j + close.len();
                out.push(i..end);
                i = end;
            }
            None => {
                out.push(i..text.len());
                break;
            }
        }
    }
    out
}

/// A Harness identifier: `^[a-zA-Z_][0-9a-zA-Z_$]{0,127}$`.
pub fn is_identifier(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && id.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A Harness account id: `[A-Za-z0-9_-]+`.
pub fn is_account_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str =
        "https://app.harness.io/ng/account/A1/module/iacm/orgs/o/projects/p/workspaces/w/resources";

    #[test]
    fn splits_scheme_host_and_path() {
        let l = layout(URL).unwrap();
        assert_eq!(&URL[l.scheme], "https");
        assert_eq!(&URL[l.host], "app.harness.io");
        assert_eq!(
            &URL[l.path.clone()],
            "/ng/account/A1/module/iacm/orgs/o/projects/p/workspaces/w/resources"
        );
        let segs: Vec<&str> = segments(URL, l.path).iter().map(|s| s.text).collect();
        assert_eq!(segs[..3], ["ng", "account", "A1"]);
        assert_eq!(segs.last(), Some(&"resources"));
    }

    #[test]
    fn router_form_query_and_userinfo() {
        let url = "http://u:p@h.example.com:8080/ng/#/account/A/x?tab=1";
        let l = layout(url).unwrap();
        assert_eq!(&url[l.host], "h.example.com:8080");
        assert_eq!(&url[l.path], "/account/A/x");
        assert_eq!(&url[l.query.unwrap()], "?tab=1");
        // Multi-byte characters where the router prefix would be: no panic.
        assert!(layout("https://h/nѨ/#/account").is_some());
        let url = "https://h/account/A#frag";
        assert_eq!(&url[layout(url).unwrap().query.unwrap()], "#frag");
        assert_eq!(layout("app.harness.io/ng"), None);
    }

    #[test]
    fn finds_placeholders() {
        let t = "https://x/account/<ACCOUNT_ID>/orgs/${ORG}/p/{{ p }}/w/<+ws";
        let found: Vec<&str> = placeholders(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(found, ["<ACCOUNT_ID>", "${ORG}", "{{ p }}", "<+ws"]);
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("prod_ws") && is_identifier("_a$1"));
        assert!(!is_identifier("prod-ws") && !is_identifier("1ws") && !is_identifier(""));
        assert!(!is_identifier(&"a".repeat(129)));
        assert!(is_account_id("vpCkHKsDSxK9_KYfjCTMKA") && is_account_id("25NKDX79QPC-YTyninmxRQ"));
        assert!(!is_account_id("a b"));
    }
}
