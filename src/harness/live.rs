//! What is known about one workspace right now, as the features see it.

use std::sync::Arc;
use std::time::SystemTime;

use super::types::{Activity, Resources, Workspace};
pub use crate::analysis::WorkspaceKey;

/// Why a request gave no data. Messages come from the API's error body
/// and never contain the API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// 401: the key is invalid or expired.
    Unauthorized(String),
    /// 403: the key lacks View permission on IaCM workspaces.
    Forbidden(String),
    /// 404: no such workspace, project or org.
    NotFound(String),
    /// 429 after the retries.
    RateLimited,
    Timeout,
    /// Connection refused, reset, DNS, TLS...
    Network(String),
    /// Any other non-success status.
    Server {
        status: u16,
        message: String,
    },
    /// The body could not be read as the expected JSON (or was too large).
    BadResponse(String),
}

impl FetchError {
    /// Whether the answer is about the workspace or the key (and so is a
    /// diagnostic on the file), rather than about the network.
    pub fn is_definitive(&self) -> bool {
        matches!(
            self,
            FetchError::Unauthorized(_) | FetchError::Forbidden(_) | FetchError::NotFound(_)
        )
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let with = |what: &str, m: &str| {
            if m.trim().is_empty() {
                what.to_string()
            } else {
                format!("{what}: {}", m.trim())
            }
        };
        let text = match self {
            FetchError::Unauthorized(m) => with("the API key was refused (401)", m),
            FetchError::Forbidden(m) => with("the API key lacks permission (403)", m),
            FetchError::NotFound(m) => with("not found (404)", m),
            FetchError::RateLimited => "Harness is rate limiting requests (429)".to_string(),
            FetchError::Timeout => "Harness did not answer in time".to_string(),
            FetchError::Network(m) => with("could not reach Harness", m),
            FetchError::Server { status, message } => {
                with(&format!("Harness answered {status}"), message)
            }
            FetchError::BadResponse(m) => with("unexpected answer from Harness", m),
        };
        f.write_str(&text)
    }
}

/// One fetch of a workspace's data: the three endpoints, each of which may
/// fail on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceData {
    pub fetched_at: SystemTime,
    pub workspace: Result<Workspace, FetchError>,
    pub resources: Result<Resources, FetchError>,
    /// Most recent first.
    pub activities: Result<Vec<Activity>, FetchError>,
}

/// What the live layer can say about a workspace at this moment.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveState {
    /// `iacm.live` is false.
    Disabled,
    /// No API key in settings or the environment.
    NoKey,
    /// The URL's host is neither the API base's nor in `iacm.hosts`: the key
    /// is never sent there, so nothing is fetched.
    HostNotAllowed,
    /// The first fetch is under way.
    Loading,
    /// Data from a fetch; `refreshing` when a newer fetch is under way.
    Ready {
        data: Arc<WorkspaceData>,
        refreshing: bool,
    },
}

/// The account a Harness API key belongs to: `pat.<account>.<id>.<secret>`
/// or `sat.<account>.<id>.<secret>`. Only the account is returned, never
/// any other part of the key.
pub fn key_account(key: &str) -> Option<&str> {
    let mut parts = key.trim().split('.');
    let kind = parts.next()?;
    let account = parts.next()?;
    (matches!(kind, "pat" | "sat") && !account.is_empty() && parts.next().is_some())
        .then_some(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_well() {
        assert_eq!(
            FetchError::Timeout.to_string(),
            "Harness did not answer in time"
        );
        assert_eq!(
            FetchError::Server {
                status: 502,
                message: "bad gateway".into()
            }
            .to_string(),
            "Harness answered 502: bad gateway"
        );
        assert_eq!(
            FetchError::NotFound(" ".into()).to_string(),
            "not found (404)"
        );
    }

    #[test]
    fn key_account_reads_pat_and_sat_keys() {
        assert_eq!(key_account("pat.abc123.tokid.secret"), Some("abc123"));
        assert_eq!(key_account("sat.Acc_1-x.id.s"), Some("Acc_1-x"));
        assert_eq!(key_account("abc"), None);
        assert_eq!(key_account("pat.abc"), None);
        assert_eq!(key_account("xyz.abc.d.e"), None);
    }
}
