//! The string formats of `@backstage/catalog-model` 1.10
//! (`KubernetesValidatorFunctions`, `CommonValidatorFunctions`,
//! `makeValidator`), ported rule for rule. Each returns why a value is
//! invalid, in words a user can act on, or `None` when it is valid.
//!
//! Lengths are counted in UTF-16 units as JavaScript does; only ASCII passes
//! the character rules, so for a valid value that is its byte length.

fn js_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn first_bad_char(s: &str, ok: impl Fn(char) -> bool) -> Option<char> {
    s.chars().find(|&c| !ok(c))
}

fn describe(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        '\t' => "a tab".to_string(),
        '\n' => "a line break".to_string(),
        c => format!("`{c}`"),
    }
}

fn length(s: &str, max: usize) -> Option<String> {
    let n = js_len(s);
    if n == 0 {
        Some("it is empty".to_string())
    } else if n > max {
        Some(format!("it is {n} characters long"))
    } else {
        None
    }
}

/// `isValidObjectName`: `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, 1-63
/// characters. Used for `metadata.name`, label values and the name part of
/// label and annotation keys.
pub fn object_name(s: &str) -> Option<String> {
    if let Some(why) = length(s, 63) {
        return Some(why);
    }
    let alnum = |c: char| c.is_ascii_alphanumeric();
    if let Some(c) = first_bad_char(s, |c| alnum(c) || matches!(c, '-' | '_' | '.')) {
        return Some(format!("it contains {}", describe(c)));
    }
    let first = s.chars().next().expect("not empty");
    let last = s.chars().last().expect("not empty");
    if !alnum(first) {
        return Some(format!("it starts with `{first}`"));
    }
    if !alnum(last) {
        return Some(format!("it ends with `{last}`"));
    }
    None
}

/// `isValidDnsLabel`: `^[a-z0-9]+(?:\-+[a-z0-9]+)*$`, 1-63 characters. Used
/// for `metadata.namespace` and each part of a key prefix.
pub fn dns_label(s: &str) -> Option<String> {
    if let Some(why) = length(s, 63) {
        return Some(why);
    }
    if let Some(c) = first_bad_char(s, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    }) {
        return Some(if c.is_ascii_uppercase() {
            format!("it contains the upper-case `{c}`")
        } else {
            format!("it contains {}", describe(c))
        });
    }
    if s.starts_with('-') {
        return Some("it starts with `-`".to_string());
    }
    if s.ends_with('-') {
        return Some("it ends with `-`".to_string());
    }
    None
}

/// `isValidDnsSubdomain`: 1-253 characters of DNS labels joined by `.`.
pub fn dns_subdomain(s: &str) -> Option<String> {
    if let Some(why) = length(s, 253) {
        return Some(why);
    }
    s.split('.').find_map(|label| {
        dns_label(label).map(|why| {
            if label.is_empty() {
                "it has an empty part between dots".to_string()
            } else {
                format!("its part `{label}`: {why}")
            }
        })
    })
}

/// `isValidPrefixAndOrSuffix(value, "/", prefix, suffix)`: `suffix` or
/// `prefix/suffix`, never two slashes.
fn prefix_and_or_suffix(
    s: &str,
    prefix: impl Fn(&str) -> Option<String>,
    suffix: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [name] => suffix(name),
        [p, name] => prefix(p)
            .map(|why| format!("the prefix `{p}` is not a DNS subdomain ({why})"))
            .or_else(|| suffix(name).map(|why| format!("the part after `/`: {why}"))),
        _ => Some("it has more than one `/`".to_string()),
    }
}

/// `isValidLabelKey` and `isValidAnnotationKey` (the same rule).
pub fn label_key(s: &str) -> Option<String> {
    prefix_and_or_suffix(s, dns_subdomain, object_name)
}

/// `isValidLabelValue`: empty, or an object name.
pub fn label_value(s: &str) -> Option<String> {
    if s.is_empty() { None } else { object_name(s) }
}

/// `isValidApiVersion`: an optional DNS-subdomain group, `/`, and a version
/// of 1-63 characters of `[a-zA-Z0-9]`.
pub fn api_version(s: &str) -> Option<String> {
    prefix_and_or_suffix(s, dns_subdomain, |v| {
        length(v, 63).or_else(|| {
            first_bad_char(v, |c| c.is_ascii_alphanumeric())
                .map(|c| format!("the version contains {}", describe(c)))
        })
    })
}

