//! Entity references (`[kind:][namespace/]name`) in the `spec` fields that
//! Backstage turns into relations, read the way `@backstage/catalog-model`'s
//! `parseEntityRef` reads them; and the summary of each entity (its own
//! ref, title, where it stands) that navigation needs.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, LazyLock};

use crate::annotations::workspace_url::{Context, Output};
use crate::diagnostic::{Code, Diagnostic};
use crate::text::Shift;
use crate::yaml::{Node, NodeKind, ScalarStyle};

/// Backstage's namespace when an entity names none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A `spec` field that holds entity references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefField {
    pub key: &'static str,
    /// The kind of a ref that names none; `None`: the ref must name one.
    pub default_kind: Option<&'static str>,
    /// The kinds this field usually points at (completion offers these).
    pub targets: &'static [&'static str],
}

const fn field(
    key: &'static str,
    default_kind: Option<&'static str>,
    targets: &'static [&'static str],
) -> RefField {
    RefField {
        key,
        default_kind,
        targets,
    }
}

const OWNER: RefField = field("owner", Some("Group"), &["Group", "User"]);
const SYSTEM: RefField = field("system", Some("System"), &["System"]);
const DEPENDS_ON: RefField = field("dependsOn", None, &["Component", "Resource"]);
const DEPENDENCY_OF: RefField = field("dependencyOf", None, &["Component", "Resource"]);

/// The fields `BuiltinKindsEntityProcessor` reads for each kind, with its
/// default kinds. Other kinds (custom ones) get `owner` only.
pub fn ref_fields(kind: &str) -> &'static [RefField] {
    const COMPONENT: &[RefField] = &[
        OWNER,
        SYSTEM,
        field("subcomponentOf", Some("Component"), &["Component"]),
        field("providesApis", Some("API"), &["API"]),
        field("consumesApis", Some("API"), &["API"]),
        DEPENDS_ON,
        DEPENDENCY_OF,
    ];
    const API: &[RefField] = &[OWNER, SYSTEM];
    const RESOURCE: &[RefField] = &[OWNER, SYSTEM, DEPENDS_ON, DEPENDENCY_OF];
    const SYSTEM_KIND: &[RefField] = &[OWNER, field("domain", Some("Domain"), &["Domain"])];
    const DOMAIN: &[RefField] = &[OWNER, field("subdomainOf", Some("Domain"), &["Domain"])];
    const GROUP: &[RefField] = &[
        field("parent", Some("Group"), &["Group"]),
        field("children", Some("Group"), &["Group"]),
        field("members", Some("User"), &["User"]),
    ];
    const USER: &[RefField] = &[field("memberOf", Some("Group"), &["Group"])];
    const OTHER: &[RefField] = &[OWNER];
    match kind.to_ascii_lowercase().as_str() {
        "component" => COMPONENT,
        "api" => API,
        "resource" => RESOURCE,
        "system" => SYSTEM_KIND,
        "domain" => DOMAIN,
        "group" => GROUP,
        "user" => USER,
        _ => OTHER,
    }
}

/// Text an entity summary holds. Shared, not copied: the server puts every
/// document's cached summaries together again on each keystroke.
pub type Text = Arc<str>;

/// A full, normalised entity ref: `kind:namespace/name` in lower case, as
/// Backstage compares them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RefKey {
    pub kind: Text,
    pub namespace: Text,
    pub name: Text,
}

impl RefKey {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        RefKey {
            kind: lowercase_shared(kind),
            namespace: lowercase_shared(namespace),
            name: name.to_lowercase().into(),
        }
    }
}

/// `text` in lower case, as one shared allocation when it is a built-in
/// kind or the default namespace: nearly every ref and entity key names
/// one, and a large file holds tens of thousands of keys.
fn lowercase_shared(text: &str) -> Text {
    match COMMON
        .iter()
        .find(|(_, lower)| lower.eq_ignore_ascii_case(text))
    {
        Some((_, lower)) => lower.clone(),
        None => text.to_lowercase().into(),
    }
}

