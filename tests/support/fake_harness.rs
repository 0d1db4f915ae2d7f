//! A fake Harness IaCM API: a real HTTP/1.1 server on 127.0.0.1 serving
//! the documented paths and shapes (`../shared/harness-api.md` 2.2, 2.3,
//! 2.5) from `fake_harness_data.json`, checking `x-api-key`, recording every
//! request, and injecting faults on demand. Used by the tests and by
//! `examples/fake_harness.rs`.
//!
//! Lists are paged as Harness pages them: the IaCM workspace list and
//! activities by `limit` and a 1-based `page` (headers `x-page-size`,
//! `x-total-items`, `x-total-pages`); the platform API's `GET /v1/orgs` and
//! `GET /v1/orgs/{org}/projects` by `limit` and a 0-based `page` (headers
//! `X-Total-Elements`, `X-Page-Number`, `X-Page-Size`). A missing `limit` is
//! `DEFAULT_PAGE_SIZE`; any `limit` is capped at the maximum page size
//! (`DEFAULT_MAX_PAGE_SIZE` unless `set_max_page_size`), so a client asking
//! for 100 still pages through the 11 workspaces of `default/payments`.
//!
//! It runs on its own thread and runtime, so sync and async tests use it
//! alike; it stops when dropped.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, channel::Channel};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub const ACCOUNT: &str = "abc123";
pub const ORG: &str = "default";
pub const PROJECT: &str = "payments";
/// Items per page when a request names no `limit`.
pub const DEFAULT_PAGE_SIZE: usize = 10;
/// The largest page served unless `set_max_page_size` says otherwise.
pub const DEFAULT_MAX_PAGE_SIZE: usize = 10;
/// A key of the right shape for `ACCOUNT`.
pub const DEFAULT_KEY: &str = "pat.abc123.fakeTokenId.fakeSecretValue";

const DATA: &str = include_str!("fake_harness_data.json");
const GOA_ERROR: &str = "application/vnd.goa.error";

/// Something to do instead of (or before) the normal answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Wait, then answer normally.
    Delay(Duration),
    /// This status with a goa error body (`application/vnd.goa.error`).
    Status(u16),
    /// This status with the NG envelope (`{status: ERROR, code, message}`).
    NgStatus(u16),
    /// 429 this many times (counted across the scope), then normal answers.
    RateLimit(u32),
    /// 200 with a body that is not JSON.
    MalformedJson,
    /// 200 with a JSON body of about this many bytes and a Content-Length.
    Oversized(usize),
    /// The same, streamed without a Content-Length.
    OversizedChunked(usize),
    /// Reads the request and never answers.
    Hang,
    /// The normal answer, 16 bytes per interval.
    SlowDrip(Duration),
    /// Reads the request, then closes the connection without an answer.
    Reset,
    /// This status with an error message that quotes the `x-api-key` it
    /// was sent, as a careless or hostile server might.
    EchoKey(u16),
}

/// The header on a response that `serve` turns into a closed connection.
const RESET_MARKER: &str = "x-fake-reset";

/// Which requests a fault applies to. A path fault wins over a workspace
/// fault, which wins over a global one; among path faults, `PathEquals`
/// wins over `PathEndsWith`, which wins over `PathContains`. Paths are
/// matched as sent, without the query (`/v1/orgs`,
/// `/gateway/iacm/api/orgs/default/projects/payments/workspaces`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    /// Workspace, resources and activities requests for this workspace.
    Workspace(String),
    /// Requests whose path contains this text.
    PathContains(String),
    /// Requests whose path is exactly this (`/v1/orgs`: the org list only).
    PathEquals(String),
    /// Requests whose path ends with this (`/projects`: every project list;
    /// `/workspaces`: every IaCM workspace list).
    PathEndsWith(String),
}

impl From<&str> for Scope {
    fn from(workspace: &str) -> Self {
        Scope::Workspace(workspace.to_string())
    }
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// As sent, e.g. `/gateway/iacm/api/orgs/default/projects/payments/workspaces/prod_ws`.
    pub path: String,
    /// Raw query string, without `?`.
    pub query: String,
    pub api_key: Option<String>,
    pub harness_account: Option<String>,
    /// `Harness-Account` named the fake's account.
    pub account_matched: bool,
    pub accept: Option<String>,
}

