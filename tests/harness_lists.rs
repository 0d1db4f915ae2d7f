//! The lists behind completion against the fake Harness API on loopback:
//! organisations and projects from the platform API (`/v1`, 0-based pages),
//! a project's workspaces from IaCM (1-based pages), each followed to the
//! last page; the headers; single flight; TTL and `refresh_all`; and the
//! key and allow-list rules that keep requests from being made at all.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use iacm_lsp::Settings;
use iacm_lsp::harness::FetchError;
use iacm_lsp::harness::LiveService;
use iacm_lsp::harness::client::{ClientOptions, Endpoint, HarnessClient, platform_base};
use iacm_lsp::harness::lists::{ListItem, ListKey, ListState};
use iacm_lsp::harness::service::ServiceOptions;
use support::fake_harness::{ACCOUNT, DEFAULT_KEY, FakeHarness, Fault, ORG, PROJECT, Scope};

const ORIGIN: &str = "https://app.harness.io";
const LONG: Duration = Duration::from_secs(5);

fn client_options() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(500),
        timeout: Duration::from_secs(3),
        retry_delays: vec![Duration::from_millis(10)],
        ..ClientOptions::default()
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

fn service(fake: &FakeHarness, ttl_seconds: u64) -> LiveService {
    let service = LiveService::with_options(ServiceOptions {
        client: client_options(),
        max_concurrent_fetches: 4,
    });
    service.configure(&settings(fake, ttl_seconds));
    service
}

fn orgs() -> ListKey {
    ListKey::Orgs {
        origin: ORIGIN.into(),
        account: ACCOUNT.into(),
    }
}

fn projects(org: &str) -> ListKey {
    ListKey::Projects {
        origin: ORIGIN.into(),
        account: ACCOUNT.into(),
        org: org.into(),
    }
}

fn workspaces(org: &str, project: &str) -> ListKey {
    ListKey::Workspaces {
        origin: ORIGIN.into(),
        account: ACCOUNT.into(),
        org: org.into(),
        project: project.into(),
    }
}

fn items(state: &ListState) -> (Arc<Vec<ListItem>>, bool) {
    match state {
        ListState::Ready { items, refreshing } => (items.clone(), *refreshing),
        other => panic!("expected a list, got {other:?}"),
    }
}

fn ids(items: &[ListItem]) -> Vec<String> {
    items.iter().map(|i| i.identifier.clone()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The `page` of each request to exactly `path`, in order.
fn pages(fake: &FakeHarness, path: &str) -> Vec<String> {
    fake.requests()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.query_param("page").unwrap_or_default())
        .collect()
}

#[test]
fn the_platform_api_is_the_origin_of_the_gateway() {
    assert_eq!(
        platform_base("https://app.harness.io/gateway"),
        "https://app.harness.io"
    );
    let fake = FakeHarness::start(DEFAULT_KEY);
    assert_eq!(platform_base(&fake.base_url()), fake.platform_url());
}

#[tokio::test]
async fn orgs_are_followed_page_by_page_from_page_0_and_sorted() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_max_page_size(2);
    let service = service(&fake, 60);
    let (list, refreshing) = items(&service.wait_list(&orgs(), LONG).await);
    assert!(!refreshing);
    assert_eq!(ids(&list), sorted(fake.org_ids()));
    assert_ne!(fake.org_ids(), sorted(fake.org_ids()), "served unsorted");
    for (id, name) in fake.orgs() {
        let item = list.iter().find(|i| i.identifier == id).unwrap();
        assert_eq!(
            (item.name.as_str(), item.status.as_deref()),
            (name.as_str(), None)
        );
    }
    // 3 orgs, 2 a page: pages 0 and 1, the second short.
    assert_eq!(pages(&fake, "/v1/orgs"), ["0", "1"]);
    assert_eq!(service.request_count(Endpoint::Orgs), 2);
    for r in fake.requests() {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/v1/orgs", "the platform API, not the gateway");
        assert_eq!(r.api_key.as_deref(), Some(DEFAULT_KEY));
        assert_eq!(r.harness_account.as_deref(), Some(ACCOUNT));
        assert!(r.account_matched);
        assert_eq!(r.accept.as_deref(), Some("application/json"));
        assert_eq!(r.query_param("accountIdentifier").as_deref(), Some(ACCOUNT));
        assert_eq!(r.query_param("limit").as_deref(), Some("100"));
    }
}