/// `isValidKind`: `^[a-zA-Z][a-z0-9A-Z]*$`, 1-63 characters.
pub fn kind(s: &str) -> Option<String> {
    if let Some(why) = length(s, 63) {
        return Some(why);
    }
    if let Some(c) = first_bad_char(s, |c| c.is_ascii_alphanumeric()) {
        return Some(format!("it contains {}", describe(c)));
    }
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("it does not start with a letter".to_string());
    }
    None
}

/// The catalog's `isValidTag` (`makeValidator`, which also allows `:`):
/// `^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$`, 1-63 characters.
pub fn tag(s: &str) -> Option<String> {
    if let Some(why) = length(s, 63) {
        return Some(why);
    }
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '+' | '#');
    if let Some(c) = first_bad_char(s, |c| ok(c) || c == '-') {
        return Some(if c.is_ascii_uppercase() {
            format!("it contains the upper-case `{c}`")
        } else {
            format!("it contains {}", describe(c))
        });
    }
    if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
        return Some("a `-` must stand between two other characters".to_string());
    }
    None
}

/// What a tag would be in Backstage's format, when lower-casing it and
/// turning runs of spaces into `-` is all it takes.
pub fn tag_repair(s: &str) -> Option<String> {
    let fixed = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase();
    (fixed != s && tag(&fixed).is_none()).then_some(fixed)
}

/// `isValidUrl`: what `new URL(value)` accepts (an absolute URL; the `url`
/// crate implements the same WHATWG parser).
pub fn url(s: &str) -> Option<String> {
    match url::Url::parse(s) {
        Ok(_) => None,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            Some("it is not an absolute URL (it needs a scheme such as https://)".to_string())
        }
        Err(e) => Some(format!("it is not a URL ({e})")),
    }
}

/// `isNonEmptyString`: not empty after trimming.
pub fn non_blank(s: &str) -> Option<String> {
    s.trim().is_empty().then(|| "it is blank".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_follow_the_kubernetes_rule() {
        for ok in [
            "a",
            "my-service",
            "A.b_c-9",
            "developers_-_platform_team",
            &"x".repeat(63),
        ] {
            assert_eq!(object_name(ok), None, "{ok}");
        }
        assert_eq!(object_name("my service").unwrap(), "it contains a space");
        assert_eq!(object_name("-a").unwrap(), "it starts with `-`");
        assert_eq!(object_name("a.").unwrap(), "it ends with `.`");
        assert_eq!(
            object_name(&"x".repeat(64)).unwrap(),
            "it is 64 characters long"
        );
        assert_eq!(object_name("").unwrap(), "it is empty");
        assert_eq!(object_name("café").unwrap(), "it contains `é`");
        assert!(object_name("a\n").is_some());
    }

    #[test]
    fn namespaces_are_dns_labels() {
        assert_eq!(dns_label("team--a"), None);
        assert!(dns_label("Team").unwrap().contains("upper-case `T`"));
        assert!(dns_label("team_a").is_some());
        assert!(dns_label("-a").is_some());
    }

    #[test]
    fn keys_have_an_optional_subdomain_prefix() {
        assert_eq!(label_key("backstage.io/techdocs-ref"), None);
        assert_eq!(label_key("jira/project-key"), None);
        assert_eq!(label_key("product_name"), None);
        assert!(label_key("a/b/c").unwrap().contains("more than one"));
        assert!(label_key("Example.com/x").unwrap().contains("prefix"));
        assert!(label_key("example.com/").is_some());
        assert!(label_key("example..com/x").unwrap().contains("empty part"));
    }

    #[test]
    fn api_versions_kinds_tags_urls() {
        assert_eq!(api_version("backstage.io/v1alpha1"), None);
        assert_eq!(api_version("v1"), None);
        assert!(api_version("backstage.io/v1.0").is_some());
        assert_eq!(kind("Component"), None);
        assert!(kind("1Component").is_some());
        assert!(kind("My-Kind").is_some());
        for ok in ["java", "c++", "c#", "lang:go", "a-b"] {
            assert_eq!(tag(ok), None, "{ok}");
        }
        for bad in ["Java", "go 1.15", "a--b", "-a", "a_b", ""] {
            assert!(tag(bad).is_some(), "{bad}");
        }
        assert_eq!(tag_repair("Spring Boot").as_deref(), Some("spring-boot"));
        assert_eq!(tag_repair("go 1.15"), None);
        assert_eq!(url("https://example.com/x"), None);
        assert!(url("example.com").is_some());
        assert_eq!(non_blank(" "), Some("it is blank".to_string()));
    }
}