/// `text` as written, shared like [`lowercase_shared`] when it is a
/// built-in kind or the default namespace written the usual way.
fn shared(text: &str) -> Text {
    match COMMON.iter().find(|(written, _)| **written == *text) {
        Some((written, _)) => written.clone(),
        None => text.into(),
    }
}

/// `text` in lower case, sharing it when it is already.
fn lowercase(text: &Text) -> Text {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        text.clone()
    } else {
        text.to_lowercase().into()
    }
}

/// The kinds and the namespace most keys name: as usually written, and in
/// lower case.
static COMMON: LazyLock<Vec<(Text, Text)>> = LazyLock::new(|| {
    [
        DEFAULT_NAMESPACE,
        "Component",
        "API",
        "Resource",
        "System",
        "Domain",
        "Group",
        "User",
        "Location",
        "Template",
    ]
    .into_iter()
    .map(|c| (c.into(), c.to_lowercase().into()))
    .collect()
});

impl fmt::Display for RefKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

/// The parts of a ref string, as written (`None`: not given).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefParts<'a> {
    pub kind: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
}

/// Why a ref string is not a ref.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefError {
    Empty,
    EmptyKind,
    EmptyNamespace,
    EmptyName,
    /// The field has no default kind and the ref names none.
    MissingKind,
}

/// `parseRefString` of `@backstage/catalog-model`: the kind ends at the
/// first `:` unless a `/` comes before it; the namespace ends at the first
/// `/`; the rest is the name.
pub fn parse_ref(text: &str) -> Result<RefParts<'_>, RefError> {
    if text.is_empty() {
        return Err(RefError::Empty);
    }
    let slash = text.find('/');
    let colon = text.find(':').filter(|&c| slash.is_none_or(|s| s > c));
    let kind = colon.map(|c| &text[..c]);
    let after_kind = colon.map_or(0, |c| c + 1);
    let namespace = slash.map(|s| &text[after_kind..s]);
    let name = &text[slash.map_or(after_kind, |s| s + 1)..];
    if kind == Some("") {
        return Err(RefError::EmptyKind);
    }
    if namespace == Some("") {
        return Err(RefError::EmptyNamespace);
    }
    if name.is_empty() {
        return Err(RefError::EmptyName);
    }
    Ok(RefParts {
        kind,
        namespace,
        name,
    })
}

/// `parseEntityRef` with a field's defaults: the full key of a ref written
/// in an entity of namespace `namespace`.
pub fn resolve_ref(text: &str, field: &RefField, namespace: &str) -> Result<RefKey, RefError> {
    let parts = parse_ref(text)?;
    let kind = parts
        .kind
        .or(field.default_kind)
        .ok_or(RefError::MissingKind)?;
    Ok(RefKey::new(
        kind,
        parts.namespace.unwrap_or(namespace),
        parts.name,
    ))
}

/// The shortest way to write `target` in `field` of an entity of
/// `namespace`: the parts the defaults supply are left out.
pub fn shortest_ref(target: &EntityInfo, field: &RefField, namespace: &str) -> String {
    let same_kind = field
        .default_kind
        .is_some_and(|k| k.eq_ignore_ascii_case(&target.kind));
    let same_namespace = target.namespace.eq_ignore_ascii_case(namespace);
    let mut out = String::new();
    if !same_kind {
        out.push_str(&target.kind.to_lowercase());
        out.push(':');
    }
    if !same_namespace {
        out.push_str(&target.namespace);
        out.push('/');
    }
    out.push_str(&target.name);
    out
}

/// One ref in one field of an entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefUse {
    /// Static: a copy per ref cost 40 bytes each over a large file.
    pub field: &'static RefField,
    /// The ref's characters (inside the quotes, if quoted), from the
    /// start of the entity that writes it: [`EntityInfo::ref_range`] gives
    /// them in the text.
    pub within: Range<usize>,
    pub text: Text,
    /// `None` when the ref is malformed (an `entity-ref-invalid`).
    pub target: Option<RefKey>,
}

