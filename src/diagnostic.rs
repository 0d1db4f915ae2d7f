//! The diagnostics iacm-lsp reports: stable codes, severities, quick fixes.
//! Offsets are bytes into the analysed text; the LSP and CLI layers convert.

use std::ops::Range;

use crate::text::Edit;

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
    ($($variant:ident => $name:literal, $severity:ident;)*) => {
        /// Every static diagnostic code, with its default severity.
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

            pub fn parse(s: &str) -> Option<Code> {
                match s { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    YamlSyntax => "yaml-syntax", Error;
    DuplicateKey => "duplicate-key", Error;
    WorkspaceUrlNotString => "workspace-url-not-string", Error;
    WorkspaceUrlEmpty => "workspace-url-empty", Error;
    WorkspaceUrlFolded => "workspace-url-folded", Error;
    WorkspaceUrlBadLine => "workspace-url-bad-line", Error;
    WorkspaceUrlDuplicateLabel => "workspace-url-duplicate-label", Warning;
    WorkspaceUrlUnlabeled => "workspace-url-unlabeled", Warning;
    WorkspaceUrlPlaceholder => "workspace-url-placeholder", Error;
    WorkspaceUrlNotAbsolute => "workspace-url-not-absolute", Error;
    WorkspaceUrlInsecure => "workspace-url-insecure", Warning;
    WorkspaceUrlHost => "workspace-url-host", Warning;
    WorkspaceUrlPath => "workspace-url-path", Error;
    WorkspaceUrlMissingModule => "workspace-url-missing-module", Error;
    WorkspaceUrlModule => "workspace-url-module", Warning;
    WorkspaceUrlMissingResources => "workspace-url-missing-resources", Error;
    WorkspaceUrlQuery => "workspace-url-query", Error;
    WorkspaceUrlTrailing => "workspace-url-trailing", Hint;
    WorkspaceUrlIdentifier => "workspace-url-identifier", Error;
    WorkspaceUrlKind => "workspace-url-kind", Information;
    AnnotationMisplaced => "annotation-misplaced", Error;
    AnnotationKeyTypo => "annotation-key-typo", Warning;
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
