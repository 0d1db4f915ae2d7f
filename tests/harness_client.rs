//! The Harness client and the live service against the fake Harness API on
//! loopback: headers, error mapping, back-off, limits, caching, the host
//! allow-list and the secrecy of the key.

mod support;

use std::net::TcpListener;
use std::time::{Duration, Instant};

use iacm_lsp::Settings;
use iacm_lsp::harness::client::{ClientOptions, Endpoint, HarnessClient};
use iacm_lsp::harness::service::ServiceOptions;
use iacm_lsp::harness::types::{Output, Resources, Workspace};
use iacm_lsp::harness::{FetchError, LiveService, LiveState, WorkspaceData, WorkspaceKey};
use support::fake_harness::{ACCOUNT, DEFAULT_KEY, FakeHarness, Fault, ORG, PROJECT, Scope};

const SECRET_PART: &str = "fakeSecretValue";
const LONG: Duration = Duration::from_secs(5);

fn fast_client() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(500),
        timeout: Duration::from_millis(500),
        retry_delays: vec![
            Duration::from_millis(10),
            Duration::from_millis(20),
            Duration::from_millis(40),
        ],
        ..ClientOptions::default()
    }
}

fn client() -> HarnessClient {
    HarnessClient::new(DEFAULT_KEY, fast_client()).unwrap()
}

fn key(workspace: &str) -> WorkspaceKey {
    key_at("https://app.harness.io", workspace)
}

fn key_at(origin: &str, workspace: &str) -> WorkspaceKey {
    WorkspaceKey {
        origin: origin.into(),
        account: ACCOUNT.into(),
        org: ORG.into(),
        project: PROJECT.into(),
        workspace: workspace.into(),
    }
}

fn settings(fake: &FakeHarness, ttl_seconds: u64) -> Settings {
    Settings {
        api_key: Some(DEFAULT_KEY.into()),
        base_url: fake.base_url(),
        cache_ttl_seconds: ttl_seconds,
        ..Settings::default()
    }
}

fn service_with(
    fake: &FakeHarness,
    ttl_seconds: u64,
    max_concurrent_fetches: usize,
) -> LiveService {
    let service = LiveService::with_options(ServiceOptions {
        client: fast_client(),
        max_concurrent_fetches,
    });
    service.configure(&settings(fake, ttl_seconds));
    service
}

/// For tests that hold answers back longer than `fast_client`'s timeout.
fn patient_service(fake: &FakeHarness, max_concurrent_fetches: usize) -> LiveService {
    let service = LiveService::with_options(ServiceOptions {
        client: ClientOptions {
            timeout: Duration::from_secs(3),
            ..fast_client()
        },
        max_concurrent_fetches,
    });
    service.configure(&settings(fake, 60));
    service
}

fn service(fake: &FakeHarness, ttl_seconds: u64) -> LiveService {
    service_with(fake, ttl_seconds, 4)
}

fn ready(state: &LiveState) -> (&WorkspaceData, bool) {
    match state {
        LiveState::Ready { data, refreshing } => (data, *refreshing),
        other => panic!("expected data, got {other:?}"),
    }
}

/// Requests at the fake per endpoint of `ws`: (workspace, resources, activities).
fn fake_counts(fake: &FakeHarness, ws: &str) -> (usize, usize, usize) {
    let requests = fake.requests();
    let count = |suffix: &str| requests.iter().filter(|r| r.path.ends_with(suffix)).count();
    (
        count(&format!("/workspaces/{ws}")),
        count(&format!("/workspaces/{ws}/resources")),
        requests
            .iter()
            .filter(|r| {
                r.path.ends_with("/activities") && r.query_param("workspace").as_deref() == Some(ws)
            })
            .count(),
    )
}

#[tokio::test]
async fn sends_the_key_the_account_and_accept_headers() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let ws = client()
        .workspace(&fake.base_url(), &key("prod_ws"))
        .await
        .unwrap();
    assert_eq!(ws.identifier, "prod_ws");
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "GET");
    assert_eq!(
        r.path,
        "/gateway/iacm/api/orgs/default/projects/payments/workspaces/prod_ws"
    );
    assert_eq!(r.api_key.as_deref(), Some(DEFAULT_KEY));
    assert_eq!(r.harness_account.as_deref(), Some(ACCOUNT));
    assert!(r.account_matched);
    assert_eq!(r.accept.as_deref(), Some("application/json"));
    assert_eq!(r.query_param("accountIdentifier").as_deref(), Some(ACCOUNT));
}