/// What navigation needs to know of one entity (one YAML document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityInfo {
    /// As written.
    pub kind: Text,
    /// `metadata.namespace`, or `default`.
    pub namespace: Text,
    /// `metadata.name`; empty while it is not written yet.
    pub name: Text,
    pub title: Option<Text>,
    pub description: Option<Text>,
    /// The whole document's mapping.
    pub range: Range<usize>,
    /// The name's value (the `kind` value when there is no name yet).
    pub name_range: Range<usize>,
    /// Shared, and placed relative to `range`: the server puts every
    /// document's entities together again on each keystroke, moved to
    /// where their document now starts, and copying refs was most of it.
    pub refs: Arc<[RefUse]>,
}

impl Shift for EntityInfo {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.name_range.shift(delta);
    }
}

impl EntityInfo {
    pub fn key(&self) -> RefKey {
        RefKey {
            kind: lowercase_shared(&self.kind),
            namespace: lowercase_shared(&self.namespace),
            // The index keeps a key per entity: most names are written in
            // lower case already, so they share the entity's text.
            name: lowercase(&self.name),
        }
    }

    /// `Kind name` (or `Kind namespace/name` outside `default`).
    pub fn label(&self) -> String {
        if self.namespace.eq_ignore_ascii_case(DEFAULT_NAMESPACE) {
            format!("{} {}", self.kind, self.name)
        } else {
            format!("{} {}/{}", self.kind, self.namespace, self.name)
        }
    }

    /// Where the characters of `r`, one of this entity's refs, are in the text.
    pub fn ref_range(&self, r: &RefUse) -> Range<usize> {
        self.range.start + r.within.start..self.range.start + r.within.end
    }

    /// The ref whose characters hold `offset` (either end included, so a
    /// cursor just after the name counts).
    pub fn ref_at(&self, offset: usize) -> Option<&RefUse> {
        self.refs.iter().find(|r| {
            let range = self.ref_range(r);
            range.start <= offset && offset <= range.end
        })
    }
}

/// Reads one document as an entity: its summary goes to `out.entities`,
/// malformed refs to `out.diagnostics`.
pub fn check(cx: &Context<'_>, root: &Node, out: &mut Output) {
    if let Some(entity) = entity_info(cx.text, root, &mut out.diagnostics) {
        out.entities.push(entity);
    }
}

