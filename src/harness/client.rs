//! The HTTP client for the IaCM API (`../shared/harness-api.md` 2.4) and
//! the platform API's organisation and project lists (2.5): one shared
//! reqwest client, the auth headers, bounded bodies, 429 back-off, and list
//! paging. It knows nothing of caching; `service` does that.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use url::Url;

use super::errors::{redact, status_error, transport_error};
use super::lists::ListItem;
use super::live::{FetchError, WorkspaceKey};
use super::types::{Activity, Resources, Workspace};

/// Error bodies are only read for their message.
const ERROR_BODY_CAP: usize = 64 * 1024;
/// Recent runs shown in a hover.
pub const ACTIVITIES_LIMIT: u32 = 5;
/// Page size when following a list (the platform API's documented
/// maximum; IaCM allows up to 1000).
pub const LIST_PAGE_LIMIT: u32 = 100;
/// A bound on list paging, whatever the server's headers say.
pub const MAX_PAGES: u32 = 50;

/// Timeouts, limits and back-off. `Default` is what the server and the CLI
/// use; tests shorten the times.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// Whole exchange, body included.
    pub timeout: Duration,
    /// A larger success body is a `BadResponse`.
    pub max_body_bytes: usize,
    /// Waits before each retry of a 429; one retry per entry. Harness
    /// sends no Retry-After, so the schedule is ours.
    pub retry_delays: Vec<Duration>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(10),
            max_body_bytes: 4 * 1024 * 1024,
            retry_delays: vec![
                Duration::from_millis(500),
                Duration::from_secs(1),
                Duration::from_secs(2),
            ],
        }
    }
}

/// The API key. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(Arc<str>);

impl ApiKey {
    pub fn new(key: &str) -> Self {
        ApiKey(key.trim().into())
    }

    /// The key itself, for the header and for masking echoes of it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    fn header(&self) -> Result<HeaderValue, FetchError> {
        let mut value = HeaderValue::from_str(self.expose()).map_err(|_| {
            FetchError::Unauthorized(
                "The API key has characters that cannot be sent in an HTTP header; check iacm.apiKey."
                    .into(),
            )
        })?;
        // Keeps it out of reqwest's and hyper's own Debug output.
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Which endpoint a request was for, to count them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Workspace,
    Resources,
    Activities,
    WorkspaceList,
    /// `GET /v1/orgs` (each page).
    Orgs,
    /// `GET /v1/orgs/{org}/projects` (each page).
    Projects,
}

/// Requests sent (each attempt, retries included), per endpoint.
#[derive(Debug, Default)]
pub struct RequestCounts([AtomicU64; 6]);

impl RequestCounts {
    fn bump(&self, endpoint: Endpoint) {
        self.0[endpoint as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self, endpoint: Endpoint) -> u64 {
        self.0[endpoint as usize].load(Ordering::Relaxed)
    }
}

/// A client for one API key. Clones and `with_key` share the connection
/// pool and the request counts.
#[derive(Clone)]
pub struct HarnessClient {
    http: reqwest::Client,
    key: ApiKey,
    options: Arc<ClientOptions>,
    counts: Arc<RequestCounts>,
}

impl fmt::Debug for HarnessClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HarnessClient")
            .field("key", &self.key)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// A successful response: the body and the paging headers, whichever the
/// API sent (IaCM: `x-page-size`, `x-total-items`, `x-total-pages`; the
/// platform API: `X-Page-Size`, `X-Total-Elements`, `X-Page-Number`).
struct Page {
    body: Vec<u8>,
    total_pages: Option<u32>,
    total_items: Option<u64>,
    page_size: Option<u32>,
}

/// Where list pages start counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstPage {
    /// IaCM: `page=1` is the first.
    One,
    /// The platform API (`/v1`): `page=0` is the first.
    Zero,
}

/// The platform API's base for an IaCM API base: the same with a final
/// `/gateway` segment removed (`https://app.harness.io/gateway` ->
/// `https://app.harness.io`; `http://127.0.0.1:7878/gateway` ->
/// `http://127.0.0.1:7878`), so `{platform}/v1/orgs` is the documented
/// `https://app.harness.io/v1/orgs` and a proxy's path prefix is kept.
pub fn platform_base(api_base: &str) -> String {
    let base = api_base.trim().trim_end_matches('/');
    match base.strip_suffix("/gateway") {
        Some(origin) if origin.contains("://") && !origin.ends_with('/') => origin.to_string(),
        _ => base.to_string(),
    }
}

