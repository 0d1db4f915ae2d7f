//! Settings pulled with `workspace/configuration` (section `iacm`), for
//! clients that offer it; Neovim 0.7 only pushes them.

use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::ConfigurationItem;

use super::log;

/// A client that never answers must not hold anything up.
const PULL_TIMEOUT: Duration = Duration::from_secs(2);

/// The client's `iacm` section, if it answers in time with one.
pub async fn pull(client: &Client) -> Option<Value> {
    let items = vec![ConfigurationItem {
        scope_uri: None,
        section: Some("iacm".to_string()),
    }];
    match tokio::time::timeout(PULL_TIMEOUT, client.configuration(items)).await {
        Ok(Ok(values)) => values.into_iter().next().filter(|v| !v.is_null()),
        // Logged without the answer: it may hold the API key.
        Ok(Err(err)) => {
            log!("workspace/configuration failed: {}", err.message);
            None
        }
        Err(_) => {
            log!("workspace/configuration: no answer within {PULL_TIMEOUT:?}");
            None
        }
    }
}