impl Recorded {
    pub fn query_param(&self, name: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// `path?query`, what `request_count` matches against.
    pub fn target(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }
}

struct State {
    key: Mutex<String>,
    data: Value,
    faults: Mutex<HashMap<Scope, Fault>>,
    requests: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    max_page_size: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct FakeHarness {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeHarness {
    /// Starts on a free port of 127.0.0.1, accepting `key` as `x-api-key`.
    pub fn start(key: &str) -> FakeHarness {
        Self::start_on(0, key).expect("bind 127.0.0.1")
    }

    /// Starts on `port` of 127.0.0.1 (0: any free port).
    pub fn start_on(port: u16, key: &str) -> std::io::Result<FakeHarness> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            key: Mutex::new(key.to_string()),
            data: serde_json::from_str(DATA).expect("fake_harness_data.json is JSON"),
            faults: Mutex::default(),
            requests: Mutex::default(),
            connections: AtomicUsize::new(0),
            max_page_size: AtomicUsize::new(DEFAULT_MAX_PAGE_SIZE),
        });
        let (shutdown, stop) = oneshot::channel();
        let serving = state.clone();
        let thread = std::thread::Builder::new()
            .name("fake-harness".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                runtime.block_on(serve(listener, serving, stop));
                // Dropping the runtime cancels hanging and dripping answers.
            })?;
        Ok(FakeHarness {
            addr,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `iacm.baseUrl` / `HARNESS_BASE_URL` to use: `http://127.0.0.1:PORT/gateway`.
    pub fn base_url(&self) -> String {
        format!("http://{}/gateway", self.addr)
    }

    /// A workspace URL as Harness shows it. With `base_url` as the API base,
    /// app.harness.io URLs are served by this fake.
    pub fn workspace_url(workspace: &str) -> String {
        format!(
            "https://app.harness.io/ng/account/{ACCOUNT}/module/iacm/orgs/{ORG}/projects/{PROJECT}/workspaces/{workspace}/resources"
        )
    }

    /// The platform API's base (`GET {platform_url}/v1/orgs`): the origin
    /// of `base_url`, `http://127.0.0.1:PORT`.
    pub fn platform_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Identifiers of the workspaces of `ORG`/`PROJECT`, in list order.
    pub fn workspace_ids(&self) -> Vec<String> {
        self.workspace_ids_of(ORG, PROJECT)
    }

    /// Identifiers of the organisations served, in list order (not sorted).
    pub fn org_ids(&self) -> Vec<String> {
        self.orgs().into_iter().map(|(id, _)| id).collect()
    }

    /// (identifier, name) of the organisations, in list order.
    pub fn orgs(&self) -> Vec<(String, String)> {
        self.state
            .orgs()
            .map(|o| (text(&o["identifier"]), text(&o["name"])))
            .collect()
    }

    /// Identifiers of an organisation's projects, in list order; empty for
    /// an unknown org (whose project list is a 404).
    pub fn project_ids(&self, org: &str) -> Vec<String> {
        self.projects(org).into_iter().map(|(id, _)| id).collect()
    }

    /// (identifier, name) of an organisation's projects, in list order.
    pub fn projects(&self, org: &str) -> Vec<(String, String)> {
        self.state
            .projects_of(org)
            .map(|p| (text(&p["identifier"]), text(&p["name"])))
            .collect()
    }

    /// Identifiers of a project's IaCM workspaces, in list order.
    pub fn workspace_ids_of(&self, org: &str, project: &str) -> Vec<String> {
        self.workspaces_of(org, project)
            .into_iter()
            .map(|(id, _, _)| id)
            .collect()
    }

    /// (identifier, name, status) of a project's IaCM workspaces.
    pub fn workspaces_of(&self, org: &str, project: &str) -> Vec<(String, String, String)> {
        self.state
            .workspaces_of(org, project)
            .map(|w| {
                let w = &w["workspace"];
                (text(&w["identifier"]), text(&w["name"]), text(&w["status"]))
            })
            .collect()
    }

    /// The largest page served from now on (at least 1), whatever `limit`
    /// a request names.
    pub fn set_max_page_size(&self, size: usize) {
        self.state
            .max_page_size
            .store(size.max(1), Ordering::SeqCst);
    }

    pub fn set_key(&self, key: &str) {
        *lock(&self.state.key) = key.to_string();
    }

    pub fn set_fault(&self, scope: impl Into<Scope>, fault: Fault) {
        lock(&self.state.faults).insert(scope.into(), fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.state.faults).clear();
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.state.requests).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.state.requests).clear();
    }