impl HarnessClient {
    pub fn new(api_key: &str, options: ClientOptions) -> Result<Self, FetchError> {
        // reqwest is built without a default crypto provider (ring keeps the
        // build free of C); an error means one is installed already.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.timeout)
            // A redirect would carry x-api-key to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("iacm-lsp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FetchError::Network(format!("cannot set up the HTTP client: {e}")))?;
        Ok(HarnessClient {
            http,
            key: ApiKey::new(api_key),
            options: Arc::new(options),
            counts: Arc::default(),
        })
    }

    /// The same client (pool, options, counts) with another key.
    pub fn with_key(&self, api_key: &str) -> Self {
        self.with_api_key(ApiKey::new(api_key))
    }

    pub fn with_api_key(&self, key: ApiKey) -> Self {
        HarnessClient {
            key,
            ..self.clone()
        }
    }

    pub fn key(&self) -> &ApiKey {
        &self.key
    }

    pub fn counts(&self) -> &RequestCounts {
        &self.counts
    }

    /// `GET {base}/iacm/api/orgs/{org}/projects/{project}/workspaces/{ws}`.
    pub async fn workspace(&self, base: &str, ws: &WorkspaceKey) -> Result<Workspace, FetchError> {
        let url = api_url(base, &ws.account, &workspace_path(ws, &[]))?;
        let page = self.get(Endpoint::Workspace, url, &ws.account).await?;
        self.parse(&page.body, "workspace")
    }

    /// `GET .../workspaces/{ws}/resources`: resources, data sources, outputs.
    pub async fn resources(&self, base: &str, ws: &WorkspaceKey) -> Result<Resources, FetchError> {
        let url = api_url(base, &ws.account, &workspace_path(ws, &["resources"]))?;
        let page = self.get(Endpoint::Resources, url, &ws.account).await?;
        self.parse(&page.body, "resources")
    }

    /// The workspace's most recent runs, newest first:
    /// `GET .../projects/{project}/activities?workspace={ws}&limit=5&page=1`.
    pub async fn activities(
        &self,
        base: &str,
        ws: &WorkspaceKey,
    ) -> Result<Vec<Activity>, FetchError> {
        let path = [
            "iacm",
            "api",
            "orgs",
            &ws.org,
            "projects",
            &ws.project,
            "activities",
        ];
        let mut url = api_url(base, &ws.account, &path)?;
        url.query_pairs_mut()
            .append_pair("workspace", &ws.workspace)
            .append_pair("limit", &ACTIVITIES_LIMIT.to_string())
            .append_pair("page", "1");
        let page = self.get(Endpoint::Activities, url, &ws.account).await?;
        let (mut activities, _): (Vec<Activity>, _) = self.parse_list(&page.body, "activities")?;
        // Newest first whatever order the server used; undated ones last.
        activities.sort_by_key(|a| std::cmp::Reverse(a.created.unwrap_or(i64::MIN)));
        Ok(activities)
    }

    /// Every workspace of a project, following pages:
    /// `GET .../projects/{project}/workspaces?limit=N&page=P`.
    pub async fn list_workspaces(
        &self,
        base: &str,
        account: &str,
        org: &str,
        project: &str,
    ) -> Result<Vec<Workspace>, FetchError> {
        let path = [
            "iacm",
            "api",
            "orgs",
            org,
            "projects",
            project,
            "workspaces",
        ];
        let url = api_url(base, account, &path)?;
        self.get_all_pages(Endpoint::WorkspaceList, &url, account, LIST_PAGE_LIMIT)
            .await
    }

    /// Every organisation the key can see, following pages:
    /// `GET {platform}/v1/orgs?limit=N&page=P` (`platform_base`). Items are
    /// `{org: {identifier, name, ...}, created, updated}`; a bare
    /// `{identifier, name}` is read too. In the server's order.
    pub async fn list_orgs(
        &self,
        platform: &str,
        account: &str,
    ) -> Result<Vec<ListItem>, FetchError> {
        let url = api_url(platform, account, &["v1", "orgs"])?;
        let items: Vec<serde_json::Value> = self
            .collect_pages(
                Endpoint::Orgs,
                &url,
                account,
                LIST_PAGE_LIMIT,
                FirstPage::Zero,
            )
            .await?;
        Ok(items
            .iter()
            .filter_map(|v| named_item(v, &["org", "organization"]))
            .collect())
    }

