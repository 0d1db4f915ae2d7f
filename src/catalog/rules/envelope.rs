//! The entity envelope: `apiVersion`, `kind`, `metadata`, `spec` and nothing
//! else at the top level (`EntityEnvelope`/`Entity` schemas,
//! `NoForeignRootFieldsEntityPolicy`, `FieldFormatEntityPolicy`), and which
//! built-in kind the entity is (its `spec` schema).

use super::formats;
use super::kinds::{self, Kind};
use super::move_to_spec;
use super::shape::{Check, Rest, Shape};
use super::value::{Json, at_value, exact_text, is_templated};
use crate::annotations::workspace_url::Context;
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::text::Edit;
use crate::yaml::{Entry, Node};

const ROOT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

/// Where to report a field missing from the whole entity: its `kind` key,
/// else its first key.
pub fn root_anchor(root: &Node) -> std::ops::Range<usize> {
    root.entry("kind")
        .or_else(|| root.entries().first())
        .map_or(root.range.clone(), |e| e.key.range.clone())
}

pub fn check(cx: &Context<'_>, root: &Node, out: &mut Vec<Diagnostic>) {
    for entry in root.entries() {
        let Some(name) = entry.key.as_scalar() else {
            continue;
        };
        if !ROOT_FIELDS.contains(&name) {
            out.push(unknown_root_field(cx, root, entry, name));
        }
    }
    let api_version = field(
        root,
        "apiVersion",
        Code::EntityApiVersion,
        formats::api_version,
        out,
    );
    let kind = field(root, "kind", Code::EntityKind, formats::kind, out);
    match root.entry("metadata") {
        None => out.push(missing(root, "metadata")),
        Some(e) if Json::of(&e.value) != Json::Object && !Json::of(&e.value).is_opaque() => out
            .push(Diagnostic::new(
                Code::EntityFieldType,
                at_value(&e.key, &e.value),
                format!(
                    "`metadata` must be a mapping (Backstage's entity schema); here it is {}.",
                    Json::of(&e.value).describe()
                ),
            )),
        Some(_) => {}
    }
    if let Some(e) = root.entry("spec") {
        let json = Json::of(&e.value);
        if json != Json::Object && !json.is_opaque() {
            out.push(Diagnostic::new(
                Code::EntityFieldType,
                at_value(&e.key, &e.value),
                format!(
                    "`spec` must be a mapping (Backstage's entity schema); here it is {}.",
                    json.describe()
                ),
            ));
        }
    }
    if let (Some(api_version), Some(kind)) = (api_version, kind) {
        check_kind(cx, root, api_version, kind, out);
    }
}

/// Checks a required text field of the envelope; returns its entry when
/// the value is well-formed.
fn field<'a>(
    root: &'a Node,
    name: &str,
    code: Code,
    format: fn(&str) -> Option<String>,
    out: &mut Vec<Diagnostic>,
) -> Option<&'a Entry> {
    let Some(entry) = root.entry(name) else {
        out.push(missing(root, name));
        return None;
    };
    let at = at_value(&entry.key, &entry.value);
    let rule = if name == "kind" {
        "a letter followed by letters and digits, at most 63 characters"
    } else {
        "`[group/]version`: an optional DNS-subdomain group, then 1-63 characters of [a-zA-Z0-9]"
    };
    let json = Json::of(&entry.value);
    let why = match json {
        Json::Unknown => return None,
        Json::String => match entry
            .value
            .as_scalar()
            .filter(|v| !is_templated(v))
            .map(format)
        {
            Some(Some(why)) => why,
            Some(None) => return Some(entry),
            None => return None,
        },
        other => format!("it is {}", other.describe()),
    };
    out.push(Diagnostic::new(
        code,
        at,
        format!("Backstage requires {name} to be {rule}; {why}."),
    ));
    None
}

fn missing(root: &Node, name: &str) -> Diagnostic {
    Diagnostic::new(
        Code::EntityMissingField,
        root_anchor(root),
        format!(
            "`{name}` is missing: Backstage requires apiVersion, kind and metadata (with a name) on every entity."
        ),
    )
}