#[tokio::test]
async fn a_workspace_fetch_reads_the_three_endpoints() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    let state = service.wait(&key("prod_ws"), LONG).await;
    let (data, refreshing) = ready(&state);
    assert!(!refreshing);
    let workspace = data.workspace.as_ref().unwrap();
    assert_eq!(workspace.status.as_deref(), Some("active"));
    assert_eq!(workspace.name, "Payments production");
    let resources = data.resources.as_ref().unwrap();
    assert_eq!(
        (
            resources.resource_count(),
            resources.data_sources.len(),
            resources.outputs.len()
        ),
        (17, 2, 6)
    );
    assert_eq!(resources.outputs.iter().filter(|o| o.sensitive).count(), 2);
    let activities = data.activities.as_ref().unwrap();
    assert_eq!(activities.len(), 5);
    assert!(
        activities.windows(2).all(|w| w[0].created >= w[1].created),
        "newest first"
    );
    assert_eq!(
        activities[0].metadata.activity_type.as_deref(),
        Some("apply")
    );

    let activity_request = fake
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/activities"))
        .unwrap();
    assert_eq!(
        activity_request.path,
        "/gateway/iacm/api/orgs/default/projects/payments/activities"
    );
    for (name, value) in [("workspace", "prod_ws"), ("limit", "5"), ("page", "1")] {
        assert_eq!(activity_request.query_param(name).as_deref(), Some(value));
    }
    assert!(fake.requests().iter().all(|r| r.account_matched));
}

#[tokio::test]
async fn empty_and_null_lists_read_as_empty() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let resources = client()
        .resources(&fake.base_url(), &key("empty_ws"))
        .await
        .unwrap();
    assert_eq!(resources.resource_count(), 0);
    assert!(
        resources.data_sources.is_empty(),
        "`data_sources: null` in the fake's data"
    );
    assert!(
        client()
            .activities(&fake.base_url(), &key("empty_ws"))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn each_fault_maps_to_its_error() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let base = fake.base_url();
    let client = client();
    type Expected = fn(&FetchError) -> bool;
    let cases: Vec<(Fault, Expected)> = vec![
        (
            Fault::Status(401),
            |e| matches!(e, FetchError::Unauthorized(m) if m.contains("Invalid API key")),
        ),
        (
            Fault::NgStatus(401),
            |e| matches!(e, FetchError::Unauthorized(m) if m == "Token is not valid. (INVALID_TOKEN)"),
        ),
        (
            Fault::Status(403),
            |e| matches!(e, FetchError::Forbidden(m) if m.contains("View permission")),
        ),
        (
            Fault::NgStatus(403),
            |e| matches!(e, FetchError::Forbidden(m) if m.contains("NG_ACCESS_DENIED")),
        ),
        (
            Fault::Status(404),
            |e| matches!(e, FetchError::NotFound(m) if m == "workspace not found"),
        ),
        (
            Fault::Status(500),
            |e| matches!(e, FetchError::Server { status: 500, message } if message == "internal server error"),
        ),
        (
            Fault::NgStatus(502),
            |e| matches!(e, FetchError::Server { status: 502, message } if message.contains("UNEXPECTED")),
        ),
        (
            Fault::MalformedJson,
            |e| matches!(e, FetchError::BadResponse(m) if m.contains("not the expected JSON")),
        ),
    ];
    for (fault, expected) in cases {
        fake.set_fault("broken_ws", fault.clone());
        let err = client
            .resources(&base, &key("broken_ws"))
            .await
            .unwrap_err();
        assert!(expected(&err), "{fault:?} gave {err:?}");
    }
    fake.clear_faults();
    assert!(client.resources(&base, &key("broken_ws")).await.is_ok());
}

#[tokio::test]
async fn a_wrong_key_and_an_unknown_workspace() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let base = fake.base_url();
    let wrong = client().with_key("pat.abc123.other.nope");
    assert!(matches!(
        wrong.workspace(&base, &key("prod_ws")).await,
        Err(FetchError::Unauthorized(_))
    ));
    assert!(matches!(
        client().workspace(&base, &key("no_such_ws")).await,
        Err(FetchError::NotFound(m)) if m == "workspace not found"
    ));
    let mut elsewhere = key("prod_ws");
    elsewhere.project = "other".into();
    assert!(matches!(
        client().resources(&base, &elsewhere).await,
        Err(FetchError::NotFound(_))
    ));
}