#[tokio::test]
async fn projects_are_followed_to_the_last_page() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_max_page_size(4);
    let service = service(&fake, 60);
    let (list, _) = items(&service.wait_list(&projects(ORG), LONG).await);
    let expected = sorted(fake.project_ids(ORG));
    assert!(expected.len() > 4, "enough projects to need paging");
    assert!(expected.iter().any(|p| p == PROJECT));
    assert_eq!(ids(&list), expected);
    assert_eq!(pages(&fake, "/v1/orgs/default/projects"), ["0", "1"]);
    let names = fake.projects(ORG);
    let payments = list.iter().find(|p| p.identifier == PROJECT).unwrap();
    assert!(names.contains(&(PROJECT.to_string(), payments.name.clone())));

    // A full page whose X-Total-Elements says it is all: no second request.
    fake.clear_requests();
    fake.set_max_page_size(2);
    let (list, _) = items(&service.wait_list(&projects("platform"), LONG).await);
    assert_eq!(ids(&list), sorted(fake.project_ids("platform")));
    assert_eq!(list.len(), 2);
    assert_eq!(pages(&fake, "/v1/orgs/platform/projects"), ["0"]);
}

#[tokio::test]
async fn workspaces_are_followed_page_by_page_with_name_and_status() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    let (list, _) = items(&service.wait_list(&workspaces(ORG, PROJECT), LONG).await);
    let served = fake.workspaces_of(ORG, PROJECT);
    assert_eq!(served.len(), 11);
    assert_eq!(
        ids(&list),
        sorted(served.iter().map(|w| w.0.clone()).collect())
    );
    for (id, name, status) in &served {
        let item = list.iter().find(|i| &i.identifier == id).unwrap();
        assert_eq!(&item.name, name);
        assert_eq!(item.status.as_deref(), Some(status.as_str()));
    }
    // The client asks for 100, the fake serves 10 a page: pages 1 and 2.
    let path = "/gateway/iacm/api/orgs/default/projects/payments/workspaces";
    assert_eq!(pages(&fake, path), ["1", "2"]);
    assert_eq!(service.request_count(Endpoint::WorkspaceList), 2);
    let r = &fake.requests()[0];
    assert_eq!(r.api_key.as_deref(), Some(DEFAULT_KEY));
    assert_eq!(r.harness_account.as_deref(), Some(ACCOUNT));

    // Small pages, another project: 3 workspaces, 1 a page.
    fake.clear_requests();
    fake.set_max_page_size(1);
    let (list, _) = items(&service.wait_list(&workspaces(ORG, "orders"), LONG).await);
    assert_eq!(ids(&list), sorted(fake.workspace_ids_of(ORG, "orders")));
    assert_eq!(
        pages(
            &fake,
            "/gateway/iacm/api/orgs/default/projects/orders/workspaces"
        ),
        ["1", "2", "3"]
    );
    // A project without workspaces is an empty list, not a failure.
    let (list, _) = items(&service.wait_list(&workspaces(ORG, "checkout"), LONG).await);
    assert!(list.is_empty());
}

#[tokio::test]
async fn ten_waiters_on_a_cold_list_make_one_request_per_page() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_max_page_size(2);
    fake.set_fault(
        Scope::PathEquals("/v1/orgs".into()),
        Fault::Delay(Duration::from_millis(150)),
    );
    let service = service(&fake, 60);
    let waiters: Vec<_> = (0..10)
        .map(|_| {
            let service = service.clone();
            tokio::spawn(async move { service.wait_list(&orgs(), LONG).await })
        })
        .collect();
    for waiter in waiters {
        let (list, _) = items(&waiter.await.unwrap());
        assert_eq!(list.len(), 3);
    }
    assert_eq!(pages(&fake, "/v1/orgs"), ["0", "1"]);
    // Cached: asking again sends nothing.
    assert_eq!(items(&service.request_list(&orgs())).0.len(), 3);
    assert_eq!(fake.requests().len(), 2);
}

