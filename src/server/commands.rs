//! `workspace/executeCommand`: the commands behind the code lenses.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{MessageType, ShowDocumentParams, Uri};

use super::live::request_all;
use super::log;
use super::state::State;
use crate::features::code_lens::{OPEN_WORKSPACE, REFRESH};

/// Panics on purpose, when enabled (see `execute`).
const PANIC_FOR_TESTS: &str = "iacm.test.panic";

/// How long the client gets to answer `window/showDocument`.
const SHOW_DOCUMENT_TIMEOUT: Duration = Duration::from_secs(30);

pub async fn execute(
    state: &Arc<State>,
    client: &Client,
    command: &str,
    arguments: &[Value],
) -> Result<Option<Value>> {
    match command {
        OPEN_WORKSPACE => {
            let url = arguments.first().and_then(Value::as_str).unwrap_or("");
            open_external(state, client, url).await
        }
        REFRESH => {
            state.live.refresh_all();
            let settings = state.settings();
            for analysis in state.current_analyses() {
                request_all(&state.live, &settings, &analysis);
            }
            Ok(None)
        }
        // A way for the tests to prove that a panicking handler does not
        // take the server down; only with IACM_TEST_PANIC=1 in the
        // server's environment, unknown (an error answer) otherwise.
        PANIC_FOR_TESTS if std::env::var_os("IACM_TEST_PANIC").is_some_and(|v| v == "1") => {
            panic!("{PANIC_FOR_TESTS} was executed")
        }
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}

/// Asks the client to open `url` in the browser. The request runs on its
/// own task: a client slow to answer must not hold a request slot.
async fn open_external(state: &State, client: &Client, url: &str) -> Result<Option<Value>> {
    // Only web links: this command must not become a way to open files.
    let uri = url
        .parse::<Uri>()
        .ok()
        .filter(|u| {
            matches!(
                u.scheme().as_str().to_ascii_lowercase().as_str(),
                "https" | "http"
            )
        })
        .ok_or_else(|| Error::invalid_params("expected the workspace's https URL"))?;
    if !state.client().show_document {
        client
            .show_message(MessageType::INFO, format!("Open in IaCM: {url}"))
            .await;
        return Ok(None);
    }
    let client = client.clone();
    tokio::spawn(async move {
        let params = ShowDocumentParams {
            uri,
            external: Some(true),
            take_focus: Some(true),
            selection: None,
        };
        match tokio::time::timeout(SHOW_DOCUMENT_TIMEOUT, client.show_document(params)).await {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => log!("the client could not open the workspace URL"),
            Ok(Err(err)) => log!("window/showDocument failed: {err}"),
            Err(_) => log!("window/showDocument: no answer from the client"),
        }
    });
    Ok(None)
}