    /// Requests whose `path?query` contains `needle`.
    pub fn request_count(&self, needle: &str) -> usize {
        lock(&self.state.requests)
            .iter()
            .filter(|r| r.target().contains(needle))
            .count()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }
}

impl Drop for FakeHarness {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut stop: oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        state.connections.fetch_add(1, Ordering::SeqCst);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let state = state.clone();
                async move {
                    let response = handle(&state, req).await;
                    if response.headers().contains_key(RESET_MARKER) {
                        // An error from the service: hyper closes the
                        // connection without writing a response.
                        return Err(std::io::Error::other("fault: connection reset"));
                    }
                    Ok(response)
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

type Body = BoxBody<Bytes, Infallible>;

/// A parsed API path: what is asked for, about which workspace.
enum Route {
    /// `GET /v1/orgs`.
    Orgs,
    /// `GET /v1/orgs/{org}/projects`.
    Projects(String),
    /// The IaCM workspace list of (org, project).
    List(String, String),
    Workspace(Scoped),
    Resources(Scoped),
    Activities(String, String, Option<String>),
    Unknown,
}

/// (org, project, workspace).
type Scoped = (String, String, String);

fn parse_route(path: &str, query: &str) -> Route {
    let path = path.strip_prefix("/gateway").unwrap_or(path);
    let segments: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let scoped =
        |org: &str, project: &str, ws: &str| (org.to_string(), project.to_string(), ws.to_string());
    match s.as_slice() {
        ["v1", "orgs"] => Route::Orgs,
        ["v1", "orgs", org, "projects"] => Route::Projects(org.to_string()),
        [
            "iacm",
            "api",
            "orgs",
            org,
            "projects",
            project,
            "workspaces",
        ] => Route::List(org.to_string(), project.to_string()),
        [
            "iacm",
            "api",
            "orgs",
            org,
            "projects",
            project,
            "workspaces",
            ws,
        ] => Route::Workspace(scoped(org, project, ws)),
        [
            "iacm",
            "api",
            "orgs",
            org,
            "projects",
            project,
            "workspaces",
            ws,
            "resources",
        ] => Route::Resources(scoped(org, project, ws)),
        [
            "iacm",
            "api",
            "orgs",
            org,
            "projects",
            project,
            "activities",
        ] => {
            let ws = url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == "workspace")
                .map(|(_, v)| v.into_owned());
            Route::Activities(org.to_string(), project.to_string(), ws)
        }
        _ => Route::Unknown,
    }
}

impl Route {
    fn workspace(&self) -> Option<&str> {
        match self {
            Route::Workspace((_, _, ws))
            | Route::Resources((_, _, ws))
            | Route::Activities(_, _, Some(ws)) => Some(ws),
            _ => None,
        }
    }

    /// The platform API (`/v1/...`) answers errors in the NG envelope.
    fn is_platform(&self) -> bool {
        matches!(self, Route::Orgs | Route::Projects(_))
    }
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let recorded = Recorded {
        method: req.method().to_string(),
        path: path.clone(),
        query: query.clone(),
        api_key: header("x-api-key"),
        harness_account: header("harness-account"),
        account_matched: header("harness-account").as_deref() == Some(ACCOUNT),
        accept: header("accept"),
    };
    let api_key = recorded.api_key.clone();
    lock(&state.requests).push(recorded);