/// The summary of a document that has a `kind`, with an
/// `entity-ref-invalid` in `diagnostics` for each malformed ref.
pub fn entity_info(
    text: &str,
    root: &Node,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<EntityInfo> {
    let kind_node = root.get("kind")?;
    let kind = string_value(kind_node)?.trim();
    if kind.is_empty() {
        return None;
    }
    let metadata = root.get("metadata");
    let meta = |key: &str| metadata.and_then(|m| m.get(key));
    let name_node = meta("name").filter(|n| string_value(n).is_some());
    let name = name_node.and_then(string_value).unwrap_or("");
    let namespace = meta("namespace")
        .and_then(string_value)
        .filter(|n| !n.is_empty())
        .unwrap_or(DEFAULT_NAMESPACE);
    let text_of = |key: &str| meta(key).and_then(string_value).map(Text::from);
    let mut entity = EntityInfo {
        title: text_of("title"),
        description: text_of("description"),
        range: root.range.clone(),
        name_range: value_range(text, name_node.unwrap_or(kind_node)),
        kind: shared(kind),
        namespace: shared(namespace),
        name: name.into(),
        refs: Arc::new([]),
    };
    let mut refs = Vec::new();
    if let Some(spec) = root.get("spec") {
        let fields = ref_fields(&entity.kind);
        // In the document's order, so refs (and diagnostics) come sorted.
        for entry in spec.entries() {
            let Some(field) = fields.iter().find(|f| entry.key.as_scalar() == Some(f.key)) else {
                continue;
            };
            let value = &entry.value;
            let items: &[Node] = match &value.kind {
                NodeKind::Sequence { items, .. } => items,
                NodeKind::Scalar { .. } if value.is_null() => &[],
                _ => std::slice::from_ref(value),
            };
            for item in items {
                read_ref(text, item, field, &entity.namespace, &mut refs, diagnostics);
            }
        }
    }
    for r in &mut refs {
        r.within.shift(-(entity.range.start as isize));
    }
    entity.refs = refs.into();
    Some(entity)
}

fn read_ref(
    text: &str,
    node: &Node,
    field: &'static RefField,
    namespace: &str,
    refs: &mut Vec<RefUse>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Mappings, nested lists and aliases are the schema rules' business.
    let Some(value) = string_value(node).or_else(|| node.is_null().then_some("")) else {
        return;
    };
    let range = value_range(text, node);
    let target = match resolve_ref(value, field, namespace) {
        Ok(key) => Some(key),
        Err(error) => {
            diagnostics.push(Diagnostic::new(
                Code::EntityRefInvalid,
                underline(text, node, &range),
                invalid_message(value, field, error),
            ));
            None
        }
    };
    refs.push(RefUse {
        field,
        within: range,
        text: value.into(),
        target,
    });
}

fn invalid_message(value: &str, field: &RefField, error: RefError) -> String {
    const FORM: &str = "An entity reference is written `[kind:][namespace/]name`";
    let key = field.key;
    match error {
        RefError::Empty => format!(
            "`spec.{key}` holds an empty entity reference; Backstage rejects the entity. Write the name of an entity, or remove it."
        ),
        RefError::EmptyKind => format!(
            "`{value}` has an empty kind before `:`; Backstage rejects the entity. {FORM}, e.g. `group:team-a`."
        ),
        RefError::EmptyNamespace => format!(
            "`{value}` has an empty namespace before `/`; Backstage rejects the entity. {FORM}, e.g. `default/team-a`."
        ),
        RefError::EmptyName => format!(
            "`{value}` has no name; Backstage rejects the entity. {FORM}, e.g. `group:default/team-a`."
        ),
        RefError::MissingKind => format!(
            "`spec.{key}` has no default kind, so `{value}` must name one; Backstage rejects the entity. Write e.g. \
             `component:{value}` or `resource:{value}`."
        ),
    }
}

/// A scalar's string value; `None` for null, collections and aliases.
fn string_value(node: &Node) -> Option<&str> {
    if node.is_null() {
        return None;
    }
    node.as_scalar()
}

/// The characters of a scalar's value: inside the quotes when the quoted
/// text is the value itself (no escapes), else the whole node.
fn value_range(text: &str, node: &Node) -> Range<usize> {
    if let NodeKind::Scalar {
        value,
        style: ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted,
    } = &node.kind
    {
        let r = &node.range;
        if r.end >= r.start + 2 && text.get(r.start + 1..r.end - 1) == Some(value.as_str()) {
            return r.start + 1..r.end - 1;
        }
    }
    node.range.clone()
}

/// Where to underline a bad ref: its characters, or the node when they are
/// empty (`""`, a `-` with nothing after it).
fn underline(text: &str, node: &Node, range: &Range<usize>) -> Range<usize> {
    if !range.is_empty() {
        return range.clone();
    }
    if !node.range.is_empty() {
        return node.range.clone();
    }
    // A null item has an empty range: underline the `-` before it.
    let before = text[..node.range.start].trim_end_matches([' ', '\t']);
    if before.ends_with('-') {
        before.len() - 1..before.len()
    } else {
        node.range.clone()
    }
}

/// The `entity-ref-unresolved` hints of `entities`: each well-formed ref
/// that `exists` does not know. The server calls this with its workspace
/// index, only when the code is switched on.
pub fn unresolved(entities: &[EntityInfo], exists: impl Fn(&RefKey) -> bool) -> Vec<Diagnostic> {
    entities
        .iter()
        .flat_map(|e| e.refs.iter().map(move |r| (e.ref_range(r), r)))
        .filter_map(|(range, r)| {
            let target = r.target.as_ref()?;
            (!exists(target)).then(|| {
                Diagnostic::new(
                    Code::EntityRefUnresolved,
                    range,
                    format!(
                        "No entity `{target}` in this workspace's catalog files. If it is defined in another \
                         repository this is fine; otherwise check the spelling, kind and namespace."
                    ),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::text::LineIndex;
    use crate::yaml::parse_stream;

    fn key(s: &str) -> RefKey {
        let (kind, rest) = s.split_once(':').unwrap();
        let (ns, name) = rest.split_once('/').unwrap();
        RefKey::new(kind, ns, name)
    }

    #[test]
    fn refs_parse_like_parse_entity_ref() {
        let owner = ref_fields("Component")[0];
        for (text, want) in [
            ("team-a", "group:default/team-a"),
            ("Team-A", "group:default/team-a"),
            ("user:jane", "user:default/jane"),
            ("ops/team-b", "group:ops/team-b"),
            ("User:Ops/Jane", "user:ops/jane"),
            // A `/` before the `:` makes the rest the name.
            ("ns/a:b", "group:ns/a:b"),
        ] {
            assert_eq!(
                resolve_ref(text, &owner, "default"),
                Ok(key(want)),
                "{text}"
            );
        }
        // The entity's own namespace is the default one.
        assert_eq!(
            resolve_ref("team-a", &owner, "ops"),
            Ok(key("group:ops/team-a"))
        );
        for (text, error) in [
            ("", RefError::Empty),
            (":team", RefError::EmptyKind),
            ("group:/team", RefError::EmptyNamespace),
            ("/team", RefError::EmptyNamespace),
            ("group:", RefError::EmptyName),
            ("ns/", RefError::EmptyName),
        ] {
            assert_eq!(resolve_ref(text, &owner, "default"), Err(error), "{text}");
        }
        let depends = ref_fields("Component")
            .iter()
            .find(|f| f.key == "dependsOn")
            .unwrap();
        assert_eq!(
            resolve_ref("db", depends, "default"),
            Err(RefError::MissingKind)
        );
        assert_eq!(
            resolve_ref("resource:db", depends, "default"),
            Ok(key("resource:default/db"))
        );
    }

    #[test]
    fn default_kinds_per_field_follow_backstage() {
        let default = |kind: &str, key: &str| {
            ref_fields(kind)
                .iter()
                .find(|f| f.key == key)
                .map(|f| f.default_kind)
        };
        assert_eq!(default("Component", "owner"), Some(Some("Group")));
        assert_eq!(default("Component", "system"), Some(Some("System")));
        assert_eq!(
            default("Component", "subcomponentOf"),
            Some(Some("Component"))
        );
        assert_eq!(default("Component", "providesApis"), Some(Some("API")));
        assert_eq!(default("Resource", "dependencyOf"), Some(None));
        assert_eq!(default("System", "domain"), Some(Some("Domain")));
        assert_eq!(default("User", "memberOf"), Some(Some("Group")));
        assert_eq!(default("Group", "members"), Some(Some("User")));
        assert_eq!(default("Group", "parent"), Some(Some("Group")));
        // Fields of other kinds are not refs there.
        assert_eq!(default("Group", "owner"), None);
        assert_eq!(default("API", "providesApis"), None);
    }

    fn read(text: &str) -> (Option<EntityInfo>, Vec<Diagnostic>) {
        let stream = parse_stream(text);
        let root = stream.documents[0].root.as_ref().unwrap();
        let mut diagnostics = Vec::new();
        (entity_info(text, root, &mut diagnostics), diagnostics)
    }

    #[test]
    fn an_entity_summary_with_every_ref_and_its_span() {
        let text = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments\n  namespace: shop\n  title: Payments\n  description: Takes money\nspec:\n  owner: \"team-a\"\n  system: checkout\n  providesApis: [payments-api, 'api:other/x']\n  dependsOn:\n    - resource:default/db\n";
        let (entity, diagnostics) = read(text);
        let entity = entity.unwrap();
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(entity.key(), key("component:shop/payments"));
        assert_eq!(&text[entity.name_range.clone()], "payments");
        assert_eq!(entity.title.as_deref(), Some("Payments"));
        assert_eq!(entity.label(), "Component shop/payments");
        let refs: Vec<(&str, &str, String)> = entity
            .refs
            .iter()
            .map(|r| {
                (
                    r.field.key,
                    &text[entity.ref_range(r)],
                    r.target.as_ref().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            refs,
            [
                ("owner", "team-a", "group:shop/team-a".to_string()),
                ("system", "checkout", "system:shop/checkout".to_string()),
                (
                    "providesApis",
                    "payments-api",
                    "api:shop/payments-api".to_string()
                ),
                ("providesApis", "api:other/x", "api:other/x".to_string()),
                (
                    "dependsOn",
                    "resource:default/db",
                    "resource:default/db".to_string()
                ),
            ]
        );
        let owner_at = text.find("team-a").unwrap();
        assert_eq!(entity.ref_at(owner_at + 6).unwrap().field.key, "owner");
        assert!(entity.ref_at(owner_at - 3).is_none());
    }

    #[test]
    fn malformed_refs_are_reported_where_they_are() {
        let text = "kind: Component\nmetadata:\n  name: a\nspec:\n  owner: 'group:'\n  dependsOn:\n    - db\n    -\n  consumesApis: [':x']\n";
        let (entity, diagnostics) = read(text);
        let found: Vec<(&str, &str)> = diagnostics
            .iter()
            .map(|d| (d.code.as_str(), &text[d.range.clone()]))
            .collect();
        assert_eq!(
            found,
            [
                ("entity-ref-invalid", "group:"),
                ("entity-ref-invalid", "db"),
                ("entity-ref-invalid", "-"),
                ("entity-ref-invalid", ":x"),
            ]
        );
        assert!(diagnostics[1].message.contains("component:db"));
        // Malformed refs are kept, without a target.
        assert!(entity.unwrap().refs.iter().all(|r| r.target.is_none()));
    }

    #[test]
    fn analysis_carries_entities_and_invalid_refs() {
        let text = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-a\nspec:\n  type: team\n  children: []\n  members: [jane, 'user:']\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: jane\nspec:\n  memberOf: [team-a]\n";
        let analysis =
            crate::analysis::analyze(text, Some("catalog-info.yaml"), &Settings::default());
        let labels: Vec<String> = analysis.entities.iter().map(EntityInfo::label).collect();
        assert_eq!(labels, ["Group team-a", "User jane"]);
        let codes: Vec<&str> = analysis
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(codes, ["entity-ref-invalid"]);
        // The unresolved hint is off unless switched on.
        let hint = unresolved(&analysis.entities, |k| &*k.name == "team-a");
        assert_eq!(hint.len(), 1);
        assert_eq!(&text[hint[0].range.clone()], "jane");
        assert_eq!(
            Settings::default().severity(Code::EntityRefUnresolved),
            None
        );
        let _ = LineIndex::new(text);
    }

    #[test]
    fn shortest_refs_leave_out_what_the_defaults_supply() {
        let (entity, _) = read("kind: User\nmetadata:\n  name: jane\n  namespace: ops\n");
        let jane = entity.unwrap();
        let owner = ref_fields("Component")[0];
        assert_eq!(shortest_ref(&jane, &owner, "ops"), "user:jane");
        assert_eq!(shortest_ref(&jane, &owner, "default"), "user:ops/jane");
        let members = ref_fields("Group")[2];
        assert_eq!(shortest_ref(&jane, &members, "ops"), "jane");
    }

    #[test]
    fn documents_without_a_kind_are_not_entities() {
        assert!(read("metadata:\n  name: x\n").0.is_none());
        let (entity, _) = read("kind: Component\nspec:\n  owner: team-a\n");
        let entity = entity.unwrap();
        assert_eq!(&*entity.name, "");
        assert_eq!(entity.refs.len(), 1);
    }
}
