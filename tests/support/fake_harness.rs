//! A fake Harness IaCM API: a real HTTP/1.1 server on 127.0.0.1 serving
//! the documented paths and shapes (`../shared/harness-api.md` 2.2, 2.3)
//! from `fake_harness_data.json`, checking `x-api-key`, recording every
//! request, and injecting faults on demand. Used by the tests and by
//! `examples/fake_harness.rs`.
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
}

/// Which requests a fault applies to. A path fault wins over a workspace
/// fault, which wins over a global one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    /// Workspace, resources and activities requests for this workspace.
    Workspace(String),
    /// Requests whose path contains this text.
    PathContains(String),
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

    /// Identifiers of the workspaces served, in list order.
    pub fn workspace_ids(&self) -> Vec<String> {
        self.state
            .workspaces()
            .map(|w| {
                w["workspace"]["identifier"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
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
                async move { Ok::<_, Infallible>(handle(&state, req).await) }
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
    List,
    Workspace(String),
    Resources(String),
    Activities(Option<String>),
    Unknown,
}

fn parse_route(path: &str, query: &str) -> (Route, bool) {
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
    let known_scope = |org: &str, project: &str| org == ORG && project == PROJECT;
    match s.as_slice() {
        [
            "iacm",
            "api",
            "orgs",
            org,
            "projects",
            project,
            "workspaces",
        ] => (Route::List, known_scope(org, project)),
        [
            "iacm",
            "api",
            "orgs",
            org,
            "projects",
            project,
            "workspaces",
            ws,
        ] => (Route::Workspace(ws.to_string()), known_scope(org, project)),
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
        ] => (Route::Resources(ws.to_string()), known_scope(org, project)),
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
            (Route::Activities(ws), known_scope(org, project))
        }
        _ => (Route::Unknown, false),
    }
}

impl Route {
    fn workspace(&self) -> Option<&str> {
        match self {
            Route::Workspace(ws) | Route::Resources(ws) | Route::Activities(Some(ws)) => Some(ws),
            _ => None,
        }
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

    let (route, known_scope) = parse_route(&path, &query);
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
    }

    if req.method() != hyper::Method::GET {
        return goa_error(405);
    }
    if api_key.as_deref() != Some(lock(&state.key).as_str()) {
        return goa_error(401);
    }
    let (body, pages) = match state.answer(&route, known_scope, &query) {
        Ok(answer) => answer,
        Err(status) => return goa_error(status),
    };
    let body = serde_json::to_vec(&body).expect("JSON");
    let mut response = match drip {
        Some(interval) => stream(body, 16, interval),
        None => respond(StatusCode::OK, "application/json", body),
    };
    if let Some((size, items, total_pages)) = pages {
        let headers = response.headers_mut();
        headers.insert("x-page-size", size.into());
        headers.insert("x-total-items", items.into());
        headers.insert("x-total-pages", total_pages.into());
    }
    response
}

/// (limit, total items, total pages) for list answers.
type Paging = Option<(usize, usize, usize)>;

impl State {
    fn workspaces(&self) -> impl Iterator<Item = &Value> {
        self.data["workspaces"].as_array().into_iter().flatten()
    }

    fn find(&self, ws: &str) -> Option<&Value> {
        self.workspaces()
            .find(|w| w["workspace"]["identifier"] == ws)
    }

    /// The fault for a request, counting down `RateLimit`s.
    fn take_fault(&self, path: &str, workspace: Option<&str>) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let scope = faults
            .keys()
            .find(|s| matches!(s, Scope::PathContains(p) if path.contains(p.as_str())))
            .cloned()
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

    fn answer(
        &self,
        route: &Route,
        known_scope: bool,
        query: &str,
    ) -> Result<(Value, Paging), u16> {
        if !known_scope {
            return Err(404);
        }
        let now = now_ms();
        let param = |name: &str, default: usize| {
            url::form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(default)
        };
        let page_of = |items: Vec<Value>| {
            let limit = param("limit", 30).clamp(1, 1000);
            let page = param("page", 1).max(1);
            let total = items.len();
            let pages = total.div_ceil(limit).max(1);
            let slice: Vec<Value> = items
                .into_iter()
                .skip((page - 1) * limit)
                .take(limit)
                .collect();
            (Value::Array(slice), Some((limit, total, pages)))
        };
        match route {
            Route::List => Ok(page_of(
                self.workspaces()
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
            )),
            Route::Workspace(ws) => Ok((
                with_times(&self.find(ws).ok_or(404u16)?["workspace"], now),
                None,
            )),
            Route::Resources(ws) => Ok((self.find(ws).ok_or(404u16)?["resources"].clone(), None)),
            Route::Activities(ws) => {
                let items = match ws {
                    Some(ws) => self.find(ws).ok_or(404u16)?["activities"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default(),
                    None => self
                        .workspaces()
                        .flat_map(|w| w["activities"].as_array().cloned().unwrap_or_default())
                        .collect(),
                };
                Ok(page_of(items.iter().map(|a| with_times(a, now)).collect()))
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
