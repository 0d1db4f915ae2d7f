//! `metadata`: the `EntityMeta` schema and `FieldFormatEntityPolicy`'s
//! formats for name, namespace, labels, annotations, tags and links.

use super::formats;
use super::shape::{Check, Shape, missing_anchor};
use super::value::{Json, at_value, empty_fix, exact_text, is_templated};
use crate::annotations::workspace_url::{Context, WORKSPACE_URL_KEY};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::text::Edit;
use crate::yaml::{Entry, Node, NodeKind};

const SCHEMA: &str = "Backstage's entity metadata schema";
const NAME_RULE: &str = "1-63 characters of [a-zA-Z0-9] separated by [-_.]";
const KEY_RULE: &str = "an optional DNS-subdomain prefix and `/` (like `example.com/`), then 1-63 characters of \
                        [a-zA-Z0-9] separated by [-_.]";

pub fn check(cx: &Context<'_>, metadata: &Entry, out: &mut Vec<Diagnostic>) {
    let node = &metadata.value;
    if Json::of(node) != Json::Object {
        return;
    }
    match node.entry("name") {
        None => out.push(Diagnostic::new(
            Code::EntityMissingField,
            metadata.key.range.clone(),
            "`metadata.name` is missing: Backstage requires every entity to have a name.",
        )),
        Some(e) => text_format(
            cx,
            e,
            Code::EntityName,
            &format!("Backstage requires metadata.name to be {NAME_RULE}"),
            formats::object_name,
            out,
        ),
    }
    if let Some(e) = node.entry("namespace") {
        text_format(
            cx,
            e,
            Code::EntityNamespace,
            "Backstage requires metadata.namespace to be 1-63 characters of [a-z0-9] separated by [-]",
            formats::dns_label,
            out,
        );
    }
    let mut check = Check {
        text: cx.text,
        schema: SCHEMA,
        out,
    };
    for (name, shape) in [
        ("title", Shape::NonEmpty),
        ("description", Shape::Text),
        ("uid", Shape::NonEmpty),
        ("etag", Shape::NonEmpty),
    ] {
        if let Some(e) = node.entry(name) {
            check.node(&format!("metadata.{name}"), Some(&e.key), &e.value, &shape);
        }
    }
    if let Some(e) = node.entry("labels") {
        key_values(cx, e, "label", out);
    }
    if let Some(e) = node.entry("annotations") {
        key_values(cx, e, "annotation", out);
    }
    if let Some(e) = node.entry("tags") {
        tags(cx, e, out);
    }
    if let Some(e) = node.entry("links") {
        links(cx, e, out);
    }
}

/// A field that must be text in a given format.
fn text_format(
    cx: &Context<'_>,
    entry: &Entry,
    code: Code,
    rule: &str,
    format: fn(&str) -> Option<String>,
    out: &mut Vec<Diagnostic>,
) {
    let value = &entry.value;
    let why = match Json::of(value) {
        json if json.is_opaque() => return,
        Json::String => match value
            .as_scalar()
            .filter(|v| !is_templated(v))
            .and_then(format)
        {
            Some(why) => why,
            None => return,
        },
        other => format!("it is {}", other.describe()),
    };
    let mut d = Diagnostic::new(code, at_value(&entry.key, value), format!("{rule}; {why}."));
    if let Some(fix) = quote_fix(cx, value, format) {
        d = d.with_fix(fix);
    }
    out.push(d);
}

/// `name: 123` is a number to YAML; quoted, it may be a valid name.
fn quote_fix(cx: &Context<'_>, value: &Node, format: fn(&str) -> Option<String>) -> Option<Fix> {
    if !matches!(Json::of(value), Json::Number | Json::Bool) {
        return None;
    }
    let raw = &cx.text[value.range.clone()];
    format(raw).is_none().then(|| {
        Fix::new(
            format!("Quote it: \"{raw}\""),
            vec![Edit::replace(value.range.clone(), format!("\"{raw}\""))],
        )
    })
}

