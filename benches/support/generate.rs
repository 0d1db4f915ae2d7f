//! A deterministic generator of large multi-document catalog files: the
//! common kinds (Component, API, System, Group, Resource) in realistic
//! proportions, every Component with a `harness.io/workspace-url`, and one
//! Component in eight with a mistake in it (so diagnostics and fixes have
//! work to do). One System in forty has no `spec.owner`, a mistake the
//! Backstage JSON schema catches (so a schema-driven server has work too).

use std::fmt::Write;

/// A small xorshift generator: the same seed gives the same file everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const TEAMS: [&str; 6] = [
    "payments",
    "orders",
    "logistics",
    "identity",
    "search",
    "platform",
];
const LIFECYCLES: [&str; 3] = ["production", "experimental", "deprecated"];

fn url(scheme: &str, project: &str, workspace: &str) -> String {
    format!(
        "{scheme}://app.harness.io/ng/account/abc123XYZ_acc/module/iacm/orgs/default/projects/{project}/workspaces/{workspace}/resources"
    )
}

/// The `harness.io/workspace-url` annotation of component `i` (indented for
/// `metadata.annotations`), correct or with the mistake number `mistake`.
fn workspace_annotation(out: &mut String, i: usize, team: &str, mistake: Option<u64>) {
    let project = format!("{team}_proj");
    let prod = url("https", &project, &format!("svc{i}_prod"));
    let staging = url("https", &project, &format!("svc{i}_staging"));
    let prod = match mistake {
        None => prod,
        Some(0) => prod.trim_end_matches("/resources").to_string(),
        Some(1) => prod.replacen("https://", "http://", 1),
        Some(2) => format!("{prod}?tab=outputs"),
        Some(3) => format!("{prod} |"),
        Some(4) => prod.replace("/module/iacm/", "/iacm/"),
        Some(5) => prod.replace("/module/iacm/", "/module/cd/"),
        Some(6) => prod.replace(
            &format!("projects/{project}"),
            &format!("projects/{team}-proj"),
        ),
        _ => {
            // A bare URL: the form the IACM tab cannot read.
            let _ = writeln!(out, "    harness.io/workspace-url: {prod}");
            return;
        }
    };
    let _ = writeln!(
        out,
        "    harness.io/workspace-url: |\n      prod: {prod}\n      staging: {staging}"
    );
}

fn component(out: &mut String, i: usize, rng: &mut Rng) {
    let team = TEAMS[rng.below(TEAMS.len() as u64) as usize];
    let lifecycle = LIFECYCLES[rng.below(LIFECYCLES.len() as u64) as usize];
    let mistake = (rng.below(8) == 0).then(|| rng.below(8));
    let _ = writeln!(
        out,
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-{i}\n  \
         description: Service {i}, owned by the {team} team\n  tags: [rust, {team}]\n  annotations:\n    \
         github.com/project-slug: acme/svc-{i}\n    backstage.io/techdocs-ref: dir:."
    );
    workspace_annotation(out, i, team, mistake);
    let _ = writeln!(
        out,
        "spec:\n  type: service\n  lifecycle: {lifecycle}\n  owner: group:team-{team}\n  \
         system: {team}-system\n  providesApis:\n    - api-{i}\n  dependsOn:\n    - resource:db-{}",
        i % 97
    );
}

fn api(out: &mut String, i: usize, rng: &mut Rng) {
    let team = TEAMS[rng.below(TEAMS.len() as u64) as usize];
    let _ = writeln!(
        out,
        "---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: api-{i}\n  \
         description: The HTTP API of service {i}\nspec:\n  type: openapi\n  lifecycle: production\n  \
         owner: group:team-{team}\n  system: {team}-system\n  definition: |\n    openapi: 3.0.0\n    \
         info:\n      title: Service {i}\n      version: 1.0.{i}\n    paths: {{}}"
    );
}

fn system(out: &mut String, i: usize) {
    let team = TEAMS[i % TEAMS.len()];
    let owner = if i % 400 == 7 {
        String::new()
    } else {
        format!("\n  owner: group:team-{team}")
    };
    let _ = writeln!(
        out,
        "---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: system-{i}\n  \
         description: Everything the {team} team runs\nspec:{owner}\n  domain: commerce"
    );
}

fn group(out: &mut String, i: usize) {
    let team = TEAMS[i % TEAMS.len()];
    let _ = writeln!(
        out,
        "---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: team-{team}-{i}\n  \
         description: The {team} team\nspec:\n  type: team\n  profile:\n    displayName: Team {team} {i}\n    \
         email: {team}-{i}@acme.example\n  parent: engineering\n  children: []\n  members: [alice-{i}, bob-{i}, chloé-{i}]"
    );
}

fn resource(out: &mut String, i: usize) {
    let team = TEAMS[i % TEAMS.len()];
    let _ = writeln!(
        out,
        "---\napiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: db-{i}\n  \
         description: PostgreSQL for the {team} team\n  annotations:\n    backstage.io/managed-by-location: \
         url:https://github.com/acme/infra/blob/main/db-{i}.yaml\nspec:\n  type: database\n  \
         owner: group:team-{team}\n  system: {team}-system"
    );
}

/// A multi-document catalog file of at least `min_bytes` bytes.
/// Half the entities are Components; the rest APIs, Systems, Groups and Resources.
pub fn catalog(min_bytes: usize, seed: u64) -> (String, usize) {
    let mut rng = Rng(seed | 1);
    let mut out = String::with_capacity(min_bytes + 4096);
    let mut entities = 0;
    while out.len() < min_bytes {
        let i = entities;
        match i % 10 {
            0..=4 => component(&mut out, i, &mut rng),
            5 | 6 => api(&mut out, i, &mut rng),
            7 => system(&mut out, i),
            8 => group(&mut out, i),
            _ => resource(&mut out, i),
        }
        entities += 1;
    }
    (out, entities)
}
