//! The diagnostics iacm-lsp reports: stable codes, severities, quick fixes.
//! Offsets are bytes into the analysed text; the LSP and CLI layers convert.

use std::ops::Range;

use crate::text::{Edit, Shift};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Some(Severity::Error),
            "warning" | "warn" => Some(Severity::Warning),
            "information" | "info" => Some(Severity::Information),
            "hint" => Some(Severity::Hint),
            _ => None,
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $severity:ident, $summary:literal;)*) => {
        /// Every diagnostic code, with its default severity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &[Code] = &[$(Code::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name),* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            /// One sentence on what the code means (SARIF rules, docs).
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary),* }
            }

            pub fn parse(s: &str) -> Option<Code> {
                match s { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    YamlSyntax => "yaml-syntax", Error, "The YAML does not parse.";
    DuplicateKey => "duplicate-key", Error, "A key appears twice in one mapping.";
    WorkspaceUrlNotString => "workspace-url-not-string", Error, "The workspace-url annotation is a mapping, sequence or null, not a string.";
    WorkspaceUrlEmpty => "workspace-url-empty", Error, "The workspace-url annotation is empty.";
    WorkspaceUrlFolded => "workspace-url-folded", Error, "A folded block scalar (>) joins the label lines into one.";
    WorkspaceUrlBadLine => "workspace-url-bad-line", Error, "A line of the annotation is not `label: URL`.";
    WorkspaceUrlDuplicateLabel => "workspace-url-duplicate-label", Warning, "Two lines use the same label; the later one silently wins.";
    WorkspaceUrlUnlabeled => "workspace-url-unlabeled", Warning, "A bare URL without a label; the IACM plugin needs `label: URL` lines.";
    WorkspaceUrlPlaceholder => "workspace-url-placeholder", Error, "A placeholder such as <ACCOUNT_ID> is left in the URL.";
    WorkspaceUrlNotAbsolute => "workspace-url-not-absolute", Error, "The URL is not an absolute http(s) URL.";
    WorkspaceUrlInsecure => "workspace-url-insecure", Warning, "The URL uses http:// instead of https://.";
    WorkspaceUrlHost => "workspace-url-host", Warning, "The host is not app.harness.io or a configured Harness host.";
    WorkspaceUrlPath => "workspace-url-path", Error, "The path does not name the account, module, org, project and workspace.";
    WorkspaceUrlMissingModule => "workspace-url-missing-module", Error, "The path lacks the module/ segment before iacm.";
    WorkspaceUrlModule => "workspace-url-module", Warning, "The module in the path is not iacm.";
    WorkspaceUrlMissingResources => "workspace-url-missing-resources", Error, "The URL does not end in /resources.";
    WorkspaceUrlQuery => "workspace-url-query", Error, "The URL has a ?query or #fragment.";
    WorkspaceUrlTrailing => "workspace-url-trailing", Hint, "Something follows /resources.";
    WorkspaceUrlIdentifier => "workspace-url-identifier", Error, "An org, project or workspace id is not a Harness identifier.";
    WorkspaceUrlKind => "workspace-url-kind", Information, "The annotation is on a kind other than Component.";
    AnnotationMisplaced => "annotation-misplaced", Error, "The annotation is not under metadata.annotations.";
    AnnotationKeyTypo => "annotation-key-typo", Warning, "A near miss of harness.io/workspace-url.";
    // Live codes: from the Harness API, with an API key.
    WorkspaceNotFound => "workspace-not-found", Warning, "Harness has no such workspace (404).";
    WorkspaceAccessDenied => "workspace-access-denied", Warning, "The API key cannot read the workspace (401/403).";
    WorkspaceEmpty => "workspace-empty", Information, "The workspace has no resources.";
    WorkspaceFailed => "workspace-failed", Warning, "The workspace's last run failed.";
    WorkspaceDrifted => "workspace-drifted", Information, "The workspace's resources have drifted from its code.";
    ApiKeyAccountMismatch => "api-key-account-mismatch", Warning, "The API key belongs to another account than the URL names.";

    // Backstage entity rules (`catalog::rules`).
    EntityNotMapping => "entity-not-mapping", Error, "A document is a scalar or a list, not an entity (a mapping).";
    EntityMissingField => "entity-missing-field", Error, "A field Backstage requires is missing (apiVersion, kind, metadata.name, spec, spec.owner, ...).";
    EntityFieldType => "entity-field-type", Error, "A field has the wrong type, or a value outside its allowed set.";
    EntityEmptyField => "entity-empty-field", Error, "A field that must be non-empty text is empty.";
    EntityApiVersion => "entity-api-version", Error, "apiVersion is malformed, or not one Backstage reads for this kind.";
    EntityKind => "entity-kind", Error, "kind is malformed, or a built-in kind written in the wrong case.";
    EntityName => "entity-name", Error, "metadata.name is not 1-63 characters of [a-zA-Z0-9] separated by [-_.].";
    EntityNamespace => "entity-namespace", Error, "metadata.namespace is not a DNS label ([a-z0-9] separated by -).";
    EntityLabelKey => "entity-label-key", Error, "A label key is not [prefix/]name.";
    EntityLabelValue => "entity-label-value", Error, "A label value is not empty or 1-63 characters of [a-zA-Z0-9] separated by [-_.].";
    EntityAnnotationKey => "entity-annotation-key", Error, "An annotation key is not [prefix/]name.";
    EntityAnnotationValue => "entity-annotation-value", Error, "An annotation value is not a string.";
    EntityTag => "entity-tag", Error, "A tag is not 1-63 characters of [a-z0-9:+#] separated by -.";
    EntityLink => "entity-link", Error, "A metadata.links item lacks a valid url, or has an empty title, icon or type.";
    EntityUnknownKind => "entity-unknown-kind", Information, "A kind none of Backstage's built-in processors reads; only a plugin can add it.";
    EntityUnknownRootField => "entity-unknown-root-field", Error, "A top-level field other than apiVersion, kind, metadata and spec.";
    EntityOwnerEmail => "entity-owner-email", Warning, "spec.owner is an e-mail address, which can never name an entity.";
    EntityOwnerKind => "entity-owner-kind", Warning, "spec.owner names a kind that cannot own (only Group and User can).";
    EntityMisplacedField => "entity-misplaced-field", Warning, "A spec field written under metadata, where Backstage ignores it.";
    EntityPlaceholderInText => "entity-placeholder-in-text", Warning, "$text/$json/$yaml inside a text value, where it is never substituted.";

    // Other Harness annotations (`annotations::plugins`).
    HarnessPipelineUrl => "harness-pipeline-url", Error, "A harness.io/pipelines line the CI/CD plugin cannot read.";
    HarnessServiceUrl => "harness-service-url", Error, "A harness.io/services line neither the CI/CD nor the SRM plugin can read.";
    HarnessProjectUrl => "harness-project-url", Error, "A harness.io/project-url(-qa/-stage/-stress) no plugin that reads it can use.";
    HarnessPerspectiveUrl => "harness-perspective-url", Error, "A harness.io/perspective-url the CCM plugin cannot read.";
    HarnessIdList => "harness-id-list", Error, "A harness.io/ci-pipelineIds, cd-serviceId or projects list with an empty or invalid id.";
    HarnessTagMap => "harness-tag-map", Error, "A harness.io/service-tags or application-map-tags value the Chaos plugin cannot use.";
    HarnessPluginMismatch => "harness-plugin-mismatch", Warning, "One plugin reading the annotation accepts the URL, another breaks on it.";
    HarnessDuplicateLabel => "harness-duplicate-label", Warning, "Two lines of a Harness annotation use the same label; the later one wins.";
    HarnessPlaceholder => "harness-placeholder", Error, "A placeholder such as <harness_project_url> is left in a Harness annotation.";
    HarnessUrlInsecure => "harness-url-insecure", Warning, "A Harness annotation URL uses http:// instead of https://.";
    HarnessUrlHost => "harness-url-host", Warning, "A Harness annotation URL names a host that is neither *.harness.io nor configured.";
    HarnessAnnotationUnknown => "harness-annotation-unknown", Warning, "A harness.io/ key no plugin reads, close to one that a plugin does.";

    // Entity references (`catalog::refs` and the workspace index).
    EntityRefInvalid => "entity-ref-invalid", Error, "An entity reference is not `[kind:][namespace/]name`, or lacks a kind its field needs.";
    EntityRefUnresolved => "entity-ref-unresolved", Hint, "No entity of the workspace has this ref (off unless enabled: it may live in another repository).";

    // Limits (hostile input).
    FileTooLarge => "file-too-large", Warning, "The file is larger than iacm.maxFileSizeBytes and was not checked.";
}

impl Code {
    /// Codes reported only when `iacm.diagnostics` gives them a severity.
    pub fn is_opt_in(self) -> bool {
        matches!(self, Code::EntityRefUnresolved)
    }
}

/// A repair for a diagnostic: edits to apply together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix {
            title: title.into(),
            edits,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// Byte range in the analysed text.
    pub range: Range<usize>,
    pub message: String,
    /// Quick fixes. Every fix here is safe to apply without review
    /// (`check --fix` and `source.fixAll.iacm` apply the first one).
    pub fixes: Vec<Fix>,
}

impl Shift for Fix {
    fn shift(&mut self, delta: isize) {
        self.edits.shift(delta);
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, delta: isize) {
        self.range.shift(delta);
        self.fixes.shift(delta);
    }
}

impl Diagnostic {
    pub fn new(code: Code, range: Range<usize>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.default_severity(),
            range,
            message: message.into(),
            fixes: Vec::new(),
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_names() {
        for &code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
        }
        assert_eq!(Code::parse("no-such-code"), None);
    }
}