    /// Every project of an organisation, following pages:
    /// `GET {platform}/v1/orgs/{org}/projects?limit=N&page=P`. Items are
    /// `{project: {identifier, org, name, ...}, created, updated}`.
    pub async fn list_projects(
        &self,
        platform: &str,
        account: &str,
        org: &str,
    ) -> Result<Vec<ListItem>, FetchError> {
        let url = api_url(platform, account, &["v1", "orgs", org, "projects"])?;
        let items: Vec<serde_json::Value> = self
            .collect_pages(
                Endpoint::Projects,
                &url,
                account,
                LIST_PAGE_LIMIT,
                FirstPage::Zero,
            )
            .await?;
        Ok(items
            .iter()
            .filter_map(|v| named_item(v, &["project"]))
            .collect())
    }

    /// Follows `limit`/`page` (1-based, as IaCM counts); see
    /// `collect_pages`.
    pub async fn get_all_pages<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        url: &Url,
        account: &str,
        limit: u32,
    ) -> Result<Vec<T>, FetchError> {
        self.collect_pages(endpoint, url, account, limit, FirstPage::One)
            .await
    }

    /// Follows `limit`/`page` until an empty page, a page shorter than the
    /// page size (`x-page-size` when the server sent a smaller one than
    /// asked for, else `limit`), the last page named by `x-total-pages`, as
    /// many items as `x-total-items` / `X-Total-Elements` say, or
    /// `MAX_PAGES`.
    pub async fn collect_pages<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        url: &Url,
        account: &str,
        limit: u32,
        first: FirstPage,
    ) -> Result<Vec<T>, FetchError> {
        let limit = limit.max(1);
        let mut all = Vec::new();
        let mut served: u64 = 0;
        for index in 0..MAX_PAGES {
            let page_number = match first {
                FirstPage::One => index + 1,
                FirstPage::Zero => index,
            };
            let mut url = url.clone();
            url.query_pairs_mut()
                .append_pair("limit", &limit.to_string())
                .append_pair("page", &page_number.to_string());
            let page = self.get(endpoint, url, account).await?;
            let (items, count) = self.parse_list::<T>(&page.body, "list")?;
            all.extend(items);
            served += count as u64;
            let size = page
                .page_size
                .filter(|s| *s > 0)
                .map_or(limit, |s| s.min(limit));
            let last = count == 0
                || count < size as usize
                || page.total_pages.is_some_and(|total| index + 1 >= total)
                || page.total_items.is_some_and(|total| served >= total);
            if last {
                break;
            }
        }
        Ok(all)
    }

    /// One GET with the auth headers, retrying 429s on the back-off
    /// schedule. The body of a success is read up to the cap.
    async fn get(&self, endpoint: Endpoint, url: Url, account: &str) -> Result<Page, FetchError> {
        let headers = self.headers(account)?;
        let mut delays = self.options.retry_delays.iter();
        loop {
            self.counts.bump(endpoint);
            let response = self
                .http
                .get(url.clone())
                .headers(headers.clone())
                .send()
                .await
                .map_err(|e| transport_error(&e, self.key.expose()))?;
            let status = response.status();
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                match delays.next() {
                    Some(delay) => {
                        drop(response);
                        tokio::time::sleep(*delay).await;
                        continue;
                    }
                    None => return Err(FetchError::RateLimited),
                }
            }
            if !status.is_success() {
                let body = self.read_body(response, ERROR_BODY_CAP, true).await?;
                return Err(status_error(status.as_u16(), &body, self.key.expose()));
            }
            let headers = response.headers();
            let number = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
            };
            let total_pages = number("x-total-pages").map(|n| n.min(u32::MAX as u64) as u32);
            let total_items = number("x-total-items").or_else(|| number("x-total-elements"));
            let page_size = number("x-page-size").map(|n| n.min(u32::MAX as u64) as u32);
            let body = self
                .read_body(response, self.options.max_body_bytes, false)
                .await?;
            return Ok(Page {
                body,
                total_pages,
                total_items,
                page_size,
            });
        }
    }

    fn headers(&self, account: &str) -> Result<HeaderMap, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", self.key.header()?);
        let account_value = HeaderValue::from_str(account).map_err(|_| {
            FetchError::NotFound(
                "The account id in the URL cannot be sent in an HTTP header.".into(),
            )
        })?;
        headers.insert("harness-account", account_value);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Ok(headers)
    }

    /// Reads the body chunk by chunk, stopping at `cap`: past it, a success
    /// body is an error and an error body is cut (only its message matters).
    async fn read_body(
        &self,
        mut response: reqwest::Response,
        cap: usize,
        truncate: bool,
    ) -> Result<Vec<u8>, FetchError> {
        let too_large =
            || FetchError::BadResponse(format!("the response is larger than {}", size(cap)));
        if !truncate && response.content_length().is_some_and(|n| n > cap as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(&e, self.key.expose()))?
        {
            if body.len() + chunk.len() > cap {
                if truncate {
                    body.extend_from_slice(&chunk[..cap - body.len()]);
                    break;
                }
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn parse<T: DeserializeOwned>(&self, body: &[u8], what: &str) -> Result<T, FetchError> {
        serde_json::from_slice(body).map_err(|e| self.bad_json(what, &e))
    }

    /// A list body: a bare array (the spec) or an object wrapping one
    /// (`data`, `items`, `content`, ... as other Harness APIs do). Items
    /// that are not objects are skipped rather than failing the list.
    /// Also returns how many entries the page held, skipped ones included.
    fn parse_list<T: DeserializeOwned>(
        &self,
        body: &[u8],
        what: &str,
    ) -> Result<(Vec<T>, usize), FetchError> {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| self.bad_json(what, &e))?;
        let Some(items) = find_list(value) else {
            return Err(FetchError::BadResponse(format!(
                "the {what} response holds no list"
            )));
        };
        let count = items.len();
        let items = items
            .into_iter()
            .filter(|item| item.is_object())
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect();
        Ok((items, count))
    }

    fn bad_json(&self, what: &str, err: &serde_json::Error) -> FetchError {
        FetchError::BadResponse(redact(
            &format!("the {what} response is not the expected JSON ({err})"),
            self.key.expose(),
        ))
    }
}

/// `4 MiB`, `64 KiB`, `100 bytes`.
fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// The array in a list body, looking one or two levels into wrappers.
fn find_list(value: serde_json::Value) -> Option<Vec<serde_json::Value>> {
    const WRAPPERS: [&str; 6] = [
        "data",
        "items",
        "content",
        "activities",
        "workspaces",
        "results",
    ];
    match value {
        serde_json::Value::Array(items) => Some(items),
        serde_json::Value::Null => Some(Vec::new()),
        serde_json::Value::Object(mut map) => WRAPPERS
            .iter()
            .find_map(|k| map.remove(*k).filter(|v| v.is_array() || v.is_object()))
            .and_then(|inner| match inner {
                serde_json::Value::Array(items) => Some(items),
                // NG: {"data": {"content": [...]}}
                serde_json::Value::Object(mut inner) => {
                    WRAPPERS.iter().find_map(|k| match inner.remove(*k) {
                        Some(serde_json::Value::Array(items)) => Some(items),
                        _ => None,
                    })
                }
                _ => None,
            }),
        _ => None,
    }
}

/// A list entry of the platform API: `{<wrapper>: {identifier, name}}`, or
/// the fields at the top level. `None` without an identifier.
fn named_item(value: &serde_json::Value, wrappers: &[&str]) -> Option<ListItem> {
    let inner = wrappers
        .iter()
        .find_map(|w| value.get(*w).filter(|v| v.is_object()))
        .unwrap_or(value);
    let field = |name: &str| {
        inner
            .get(name)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let identifier = field("identifier")?.to_string();
    Some(ListItem {
        name: field("name").unwrap_or(&identifier).to_string(),
        identifier,
        status: None,
    })
}

fn workspace_path<'a>(ws: &'a WorkspaceKey, tail: &[&'a str]) -> Vec<&'a str> {
    let mut path = vec![
        "iacm",
        "api",
        "orgs",
        &ws.org,
        "projects",
        &ws.project,
        "workspaces",
        &ws.workspace,
    ];
    path.extend_from_slice(tail);
    path
}

/// `{base}/{segments...}?accountIdentifier={account}`, each segment
/// percent-encoded (an identifier cannot add path levels or a query).
pub fn api_url(base: &str, account: &str, segments: &[&str]) -> Result<Url, FetchError> {
    let bad_base = || {
        FetchError::Network(
            "iacm.baseUrl is not an http(s) URL; set it to e.g. https://app.harness.io/gateway"
                .into(),
        )
    };
    // `.` and `..` would be resolved away by the URL and aim the request
    // at another endpoint; no Harness identifier looks like that.
    if let Some(bad) = segments.iter().find(|s| matches!(**s, "" | "." | "..")) {
        return Err(FetchError::NotFound(format!(
            "`{bad}` is not a valid Harness identifier"
        )));
    }
    let mut url = Url::parse(base.trim()).map_err(|_| bad_base())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad_base());
    }
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|_| bad_base())?
        .pop_if_empty()
        .extend(segments);
    url.query_pairs_mut()
        .append_pair("accountIdentifier", account);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> WorkspaceKey {
        WorkspaceKey {
            origin: "https://app.harness.io".into(),
            account: "abc123".into(),
            org: "default".into(),
            project: "pay ments".into(),
            workspace: "ws/../x?y".into(),
        }
    }

    #[test]
    fn urls_encode_each_segment() {
        let ws = key();
        let url = api_url(
            "https://app.harness.io/gateway/",
            &ws.account,
            &workspace_path(&ws, &["resources"]),
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://app.harness.io/gateway/iacm/api/orgs/default/projects/pay%20ments/workspaces/ws%2F..%2Fx%3Fy/resources?accountIdentifier=abc123"
        );
    }

    #[test]
    fn bad_bases_are_errors() {
        for base in ["", "app.harness.io/gateway", "ftp://x/y", "mailto:a@b"] {
            assert!(
                matches!(api_url(base, "a", &["x"]), Err(FetchError::Network(_))),
                "{base}"
            );
        }
    }

    #[test]
    fn lists_bare_or_wrapped() {
        use serde_json::json;
        let items = |v: serde_json::Value| find_list(v).map(|l| l.len());
        assert_eq!(items(json!([{}, {}])), Some(2));
        assert_eq!(items(json!({"data": [{}]})), Some(1));
        assert_eq!(
            items(json!({"status": "SUCCESS", "data": {"content": [{}, {}, {}]}})),
            Some(3)
        );
        assert_eq!(items(json!({"activities": []})), Some(0));
        assert_eq!(items(json!(null)), Some(0));
        assert_eq!(items(json!({"x": 1})), None);
        assert_eq!(items(json!("text")), None);
    }

    #[test]
    fn the_platform_base_is_the_gateway_s_parent() {
        for (api, platform) in [
            ("https://app.harness.io/gateway", "https://app.harness.io"),
            ("https://app.harness.io/gateway/", "https://app.harness.io"),
            ("http://127.0.0.1:7878/gateway", "http://127.0.0.1:7878"),
            ("https://app.harness.io", "https://app.harness.io"),
            (
                "https://proxy.corp/harness/prod/gateway",
                "https://proxy.corp/harness/prod",
            ),
            ("https://harness.acme.com/", "https://harness.acme.com"),
        ] {
            assert_eq!(platform_base(api), platform, "{api}");
        }
    }

    #[test]
    fn platform_items_wrapped_or_flat() {
        use serde_json::json;
        let org = json!({"org": {"identifier": "default", "name": "Default"}, "created": 1});
        assert_eq!(
            named_item(&org, &["org"]),
            Some(ListItem {
                identifier: "default".into(),
                name: "Default".into(),
                status: None
            })
        );
        let flat = json!({"identifier": "p1", "name": " "});
        assert_eq!(named_item(&flat, &["project"]).unwrap().name, "p1");
        assert_eq!(
            named_item(&json!({"project": {"name": "x"}}), &["project"]),
            None
        );
    }

    #[test]
    fn debug_hides_the_key() {
        let client =
            HarnessClient::new("pat.abc.tok.supersecret", ClientOptions::default()).unwrap();
        let shown = format!("{client:?} {:?}", client.key());
        assert!(!shown.contains("supersecret"), "{shown}");
        let headers = client.headers("abc").unwrap();
        assert!(!format!("{headers:?}").contains("supersecret"));
    }
}