fn check_kind(
    cx: &Context<'_>,
    root: &Node,
    api_version: &Entry,
    kind: &Entry,
    out: &mut Vec<Diagnostic>,
) {
    let version = api_version.value.as_scalar().unwrap_or_default();
    let name = kind.value.as_scalar().unwrap_or_default();
    if let Some(known) = kinds::find(name) {
        if known.api_versions.contains(&version) {
            check_spec(cx, root, known, out);
        } else {
            out.push(wrong_api_version(cx, api_version, known, version));
        }
    } else if let Some(known) = kinds::find_ignoring_case(name) {
        let mut d = Diagnostic::new(
            Code::EntityKind,
            kind.value.range.clone(),
            format!(
                "Backstage matches kinds case-sensitively: `{name}` is not recognised and the entity is rejected. \
                 Write `{}`.",
                known.name
            ),
        );
        if let Some(range) = exact_text(cx.text, &kind.value) {
            d = d.with_fix(Fix::new(
                format!("Write {}", known.name),
                vec![Edit::replace(range, known.name)],
            ));
        }
        out.push(d);
    } else {
        let known: Vec<&str> = kinds::KINDS.iter().map(|k| k.name).collect();
        out.push(Diagnostic::new(
            Code::EntityUnknownKind,
            kind.value.range.clone(),
            format!(
                "`{name}` is not one of the kinds Backstage reads out of the box ({}): unless a catalog plugin \
                 adds it, the catalog rejects the entity (\"No processor recognized the entity as valid\").",
                known.join(", ")
            ),
        ));
    }
}

fn wrong_api_version(cx: &Context<'_>, entry: &Entry, known: &Kind, version: &str) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::EntityApiVersion,
        entry.value.range.clone(),
        format!(
            "Backstage reads kind {} only with apiVersion {}; with `{version}` no processor recognises the \
             entity and it is rejected.",
            known.name,
            known.api_versions.join(" or ")
        ),
    );
    // A Template's apiVersion also says how its steps are written, so
    // changing it is not a safe fix; the other kinds' versions are aliases.
    if known.name != "Template"
        && let Some(range) = exact_text(cx.text, &entry.value)
    {
        let to = known.api_versions[0];
        d = d.with_fix(Fix::new(
            format!("Use {to}"),
            vec![Edit::replace(range, to)],
        ));
    }
    d
}

fn check_spec(cx: &Context<'_>, root: &Node, known: &Kind, out: &mut Vec<Diagnostic>) {
    let schema = format!("Backstage's {} schema", known.name);
    match root.entry("spec") {
        None => out.push(Diagnostic::new(
            Code::EntityMissingField,
            root_anchor(root),
            format!("`spec` is missing: {schema} requires it."),
        )),
        Some(e) if Json::of(&e.value) == Json::Object => {
            let shape = Shape::Map(known.spec, Rest::Any);
            Check {
                text: cx.text,
                schema: &schema,
                out,
            }
            .node("spec", Some(&e.key), &e.value, &shape);
        }
        Some(_) => {}
    }
}

fn unknown_root_field(cx: &Context<'_>, root: &Node, entry: &Entry, name: &str) -> Diagnostic {
    let rule = "Backstage accepts only apiVersion, kind, metadata and spec at the top level and rejects the \
                entity otherwise";
    let message = if kinds::is_spec_field(name) {
        format!("`{name}` is at the top level: {rule}. It belongs under `spec`.")
    } else if matches!(name, "relations" | "status") {
        format!("`{name}` is filled in by the catalog, not written in files: {rule}.")
    } else if matches!(
        name,
        "name"
            | "namespace"
            | "title"
            | "description"
            | "labels"
            | "annotations"
            | "tags"
            | "links"
    ) {
        format!("`{name}` is at the top level: {rule}. It belongs under `metadata`.")
    } else {
        format!("Unknown top-level field `{name}`: {rule}.")
    };
    let d = Diagnostic::new(
        Code::EntityUnknownRootField,
        entry.key.range.clone(),
        message,
    );
    match kinds::is_spec_field(name)
        .then(|| move_to_spec::fix(cx, root, entry))
        .flatten()
    {
        Some(fix) => d.with_fix(fix),
        None => d,
    }
}
