//! `cargo bench --bench lsp`: iacm-lsp and Red Hat's yaml-language-server
//! (pinned in `benches/lsp/package.json`, with the SchemaStore catalog
//! schema associated through `yaml.schemas`) side by side, driven over
//! stdio by the same client on the same generated catalog files, in one
//! run. Prints start-up, didOpen to first diagnostics (100 KB, 1 MB, 5 MB),
//! keystroke to diagnostics p50/p99 on 1 MB, hover latency, peak RSS and
//! the ratio ours/theirs. See BENCHMARKS.md.
//!
//! Knobs (environment): LSP_BENCH_EDITS (keystrokes for iacm-lsp, 300),
//! LSP_BENCH_WRAPPER (a command iacm-lsp runs under, e.g. `heaptrack -o
//! FILE`), LSP_BENCH_THEIR_EDITS (for yaml-language-server, 30: each takes over a
//! second), LSP_BENCH_OURS_ONLY=1 (skip yaml-language-server).

mod client;
#[path = "../support/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use client::Client;

const KB: usize = 1024;
const MB: usize = 1024 * KB;
const SIZES: [(usize, &str); 3] = [(100 * KB, "100 KB"), (MB, "1 MB"), (5 * MB, "5 MB")];
/// yaml-language-server validates 200 ms after a change (a fixed delay in
/// its `validationHandlers.js`); its latencies include it.
const THEIR_DELAY: Duration = Duration::from_millis(200);
const LONG: Duration = Duration::from_secs(600);

/// A file the server must find fault with: proof that it validates at all.
const PLANTED: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: planted\n  \
annotations:\n    harness.io/workspace-url: http://app.harness.io/ng/account/a/module/iacm/orgs/o/projects/p/workspaces/w\n";

struct Server {
    name: &'static str,
    command: Box<dyn Fn() -> Command>,
    /// What `workspace/configuration` and `didChangeConfiguration` carry.
    settings: Value,
    edits: usize,
}

#[derive(Default)]
struct Results {
    startup: Option<Duration>,
    open: Vec<(Duration, usize)>,
    keystroke: Vec<Duration>,
    hover: Vec<Duration>,
    rss_5mb_kib: Option<u64>,
    planted: String,
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ours() -> Server {
    let command = || {
        let binary = env!("CARGO_BIN_EXE_iacm-lsp");
        // A profiler in front of the server (`heaptrack -o FILE`, `valgrind
        // --tool=massif`), to see where its memory goes.
        let wrapper = std::env::var("LSP_BENCH_WRAPPER").unwrap_or_default();
        let mut words = wrapper.split_whitespace();
        let mut command = match words.next() {
            Some(program) => {
                let mut command = Command::new(program);
                command.args(words).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        for name in [
            "HARNESS_API_KEY",
            "HARNESS_PLATFORM_API_KEY",
            "HARNESS_BASE_URL",
        ] {
            command.env_remove(name);
        }
        command.env("IACM_LIVE", "0");
        command
    };
    Server {
        name: "iacm-lsp",
        command: Box::new(command),
        settings: json!({"iacm": {"live": false}}),
        edits: env_usize("LSP_BENCH_EDITS", 300),
    }
}

/// yaml-language-server from `benches/lsp/node_modules`, installed with
/// `npm ci` from the committed lockfile when missing.
fn theirs() -> Option<Server> {
    let dir = manifest_dir().join("benches/lsp");
    let bin = dir.join("node_modules/yaml-language-server/bin/yaml-language-server");
    if !bin.exists() {
        println!(
            "installing yaml-language-server: npm ci in {}",
            dir.display()
        );
        let ok = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!("npm ci failed: yaml-language-server skipped");
            return None;
        }
    }
    // `../shared` next to the clone (CI), else the one this repository's
    // worktrees share, else LSP_BENCH_SCHEMA.
    let candidates = [
        std::env::var_os("LSP_BENCH_SCHEMA").map(PathBuf::from),
        Some(manifest_dir().join("../shared/schemas/catalog-info.json")),
        Some(PathBuf::from("/work/shared/schemas/catalog-info.json")),
    ];
    let Some(schema) = candidates
        .into_iter()
        .flatten()
        .find_map(|p| p.canonicalize().ok())
    else {
        println!(
            "schemas/catalog-info.json not found (set LSP_BENCH_SCHEMA): yaml-language-server skipped"
        );
        return None;
    };
    println!("schema: {}", schema.display());
    let command = move || {
        let mut command = Command::new("node");
        command.arg(&bin).arg("--stdio");
        command
    };
    let yaml = json!({
        "validate": true,
        "hover": true,
        "completion": true,
        "format": {"enable": false},
        // Only our schema: the SchemaStore download would need the network.
        "schemaStore": {"enable": false},
        "schemas": {(schema.to_string_lossy()): "*.yaml"},
    });
    Some(Server {
        name: "yaml-language-server 1.25.0",
        command: Box::new(command),
        settings: json!({"yaml": yaml, "http": {}, "[yaml]": {}, "editor": {}}),
        edits: env_usize("LSP_BENCH_THEIR_EDITS", 30),
    })
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn start(server: &Server, results: &mut Results) -> Client {
    let spawned = Instant::now();
    let mut client = Client::spawn((server.command)(), server.settings.clone());
    let (at, _) = client.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": null,
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "workspace": {"configuration": true, "didChangeConfiguration": {"dynamicRegistration": false}},
                "textDocument": {
                    "synchronization": {"didSave": true},
                    "publishDiagnostics": {"versionSupport": true},
                    "hover": {"contentFormat": ["markdown", "plaintext"]}
                }
            },
            "initializationOptions": server.settings["iacm"].clone(),
        }),
        Duration::from_secs(60),
    );
    results.startup.get_or_insert(at - spawned);
    client.notify("initialized", json!({}));
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": server.settings.clone()}),
    );
    client
}