#[tokio::test]
async fn lists_are_kept_for_the_ttl_and_refetched_after_refresh_all() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    let key = projects(ORG);
    assert_eq!(
        service.list_state(&key),
        ListState::Loading,
        "never fetched"
    );
    assert!(fake.requests().is_empty(), "list_state never fetches");
    let (first, _) = items(&service.wait_list(&key, LONG).await);
    service.wait_list(&key, LONG).await;
    assert_eq!(service.request_count(Endpoint::Projects), 1);

    service.refresh_all();
    // The old list is served while the new one is fetched.
    let (during, refreshing) = items(&service.request_list(&key));
    assert!(refreshing);
    assert_eq!(during, first);
    let (after, refreshing) = items(&service.wait_list(&key, LONG).await);
    assert!(!refreshing);
    assert_eq!(after, first);
    assert_eq!(service.request_count(Endpoint::Projects), 2);

    // A TTL of 0: every request refetches.
    let service = self::service(&fake, 0);
    service.wait_list(&key, LONG).await;
    service.wait_list(&key, LONG).await;
    assert_eq!(service.request_count(Endpoint::Projects), 2);
}

#[tokio::test]
async fn another_key_or_base_drops_the_lists() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    items(&service.wait_list(&orgs(), LONG).await);
    service.configure(&settings(&fake, 60));
    assert!(matches!(
        service.list_state(&orgs()),
        ListState::Ready { .. }
    ));
    service.configure(&Settings {
        api_key: Some("pat.abc123.other.key".into()),
        ..settings(&fake, 60)
    });
    assert_eq!(service.list_state(&orgs()), ListState::Loading);
    // The fake refuses that key: a 401 in the NG envelope.
    match service.wait_list(&orgs(), LONG).await {
        ListState::Failed(FetchError::Unauthorized(m)) => {
            assert!(m.contains("INVALID_TOKEN"), "{m}")
        }
        other => panic!("expected a 401, got {other:?}"),
    }
}

#[tokio::test]
async fn no_key_no_live_or_a_foreign_host_send_nothing() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let no_key = LiveService::with_options(ServiceOptions {
        client: client_options(),
        max_concurrent_fetches: 4,
    });
    no_key.configure(&Settings {
        api_key: None,
        ..settings(&fake, 60)
    });
    for key in [orgs(), projects(ORG), workspaces(ORG, PROJECT)] {
        assert_eq!(no_key.list_state(&key), ListState::NoKey);
        assert_eq!(no_key.request_list(&key), ListState::NoKey);
        assert_eq!(no_key.wait_list(&key, LONG).await, ListState::NoKey);
    }

    let off = service(&fake, 60);
    off.configure(&Settings {
        live: false,
        ..settings(&fake, 60)
    });
    assert_eq!(off.wait_list(&orgs(), LONG).await, ListState::Disabled);

    let service = service(&fake, 60);
    for origin in [
        "https://evil.example.com",
        "https://app.harness.io.evil.com",
    ] {
        let key = ListKey::Orgs {
            origin: origin.into(),
            account: ACCOUNT.into(),
        };
        assert_eq!(
            service.wait_list(&key, LONG).await,
            ListState::HostNotAllowed
        );
        let key = ListKey::Workspaces {
            origin: origin.into(),
            account: ACCOUNT.into(),
            org: ORG.into(),
            project: PROJECT.into(),
        };
        assert_eq!(service.request_list(&key), ListState::HostNotAllowed);
    }
    assert!(fake.requests().is_empty());
    assert_eq!(fake.connections(), 0);
}

