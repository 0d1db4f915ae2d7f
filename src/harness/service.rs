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

use std::fmt;
use std::future::Future;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use tokio::sync::broadcast;

use super::client::{ApiKey, ClientOptions, Endpoint, HarnessClient, platform_base};
use super::flight_cache::{Fetched, FlightCache};
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
    /// Lock order: `config`, then a cache's own lock.
    config: RwLock<Config>,
    workspaces: FlightCache<WorkspaceKey, Arc<WorkspaceData>>,
    /// Fetched in turns of their own, so a hanging workspace never holds
    /// completion back.
    lists: FlightCache<ListKey, ListResult>,
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

impl Fetched for Arc<WorkspaceData> {
    type State = LiveState;

    fn state(value: Option<&Self>, refreshing: bool) -> LiveState {
        match value {
            Some(data) => LiveState::Ready {
                data: data.clone(),
                refreshing,
            },
            None => LiveState::Loading,
        }
    }

    fn under_way(state: &LiveState) -> bool {
        matches!(
            state,
            LiveState::Loading
                | LiveState::Ready {
                    refreshing: true,
                    ..
                }
        )
    }
}

/// A list's last answer: items sorted by identifier, or why not.
type ListResult = Result<Arc<Vec<ListItem>>, FetchError>;

impl Fetched for ListResult {
    type State = ListState;

    /// A failure being retried reads as `Loading`, so waiters wait for it.
    fn state(value: Option<&Self>, refreshing: bool) -> ListState {
        match value {
            Some(Ok(items)) => ListState::Ready {
                items: items.clone(),
                refreshing,
            },
            Some(Err(err)) if !refreshing => ListState::Failed(err.clone()),
            _ => ListState::Loading,
        }
    }

    fn under_way(state: &ListState) -> bool {
        matches!(
            state,
            ListState::Loading
                | ListState::Ready {
                    refreshing: true,
                    ..
                }
        )
    }

    fn fresh_for(&self, ttl: Duration) -> Duration {
        match self {
            Err(err) if !err.is_definitive() => ttl.min(FAILED_LIST_RETRY),
            _ => ttl,
        }
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

/// Why the settings let nothing be fetched.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Disabled,
    NoKey,
    HostNotAllowed,
}

impl From<Refusal> for LiveState {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Disabled => LiveState::Disabled,
            Refusal::NoKey => LiveState::NoKey,
            Refusal::HostNotAllowed => LiveState::HostNotAllowed,
        }
    }
}