#[tokio::test]
async fn rate_limits_are_retried_then_succeed() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let client = client();
    fake.set_fault("prod_ws", Fault::RateLimit(2));
    let resources = client
        .resources(&fake.base_url(), &key("prod_ws"))
        .await
        .unwrap();
    assert_eq!(resources.resources.len(), 17);
    assert_eq!(fake.request_count("/workspaces/prod_ws/resources"), 3);
    assert_eq!(client.counts().get(Endpoint::Resources), 3);
}

#[tokio::test]
async fn rate_limits_give_up_after_the_retries() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault("prod_ws", Fault::RateLimit(100));
    let err = client()
        .workspace(&fake.base_url(), &key("prod_ws"))
        .await
        .unwrap_err();
    assert_eq!(err, FetchError::RateLimited);
    assert_eq!(
        fake.request_count("/workspaces/prod_ws"),
        4,
        "one try and three retries"
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let base = fake.base_url();
    let client = HarnessClient::new(
        DEFAULT_KEY,
        ClientOptions {
            timeout: Duration::from_secs(5),
            ..fast_client()
        },
    )
    .unwrap();
    let five_mib = 5 * 1024 * 1024;
    for fault in [
        Fault::Oversized(five_mib),
        Fault::OversizedChunked(five_mib),
    ] {
        fake.set_fault("prod_ws", fault.clone());
        let err = client.resources(&base, &key("prod_ws")).await.unwrap_err();
        assert!(
            matches!(&err, FetchError::BadResponse(m) if m.contains("larger than 4 MiB")),
            "{fault:?} gave {err:?}"
        );
    }
    // Just under the cap is fine.
    fake.set_fault("prod_ws", Fault::OversizedChunked(4 * 1024 * 1024 - 200));
    let resources = client.resources(&base, &key("prod_ws")).await.unwrap();
    assert_eq!(resources.outputs.len(), 1);
}

#[tokio::test]
async fn slow_and_hung_answers_time_out() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let base = fake.base_url();
    let client = client();
    for fault in [
        Fault::Hang,
        Fault::Delay(Duration::from_secs(3)),
        Fault::SlowDrip(Duration::from_millis(100)),
    ] {
        fake.set_fault("prod_ws", fault.clone());
        let started = Instant::now();
        let err = client.resources(&base, &key("prod_ws")).await.unwrap_err();
        assert_eq!(err, FetchError::Timeout, "{fault:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{fault:?}");
    }
    fake.set_fault("prod_ws", Fault::Delay(Duration::from_millis(50)));
    assert!(client.resources(&base, &key("prod_ws")).await.is_ok());
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error_without_url_or_key() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}/gateway");
    let err = client()
        .workspace(&base, &key("prod_ws"))
        .await
        .unwrap_err();
    let FetchError::Network(message) = &err else {
        panic!("expected a network error, got {err:?}");
    };
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    for leak in [
        "accountIdentifier",
        "?",
        "/gateway",
        DEFAULT_KEY,
        SECRET_PART,
    ] {
        assert!(!message.contains(leak), "{leak} in {message}");
    }
}

#[tokio::test]
async fn lists_follow_pages_until_a_short_or_last_page() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let base = fake.base_url();
    let client = client();
    let all = client
        .list_workspaces(&base, ACCOUNT, ORG, PROJECT)
        .await
        .unwrap();
    assert_eq!(all.len(), 11);
    // The fake serves at most 10 a page, whatever the `limit`: a page as
    // long as `x-page-size` is not the last.
    assert_eq!(fake.request_count("/projects/payments/workspaces?"), 2);
    fake.set_max_page_size(1000);

    let url = iacm_lsp::harness::client::api_url(
        &base,
        ACCOUNT,
        &[
            "iacm",
            "api",
            "orgs",
            ORG,
            "projects",
            PROJECT,
            "workspaces",
        ],
    )
    .unwrap();
    fake.clear_requests();
    let paged: Vec<Workspace> = client
        .get_all_pages(Endpoint::WorkspaceList, &url, ACCOUNT, 4)
        .await
        .unwrap();
    assert_eq!(paged.len(), 11);
    let pages: Vec<String> = fake
        .requests()
        .iter()
        .filter_map(|r| r.query_param("page"))
        .collect();
    assert_eq!(pages, ["1", "2", "3"], "4 + 4 + 3 items");
    let ids: Vec<&str> = paged.iter().map(|w| w.identifier.as_str()).collect();
    assert_eq!(ids, fake.workspace_ids());

    // A full last page: `x-total-pages` says to stop.
    fake.clear_requests();
    let exact: Vec<Workspace> = client
        .get_all_pages(Endpoint::WorkspaceList, &url, ACCOUNT, 11)
        .await
        .unwrap();
    assert_eq!((exact.len(), fake.requests().len()), (11, 1));
}