fn key_values(cx: &Context<'_>, entry: &Entry, what: &str, out: &mut Vec<Diagnostic>) {
    let node = &entry.value;
    let json = Json::of(node);
    if json != Json::Object {
        if !json.is_opaque() {
            let mut d = Diagnostic::new(
                Code::EntityFieldType,
                at_value(&entry.key, node),
                format!(
                    "`metadata.{what}s` must be a mapping of {what} keys to text ({SCHEMA}); here it is {}.",
                    json.describe()
                ),
            );
            if let Some(fix) = empty_fix(cx.text, &entry.key, node, "{}") {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
        return;
    }
    let (key_code, value_code) = if what == "label" {
        (Code::EntityLabelKey, Code::EntityLabelValue)
    } else {
        (Code::EntityAnnotationKey, Code::EntityAnnotationValue)
    };
    for e in node.entries() {
        let Some(key) = e.key.as_scalar() else {
            continue;
        };
        if let Some(why) = Some(key)
            .filter(|k| !is_templated(k))
            .and_then(formats::label_key)
        {
            out.push(Diagnostic::new(
                key_code,
                e.key.range.clone(),
                format!("Backstage requires {what} keys to be {KEY_RULE}; `{key}`: {why}."),
            ));
        }
        // The workspace-url annotation has its own rule for non-text values.
        if key == WORKSPACE_URL_KEY {
            continue;
        }
        let value = &e.value;
        let why = match Json::of(value) {
            json if json.is_opaque() => continue,
            Json::String if what == "annotation" => continue,
            Json::String => match value
                .as_scalar()
                .filter(|v| !is_templated(v))
                .and_then(formats::label_value)
            {
                Some(why) => why,
                None => continue,
            },
            other => format!("it is {}", other.describe()),
        };
        let rule = if what == "label" {
            format!("Backstage requires label values to be empty or {NAME_RULE}")
        } else {
            "Backstage requires annotation values to be text".to_string()
        };
        let mut d = Diagnostic::new(
            value_code,
            at_value(&e.key, value),
            format!("{rule}; `{key}`: {why}."),
        );
        let format = if what == "label" {
            formats::label_value
        } else {
            |_: &str| None
        };
        if let Some(fix) = quote_fix(cx, value, format) {
            d = d.with_fix(fix);
        }
        out.push(d);
    }
}

const TAG_RULE: &str =
    "Backstage requires each tag to be 1-63 characters of [a-z0-9:+#] separated by [-]";

fn tags(cx: &Context<'_>, entry: &Entry, out: &mut Vec<Diagnostic>) {
    let NodeKind::Sequence { items, .. } = &entry.value.kind else {
        list_type(cx, entry, "tags", "a list of tags", out);
        return;
    };
    for item in items {
        let why = match Json::of(item) {
            json if json.is_opaque() => continue,
            Json::String => match item
                .as_scalar()
                .filter(|v| !is_templated(v))
                .and_then(formats::tag)
            {
                Some(why) => why,
                None => continue,
            },
            other => format!("it is {}", other.describe()),
        };
        let value = item.as_scalar().unwrap_or_default();
        let mut d = Diagnostic::new(
            Code::EntityTag,
            item.range.clone(),
            format!("{TAG_RULE}; `{value}`: {why}."),
        );
        if Json::of(item) == Json::String
            && let (Some(fixed), Some(range)) =
                (formats::tag_repair(value), exact_text(cx.text, item))
        {
            d = d.with_fix(Fix::new(
                format!("Write `{fixed}`"),
                vec![Edit::replace(range, fixed)],
            ));
        }
        out.push(d);
    }
}

fn list_type(cx: &Context<'_>, entry: &Entry, name: &str, what: &str, out: &mut Vec<Diagnostic>) {
    let json = Json::of(&entry.value);
    if !json.is_opaque() {
        let mut d = Diagnostic::new(
            Code::EntityFieldType,
            at_value(&entry.key, &entry.value),
            format!(
                "`metadata.{name}` must be {what} ({SCHEMA}); here it is {}.",
                json.describe()
            ),
        );
        if let Some(fix) = empty_fix(cx.text, &entry.key, &entry.value, "[]") {
            d = d.with_fix(fix);
        }
        out.push(d);
    }
}

fn links(cx: &Context<'_>, entry: &Entry, out: &mut Vec<Diagnostic>) {
    let NodeKind::Sequence { items, .. } = &entry.value.kind else {
        list_type(cx, entry, "links", "a list of links", out);
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let path = format!("metadata.links[{i}]");
        match Json::of(item) {
            Json::Object => {}
            json if json.is_opaque() => continue,
            other => {
                out.push(Diagnostic::new(
                    Code::EntityLink,
                    item.range.clone(),
                    format!(
                        "Backstage requires `{path}` to be a mapping with a `url`; here it is {}.",
                        other.describe()
                    ),
                ));
                continue;
            }
        }
        match item.entry("url") {
            None => out.push(Diagnostic::new(
                Code::EntityLink,
                missing_anchor(None, item),
                format!("`{path}.url` is missing: Backstage requires every link to have a url."),
            )),
            Some(e) => link_field(e, &format!("{path}.url"), formats::url, out),
        }
        for name in ["title", "icon", "type"] {
            if let Some(e) = item.entry(name) {
                // `type` only has to be non-empty; title and icon not blank.
                let format = if name == "type" {
                    not_empty
                } else {
                    formats::non_blank
                };
                link_field(e, &format!("{path}.{name}"), format, out);
            }
        }
    }
}

fn not_empty(s: &str) -> Option<String> {
    s.is_empty().then(|| "it is empty".to_string())
}

fn link_field(
    entry: &Entry,
    path: &str,
    format: fn(&str) -> Option<String>,
    out: &mut Vec<Diagnostic>,
) {
    let value = &entry.value;
    let why = match Json::of(value) {
        json if json.is_opaque() => return,
        Json::String => match value
            .as_scalar()
            .filter(|v| !is_templated(v))
            .and_then(format)
        {
            Some(why) => why,
            None => return,
        },
        other => format!("it is {}", other.describe()),
    };
    let rule = if path.ends_with(".url") {
        "a URL (what `new URL()` accepts)"
    } else {
        "non-empty text"
    };
    out.push(Diagnostic::new(
        Code::EntityLink,
        at_value(&entry.key, value),
        format!("Backstage requires `{path}` to be {rule}; {why}."),
    ));
}