fn open(client: &mut Client, path: &Path, text: &str) -> (Duration, usize) {
    let (time, diagnostics) = open_diagnostics(client, path, text);
    (time, diagnostics.len())
}

fn open_diagnostics(client: &mut Client, path: &Path, text: &str) -> (Duration, Vec<Value>) {
    let message = serde_json::to_vec(&Client::prepare(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(path), "languageId": "yaml", "version": 1, "text": text}}),
    ))
    .expect("JSON");
    client.drain();
    let sent = Instant::now();
    client.send_prepared(&message);
    let (at, diagnostics) = client
        .diagnostics(&uri(path), Some(1), LONG)
        .expect("diagnostics after didOpen");
    (at - sent, diagnostics)
}

fn close(client: &Client, path: &Path) {
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(path)}}),
    );
}

/// Lines of `text` where keystrokes go: the ends of `description:` lines,
/// spread over the whole file.
fn edit_sites(text: &str) -> Vec<(u32, u32)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("  description: "))
        .map(|(n, l)| (n as u32, l.encode_utf16().count() as u32))
        .collect()
}

/// Types and deletes characters (and now and then a line break) at sites
/// picked across the file; each deletion restores the text. Returns the
/// time from each didChange to the diagnostics of that version.
fn keystrokes(client: &mut Client, path: &Path, text: &str, edits: usize) -> Vec<Duration> {
    let sites = edit_sites(text);
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut times = Vec::with_capacity(edits);
    let mut version = 1;
    let mut site = sites[0];
    for i in 0..edits {
        if i % 2 == 0 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            site = sites[(seed % sites.len() as u64) as usize];
        }
        let (line, end) = site;
        let newline = i % 20 >= 18;
        let change = match (i % 2, newline) {
            (0, false) => json!({"range": range(line, end, line, end), "text": "x"}),
            (_, false) => json!({"range": range(line, end, line, end + 1), "text": ""}),
            (0, true) => json!({"range": range(line, end, line, end), "text": "\n"}),
            (_, true) => json!({"range": range(line, end, line + 1, 0), "text": ""}),
        };
        version += 1;
        client.drain();
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [change]}),
        );
        let (at, _) = client
            .diagnostics(&uri(path), Some(version), LONG)
            .expect("diagnostics after didChange");
        times.push(at - sent);
    }
    times
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