#[tokio::test]
async fn one_failing_endpoint_keeps_the_others() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault(
        Scope::PathContains("/activities".into()),
        Fault::Status(500),
    );
    let service = service(&fake, 60);
    let state = service.wait(&key("dev_ws"), LONG).await;
    let (data, _) = ready(&state);
    assert_eq!(
        data.workspace.as_ref().unwrap().status.as_deref(),
        Some("drifted")
    );
    assert_eq!(data.resources.as_ref().unwrap().resources.len(), 5);
    assert!(matches!(
        data.activities,
        Err(FetchError::Server { status: 500, .. })
    ));
}

#[tokio::test]
async fn ten_concurrent_waits_make_one_request_per_endpoint() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault("prod_ws", Fault::Delay(Duration::from_millis(100)));
    let service = service(&fake, 60);
    let waits = (0..10).map(|_| {
        let service = service.clone();
        tokio::spawn(async move { service.wait(&key("prod_ws"), LONG).await })
    });
    for wait in waits {
        let state = wait.await.unwrap();
        assert!(ready(&state).0.resources.is_ok());
    }
    assert_eq!(fake_counts(&fake, "prod_ws"), (1, 1, 1));
    assert_eq!(service.request_counts(), (1, 1, 1));
}

#[tokio::test]
async fn fifty_urls_over_ten_workspaces_make_thirty_requests() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service_with(&fake, 60, 4);
    let ids = fake.workspace_ids();
    let keys: Vec<WorkspaceKey> = (0..50).map(|i| key(&ids[i % 10])).collect();
    for k in &keys {
        service.request(k);
    }
    for k in &keys {
        ready(&service.wait(k, LONG).await);
    }
    assert_eq!(service.request_counts(), (10, 10, 10));
    assert_eq!(fake.requests().len(), 30);
}

#[tokio::test]
async fn ten_requests_on_a_cold_workspace_start_one_fetch() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    let ws = key("dev_ws");
    assert_eq!(
        service.state(&ws),
        LiveState::Loading,
        "state never fetches"
    );
    for _ in 0..10 {
        assert_eq!(service.request(&ws), LiveState::Loading);
    }
    ready(&service.wait(&ws, LONG).await);
    for _ in 0..10 {
        assert!(!ready(&service.request(&ws)).1, "fresh data, no refetch");
    }
    assert_eq!(fake_counts(&fake, "dev_ws"), (1, 1, 1));
}

#[tokio::test]
async fn expired_data_is_refetched() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 1);
    let ws = key("prod_ws");
    ready(&service.wait(&ws, LONG).await);
    assert!(!ready(&service.request(&ws)).1);
    assert_eq!(service.request_counts(), (1, 1, 1));
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(ready(&service.request(&ws)).1, "expired: refreshing");
    assert!(!ready(&service.wait(&ws, LONG).await).1);
    assert_eq!(service.request_counts(), (2, 2, 2));
}

