//! A small subset of JSON Schema, enough for Backstage's kind schemas
//! (`kinds/*.schema.json`, `Template.v1beta3.schema.json`), checked on the
//! positioned tree so each problem points at its key or value.

use std::ops::Range;

use super::value::{Json, at_value, empty_fix};
use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::text::Edit;
use crate::yaml::{Node, NodeKind};

/// The shape a value must have.
pub enum Shape {
    /// `type: string`.
    Text,
    /// `type: string, minLength: 1`.
    NonEmpty,
    /// `type: [string, boolean]`.
    TextOrBool,
    /// `enum: [...]` of strings.
    OneOf(&'static [&'static str]),
    /// `type: array` of items.
    List(&'static Shape),
    /// `type: object` with these known properties; `Rest` says what any
    /// other property must be.
    Map(&'static [Field], Rest),
    /// `oneOf: [object, array]`: which applies depends on the value's type.
    MapOrList(&'static Shape, &'static Shape),
}

pub enum Rest {
    Any,
    Text,
}

pub struct Field {
    pub name: &'static str,
    pub required: bool,
    pub shape: Shape,
}

pub const fn req(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        required: true,
        shape,
    }
}

pub const fn opt(name: &'static str, shape: Shape) -> Field {
    Field {
        name,
        required: false,
        shape,
    }
}

/// Checks `node` (found at `path`, under the key `key` when it has one)
/// against `shape`. `schema` names the rule's source for messages, e.g.
/// "Backstage's Component schema".
pub struct Check<'a> {
    pub text: &'a str,
    pub schema: &'a str,
    pub out: &'a mut Vec<Diagnostic>,
}

impl Check<'_> {
    pub fn node(&mut self, path: &str, key: Option<&Node>, node: &Node, shape: &Shape) {
        let json = Json::of(node);
        if json == Json::Unknown || (json == Json::Data && !wants_text(shape)) {
            return;
        }
        let at = key.map_or(node.range.clone(), |k| at_value(k, node));
        match shape {
            Shape::Text | Shape::NonEmpty | Shape::OneOf(_) if json != Json::String => {
                self.wrong_type(path, key, &at, node, json, "text");
            }
            Shape::NonEmpty => {
                if node.as_scalar() == Some("") {
                    self.out.push(Diagnostic::new(
                        Code::EntityEmptyField,
                        at,
                        format!(
                            "`{path}` must not be empty ({}: a string of at least 1 character).",
                            self.schema
                        ),
                    ));
                }
            }
            Shape::OneOf(allowed) => {
                let value = node.as_scalar().unwrap_or_default();
                if !allowed.contains(&value) {
                    self.out.push(Diagnostic::new(
                        Code::EntityFieldType,
                        at,
                        format!(
                            "`{path}` must be one of {} ({}); `{value}` is not.",
                            allowed.join(", "),
                            self.schema
                        ),
                    ));
                }
            }
            Shape::Text => {}
            Shape::TextOrBool => {
                if !matches!(json, Json::String | Json::Bool) {
                    self.wrong_type(path, key, &at, node, json, "text or true/false");
                }
            }
            Shape::List(item) => {
                if json != Json::Array {
                    return self.wrong_type(path, key, &at, node, json, "a list");
                }
                if let NodeKind::Sequence { items, .. } = &node.kind {
                    for (i, it) in items.iter().enumerate() {
                        self.node(&format!("{path}[{i}]"), None, it, item);
                    }
                }
            }
            Shape::Map(fields, rest) => {
                if json != Json::Object {
                    return self.wrong_type(path, key, &at, node, json, "a mapping");
                }
                self.map(path, key, node, fields, rest);
            }
            Shape::MapOrList(map, list) => match json {
                Json::Object => self.node(path, key, node, map),
                Json::Array => self.node(path, key, node, list),
                _ => self.wrong_type(path, key, &at, node, json, "a mapping or a list"),
            },
        }
    }

    fn map(&mut self, path: &str, key: Option<&Node>, node: &Node, fields: &[Field], rest: &Rest) {
        for field in fields {
            let child = format!("{path}.{}", field.name);
            match node.entry(field.name) {
                Some(e) => self.node(&child, Some(&e.key), &e.value, &field.shape),
                None if field.required => {
                    let at = missing_anchor(key, node);
                    self.out.push(Diagnostic::new(
                        Code::EntityMissingField,
                        at,
                        format!("`{child}` is missing: {} requires it.", self.schema),
                    ));
                }
                None => {}
            }
        }
        if let Rest::Text = rest {
            for e in node.entries() {
                let Some(name) = e.key.as_scalar() else {
                    continue;
                };
                if fields.iter().all(|f| f.name != name) {
                    self.node(
                        &format!("{path}.{name}"),
                        Some(&e.key),
                        &e.value,
                        &Shape::Text,
                    );
                }
            }
        }
    }

    fn wrong_type(
        &mut self,
        path: &str,
        key: Option<&Node>,
        at: &Range<usize>,
        node: &Node,
        json: Json,
        want: &str,
    ) {
        let mut d = Diagnostic::new(
            Code::EntityFieldType,
            at.clone(),
            format!(
                "`{path}` must be {want} ({}); here it is {}.",
                self.schema,
                json.describe()
            ),
        );
        // A number or true/false meant as text only needs quotes.
        if want.starts_with("text") && matches!(json, Json::Number | Json::Bool) {
            let raw = &self.text[node.range.clone()];
            d = d.with_fix(Fix::new(
                format!("Quote it: \"{raw}\""),
                vec![Edit::replace(node.range.clone(), format!("\"{raw}\""))],
            ));
        }
        // `children:` left empty means no children.
        let empty = match want {
            "a list" => Some("[]"),
            "a mapping" => Some("{}"),
            _ => None,
        };
        if let (Some(empty), Some(key)) = (empty, key)
            && let Some(fix) = empty_fix(self.text, key, node, empty)
        {
            d = d.with_fix(fix);
        }
        self.out.push(d);
    }
}

fn wants_text(shape: &Shape) -> bool {
    matches!(
        shape,
        Shape::Text | Shape::NonEmpty | Shape::TextOrBool | Shape::OneOf(_)
    )
}

/// Where to report a field missing from `node`: the key that holds the
/// mapping, else its first key, else the mapping itself.
pub fn missing_anchor(key: Option<&Node>, node: &Node) -> Range<usize> {
    key.map(|k| k.range.clone())
        .or_else(|| node.entries().first().map(|e| e.key.range.clone()))
        .unwrap_or_else(|| node.range.clone())
}