#[tokio::test]
async fn a_403_is_a_cached_failure() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault(Scope::PathEquals("/v1/orgs".into()), Fault::Status(403));
    fake.set_fault(
        Scope::PathEndsWith("/projects".into()),
        Fault::NgStatus(403),
    );
    let service = service(&fake, 60);
    for key in [orgs(), projects(ORG)] {
        match service.wait_list(&key, LONG).await {
            ListState::Failed(FetchError::Forbidden(message)) => {
                assert!(!message.is_empty());
                assert!(!message.contains(DEFAULT_KEY));
            }
            other => panic!("expected a 403, got {other:?}"),
        }
        // Definitive: not refetched within the TTL.
        assert!(matches!(
            service.request_list(&key),
            ListState::Failed(FetchError::Forbidden(_))
        ));
    }
    assert_eq!(fake.requests().len(), 2);
    // The workspace list is not under those faults.
    assert!(matches!(
        service.wait_list(&workspaces(ORG, PROJECT), LONG).await,
        ListState::Ready { .. }
    ));
}

#[tokio::test]
async fn an_unknown_org_or_project_is_not_found() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let service = service(&fake, 60);
    assert!(matches!(
        service.wait_list(&projects("nope"), LONG).await,
        ListState::Failed(FetchError::NotFound(_))
    ));
    assert!(matches!(
        service.wait_list(&workspaces(ORG, "nope"), LONG).await,
        ListState::Failed(FetchError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_slow_list_is_loading_at_the_timeout_and_ready_later() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault(
        Scope::PathEquals("/v1/orgs".into()),
        Fault::Delay(Duration::from_millis(700)),
    );
    let service = service(&fake, 60);
    let started = Instant::now();
    assert_eq!(
        service.wait_list(&orgs(), Duration::from_millis(100)).await,
        ListState::Loading
    );
    let waited = started.elapsed();
    assert!(waited < Duration::from_millis(500), "{waited:?}");
    // Other lists are not held up by it.
    assert!(matches!(
        service
            .wait_list(&projects(ORG), Duration::from_millis(2000))
            .await,
        ListState::Ready { .. }
    ));
    assert_eq!(service.list_state(&orgs()), ListState::Loading);
    let (list, _) = items(&service.wait_list(&orgs(), LONG).await);
    assert_eq!(ids(&list), sorted(fake.org_ids()));
    assert_eq!(
        pages(&fake, "/v1/orgs"),
        ["0"],
        "one fetch, not one per wait"
    );
}

#[tokio::test]
async fn the_client_reads_the_v1_shapes_directly() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    let client = HarnessClient::new(DEFAULT_KEY, client_options()).unwrap();
    let orgs = client
        .list_orgs(&fake.platform_url(), ACCOUNT)
        .await
        .unwrap();
    // In the server's order; the service sorts.
    assert_eq!(ids(&orgs), fake.org_ids());
    let projects = client
        .list_projects(&fake.platform_url(), ACCOUNT, "retail")
        .await
        .unwrap();
    assert_eq!(ids(&projects), fake.project_ids("retail"));
    assert_eq!(client.counts().get(Endpoint::Orgs), 1);
    assert_eq!(client.counts().get(Endpoint::Projects), 1);
}

#[tokio::test]
async fn a_failure_that_says_nothing_of_the_key_is_retried_soon() {
    let fake = FakeHarness::start(DEFAULT_KEY);
    fake.set_fault(Scope::PathEquals("/v1/orgs".into()), Fault::Status(500));
    let service = service(&fake, 3600);
    assert!(matches!(
        service.wait_list(&orgs(), LONG).await,
        ListState::Failed(FetchError::Server { status: 500, .. })
    ));
    fake.clear_faults();
    // Cached for a moment, so a burst of keystrokes sends nothing...
    assert!(matches!(
        service.request_list(&orgs()),
        ListState::Failed(FetchError::Server { .. })
    ));
    assert_eq!(fake.requests().len(), 1);
    // ...but not for the TTL.
    tokio::time::sleep(iacm_lsp::harness::service::FAILED_LIST_RETRY + Duration::from_millis(100))
        .await;
    let (list, _) = items(&service.wait_list(&orgs(), LONG).await);
    assert_eq!(list.len(), fake.org_ids().len());
}