#[tokio::test]
async fn stale_data_is_served_while_a_refetch_runs() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 0);
    let ws = key("prod_ws");
    let first = service.wait(&ws, LONG).await;
    let first_at = ready(&first).0.fetched_at;

    // Long enough that the refetch is surely still running below.
    fake.set_fault("prod_ws", Fault::Delay(Duration::from_millis(1000)));
    let during = service.request(&ws);
    let (data, refreshing) = ready(&during);
    assert!(refreshing);
    assert_eq!(data.fetched_at, first_at, "the old data meanwhile");
    assert!(ready(&service.state(&ws)).1);
    // A wait shorter than the refetch returns the stale data at its timeout.
    let started = Instant::now();
    let timed_out = service.wait(&ws, Duration::from_millis(50)).await;
    let (data, refreshing) = ready(&timed_out);
    assert!(refreshing && data.fetched_at == first_at);
    assert!(started.elapsed() < Duration::from_millis(800));

    let after = service.wait(&ws, LONG).await;
    let (data, refreshing) = ready(&after);
    assert!(!refreshing && data.fetched_at > first_at);
    assert_eq!(fake_counts(&fake, "prod_ws"), (2, 2, 2));
}

#[tokio::test]
async fn a_hung_api_leaves_wait_at_its_timeout() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault(Scope::All, Fault::Hang);
    // The client would give up after 3 s; the wait gives up first.
    let patient = patient_service(&fake, 4);
    let started = Instant::now();
    let state = patient
        .wait(&key("prod_ws"), Duration::from_millis(150))
        .await;
    assert_eq!(state, LiveState::Loading);
    assert!(started.elapsed() < Duration::from_millis(1500));
    // With a short client timeout the fetch ends, as a cached failure.
    let service = service(&fake, 60);
    let state = service.wait(&key("prod_ws"), LONG).await;
    assert_eq!(ready(&state).0.workspace, Err(FetchError::Timeout));
}

#[tokio::test]
async fn refresh_all_refetches_and_serves_the_old_data_meanwhile() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 3600);
    let (prod, dev) = (key("prod_ws"), key("dev_ws"));
    ready(&service.wait(&prod, LONG).await);
    ready(&service.wait(&dev, LONG).await);
    service.refresh_all();
    assert!(
        !ready(&service.state(&prod)).1,
        "refresh_all itself fetches nothing"
    );
    assert!(ready(&service.request(&prod)).1);
    assert!(ready(&service.request(&dev)).1);
    assert!(!ready(&service.wait(&prod, LONG).await).1);
    assert!(!ready(&service.wait(&dev, LONG).await).1);
    assert_eq!(service.request_counts(), (4, 4, 4));
}

#[tokio::test]
async fn failures_are_cached_like_data() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    let missing = key("missing_ws");
    let state = service.wait(&missing, LONG).await;
    assert!(matches!(
        ready(&state).0.workspace,
        Err(FetchError::NotFound(_))
    ));
    for _ in 0..5 {
        service.request(&missing);
    }
    assert_eq!(fake_counts(&fake, "missing_ws"), (1, 1, 1));
}

#[tokio::test]
async fn a_new_key_or_base_drops_the_cache() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    let ws = key("prod_ws");
    ready(&service.wait(&ws, LONG).await);

    service.configure(&settings(&fake, 120));
    assert!(
        matches!(service.state(&ws), LiveState::Ready { .. }),
        "same key and base: kept"
    );

    let mut other = settings(&fake, 60);
    other.api_key = Some("pat.abc123.other.revoked".into());
    service.configure(&other);
    assert_eq!(service.state(&ws), LiveState::Loading);
    let state = service.wait(&ws, LONG).await;
    assert!(matches!(
        ready(&state).0.resources,
        Err(FetchError::Unauthorized(_))
    ));
    assert_eq!(service.key_account().as_deref(), Some(ACCOUNT));

    service.configure(&settings(&fake, 60));
    assert_eq!(service.state(&ws), LiveState::Loading);
}

#[tokio::test]
async fn completed_fetches_are_announced() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    let mut events = service.subscribe();
    service.request(&key("dev_ws"));
    let done = tokio::time::timeout(LONG, events.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done, key("dev_ws"));
}

#[tokio::test]
async fn fetches_run_a_bounded_number_of_workspaces_at_once() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault(Scope::All, Fault::Delay(Duration::from_millis(1000)));
    let service = patient_service(&fake, 2);
    let ids = [
        "prod_ws",
        "dev_ws",
        "broken_ws",
        "empty_ws",
        "k8s_ws",
        "dns_ws",
    ];
    for ws in ids {
        service.request(&key(ws));
    }
    // The first two workspaces' requests arrive, then nothing until
    // their answers (a second later) free the permits.
    let deadline = Instant::now() + Duration::from_millis(900);
    while fake.requests().len() < 6 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        fake.requests().len(),
        6,
        "two workspaces, three requests each"
    );
    for ws in ids {
        ready(&service.wait(&key(ws), LONG).await);
    }
    assert_eq!(fake.requests().len(), 18);
}

