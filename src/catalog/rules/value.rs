//! What a YAML node is once Backstage has read it: `yaml@2` resolves plain
//! scalars with the YAML 1.2 core schema, so `1`, `true` and an empty value
//! are a number, a boolean and null, not strings.

use std::ops::Range;

use crate::diagnostic::Fix;
use crate::text::Edit;
use crate::yaml::{Node, NodeKind, ScalarStyle};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool,
    Number,
    String,
    Object,
    Array,
    /// An alias, or a `$text` placeholder: its value is not in this file,
    /// so rules stay quiet about it.
    Unknown,
    /// A `$json`/`$yaml` placeholder: data read from a file when the
    /// catalog processes the entity (a mapping or list, never text).
    Data,
}

impl Json {
    pub fn of(node: &Node) -> Json {
        match &node.kind {
            NodeKind::Mapping { entries, .. } => match entries.as_slice() {
                [only] => match only.key.as_scalar() {
                    // `$openapi`/`$asyncapi` come with the catalog's
                    // OpenAPI module and also resolve to text.
                    Some("$text" | "$openapi" | "$asyncapi") => Json::Unknown,
                    Some("$json" | "$yaml") => Json::Data,
                    _ => Json::Object,
                },
                _ => Json::Object,
            },
            NodeKind::Sequence { .. } => Json::Array,
            NodeKind::Alias => Json::Unknown,
            NodeKind::Scalar {
                value,
                style: ScalarStyle::Plain,
            } => plain(value),
            NodeKind::Scalar { .. } => Json::String,
        }
    }

    /// Whether nothing can be said about the value's type here.
    pub fn is_opaque(self) -> bool {
        matches!(self, Json::Unknown | Json::Data)
    }

    /// "a number", "empty (null)", ... for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Json::Null => "empty (null)",
            Json::Bool => "a boolean",
            Json::Number => "a number",
            Json::String => "text",
            Json::Object => "a mapping",
            Json::Array => "a list",
            Json::Unknown => "an alias",
            Json::Data => "data read by a $json or $yaml placeholder",
        }
    }
}

/// The YAML 1.2 core schema's resolution of a plain scalar.
fn plain(v: &str) -> Json {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Json::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Json::Bool,
        ".nan" | ".NaN" | ".NAN" => return Json::Number,
        _ => {}
    }
    let unsigned = v.strip_prefix(['-', '+']).unwrap_or(v);
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    let is_number = matches!(unsigned, ".inf" | ".Inf" | ".INF")
        || digits(unsigned, 10)
        || v.strip_prefix("0o").is_some_and(|s| digits(s, 8))
        || v.strip_prefix("0x").is_some_and(|s| digits(s, 16))
        || is_float(unsigned);
    if is_number {
        Json::Number
    } else {
        Json::String
    }
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && all_digits(frac),
        Some((int, frac)) => !int.is_empty() && all_digits(int) && all_digits(frac),
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

/// Whether a value holds a scaffolder expression (`${{ values.name }}`): a
/// template skeleton's value, filled in before the file reaches the catalog,
/// so its format is not judged.
pub fn is_templated(s: &str) -> bool {
    s.contains("${{")
}

/// The string a node holds, when Backstage reads it as a string.
pub fn string(node: &Node) -> Option<&str> {
    (Json::of(node) == Json::String)
        .then(|| node.as_scalar())
        .flatten()
}

/// Where to point at a value: the value itself, or its key when the value
/// has no characters (`key:` with nothing after it).
pub fn at_value(key: &Node, value: &Node) -> Range<usize> {
    if value.range.is_empty() {
        key.range.clone()
    } else {
        value.range.clone()
    }
}

/// The source range of a scalar's characters when they are exactly its
/// value (plain, or quoted without escapes), so an edit can replace them.
pub fn exact_text(text: &str, node: &Node) -> Option<Range<usize>> {
    let NodeKind::Scalar { value, style } = &node.kind else {
        return None;
    };
    let r = node.range.clone();
    let inner = match style {
        ScalarStyle::Plain => r,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if r.len() >= 2 => {
            r.start + 1..r.end - 1
        }
        _ => return None,
    };
    (text.get(inner.clone()) == Some(value.as_str())).then_some(inner)
}

/// For `key:` left empty (null) where a list or mapping is required:
/// writes the empty one (`[]` or `{}`), which is what an empty value means.
pub fn empty_fix(text: &str, key: &Node, value: &Node, empty: &str) -> Option<Fix> {
    if Json::of(value) != Json::Null || !value.range.is_empty() {
        return None;
    }
    let rest = &text[key.range.end..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let colon = line.find(':')?;
    let after = line[colon + 1..].trim();
    if !line[..colon].trim().is_empty() || !(after.is_empty() || after.starts_with('#')) {
        return None;
    }
    let at = key.range.end + colon + 1;
    Some(Fix::new(
        format!("Write `{empty}`"),
        vec![Edit::insert(at, format!(" {empty}"))],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_scalars_resolve_like_yaml_1_2_core() {
        for (v, want) in [
            ("", Json::Null),
            ("~", Json::Null),
            ("true", Json::Bool),
            ("yes", Json::String),
            ("1", Json::Number),
            ("-1.5e3", Json::Number),
            (".5", Json::Number),
            ("1.", Json::Number),
            ("0x1F", Json::Number),
            ("0o17", Json::Number),
            ("+.inf", Json::Number),
            ("1.0.3", Json::String),
            ("1e", Json::String),
            ("0b1", Json::String),
            ("v1", Json::String),
            ("1_000", Json::String),
        ] {
            assert_eq!(plain(v), want, "{v:?}");
        }
    }
}
