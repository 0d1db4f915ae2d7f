//! The live data service: one per process, shared by the LSP server and
//! `check --live`. Caches per workspace, fetches in the background.
//!
//! CONTRACT (stub until the client lands): every method is non-blocking
//! except `wait`; nothing here ever logs or returns the API key.

use std::time::Duration;

use super::live::{LiveState, WorkspaceKey};
use crate::settings::Settings;

#[derive(Clone, Default)]
pub struct LiveService {}

impl LiveService {
    pub fn new() -> Self {
        LiveService {}
    }

    /// Takes new settings (key, base URL, hosts, TTL, live). A change of
    /// key or base URL drops the cache.
    pub fn configure(&self, settings: &Settings) {
        let _ = settings;
    }

    /// What is known now. Never starts a fetch.
    pub fn state(&self, key: &WorkspaceKey) -> LiveState {
        let _ = key;
        LiveState::NoKey
    }

    /// What is known now; starts a background fetch (one per workspace at
    /// a time) when there is no data or it is older than the TTL. Needs a
    /// tokio runtime.
    pub fn request(&self, key: &WorkspaceKey) -> LiveState {
        self.state(key)
    }

    /// `request`, then waits up to `timeout` for the fetch to finish.
    pub async fn wait(&self, key: &WorkspaceKey, timeout: Duration) -> LiveState {
        let _ = timeout;
        self.request(key)
    }

    /// Marks all data stale so the next `request` refetches (the old data
    /// is still served meanwhile).
    pub fn refresh_all(&self) {}

    /// Notified with the workspace's key each time a fetch completes.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<WorkspaceKey> {
        tokio::sync::broadcast::channel(1).1
    }

    /// The account of the configured key (`pat.<account>....`), if any.
    pub fn key_account(&self) -> Option<String> {
        None
    }

    /// Upstream requests sent so far, per endpoint kind, for tests and
    /// benchmarks: (workspace, resources, activities).
    pub fn request_counts(&self) -> (u64, u64, u64) {
        (0, 0, 0)
    }
}