    let route = parse_route(&path, &query);
    let mut drip = None;
    match state.take_fault(&path, route.workspace()) {
        None => {}
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Status(status)) => return goa_error(status),
        Some(Fault::NgStatus(status)) => return ng_error(status),
        Some(Fault::RateLimit(_)) => return goa_error(429),
        Some(Fault::MalformedJson) => {
            return respond(
                StatusCode::OK,
                "application/json",
                "{\"resources\": [{\"name\": \"trunc".into(),
            );
        }
        Some(Fault::Oversized(n)) => {
            return respond(StatusCode::OK, "application/json", big_json(n));
        }
        Some(Fault::OversizedChunked(n)) => return stream(big_json(n), 64 * 1024, Duration::ZERO),
        Some(Fault::Hang) => std::future::pending::<()>().await,
        Some(Fault::SlowDrip(interval)) => drip = Some(interval),
        Some(Fault::Reset) => {
            let mut response = respond(StatusCode::OK, "text/plain", Vec::new());
            response
                .headers_mut()
                .insert(RESET_MARKER, hyper::header::HeaderValue::from_static("1"));
            return response;
        }
        Some(Fault::EchoKey(status)) => {
            let sent = api_key.clone().unwrap_or_default();
            let body = json!({
                "name": "unauthorized", "id": "fAkE1d", "temporary": false, "timeout": false,
                "fault": false, "message": format!("API key {sent} is not valid (x-api-key: {sent})"),
            });
            return respond(
                StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED),
                GOA_ERROR,
                body.to_string().into_bytes(),
            );
        }
    }

    if req.method() != hyper::Method::GET {
        return goa_error(405);
    }
    let error = |status| {
        if route.is_platform() && status == 404 {
            ng_body(404, "RESOURCE_NOT_FOUND", "Organization not found")
        } else if route.is_platform() {
            ng_error(status)
        } else {
            goa_error(status)
        }
    };
    if api_key.as_deref() != Some(lock(&state.key).as_str()) {
        return error(401);
    }
    let (body, pages) = match state.answer(&route, &query) {
        Ok(answer) => answer,
        Err(status) => return error(status),
    };
    let body = serde_json::to_vec(&body).expect("JSON");
    let mut response = match drip {
        Some(interval) => stream(body, 16, interval),
        None => respond(StatusCode::OK, "application/json", body),
    };
    let headers = response.headers_mut();
    match pages {
        None => {}
        Some(Paging::Iacm { size, items, pages }) => {
            headers.insert("x-page-size", size.into());
            headers.insert("x-total-items", items.into());
            headers.insert("x-total-pages", pages.into());
        }
        Some(Paging::Platform { size, items, page }) => {
            headers.insert("X-Total-Elements", items.into());
            headers.insert("X-Page-Number", page.into());
            headers.insert("X-Page-Size", size.into());
        }
    }
    response
}

/// The paging headers of a list answer.
enum Paging {
    /// IaCM: 1-based pages.
    Iacm {
        size: usize,
        items: usize,
        pages: usize,
    },
    /// The platform API (`/v1`): 0-based pages.
    Platform {
        size: usize,
        items: usize,
        page: usize,
    },
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or("").to_string()
}

impl State {
    fn workspaces(&self) -> impl Iterator<Item = &Value> {
        self.data["workspaces"].as_array().into_iter().flatten()
    }

