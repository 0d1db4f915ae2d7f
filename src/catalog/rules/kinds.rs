//! The kinds Backstage's catalog reads out of the box: the `spec` schemas of
//! `@backstage/catalog-model` 1.10 (`schema/kinds/*.v1alpha1.schema.json`)
//! and `@backstage/plugin-scaffolder-common`'s Template v1beta3. The catalog
//! matches a kind by exact `kind` and `apiVersion`; any other pair is not
//! recognised ("No processor recognized the entity as valid").

use super::shape::{Field, Rest, Shape, opt, req};

pub struct Kind {
    pub name: &'static str,
    pub api_versions: &'static [&'static str],
    pub spec: &'static [Field],
}

const V1: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];
const REFS: Shape = Shape::List(&Shape::NonEmpty);
const PROFILE: Shape = Shape::Map(
    &[
        opt("displayName", Shape::NonEmpty),
        opt("email", Shape::NonEmpty),
        opt("picture", Shape::NonEmpty),
    ],
    Rest::Any,
);
const PERMISSIONS: Shape = Shape::Map(&[opt("tags", Shape::List(&Shape::Text))], Rest::Any);
const DECORATORS: Shape = Shape::List(&Shape::Map(
    &[
        opt("id", Shape::Text),
        opt("input", Shape::Map(&[], Rest::Any)),
    ],
    Rest::Any,
));

pub const KINDS: &[Kind] = &[
    Kind {
        name: "Component",
        api_versions: V1,
        spec: &[
            req("type", Shape::NonEmpty),
            req("lifecycle", Shape::NonEmpty),
            req("owner", Shape::NonEmpty),
            opt("system", Shape::NonEmpty),
            opt("subcomponentOf", Shape::NonEmpty),
            opt("providesApis", REFS),
            opt("consumesApis", REFS),
            opt("dependsOn", REFS),
        ],
    },
    Kind {
        name: "API",
        api_versions: V1,
        spec: &[
            req("type", Shape::NonEmpty),
            req("lifecycle", Shape::NonEmpty),
            req("owner", Shape::NonEmpty),
            opt("system", Shape::NonEmpty),
            req("definition", Shape::NonEmpty),
        ],
    },
    Kind {
        name: "Resource",
        api_versions: V1,
        spec: &[
            req("type", Shape::NonEmpty),
            req("owner", Shape::NonEmpty),
            opt("dependsOn", REFS),
            opt("system", Shape::NonEmpty),
        ],
    },
    Kind {
        name: "System",
        api_versions: V1,
        spec: &[
            req("owner", Shape::NonEmpty),
            opt("domain", Shape::NonEmpty),
            opt("type", Shape::NonEmpty),
        ],
    },
    Kind {
        name: "Domain",
        api_versions: V1,
        spec: &[
            req("owner", Shape::NonEmpty),
            opt("subdomainOf", Shape::NonEmpty),
            opt("type", Shape::NonEmpty),
        ],
    },
    Kind {
        name: "Group",
        api_versions: V1,
        spec: &[
            req("type", Shape::NonEmpty),
            opt("profile", PROFILE),
            opt("parent", Shape::NonEmpty),
            req("children", REFS),
            opt("members", REFS),
        ],
    },
    Kind {
        name: "User",
        api_versions: V1,
        spec: &[opt("profile", PROFILE), req("memberOf", REFS)],
    },
    Kind {
        name: "Location",
        api_versions: V1,
        spec: &[
            opt("type", Shape::NonEmpty),
            opt("target", Shape::NonEmpty),
            opt("targets", REFS),
            opt("presence", Shape::OneOf(&["required", "optional"])),
        ],
    },
    Kind {
        name: "Template",
        api_versions: &["scaffolder.backstage.io/v1beta3"],
        spec: &[
            req("type", Shape::NonEmpty),
            opt("owner", Shape::NonEmpty),
            opt("lifecycle", Shape::NonEmpty),
            opt(
                "parameters",
                Shape::MapOrList(
                    &Shape::Map(&[opt("backstage:permissions", PERMISSIONS)], Rest::Any),
                    &Shape::List(&Shape::Map(
                        &[
                            opt("when", Shape::TextOrBool),
                            opt("backstage:permissions", PERMISSIONS),
                        ],
                        Rest::Any,
                    )),
                ),
            ),
            opt(
                "secrets",
                Shape::Map(&[opt("schema", Shape::Map(&[], Rest::Any))], Rest::Any),
            ),
            opt(
                "presentation",
                Shape::Map(
                    &[opt(
                        "buttonLabels",
                        Shape::Map(
                            &[
                                opt("backButtonText", Shape::Text),
                                opt("createButtonText", Shape::Text),
                                opt("reviewButtonText", Shape::Text),
                            ],
                            Rest::Any,
                        ),
                    )],
                    Rest::Any,
                ),
            ),
            opt(
                "EXPERIMENTAL_recovery",
                Shape::Map(&[opt("EXPERIMENTAL_strategy", Shape::Text)], Rest::Any),
            ),
            opt("formDecorators", DECORATORS),
            opt("EXPERIMENTAL_formDecorators", DECORATORS),
            req(
                "steps",
                Shape::List(&Shape::Map(
                    &[
                        opt("id", Shape::Text),
                        opt("name", Shape::Text),
                        req("action", Shape::Text),
                        opt("input", Shape::Map(&[], Rest::Any)),
                        opt("if", Shape::TextOrBool),
                        opt("backstage:permissions", PERMISSIONS),
                    ],
                    Rest::Any,
                )),
            ),
            opt(
                "output",
                Shape::Map(
                    &[
                        opt(
                            "links",
                            Shape::List(&Shape::Map(
                                &[
                                    opt("if", Shape::TextOrBool),
                                    opt("url", Shape::NonEmpty),
                                    opt("entityRef", Shape::NonEmpty),
                                    opt("title", Shape::NonEmpty),
                                    opt("icon", Shape::NonEmpty),
                                ],
                                Rest::Any,
                            )),
                        ),
                        opt(
                            "text",
                            Shape::List(&Shape::Map(
                                &[
                                    opt("if", Shape::TextOrBool),
                                    opt("title", Shape::NonEmpty),
                                    opt("icon", Shape::NonEmpty),
                                    opt("content", Shape::Text),
                                ],
                                Rest::Any,
                            )),
                        ),
                    ],
                    // Any other output is shown as text.
                    Rest::Text,
                ),
            ),
        ],
    },
];

/// The built-in kind written exactly `kind`.
pub fn find(kind: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == kind)
}

/// The built-in kind `kind` is a miscapitalisation of.
pub fn find_ignoring_case(kind: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name.eq_ignore_ascii_case(kind))
}

/// Fields of any built-in kind's spec, for spotting them in the wrong place.
pub fn is_spec_field(name: &str) -> bool {
    KINDS.iter().any(|k| k.spec.iter().any(|f| f.name == name)) || matches!(name, "dependencyOf")
}
