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

    // Other Harness annotations (`annotations::plugins`).

    // Entity references (`catalog::refs` and the workspace index).

    // Limits (hostile input).
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