#[tokio::test]
async fn hosts_outside_the_allow_list_get_no_connection() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    // A second server on loopback, named in an annotation but not in iacm.hosts.
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    other.set_nonblocking(true).unwrap();
    let other_origin = format!("https://{}", other.local_addr().unwrap());
    for origin in [
        "https://evil.example.com",
        other_origin.as_str(),
        "https://app.harness.io.evil.com",
    ] {
        let ws = key_at(origin, "prod_ws");
        assert_eq!(service.request(&ws), LiveState::HostNotAllowed, "{origin}");
        assert_eq!(
            service.wait(&ws, Duration::from_millis(100)).await,
            LiveState::HostNotAllowed
        );
        assert_eq!(service.state(&ws), LiveState::HostNotAllowed);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        matches!(other.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the second listener must never be connected to"
    );
    assert_eq!(fake.connections(), 0);
    assert_eq!(service.request_counts(), (0, 0, 0));

    // The fake's own host (that of iacm.baseUrl) is allowed.
    let fake_origin = format!("https://{}", fake.addr());
    ready(&service.wait(&key_at(&fake_origin, "prod_ws"), LONG).await);
}

#[tokio::test]
async fn no_key_or_live_off_sends_nothing() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = LiveService::with_options(ServiceOptions {
        client: fast_client(),
        ..ServiceOptions::default()
    });
    let ws = key("prod_ws");
    let mut s = settings(&fake, 60);
    s.api_key = None;
    service.configure(&s);
    assert_eq!(service.request(&ws), LiveState::NoKey);
    assert_eq!(
        service.wait(&ws, Duration::from_millis(50)).await,
        LiveState::NoKey
    );
    assert_eq!(service.key_account(), None);

    s.api_key = Some("   ".into());
    service.configure(&s);
    assert_eq!(
        service.request(&ws),
        LiveState::NoKey,
        "a blank key is no key"
    );

    let mut off = settings(&fake, 60);
    off.live = false;
    service.configure(&off);
    assert_eq!(service.request(&ws), LiveState::Disabled);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(fake.connections(), 0);
}

#[tokio::test]
async fn the_key_never_shows_in_errors_states_or_debug_output() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let mut shown = Vec::new();
    for fault in [
        Fault::Status(401),
        Fault::NgStatus(403),
        Fault::Status(500),
        Fault::MalformedJson,
        Fault::Hang,
    ] {
        fake.set_fault(Scope::All, fault);
        let service = service(&fake, 60);
        let state = service.wait(&key("prod_ws"), LONG).await;
        shown.push(format!("{state:?} {service:?}"));
        if let LiveState::Ready { data, .. } = &state {
            for err in [data.workspace.as_ref().err(), data.resources.as_ref().err()]
                .into_iter()
                .flatten()
            {
                shown.push(format!("{err:?}"));
            }
        }
    }
    let refused = client()
        .workspace("http://127.0.0.1:9/gateway", &key("prod_ws"))
        .await;
    shown.push(format!("{refused:?} {:?}", client()));
    let shown = shown.join("\n");
    assert!(!shown.contains(SECRET_PART), "{shown}");
    assert!(!shown.contains(DEFAULT_KEY));
}

#[test]
fn outputs_tolerate_null_sensitive_and_odd_values() {
    let r: Resources = serde_json::from_str(
        r#"{"resources": [{"name": "a", "type": null, "extra": {"x": 1}}], "data_sources": null,
            "outputs": [{"name": "o", "value": 3, "sensitive": null}, {"name": "p", "value": "v", "sensitive": true}],
            "stack_outputs": null, "total_resources": null, "unknown": [1, 2]}"#,
    )
    .unwrap();
    assert_eq!(r.resource_count(), 1);
    assert_eq!(r.resources[0].kind, "");
    assert_eq!(
        r.outputs,
        vec![
            Output {
                name: "o".into(),
                value: "3".into(),
                sensitive: false
            },
            Output {
                name: "p".into(),
                value: "v".into(),
                sensitive: true
            },
        ]
    );
}
