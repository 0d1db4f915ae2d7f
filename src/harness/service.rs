//! The live data service: one per process, shared by the LSP server and
//! `check --live`. Caches per workspace, fetches in the background.
//!
//! Every method is non-blocking except `wait`; nothing here ever logs or
//! returns the API key. A fetch runs in a spawned task on the caller's
//! tokio runtime, one per workspace at a time (single flight), at most
//! `max_concurrent_fetches` workspaces at once; while it runs, older data
//! is still served (stale-while-revalidate). Failures are cached like data,
//! so a 404 is not refetched on every keystroke.
//!
//! The lists behind completion (organisations, projects, a project's
//! workspaces) are cached the same way, per `ListKey`, under the same key,
//! allow-list and TTL rules; their fetches take turns of their own, so a
//! hanging workspace never holds completion back. A failed list that says
//! nothing about the key (network, timeout, 5xx) is retried after
//! `FAILED_LIST_RETRY` rather than the TTL.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{Semaphore, broadcast};

use super::client::{ApiKey, ClientOptions, Endpoint, HarnessClient, platform_base};
use super::lists::{ListItem, ListKey, ListState};
use super::live::{FetchError, LiveState, WorkspaceData, WorkspaceKey};
use super::route::Routes;
use crate::settings::Settings;

/// Beyond this many cached workspaces, expired ones are dropped.
const MAX_ENTRIES: usize = 1024;
/// Beyond this many cached lists, expired ones are dropped.
const MAX_LIST_ENTRIES: usize = 512;
/// A list that failed for a reason other than the key or the scope (401,
/// 403, 404) is fetched again after this long, even with a longer TTL.
pub const FAILED_LIST_RETRY: Duration = Duration::from_secs(5);

/// Tuning for the service; `Default` is what the server and the CLI use.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    pub client: ClientOptions,
    /// Workspaces fetched at the same time (each is three requests); lists
    /// fetched at the same time (each a run of pages), counted apart.
    pub max_concurrent_fetches: usize,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            client: ClientOptions::default(),
            max_concurrent_fetches: 4,
        }
    }
}

#[derive(Clone)]
pub struct LiveService {
    inner: Arc<Inner>,
}

struct Inner {
    options: ServiceOptions,
    config: RwLock<Config>,
    /// Lock order: `config`, then `cache`.
    cache: Mutex<HashMap<WorkspaceKey, Entry>>,
    events: broadcast::Sender<WorkspaceKey>,
    permits: Arc<Semaphore>,
    /// Lock order: `config`, then `lists`; never with `cache`.
    lists: Mutex<HashMap<ListKey, ListEntry>>,
    list_events: broadcast::Sender<ListKey>,
    list_permits: Arc<Semaphore>,
    next_flight: AtomicU64,
    /// Built on first use, so start-up pays nothing without a key; every
    /// key's client shares its connection pool and request counts.
    http: OnceLock<Result<HarnessClient, FetchError>>,
}

struct Config {
    live: bool,
    key: Option<ApiKey>,
    routes: Routes,
    ttl: Duration,
}

#[derive(Default)]
struct Entry {
    data: Option<Arc<WorkspaceData>>,
    /// When `data` arrived.
    fetched: Option<Instant>,
    /// Set by `refresh_all`: refetch on the next `request`.
    stale: bool,
    /// The fetch under way, if any.
    flight: Option<u64>,
}

impl Entry {
    fn live_state(&self) -> LiveState {
        match &self.data {
            Some(data) => LiveState::Ready {
                data: data.clone(),
                refreshing: self.flight.is_some(),
            },
            None => LiveState::Loading,
        }
    }

    fn is_fresh(&self, ttl: Duration) -> bool {
        self.data.is_some() && !self.stale && self.fetched.is_some_and(|t| t.elapsed() < ttl)
    }
}

#[derive(Default)]
struct ListEntry {
    /// The last fetch's answer: items sorted by identifier, or why not.
    result: Option<Result<Arc<Vec<ListItem>>, FetchError>>,
    /// When `result` arrived.
    fetched: Option<Instant>,
    /// Set by `refresh_all`: refetch on the next `request_list`.
    stale: bool,
    /// The fetch under way, if any.
    flight: Option<u64>,
}

