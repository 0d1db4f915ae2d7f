//! Lists for completion: the organisations, projects and IaCM workspaces a
//! key can see (issue 4).

use std::sync::Arc;

use super::live::FetchError;

/// Which list: everything needed to fetch it. `origin` is the
/// `https://host[:port]` of the URL being written (it picks the API base
/// and the allow-list exactly as for workspace data).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ListKey {
    /// `GET {platform}/v1/orgs` (paged).
    Orgs { origin: String, account: String },
    /// `GET {platform}/v1/orgs/{org}/projects` (paged).
    Projects {
        origin: String,
        account: String,
        org: String,
    },
    /// `GET {base}/iacm/api/orgs/{org}/projects/{project}/workspaces` (paged).
    Workspaces {
        origin: String,
        account: String,
        org: String,
        project: String,
    },
}

/// One entry of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub identifier: String,
    /// The display name (may equal the identifier).
    pub name: String,
    /// Workspaces: their status (`active`, `failed`...).
    pub status: Option<String>,
}

/// What is known about a list right now.
#[derive(Debug, Clone, PartialEq)]
pub enum ListState {
    Disabled,
    NoKey,
    HostNotAllowed,
    Loading,
    Ready {
        items: Arc<Vec<ListItem>>,
        refreshing: bool,
    },
    Failed(FetchError),
}