    fn workspaces_of<'s>(
        &'s self,
        org: &str,
        project: &str,
    ) -> impl Iterator<Item = &'s Value> + use<'s> {
        let (org, project) = (org.to_string(), project.to_string());
        self.workspaces().filter(move |w| {
            w["workspace"]["org"] == org.as_str() && w["workspace"]["project"] == project.as_str()
        })
    }

    fn orgs(&self) -> impl Iterator<Item = &Value> {
        self.data["orgs"].as_array().into_iter().flatten()
    }

    fn projects_of<'s>(&'s self, org: &str) -> impl Iterator<Item = &'s Value> + use<'s> {
        let org = org.to_string();
        self.data["projects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(move |p| p["org"] == org.as_str())
    }

    fn known_org(&self, org: &str) -> bool {
        self.orgs().any(|o| o["identifier"] == org)
    }

    fn known_project(&self, org: &str, project: &str) -> bool {
        self.projects_of(org).any(|p| p["identifier"] == project)
    }

    fn find(&self, (org, project, ws): &Scoped) -> Option<&Value> {
        self.workspaces_of(org, project)
            .find(|w| w["workspace"]["identifier"] == ws.as_str())
    }

    /// The fault for a request, counting down `RateLimit`s.
    fn take_fault(&self, path: &str, workspace: Option<&str>) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let path_fault =
            |wanted: fn(&Scope, &str) -> bool| faults.keys().find(|s| wanted(s, path)).cloned();
        let scope = path_fault(|s, path| matches!(s, Scope::PathEquals(p) if path == p))
            .or_else(|| {
                path_fault(
                    |s, path| matches!(s, Scope::PathEndsWith(p) if path.ends_with(p.as_str())),
                )
            })
            .or_else(|| {
                path_fault(
                    |s, path| matches!(s, Scope::PathContains(p) if path.contains(p.as_str())),
                )
            })
            .or_else(|| {
                let ws = Scope::Workspace(workspace?.to_string());
                faults.contains_key(&ws).then_some(ws)
            })
            .or_else(|| faults.contains_key(&Scope::All).then_some(Scope::All))?;
        let fault = faults.get_mut(&scope)?;
        if let Fault::RateLimit(left) = fault {
            if *left == 0 {
                faults.remove(&scope);
                return None;
            }
            *left -= 1;
        }
        Some(fault.clone())
    }

    fn answer(&self, route: &Route, query: &str) -> Result<(Value, Option<Paging>), u16> {
        let now = now_ms();
        let param = |name: &str, default: usize| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(default)
        };
        let max = self.max_page_size.load(Ordering::SeqCst).max(1);
        let limit = param("limit", DEFAULT_PAGE_SIZE).clamp(1, max);
        let slice = |items: Vec<Value>, index: usize| -> Value {
            Value::Array(
                items
                    .into_iter()
                    .skip(index.saturating_mul(limit))
                    .take(limit)
                    .collect(),
            )
        };
        // IaCM: `page` counts from 1.
        let iacm_page = |items: Vec<Value>| {
            let page = param("page", 1).max(1);
            let total = items.len();
            let paging = Paging::Iacm {
                size: limit,
                items: total,
                pages: total.div_ceil(limit).max(1),
            };
            (slice(items, page - 1), Some(paging))
        };
        // The platform API: `page` counts from 0.
        let platform_page = |items: Vec<Value>| {
            let page = param("page", 0);
            let paging = Paging::Platform {
                size: limit,
                items: items.len(),
                page,
            };
            (slice(items, page), Some(paging))
        };
        let known = |org: &str, project: &str| {
            if self.known_project(org, project) {
                Ok(())
            } else {
                Err(404u16)
            }
        };
        match route {
            Route::Orgs => Ok(platform_page(
                self.orgs()
                    .map(|o| {
                        json!({
                            "org": o, "created": 1_700_000_000_000i64,
                            "updated": 1_700_000_000_000i64, "harness_managed": o["identifier"] == "default",
                        })
                    })
                    .collect(),
            )),
            Route::Projects(org) => {
                if !self.known_org(org) {
                    return Err(404);
                }
                Ok(platform_page(
                    self.projects_of(org)
                        .map(|p| {
                            json!({
                                "project": p, "created": 1_700_000_000_000i64,
                                "updated": 1_700_000_000_000i64,
                            })
                        })
                        .collect(),
                ))
            }
            Route::List(org, project) => {
                known(org, project)?;
                Ok(iacm_page(
                    self.workspaces_of(org, project)
                        .map(|w| {
                            let w = with_times(&w["workspace"], now);
                            let summary = [
                                "account",
                                "org",
                                "project",
                                "identifier",
                                "name",
                                "description",
                                "status",
                                "created",
                                "updated",
                            ];
                            Value::Object(
                                summary
                                    .iter()
                                    .filter_map(|k| Some((k.to_string(), w.get(*k)?.clone())))
                                    .collect(),
                            )
                        })
                        .collect(),
                ))
            }
            Route::Workspace(scoped) => Ok((
                with_times(&self.find(scoped).ok_or(404u16)?["workspace"], now),
                None,
            )),
            Route::Resources(scoped) => Ok((
                self.find(scoped).ok_or(404u16)?["resources"].clone(),
                None,
            )),
            Route::Activities(org, project, ws) => {
                known(org, project)?;
                let items = match ws {
                    Some(ws) => self
                        .find(&(org.clone(), project.clone(), ws.clone()))
                        .ok_or(404u16)?["activities"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                    None => self
                        .workspaces_of(org, project)
                        .flat_map(|w| w["activities"].as_array().cloned().unwrap_or_default())
                        .collect(),
                };
                Ok(iacm_page(
                    items.iter().map(|a| with_times(a, now)).collect(),
                ))
            }
            Route::Unknown => Err(404),
        }
    }
}