impl ListEntry {
    /// A failure being retried reads as `Loading`, so waiters wait for it.
    fn list_state(&self) -> ListState {
        match &self.result {
            Some(Ok(items)) => ListState::Ready {
                items: items.clone(),
                refreshing: self.flight.is_some(),
            },
            Some(Err(err)) if self.flight.is_none() => ListState::Failed(err.clone()),
            _ => ListState::Loading,
        }
    }

    fn is_fresh(&self, ttl: Duration) -> bool {
        let (Some(result), Some(fetched)) = (&self.result, self.fetched) else {
            return false;
        };
        let ttl = match result {
            Err(err) if !err.is_definitive() => ttl.min(FAILED_LIST_RETRY),
            _ => ttl,
        };
        !self.stale && fetched.elapsed() < ttl
    }
}

/// The `https://host[:port]` a list is for.
fn list_origin(key: &ListKey) -> &str {
    match key {
        ListKey::Orgs { origin, .. }
        | ListKey::Projects { origin, .. }
        | ListKey::Workspaces { origin, .. } => origin,
    }
}

/// What a fetch needs, resolved under the config lock.
struct Target {
    client: Result<HarnessClient, FetchError>,
    base: String,
}

impl Default for LiveService {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for LiveService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = self.inner.config();
        f.debug_struct("LiveService")
            .field("live", &config.live)
            .field("key", &config.key)
            .field("routes", &config.routes)
            .field("ttl", &config.ttl)
            .field("cached", &self.inner.cache().len())
            .field("lists", &self.inner.lists().len())
            .finish()
    }
}

impl LiveService {
    pub fn new() -> Self {
        Self::with_options(ServiceOptions::default())
    }

    /// With other timeouts, limits and back-off (tests use short ones).
    pub fn with_options(options: ServiceOptions) -> Self {
        let defaults = Settings::default();
        let permits = Arc::new(Semaphore::new(options.max_concurrent_fetches.max(1)));
        let list_permits = Arc::new(Semaphore::new(options.max_concurrent_fetches.max(1)));
        LiveService {
            inner: Arc::new(Inner {
                options,
                config: RwLock::new(Config {
                    live: defaults.live,
                    key: None,
                    routes: Routes::new(&defaults.base_url, &defaults.hosts),
                    ttl: Duration::from_secs(defaults.cache_ttl_seconds),
                }),
                cache: Mutex::default(),
                events: broadcast::channel(256).0,
                permits,
                lists: Mutex::default(),
                list_events: broadcast::channel(256).0,
                list_permits,
                next_flight: AtomicU64::new(1),
                http: OnceLock::new(),
            }),
        }
    }

    /// Takes new settings (key, base URL, hosts, TTL, live). A change of
    /// key or base URL drops the cache and the lists: they were fetched as
    /// someone else, or from somewhere else.
    pub fn configure(&self, settings: &Settings) {
        let key = settings
            .api_key
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(ApiKey::new);
        let routes = Routes::new(&settings.base_url, &settings.hosts);
        let mut config = self.inner.config_mut();
        if config.key != key || config.routes.base_url != routes.base_url {
            // Fetches under way finish into nothing: their entries are gone.
            self.inner.cache().clear();
            self.inner.lists().clear();
        }
        *config = Config {
            live: settings.live,
            key,
            routes,
            ttl: Duration::from_secs(settings.cache_ttl_seconds),
        };
    }

    /// What is known now. Never starts a fetch; `Loading` for a workspace
    /// never requested.
    pub fn state(&self, key: &WorkspaceKey) -> LiveState {
        let config = self.inner.config();
        if let Err(state) = Inner::gate(&config, key) {
            return state;
        }
        let cache = self.inner.cache();
        cache.get(key).map_or(LiveState::Loading, Entry::live_state)
    }