impl From<Refusal> for ListState {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Disabled => ListState::Disabled,
            Refusal::NoKey => ListState::NoKey,
            Refusal::HostNotAllowed => ListState::HostNotAllowed,
        }
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
            .field("cached", &self.inner.workspaces.len())
            .field("lists", &self.inner.lists.len())
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
        let at_once = options.max_concurrent_fetches;
        LiveService {
            inner: Arc::new(Inner {
                options,
                config: RwLock::new(Config {
                    live: defaults.live,
                    key: None,
                    routes: Routes::new(&defaults.base_url, &defaults.hosts),
                    ttl: Duration::from_secs(defaults.cache_ttl_seconds),
                }),
                workspaces: FlightCache::new(MAX_ENTRIES, at_once),
                lists: FlightCache::new(MAX_LIST_ENTRIES, at_once),
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
            self.inner.workspaces.clear();
            self.inner.lists.clear();
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
        self.known(&self.inner.workspaces, key, &key.origin)
    }

    /// What is known now; starts a background fetch (one per workspace at
    /// a time) when there is no data or it is older than the TTL. Needs a
    /// tokio runtime to start one; without, it only reports.
    pub fn request(&self, key: &WorkspaceKey) -> LiveState {
        self.start(&self.inner.workspaces, key, &key.origin, fetch)
    }

    /// `request`, then waits up to `timeout` for the fetch to finish. At
    /// the timeout, returns what is known then (`Loading` or older data).
    pub async fn wait(&self, key: &WorkspaceKey, timeout: Duration) -> LiveState {
        let request = || self.request(key);
        let state = || self.state(key);
        self.inner
            .workspaces
            .wait(key, timeout, request, state)
            .await
    }

    /// A list for completion, as known now. Never starts a fetch;
    /// `Loading` for a list never requested.
    pub fn list_state(&self, key: &ListKey) -> ListState {
        self.known(&self.inner.lists, key, list_origin(key))
    }

    /// `list_state`, starting a background fetch (one per list at a time,
    /// all pages) when the list is missing, stale or older than the TTL.
    /// Needs a tokio runtime to start one; without, it only reports.
    pub fn request_list(&self, key: &ListKey) -> ListState {
        self.start(&self.inner.lists, key, list_origin(key), fetch_list)
    }

    /// `request_list`, then waits up to `timeout` for the fetch. At the
    /// timeout, returns what is known then (`Loading`, or the older list
    /// with `refreshing: true`).
    pub async fn wait_list(&self, key: &ListKey, timeout: Duration) -> ListState {
        let request = || self.request_list(key);
        let state = || self.list_state(key);
        self.inner.lists.wait(key, timeout, request, state).await
    }

    /// What `cache` knows of `key` (from `origin`), unless the settings
    /// refuse it.
    fn known<K, V>(&self, cache: &FlightCache<K, V>, key: &K, origin: &str) -> V::State
    where
        K: Clone + Eq + std::hash::Hash + Send + 'static,
        V: Fetched,
        V::State: From<Refusal>,
    {
        let config = self.inner.config();
        if let Err(refusal) = Inner::gate(&config, origin) {
            return refusal.into();
        }
        cache.state(key)
    }

    /// `known`, starting `fetch` for `key` through `cache` when it needs one.
    fn start<K, V, F>(
        &self,
        cache: &FlightCache<K, V>,
        key: &K,
        origin: &str,
        fetch: fn(K, Target) -> F,
    ) -> V::State
    where
        K: Clone + Eq + std::hash::Hash + Send + 'static,
        V: Fetched,
        V::State: From<Refusal>,
        F: Future<Output = V> + Send + 'static,
    {
        let config = self.inner.config();
        let (api_key, base) = match Inner::gate(&config, origin) {
            Ok(gate) => gate,
            Err(refusal) => return refusal.into(),
        };
        let target = || Target {
            client: self.inner.client(api_key),
            base,
        };
        let owned = key.clone();
        cache.request(key, config.ttl, move || fetch(owned, target()))
    }

    /// Notified with the list's key each time a list fetch completes.
    pub fn subscribe_lists(&self) -> broadcast::Receiver<ListKey> {
        self.inner.lists.subscribe()
    }

    /// Marks all data and lists stale so the next `request` or
    /// `request_list` refetches (the old data is still served meanwhile).
    pub fn refresh_all(&self) {
        self.inner.workspaces.mark_all_stale();
        self.inner.lists.mark_all_stale();
    }

    /// Notified with the workspace's key each time a fetch completes.
    pub fn subscribe(&self) -> broadcast::Receiver<WorkspaceKey> {
        self.inner.workspaces.subscribe()
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

    /// Whether data from `origin` may be fetched, with which key and from
    /// which API base (for lists, the IaCM API base: org and project lists
    /// use its `platform_base`); otherwise why not.
    fn gate<'c>(config: &'c Config, origin: &str) -> Result<(&'c ApiKey, String), Refusal> {
        if !config.live {
            return Err(Refusal::Disabled);
        }
        let Some(api_key) = &config.key else {
            return Err(Refusal::NoKey);
        };
        let Some(base) = config.routes.api_base(origin) else {
            return Err(Refusal::HostNotAllowed);
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

async fn fetch(key: WorkspaceKey, target: Target) -> Arc<WorkspaceData> {
    let data = match &target.client {
        Ok(client) => {
            let base = target.base.as_str();
            let (workspace, resources, activities) = tokio::join!(
                client.workspace(base, &key),
                client.resources(base, &key),
                client.activities(base, &key),
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
    };
    Arc::new(data)
}

async fn fetch_list(key: ListKey, target: Target) -> ListResult {
    let items = match &target.client {
        Ok(client) => fetch_items(client, &target.base, &key).await,
        Err(err) => Err(err.clone()),
    };
    items.map(|mut items| {
        items.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        items.dedup_by(|a, b| a.identifier == b.identifier);
        Arc::new(items)
    })
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
