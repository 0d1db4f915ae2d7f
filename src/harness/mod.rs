//! Live workspace data from the Harness API: response types, the HTTP
//! client, the cache, and the snapshot the features read.
//!
//! Depends on nothing of ours but `WorkspaceRef` (via `WorkspaceKey`) and
//! `Settings`; features read it only through `LiveState`.

pub mod client;
pub mod errors;
pub mod flight_cache;
pub mod lists;
pub mod live;
pub mod route;
pub mod service;
pub mod types;

pub use live::{FetchError, LiveState, WorkspaceData, WorkspaceKey, key_account};
pub use service::LiveService;
