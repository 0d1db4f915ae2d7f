//! `cargo bench --bench navigation`: what entity navigation costs. Prints
//! numbers, asserts nothing.
//! - per keystroke (the open document's analysis): reading the entity
//!   summaries, updating the workspace index with them, and the
//!   `entity-ref-unresolved` lookups, on generated 1 MB and 5 MB files;
//! - per request: definition lookups, references, workspace symbols;
//! - start-up: the real server indexing a workspace of 400 catalog files
//!   (the 5 MB catalog split up), from its own log line.

#[path = "support/generate.rs"]
mod generate;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use iacm_lsp::catalog::refs::{self, RefKey};
use iacm_lsp::text::LineIndex;
use iacm_lsp::workspace_index::{IndexedFile, WorkspaceIndex};
use iacm_lsp::yaml::parse_stream;
use iacm_lsp::{Settings, analyze_catalog};

const MB: usize = 1024 * 1024;

fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f());
        times.push(start.elapsed());
    }
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn keystroke_costs(size: usize) {
    let (text, entities) = generate::catalog(size, 7);
    let label = format!("{} MB ({entities} entities)", size / MB);
    let stream = parse_stream(&text);
    let roots: Vec<_> = stream
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref())
        .collect();
    let summaries = median(11, || {
        let mut diagnostics = Vec::new();
        roots
            .iter()
            .filter_map(|root| refs::entity_info(&text, root, &mut diagnostics))
            .count()
    });
    println!(
        "entity summaries and refs of {label}: {} (part of each analysis)",
        ms(summaries)
    );

    let analysis = Arc::new(analyze_catalog(&text, &Settings::default()));
    let line_index = Arc::new(LineIndex::new(&text));
    let uri = "file:///ws/catalog-info.yaml";
    let mut index = WorkspaceIndex::default();
    index.set_open(IndexedFile::new(uri, line_index.clone(), analysis.clone()));
    let update = median(11, || {
        index.set_open(IndexedFile::new(uri, line_index.clone(), analysis.clone()))
    });
    println!("index update after an edit of {label}: {}", ms(update));
    let hints = median(11, || {
        refs::unresolved(&analysis.entities, |k| index.contains(k)).len()
    });
    println!("entity-ref-unresolved lookups on {label}: {}", ms(hints));
    let team: RefKey = analysis
        .entities
        .iter()
        .find(|e| &*e.kind == "Group")
        .unwrap()
        .key();
    let definition = median(101, || index.definitions(&team).len());
    let references = median(11, || index.references(&team).len());
    let symbols = median(5, || {
        iacm_lsp::features::symbols::workspace_symbols(
            &index,
            "",
            iacm_lsp::text::PositionEncoding::Utf16,
        )
        .len()
    });
    println!(
        "on {label}: definition {}, references {}, workspace symbols (first 1000) {}",
        ms(definition),
        ms(references),
        ms(symbols)
    );
}

/// The real server on a folder of catalog files; the time its log line
/// reports for start-up indexing.
fn startup_indexing() {
    let (text, entities) = generate::catalog(5 * MB, 11);
    let dir = tempfile::tempdir().expect("temp dir");
    let documents: Vec<&str> = text.split("\n---\n").collect();
    let per_file = documents.len().div_ceil(400);
    let mut files = 0;
    for (i, chunk) in documents.chunks(per_file).enumerate() {
        let sub = dir.path().join(format!("team-{}", i % 20));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            sub.join(format!("{i}.catalog-info.yaml")),
            chunk.join("\n---\n"),
        )
        .unwrap();
        files += 1;
    }
    let server = env!("CARGO_BIN_EXE_iacm-lsp");
    for run in 0..3 {
        let mut child = Command::new(server)
            .env("IACM_LIVE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start iacm-lsp");
        let root = url::Url::from_file_path(dir.path()).unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut send = |message: serde_json::Value| {
            let body = message.to_string();
            write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
            stdin.flush().unwrap();
        };
        send(
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": root.as_str(), "capabilities": {}}}),
        );
        // `initialized` only after the answer, as the protocol asks.
        let mut length = 0;
        loop {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            match line.trim().strip_prefix("Content-Length: ") {
                Some(n) => length = n.parse().unwrap(),
                None if line.trim().is_empty() => break,
                None => {}
            }
        }
        let mut body = vec![0; length];
        std::io::Read::read_exact(&mut stdout, &mut body).unwrap();
        send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        let started = Instant::now();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        for line in stderr.lines().map_while(Result::ok) {
            if line.contains("indexed") {
                println!(
                    "start-up indexing, run {}: {files} files, 5 MB, {entities} entities: server says `{}` ({} ms seen from here)",
                    run + 1,
                    line.trim_start_matches("[iacm-lsp] "),
                    started.elapsed().as_millis()
                );
                break;
            }
            if started.elapsed() > Duration::from_secs(120) {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

fn main() {
    keystroke_costs(MB);
    keystroke_costs(5 * MB);
    startup_indexing();
}