    /// What is known now; starts a background fetch (one per workspace at
    /// a time) when there is no data or it is older than the TTL. Needs a
    /// tokio runtime to start one; without, it only reports.
    pub fn request(&self, key: &WorkspaceKey) -> LiveState {
        let config = self.inner.config();
        let (api_key, base) = match Inner::gate(&config, key) {
            Ok(gate) => gate,
            Err(state) => return state,
        };
        let ttl = config.ttl;
        let mut cache = self.inner.cache();
        if cache.len() >= MAX_ENTRIES && !cache.contains_key(key) {
            cache.retain(|_, e| e.flight.is_some() || e.is_fresh(ttl));
        }
        let entry = cache.entry(key.clone()).or_default();
        if entry.flight.is_some() || entry.is_fresh(ttl) {
            return entry.live_state();
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return entry.live_state();
        };
        let flight = self.inner.next_flight.fetch_add(1, Ordering::Relaxed);
        entry.flight = Some(flight);
        let state = entry.live_state();
        let guard = FlightGuard {
            inner: self.inner.clone(),
            key: key.clone(),
            flight,
        };
        let target = Target {
            client: self.inner.client(api_key),
            base,
        };
        runtime.spawn(fetch(guard, target));
        state
    }

    /// `request`, then waits up to `timeout` for the fetch to finish. At
    /// the timeout, returns what is known then (`Loading` or older data).
    pub async fn wait(&self, key: &WorkspaceKey, timeout: Duration) -> LiveState {
        let deadline = tokio::time::Instant::now() + timeout;
        // Subscribed before the fetch starts, so its event cannot be missed.
        let mut events = self.subscribe();
        let mut state = self.request(key);
        loop {
            let under_way = matches!(
                state,
                LiveState::Loading
                    | LiveState::Ready {
                        refreshing: true,
                        ..
                    }
            );
            if !under_way {
                return state;
            }
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Err(_) => return self.state(key),
                Ok(Ok(done)) if &done != key => {}
                Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    state = self.state(key)
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => return self.state(key),
            }
        }
    }

    /// A list for completion, as known now. Never starts a fetch;
    /// `Loading` for a list never requested.
    pub fn list_state(&self, key: &ListKey) -> ListState {
        let config = self.inner.config();
        if let Err(state) = Inner::list_gate(&config, key) {
            return state;
        }
        let lists = self.inner.lists();
        lists
            .get(key)
            .map_or(ListState::Loading, ListEntry::list_state)
    }

    /// `list_state`, starting a background fetch (one per list at a time,
    /// all pages) when the list is missing, stale or older than the TTL.
    /// Needs a tokio runtime to start one; without, it only reports.
    pub fn request_list(&self, key: &ListKey) -> ListState {
        let config = self.inner.config();
        let (api_key, base) = match Inner::list_gate(&config, key) {
            Ok(gate) => gate,
            Err(state) => return state,
        };
        let ttl = config.ttl;
        let mut lists = self.inner.lists();
        if lists.len() >= MAX_LIST_ENTRIES && !lists.contains_key(key) {
            lists.retain(|_, e| e.flight.is_some() || e.is_fresh(ttl));
        }
        let entry = lists.entry(key.clone()).or_default();
        if entry.flight.is_some() || entry.is_fresh(ttl) {
            return entry.list_state();
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return entry.list_state();
        };
        let flight = self.inner.next_flight.fetch_add(1, Ordering::Relaxed);
        entry.flight = Some(flight);
        let state = entry.list_state();
        let guard = ListFlightGuard {
            inner: self.inner.clone(),
            key: key.clone(),
            flight,
        };
        let target = Target {
            client: self.inner.client(api_key),
            base,
        };
        runtime.spawn(fetch_list(guard, target));
        state
    }

    /// `request_list`, then waits up to `timeout` for the fetch. At the
    /// timeout, returns what is known then (`Loading`, or the older list
    /// with `refreshing: true`).
    pub async fn wait_list(&self, key: &ListKey, timeout: Duration) -> ListState {
        let deadline = tokio::time::Instant::now() + timeout;
        // Subscribed before the fetch starts, so its event cannot be missed.
        let mut events = self.subscribe_lists();
        let mut state = self.request_list(key);
        loop {
            let under_way = matches!(
                state,
                ListState::Loading
                    | ListState::Ready {
                        refreshing: true,
                        ..
                    }
            );
            if !under_way {
                return state;
            }
            match tokio::time::timeout_at(deadline, events.recv()).await {
                Err(_) => return self.list_state(key),
                Ok(Ok(done)) if &done != key => {}
                Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    state = self.list_state(key)
                }
                Ok(Err(broadcast::error::RecvError::Closed)) => return self.list_state(key),
            }
        }
    }

    /// Notified with the list's key each time a list fetch completes.
    pub fn subscribe_lists(&self) -> broadcast::Receiver<ListKey> {
        self.inner.list_events.subscribe()
    }

    /// Marks all data and lists stale so the next `request` or
    /// `request_list` refetches (the old data is still served meanwhile).
    pub fn refresh_all(&self) {
        for entry in self.inner.cache().values_mut() {
            entry.stale = true;
        }
        for entry in self.inner.lists().values_mut() {
            entry.stale = true;
        }
    }

    /// Notified with the workspace's key each time a fetch completes.
    pub fn subscribe(&self) -> broadcast::Receiver<WorkspaceKey> {
        self.inner.events.subscribe()
    }

    /// The account of the configured key (`pat.<account>....`), if any.
    pub fn key_account(&self) -> Option<String> {
        let config = self.inner.config();
        let key = config.key.as_ref()?;
        super::live::key_account(key.expose()).map(str::to_string)
    }

    /// Upstream requests sent so far, per endpoint kind, for tests and
    /// benchmarks: (workspace, resources, activities). Each attempt counts,
    /// 429 retries included.
    pub fn request_counts(&self) -> (u64, u64, u64) {
        match self.inner.http.get() {
            Some(Ok(client)) => {
                let counts = client.counts();
                (
                    counts.get(Endpoint::Workspace),
                    counts.get(Endpoint::Resources),
                    counts.get(Endpoint::Activities),
                )
            }
            _ => (0, 0, 0),
        }
    }

    /// Upstream requests sent so far to one endpoint (each page and each
    /// attempt counts), for tests and benchmarks.
    pub fn request_count(&self, endpoint: Endpoint) -> u64 {
        match self.inner.http.get() {
            Some(Ok(client)) => client.counts().get(endpoint),
            _ => 0,
        }
    }

    /// The HTTP client with the configured key, for reads outside the
    /// cache (completion's lists go through `request_list` instead). `None`
    /// without a key.
    pub fn client(&self) -> Option<Result<HarnessClient, FetchError>> {
        let config = self.inner.config();
        let key = config.key.as_ref()?;
        Some(self.inner.client(key))
    }

    /// The API base for a workspace URL's origin, `None` when the host is
    /// not allowed (see `route`).
    pub fn api_base(&self, origin: &str) -> Option<String> {
        self.inner.config().routes.api_base(origin)
    }
}