/// Hovers on a workspace URL, `count` times.
fn hovers(client: &mut Client, path: &Path, text: &str, count: usize) -> Vec<Duration> {
    let line = text
        .lines()
        .position(|l| l.starts_with("      prod: https://"))
        .expect("a labelled URL line") as u32;
    (0..count)
        .map(|_| {
            let sent = Instant::now();
            let (at, _) = client.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": 40}}),
                LONG,
            );
            at - sent
        })
        .collect()
}

fn run(server: Server, files: &[(PathBuf, String, &str)], planted: &Path) -> Results {
    let mut results = Results::default();
    println!("\n== {} ==", server.name);
    for (i, (path, text, label)) in files.iter().enumerate() {
        // A fresh process per file: peak RSS is the file's own.
        let mut client = start(&server, &mut results);
        if i == 0 {
            // Warm up, and prove the server reports problems at all.
            let (_, diagnostics) = open_diagnostics(&mut client, planted, PLANTED);
            let first = diagnostics.first().map(|d| d["message"].to_string());
            let Some(first) = first else {
                panic!(
                    "{} reports nothing on the planted mistakes: the comparison would be meaningless",
                    server.name
                );
            };
            println!(
                "planted mistakes: {} diagnostics, the first: {first}",
                diagnostics.len()
            );
            results.planted = first;
            close(&client, planted);
        }
        let (time, count) = open(&mut client, path, text);
        println!("{label}: didOpen -> {count} diagnostics in {}", ms(time));
        results.open.push((time, count));
        if *label == "1 MB" {
            let times = keystrokes(&mut client, path, text, server.edits);
            results.keystroke = times;
            println!(
                "{label}: {} keystrokes: p50 {} p99 {} max {}",
                server.edits,
                ms(pct(&results.keystroke, 50)),
                ms(pct(&results.keystroke, 99)),
                ms(pct(&results.keystroke, 100))
            );
            results.hover = hovers(&mut client, path, text, 50);
            println!("{label}: hover p50 {}", ms(pct(&results.hover, 50)));
        }
        let rss = client.peak_rss_kib();
        println!(
            "{label}: peak RSS {} MiB",
            rss.map_or("?".into(), |k| format!("{:.1}", k as f64 / 1024.0))
        );
        if *label == "5 MB" {
            results.rss_5mb_kib = rss;
        }
        client.shutdown();
    }
    results
}

fn pct(times: &[Duration], p: usize) -> Duration {
    if times.is_empty() {
        return Duration::ZERO;
    }
    let mut sorted = times.to_vec();
    sorted.sort();
    let i = ((sorted.len() - 1) * p).div_ceil(100);
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores, load average {}", load())
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("lsp benchmark: run with `cargo bench --bench lsp` (skipped)");
        return;
    }
    println!("LSP benchmark on {}", machine());
    // Not a hidden folder (tempfile's default `.tmpXXXX`): yaml-language-server's
    // `*.yaml` schema glob does not match paths with a dot-folder in them.
    let dir = tempfile::Builder::new()
        .prefix("iacm-lsp-bench-")
        .tempdir()
        .expect("a temporary folder");
    let files: Vec<(PathBuf, String, &str)> = SIZES
        .iter()
        .map(|&(size, label)| {
            let (text, entities) = generate::catalog(size, 42);
            let path = dir
                .path()
                .join(format!("catalog-{}.yaml", label.replace(' ', "")));
            std::fs::write(&path, &text).expect("write the generated file");
            println!("{label}: {entities} entities, {} bytes", text.len());
            (path, text, label)
        })
        .collect();
    let planted = dir.path().join("planted.yaml");
    std::fs::write(&planted, PLANTED).expect("write the planted file");

    let ours = run(ours(), &files, &planted);
    let theirs = if std::env::var("LSP_BENCH_OURS_ONLY").is_ok_and(|v| v == "1") {
        None
    } else {
        theirs().map(|server| run(server, &files, &planted))
    };
    println!("\nload average after the run: {}", load());
    report(&ours, theirs.as_ref());
}