/// `created_ago_minutes: 42` becomes `created: <now - 42 min>` (ms).
fn with_times(value: &Value, now: i64) -> Value {
    let mut value = value.clone();
    if let Some(map) = value.as_object_mut() {
        for field in ["created", "updated"] {
            if let Some(ago) = map
                .remove(&format!("{field}_ago_minutes"))
                .and_then(|v| v.as_i64())
            {
                map.insert(field.to_string(), json!(now - ago * 60_000));
            }
        }
    }
    value
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn respond(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)).boxed())
        .expect("response")
}

/// A 200 whose body is sent `chunk` bytes at a time, `interval` apart,
/// without a Content-Length.
fn stream(body: Vec<u8>, chunk: usize, interval: Duration) -> Response<Body> {
    let (mut sender, channel) = Channel::<Bytes, Infallible>::new(4);
    tokio::spawn(async move {
        for part in body.chunks(chunk.max(1)) {
            if !interval.is_zero() {
                tokio::time::sleep(interval).await;
            }
            if sender
                .send_data(Bytes::copy_from_slice(part))
                .await
                .is_err()
            {
                return; // the client hung up
            }
        }
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(channel.boxed())
        .expect("response")
}

/// A valid resources body of about `n` bytes.
fn big_json(n: usize) -> Vec<u8> {
    let filler = "x".repeat(n);
    format!(
        r#"{{"resources":[],"outputs":[{{"name":"big","value":"{filler}","sensitive":false}}]}}"#
    )
    .into_bytes()
}

/// The goa error IaCM endpoints answer with.
fn goa_error(status: u16) -> Response<Body> {
    let (name, message) = match status {
        401 => (
            "unauthorized",
            "Invalid API key: the token is not valid or has expired",
        ),
        403 => (
            "forbidden",
            "Principal does not have View permission on IaCM workspaces in this project",
        ),
        404 => ("not_found", "workspace not found"),
        405 => ("method_not_allowed", "only GET is supported by this fake"),
        429 => ("rate_limited", "Too many requests, slow down"),
        500 => ("fault", "internal server error"),
        _ => ("error", "request failed"),
    };
    let body = json!({
        "name": name, "id": "fAkE1d", "message": message,
        "temporary": status == 429 || status >= 500, "timeout": false, "fault": status >= 500,
    });
    respond(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        GOA_ERROR,
        body.to_string().into_bytes(),
    )
}

/// The NG envelope the gateway and other Harness services answer with.
fn ng_error(status: u16) -> Response<Body> {
    let (code, message) = match status {
        401 => ("INVALID_TOKEN", "Token is not valid."),
        403 => (
            "NG_ACCESS_DENIED",
            "Missing permission core_workspace_view on workspace",
        ),
        404 => ("RESOURCE_NOT_FOUND", "Workspace not found"),
        _ => ("UNEXPECTED", "Oops, something went wrong on our end."),
    };
    ng_body(status, code, message)
}

fn ng_body(status: u16, code: &str, message: &str) -> Response<Body> {
    let body = json!({
        "status": "ERROR", "code": code, "message": message,
        "correlationId": "fake-correlation-id", "detailedMessage": null, "responseMessages": [],
    });
    respond(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        "application/json",
        body.to_string().into_bytes(),
    )
}
