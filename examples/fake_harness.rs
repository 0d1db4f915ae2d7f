//! A fake Harness IaCM API on 127.0.0.1, to try hover cards, code lenses
//! and live diagnostics without a Harness account.
//!
//! ```text
//! cargo run --example fake_harness                 # port 7878, key pat.abc123.fakeTokenId.fakeSecretValue
//! cargo run --example fake_harness -- --port 0 --key pat.abc123.x.y
//! ```
//!
//! It prints the settings to point iacm-lsp at it (`HARNESS_BASE_URL` and
//! `HARNESS_API_KEY`, or `iacm.baseUrl` and `iacm.apiKey`) and a catalog
//! snippet whose URLs name its workspaces; app.harness.io URLs go to
//! `iacm.baseUrl`, so the snippet is what a real catalog file looks like.
//! It serves account `abc123`, org `default`, project `payments`:
//! `prod_ws` (active, 17 resources, sensitive outputs), `dev_ws` (drifted),
//! `broken_ws` (failed), `empty_ws` (never applied) and seven more. Any
//! other workspace is a 404; a wrong key is a 401. Stop it with Ctrl-C.
//! The data is `tests/support/fake_harness_data.json`.
//!
//! For completion it also serves the lists, paged as Harness pages them
//! (at most 10 items a page, so the 11 workspaces of `payments` take two):
//!
//! ```text
//! GET /v1/orgs                       default, retail, platform
//! GET /v1/orgs/default/projects      payments, orders, platform_eng, checkout, search_ranking, data_lake
//! GET /v1/orgs/platform/projects     shared_infra, observability
//! GET /v1/orgs/retail/projects       stores
//! GET /gateway/iacm/api/orgs/{org}/projects/{project}/workspaces
//!     default/payments      the eleven above
//!     default/orders        orders_api_ws, orders_db_ws, orders_queue_ws
//!     default/platform_eng  vpc_ws, eks_ws
//!     platform/shared_infra shared_dns_ws
//!     (other projects have none)
//! ```
//!
//! The `/v1` lists are the platform API at the origin (`http://127.0.0.1:PORT/v1/...`,
//! as `https://app.harness.io/v1/...`), pages counted from 0 with
//! `X-Total-Elements`/`X-Page-Number`/`X-Page-Size`; the IaCM list counts
//! from 1 with `x-total-items`/`x-total-pages`/`x-page-size`.

#[path = "../tests/support/fake_harness.rs"]
#[allow(dead_code)] // the tests use more of it than the example does
mod fake_harness;

use fake_harness::{DEFAULT_KEY, FakeHarness};

fn main() {
    let mut port: u16 = 7878;
    let mut key = DEFAULT_KEY.to_string();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--port", Some(p)) if p.parse::<u16>().is_ok() => port = p.parse().unwrap_or(0),
            ("--key", Some(k)) if !k.trim().is_empty() => key = k,
            _ => {
                eprintln!("usage: cargo run --example fake_harness [-- --port N] [--key KEY]");
                std::process::exit(2);
            }
        }
    }
    let fake = match FakeHarness::start_on(port, &key) {
        Ok(fake) => fake,
        Err(err) => {
            eprintln!("cannot listen on 127.0.0.1:{port}: {err} (try --port 0 for any free port)");
            std::process::exit(1);
        }
    };
    let base = fake.base_url();
    println!("Fake Harness IaCM API listening on {base}\n");
    println!("Environment (check --live, or an editor started from this shell):");
    println!("  export HARNESS_BASE_URL={base}");
    println!("  export HARNESS_API_KEY={key}\n");
    println!("Editor settings:");
    println!("  \"iacm.baseUrl\": \"{base}\",");
    println!("  \"iacm.apiKey\": \"{key}\"\n");
    println!("A catalog-info.yaml whose URLs hit this fake:\n");
    println!("apiVersion: backstage.io/v1alpha1");
    println!("kind: Component");
    println!("metadata:");
    println!("  name: payments");
    println!("  annotations:");
    println!("    harness.io/workspace-url: |");
    for ws in ["prod_ws", "dev_ws", "broken_ws", "empty_ws", "missing_ws"] {
        println!("      {ws}: {}", FakeHarness::workspace_url(ws));
    }
    println!("spec:");
    println!("  type: service");
    println!("  lifecycle: production");
    println!("  owner: team-payments\n");
    println!("(or open examples/live/catalog-info.yaml, which names the same workspaces)\n");
    println!(
        "Completion lists: {}/v1/orgs (orgs: {})",
        fake.platform_url(),
        fake.org_ids().join(", ")
    );
    for org in fake.org_ids() {
        println!("  {org}: projects {}", fake.project_ids(&org).join(", "));
    }
    println!();
    println!("Serving until Ctrl-C; each request is logged below.");
    let mut seen = 0;
    loop {
        std::thread::sleep(std::time::Duration::from_millis(200));
        let requests = fake.requests();
        for r in &requests[seen.min(requests.len())..] {
            let auth = if r.api_key.as_deref() == Some(key.as_str()) {
                "key ok"
            } else {
                "WRONG KEY"
            };
            println!("  {} {} ({auth})", r.method, r.target());
        }
        seen = requests.len();
    }
}