fn report(ours: &Results, theirs: Option<&Results>) {
    let row = |what: &str, a: Option<Duration>, b: Option<Duration>| {
        let (a, b) = (a.unwrap_or_default(), b.unwrap_or_default());
        let ratio = if b.is_zero() {
            "-".to_string()
        } else {
            format!(
                "{:.4} ({:.0}x faster)",
                a.as_secs_f64() / b.as_secs_f64(),
                b.as_secs_f64() / a.as_secs_f64()
            )
        };
        println!(
            "| {what} | {} | {} | {ratio} |",
            ms(a),
            if b.is_zero() { "-".into() } else { ms(b) }
        );
    };
    println!("\n| measure | iacm-lsp | yaml-language-server | ours/theirs |");
    println!("|---|---|---|---|");
    row(
        "start-up to initialize reply",
        ours.startup,
        theirs.and_then(|t| t.startup),
    );
    for (i, (_, label)) in SIZES.iter().enumerate() {
        row(
            &format!("didOpen to diagnostics, {label}"),
            ours.open.get(i).map(|o| o.0),
            theirs.and_then(|t| t.open.get(i).map(|o| o.0)),
        );
    }
    let keys = |r: &Results, p| (!r.keystroke.is_empty()).then(|| pct(&r.keystroke, p));
    row(
        "keystroke to diagnostics p50, 1 MB",
        keys(ours, 50),
        theirs.and_then(|t| keys(t, 50)),
    );
    row(
        "keystroke to diagnostics p99, 1 MB",
        keys(ours, 99),
        theirs.and_then(|t| keys(t, 99)),
    );
    let hover = |r: &Results, p| (!r.hover.is_empty()).then(|| pct(&r.hover, p));
    row(
        "hover p50, 1 MB",
        hover(ours, 50),
        theirs.and_then(|t| hover(t, 50)),
    );
    row(
        "hover p99, 1 MB",
        hover(ours, 99),
        theirs.and_then(|t| hover(t, 99)),
    );
    let mib = |k: Option<u64>| k.map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    let rss_ratio = match (ours.rss_5mb_kib, theirs.and_then(|t| t.rss_5mb_kib)) {
        (Some(a), Some(b)) => format!("{:.3}", a as f64 / b as f64),
        _ => "-".into(),
    };
    println!(
        "| peak RSS, 5 MB open | {} | {} | {rss_ratio} |",
        mib(ours.rss_5mb_kib),
        mib(theirs.and_then(|t| t.rss_5mb_kib))
    );
    if let Some(t) = theirs {
        println!(
            "\nyaml-language-server's times include its fixed {} ms validation delay; without it, didOpen on 5 MB would be {} and keystroke p99 {}.",
            THEIR_DELAY.as_millis(),
            ms(t.open
                .last()
                .map_or(Duration::ZERO, |o| o.0)
                .saturating_sub(THEIR_DELAY)),
            ms(pct(&t.keystroke, 99).saturating_sub(THEIR_DELAY)),
        );
        println!(
            "Diagnostics on open (ours / theirs): {}",
            ours.open
                .iter()
                .zip(&t.open)
                .zip(SIZES)
                .map(|((a, b), (_, l))| format!("{l} {} / {}", a.1, b.1))
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!(
            "Both validate: on the planted file, iacm-lsp says {} and yaml-language-server {}.",
            ours.planted, t.planted
        );
        println!(
            "Keystrokes timed: iacm-lsp {}, yaml-language-server {}.",
            ours.keystroke.len(),
            t.keystroke.len()
        );
    }
}