impl Inner {
    fn config(&self) -> std::sync::RwLockReadGuard<'_, Config> {
        self.config.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn config_mut(&self) -> std::sync::RwLockWriteGuard<'_, Config> {
        self.config.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn cache(&self) -> MutexGuard<'_, HashMap<WorkspaceKey, Entry>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lists(&self) -> MutexGuard<'_, HashMap<ListKey, ListEntry>> {
        self.lists.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `gate` for a list: the same rules, on the list's origin. The base
    /// is the IaCM API base; org and project lists use its `platform_base`.
    fn list_gate<'c>(config: &'c Config, key: &ListKey) -> Result<(&'c ApiKey, String), ListState> {
        if !config.live {
            return Err(ListState::Disabled);
        }
        let Some(api_key) = &config.key else {
            return Err(ListState::NoKey);
        };
        let Some(base) = config.routes.api_base(list_origin(key)) else {
            return Err(ListState::HostNotAllowed);
        };
        Ok((api_key, base))
    }

    /// Whether a workspace may be fetched, with which key and from which
    /// API base; otherwise the state that says why not.
    fn gate<'c>(config: &'c Config, key: &WorkspaceKey) -> Result<(&'c ApiKey, String), LiveState> {
        if !config.live {
            return Err(LiveState::Disabled);
        }
        let Some(api_key) = &config.key else {
            return Err(LiveState::NoKey);
        };
        let Some(base) = config.routes.api_base(&key.origin) else {
            return Err(LiveState::HostNotAllowed);
        };
        Ok((api_key, base))
    }

    fn client(&self, key: &ApiKey) -> Result<HarnessClient, FetchError> {
        let shared = self
            .http
            .get_or_init(|| HarnessClient::new("", self.options.client.clone()));
        shared
            .as_ref()
            .map(|c| c.with_api_key(key.clone()))
            .map_err(Clone::clone)
    }
}

