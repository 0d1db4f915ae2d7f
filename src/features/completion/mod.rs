//! Completion of the `harness.io/workspace-url` annotation: the key (as a
//! snippet of the labelled block form), each URL segment from live lists,
//! and whole `label: URL` lines. Pure: the server fetches the lists
//! `needed_lists` names (waiting a bounded time) and passes their state in.

mod context;
mod items;
pub mod refs;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::ops::Range;

use tower_lsp_server::ls_types;

pub use context::{Context, SegmentKind, context_at};

use crate::analysis::Analysis;
use crate::harness::lists::{ListKey, ListState};
use crate::harness::live::{LiveState, WorkspaceKey};
use crate::text::{LineIndex, PositionEncoding};

/// What completion reads besides the text.
pub struct Inputs<'a> {
    pub text: &'a str,
    /// Byte offset of the cursor.
    pub offset: usize,
    pub analysis: &'a Analysis,
    /// The state of a list, as known now (never fetches).
    pub list: &'a dyn Fn(&ListKey) -> ListState,
    /// The account of the configured API key.
    pub key_account: Option<&'a str>,
    /// Cached workspace data (for resource counts).
    pub workspace: &'a dyn Fn(&WorkspaceKey) -> LiveState,
}

/// One completion item, with its edit as a byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub kind: ls_types::CompletionItemKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    pub sort_text: String,
    pub filter_text: String,
    pub replace: Range<usize>,
    pub new_text: String,
    /// `new_text` is in snippet syntax (`${1:label}`).
    pub snippet: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<Item>,
    /// A list was still loading: the client should ask again.
    pub is_incomplete: bool,
}

/// The lists completion at `offset` needs, to fetch before calling
/// `complete`. `key_account` fills an account the URL does not name yet.
pub fn needed_lists(
    text: &str,
    offset: usize,
    analysis: &Analysis,
    key_account: Option<&str>,
) -> Vec<ListKey> {
    match context_at(text, offset) {
        Some(Context::Segment(site)) => items::segment_list(&site, key_account)
            .into_iter()
            .collect(),
        Some(Context::NewLine { .. }) => projects_named(analysis).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The completion items at the cursor.
pub fn complete(input: &Inputs<'_>) -> Completions {
    match context_at(input.text, input.offset) {
        Some(Context::AnnotationKey(site)) => items::annotation_key(input, &site),
        Some(Context::MetadataKey(site)) => items::metadata_key(input, &site),
        Some(Context::Segment(site)) => items::segment(input, &site),
        Some(Context::NewLine { replace }) => items::lines(input, replace),
        Some(Context::Value {
            replace,
            indent,
            space,
        }) => items::block_value(input, replace, indent, space),
        Some(Context::Url { replace }) => items::url_start(input, replace),
        None => Completions::default(),
    }
}

/// The workspace lists of every project the file's URLs name.
fn projects_named(analysis: &Analysis) -> BTreeSet<ListKey> {
    analysis
        .workspace_refs
        .iter()
        .map(|r| ListKey::Workspaces {
            origin: r.key.origin.to_string(),
            account: r.key.account.to_string(),
            org: r.key.org.to_string(),
            project: r.key.project.to_string(),
        })
        .collect()
}

/// What the client can take in a completion item.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientFeatures {
    pub snippets: bool,
    pub markdown_documentation: bool,
    pub insert_as_is: bool,
}

/// The LSP item, using only what the client declared: snippets become
/// plain text, markdown documentation a plain string.
pub fn to_lsp(
    item: &Item,
    index: &LineIndex,
    enc: PositionEncoding,
    client: ClientFeatures,
) -> ls_types::CompletionItem {
    let snippets = client.snippets;
    let snippet = item.snippet && snippets;
    let new_text = if item.snippet && !snippets {
        snippet_to_plain(&item.new_text)
    } else {
        item.new_text.clone()
    };
    let multi_line = new_text.contains('\n');
    ls_types::CompletionItem {
        label: item.label.clone(),
        kind: Some(item.kind),
        detail: item.detail.clone(),
        documentation: item.documentation.as_ref().map(|md| {
            if client.markdown_documentation {
                ls_types::Documentation::MarkupContent(ls_types::MarkupContent {
                    kind: ls_types::MarkupKind::Markdown,
                    value: md.clone(),
                })
            } else {
                ls_types::Documentation::String(md.clone())
            }
        }),
        sort_text: Some(item.sort_text.clone()),
        filter_text: Some(item.filter_text.clone()),
        insert_text_format: Some(if snippet {
            ls_types::InsertTextFormat::SNIPPET
        } else {
            ls_types::InsertTextFormat::PLAIN_TEXT
        }),
        // The text is indented for its column already; VS Code would
        // otherwise add the line's indentation to every new line.
        insert_text_mode: (multi_line && client.insert_as_is)
            .then_some(ls_types::InsertTextMode::AS_IS),
        text_edit: Some(ls_types::CompletionTextEdit::Edit(ls_types::TextEdit {
            range: super::lsp_range(index, &item.replace, enc),
            new_text,
        })),
        ..ls_types::CompletionItem::default()
    }
}

/// Snippet syntax to the text it stands for with each placeholder at its
/// default: `${1:label}` -> `label`, `${2}` and `$0` -> nothing.
pub fn snippet_to_plain(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len());
    let mut chars = snippet.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
                if chars.peek() == Some(&':') {
                    chars.next();
                }
                while let Some(c) = chars.next() {
                    match c {
                        '}' => break,
                        '\\' => out.extend(chars.next()),
                        c => out.push(c),
                    }
                }
            }
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                while chars.peek().is_some_and(char::is_ascii_digit) {
                    chars.next();
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Text inserted into a snippet literally.
pub fn escape_snippet(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '$' | '}' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
