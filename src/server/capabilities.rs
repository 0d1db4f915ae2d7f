//! What we tell the client at `initialize`.

use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CodeLensOptions, CompletionOptions, DocumentLinkOptions, ExecuteCommandOptions,
    HoverProviderCapability, InsertTextMode, MarkupKind, OneOf, PositionEncodingKind,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, WorkDoneProgressOptions, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};

use crate::features::code_action::FIX_ALL_KIND;
use crate::features::code_lens::{OPEN_WORKSPACE, REFRESH};
use crate::text::PositionEncoding;

/// Optional client features the server uses when present.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientSupport {
    /// `workspace/configuration`: settings can be pulled.
    pub configuration: bool,
    /// `workspace/codeLens/refresh`.
    pub code_lens_refresh: bool,
    /// `window/showDocument`.
    pub show_document: bool,
    /// Snippets (`${1:label}`) in completion items.
    pub snippets: bool,
    /// Markdown in completion item documentation.
    pub completion_markdown: bool,
    /// `insertTextMode: asIs` on completion items.
    pub insert_as_is: bool,
    /// `tooltip` on document links.
    pub link_tooltips: bool,
    /// `window/workDoneProgress/create` and `$/progress`.
    pub work_done_progress: bool,
    /// `workspace/didChangeWatchedFiles` registered at run time.
    pub watched_files_registration: bool,
}

impl ClientSupport {
    pub fn of(client: &ClientCapabilities) -> Self {
        let workspace = client.workspace.as_ref();
        let completion_item = client
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref()?.completion_item.as_ref());
        ClientSupport {
            configuration: workspace.and_then(|w| w.configuration) == Some(true),
            code_lens_refresh: workspace.and_then(|w| w.code_lens.as_ref()?.refresh_support)
                == Some(true),
            show_document: client
                .window
                .as_ref()
                .and_then(|w| w.show_document.as_ref())
                .is_some_and(|s| s.support),
            snippets: completion_item.and_then(|c| c.snippet_support) == Some(true),
            completion_markdown: completion_item
                .and_then(|c| c.documentation_format.as_ref())
                .is_some_and(|formats| formats.contains(&MarkupKind::Markdown)),
            insert_as_is: completion_item
                .and_then(|c| c.insert_text_mode_support.as_ref())
                .is_some_and(|s| s.value_set.contains(&InsertTextMode::AS_IS)),
            link_tooltips: client
                .text_document
                .as_ref()
                .and_then(|t| t.document_link.as_ref()?.tooltip_support)
                == Some(true),
            work_done_progress: client.window.as_ref().and_then(|w| w.work_done_progress)
                == Some(true),
            watched_files_registration: workspace
                .and_then(|w| w.did_change_watched_files.as_ref()?.dynamic_registration)
                == Some(true),
        }
    }
}

/// utf-8 when the client offers it (no conversion for us), else utf-16.
pub fn negotiate_encoding(client: &ClientCapabilities) -> PositionEncoding {
    let offered = client
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    PositionEncoding::negotiate(
        offered
            .into_iter()
            .flatten()
            .map(PositionEncodingKind::as_str),
    )
}

/// Whether the client can resolve a code action's `edit` lazily.
pub fn resolves_edits(client: &ClientCapabilities) -> bool {
    let resolve = client
        .text_document
        .as_ref()
        .and_then(|t| t.code_action.as_ref()?.resolve_support.as_ref());
    resolve.is_some_and(|r| r.properties.iter().any(|p| p == "edit"))
}

pub fn server_capabilities(enc: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::from(enc.as_str())),
        // Incremental: a keystroke in a multi-megabyte file sends a few
        // bytes instead of the whole text.
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
                FIX_ALL_KIND,
            ]),
            work_done_progress_options: WorkDoneProgressOptions::default(),
            // The fix-all edit is resolved lazily where the client allows.
            resolve_provider: Some(true),
        })),
        document_link_provider: Some(DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        // `/` starts the next URL segment; `:` ends a label or a key.
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["/".to_string(), ":".to_string()]),
            resolve_provider: Some(false),
            ..CompletionOptions::default()
        }),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        // Folders added later are indexed, removed ones dropped.
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![OPEN_WORKSPACE.to_string(), REFRESH.to_string()],
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        ..ServerCapabilities::default()
    }
}

pub fn server_info() -> ServerInfo {
    ServerInfo {
        name: env!("CARGO_PKG_NAME").to_string(),
        version: Some(env!("CARGO_PKG_VERSION").to_string()),
    }
}