/// Owns a fetch's claim on its cache entry. Dropped without `finish` (the
/// task panicked, or its runtime shut down), it releases the claim so the
/// next `request` starts over instead of waiting forever.
struct FlightGuard {
    inner: Arc<Inner>,
    key: WorkspaceKey,
    flight: u64,
}

impl FlightGuard {
    fn finish(self, data: WorkspaceData) {
        let stored = {
            let mut cache = self.inner.cache();
            match cache.get_mut(&self.key) {
                // Not ours when `configure` dropped the cache meanwhile.
                Some(entry) if entry.flight == Some(self.flight) => {
                    entry.data = Some(Arc::new(data));
                    entry.fetched = Some(Instant::now());
                    entry.stale = false;
                    entry.flight = None;
                    true
                }
                _ => false,
            }
        };
        if stored {
            let _ = self.inner.events.send(self.key.clone());
        }
    }
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        let mut cache = self.inner.cache();
        if let Some(entry) = cache.get_mut(&self.key) {
            if entry.flight == Some(self.flight) {
                entry.flight = None;
            }
        }
    }
}

async fn fetch(guard: FlightGuard, target: Target) {
    let data = {
        // Never closed, so this only waits for a turn.
        let _permit = guard.inner.permits.clone().acquire_owned().await;
        match &target.client {
            Ok(client) => {
                let key = &guard.key;
                let base = target.base.as_str();
                let (workspace, resources, activities) = tokio::join!(
                    client.workspace(base, key),
                    client.resources(base, key),
                    client.activities(base, key),
                );
                WorkspaceData {
                    fetched_at: SystemTime::now(),
                    workspace,
                    resources,
                    activities,
                }
            }
            Err(err) => WorkspaceData {
                fetched_at: SystemTime::now(),
                workspace: Err(err.clone()),
                resources: Err(err.clone()),
                activities: Err(err.clone()),
            },
        }
    };
    guard.finish(data);
}

/// `FlightGuard` for a list.
struct ListFlightGuard {
    inner: Arc<Inner>,
    key: ListKey,
    flight: u64,
}

impl ListFlightGuard {
    fn finish(self, result: Result<Arc<Vec<ListItem>>, FetchError>) {
        let stored = {
            let mut lists = self.inner.lists();
            match lists.get_mut(&self.key) {
                // Not ours when `configure` dropped the lists meanwhile.
                Some(entry) if entry.flight == Some(self.flight) => {
                    entry.result = Some(result);
                    entry.fetched = Some(Instant::now());
                    entry.stale = false;
                    entry.flight = None;
                    true
                }
                _ => false,
            }
        };
        if stored {
            let _ = self.inner.list_events.send(self.key.clone());
        }
    }
}

impl Drop for ListFlightGuard {
    fn drop(&mut self) {
        let mut lists = self.inner.lists();
        if let Some(entry) = lists.get_mut(&self.key) {
            if entry.flight == Some(self.flight) {
                entry.flight = None;
            }
        }
    }
}

async fn fetch_list(guard: ListFlightGuard, target: Target) {
    let result = {
        // Never closed, so this only waits for a turn.
        let _permit = guard.inner.list_permits.clone().acquire_owned().await;
        match &target.client {
            Ok(client) => fetch_items(client, &target.base, &guard.key).await,
            Err(err) => Err(err.clone()),
        }
    };
    guard.finish(result.map(|mut items| {
        items.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        items.dedup_by(|a, b| a.identifier == b.identifier);
        Arc::new(items)
    }));
}

/// Every page of one list.
async fn fetch_items(
    client: &HarnessClient,
    base: &str,
    key: &ListKey,
) -> Result<Vec<ListItem>, FetchError> {
    match key {
        ListKey::Orgs { account, .. } => client.list_orgs(&platform_base(base), account).await,
        ListKey::Projects { account, org, .. } => {
            client
                .list_projects(&platform_base(base), account, org)
                .await
        }
        ListKey::Workspaces {
            account,
            org,
            project,
            ..
        } => Ok(client
            .list_workspaces(base, account, org, project)
            .await?
            .into_iter()
            .filter(|w| !w.identifier.trim().is_empty())
            .map(|w| ListItem {
                name: if w.name.trim().is_empty() {
                    w.identifier.clone()
                } else {
                    w.name
                },
                identifier: w.identifier,
                status: w.status.filter(|s| !s.trim().is_empty()),
            })
            .collect()),
    }
}
