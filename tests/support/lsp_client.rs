//! A small synchronous LSP client for end-to-end tests: it runs the real
//! `iacm-lsp` binary over stdio and speaks JSON-RPC with `Content-Length`
//! framing. Every wait has a timeout, so a broken server fails a test
//! instead of hanging it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Range;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// How LSP positions count characters in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Utf16,
}

impl Enc {
    pub fn name(self) -> &'static str {
        match self {
            Enc::Utf8 => "utf-8",
            Enc::Utf16 => "utf-16",
        }
    }
}

pub struct LspClient {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    incoming: Receiver<Value>,
    /// Messages read while waiting for something else, oldest first.
    backlog: VecDeque<Value>,
    next_id: i64,
    stderr: Arc<Mutex<String>>,
    /// How this client answers the server's requests.
    answers: Arc<Mutex<Answers>>,
    /// Every message the server sent, as received (to scan for secrets).
    transcript: Arc<Mutex<Vec<String>>>,
}

/// How the client answers `workspace/configuration`.
#[derive(Debug, Clone)]
pub enum ConfigAnswer {
    /// `null` for each item (the client has no such settings).
    Nulls,
    /// This value for each item.
    Value(Value),
    /// Never answers, as a broken client might.
    Never,
}

struct Answers {
    configuration: ConfigAnswer,
}

impl LspClient {
    /// Starts the server with a clean environment for settings (no API key,
    /// no live data), so tests never depend on the machine they run on.
    pub fn spawn() -> Self {
        Self::spawn_with_env(&[("IACM_LIVE", "0")])
    }

    /// Starts the server with no Harness settings from the environment but
    /// `vars` (live data is on unless `vars` say otherwise).
    pub fn spawn_with_env(vars: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_iacm-lsp"));
        for name in [
            "HARNESS_API_KEY",
            "HARNESS_PLATFORM_API_KEY",
            "HARNESS_BASE_URL",
            "IACM_LIVE",
        ] {
            command.env_remove(name);
        }
        command.envs(vars.iter().copied());
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start iacm-lsp");
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let stderr_pipe = child.stderr.take().unwrap();
        let (tx, incoming) = channel();
        let writer = stdin.clone();
        let answers = Arc::new(Mutex::new(Answers {
            configuration: ConfigAnswer::Nulls,
        }));
        let transcript = Arc::new(Mutex::new(Vec::new()));
        let (answers_, transcript_) = (answers.clone(), transcript.clone());
        thread::spawn(move || read_messages(stdout, tx, writer, answers_, transcript_));
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        LspClient {
            child,
            stdin,
            incoming,
            backlog: VecDeque::new(),
            next_id: 1,
            stderr,
            answers,
            transcript,
        }
    }

    /// How to answer `workspace/configuration` from now on.
    pub fn answer_configuration(&self, answer: ConfigAnswer) {
        self.answers.lock().unwrap().configuration = answer;
    }

    /// Every message the server sent so far, as raw JSON text.
    pub fn transcript(&self) -> Vec<String> {
        self.transcript.lock().unwrap().clone()
    }

    /// `initialize` + `initialized`. `encodings` is what the client offers
    /// in `general.positionEncodings` (`None`: the field is absent).
    /// Returns the `initialize` result.
    pub fn initialize(&mut self, encodings: Option<&[&str]>, options: Value) -> Value {
        self.initialize_with(capabilities(encodings), options)
    }

    /// `initialize` with the given client capabilities, then `initialized`.
    pub fn initialize_with(&mut self, capabilities: Value, options: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// Starts a server and initializes it offering `enc` (utf-16 is offered
    /// by offering nothing, as most clients do).
    pub fn start(enc: Enc) -> Self {
        let mut client = LspClient::spawn();
        let offered: Option<&[&str]> = match enc {
            Enc::Utf8 => Some(&["utf-8", "utf-16"]),
            Enc::Utf16 => None,
        };
        let result = client.initialize(offered, Value::Null);
        assert_eq!(result["capabilities"]["positionEncoding"], enc.name());
        client
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    pub fn request_response(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response(id)
    }

    /// Writes `bytes` to the server's stdin as they are, without framing.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let mut stdin = self.stdin.lock().unwrap();
        let _ = stdin.write_all(bytes);
        let _ = stdin.flush();
    }

    /// Sends a request without waiting; returns its id for `response`.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The response to request `id` (already received or still to come).
    pub fn response(&mut self, id: i64) -> Value {
        self.response_with_id(&json!(id))
    }

    /// The first response whose `id` is `id` (`null` for the errors a
    /// server sends about messages it could not read).
    pub fn response_with_id(&mut self, id: &Value) -> Value {
        let is_it = |m: &Value| m.get("method").is_none() && m.get("id") == Some(id);
        if let Some(i) = self.backlog.iter().position(is_it) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline, || format!("response to request {id}"));
            if is_it(&message) {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// The first request from the server with `method` (already received
    /// or still to come); the client has answered it already.
    pub fn wait_for_server_request(&mut self, method: &str) -> Value {
        let matches = |m: &Value| m["method"] == method && m.get("id").is_some();
        if let Some(i) = self.backlog.iter().position(matches) {
            return self.backlog.remove(i).unwrap();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline, || format!("server request {method}"));
            if matches(&message) {
                return message;
            }
            self.backlog.push_back(message);
        }
    }

    /// Sends a request and returns its `result`; an error response fails the test.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_response(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The params of the first notification `method` (already received or
    /// still to come) that satisfies `accept`. Earlier notifications of
    /// other kinds stay available to later waits.
    pub fn wait_for_notification(
        &mut self,
        method: &str,
        accept: impl Fn(&Value) -> bool,
    ) -> Value {
        let matches =
            |m: &Value| m["method"] == method && m.get("id").is_none() && accept(&m["params"]);
        if let Some(i) = self.backlog.iter().position(matches) {
            return self.backlog.remove(i).unwrap()["params"].take();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let mut message = self.receive(deadline, || format!("notification {method}"));
            if matches(&message) {
                return message["params"].take();
            }
            self.backlog.push_back(message);
        }
    }

    /// Removes and returns the params of every notification `method`
    /// received so far but not yet consumed, in arrival order.
    pub fn take_received(&mut self, method: &str) -> Vec<Value> {
        while let Ok(message) = self.incoming.try_recv() {
            self.backlog.push_back(message);
        }
        let (taken, kept) = self
            .backlog
            .drain(..)
            .partition(|m| m["method"] == method && m.get("id").is_none());
        self.backlog = kept;
        taken
            .into_iter()
            .map(|mut m: Value| m["params"].take())
            .collect()
    }

    pub fn open(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i32, changes: Vec<Value>) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// The diagnostics published for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i32) -> Vec<Value> {
        let params = self.wait_for_notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["version"] == json!(version)
        });
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `shutdown`, then `exit`; the exit status, once the process is gone.
    pub fn shutdown_and_exit(&mut self) -> ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.exit()
    }

    /// `exit` alone; the exit status once the process is gone.
    pub fn exit(&mut self) -> ExitStatus {
        self.notify("exit", Value::Null);
        self.wait_for_exit()
    }

    pub fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for iacm-lsp") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "iacm-lsp did not exit\n{}",
                self.stderr()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        let mut stdin = self.stdin.lock().unwrap();
        // The server may have exited on purpose (after `exit`): ignore errors.
        let _ = super::framing::write_frame(&mut *stdin, body.as_bytes());
    }

    fn receive(&mut self, deadline: Instant, what: impl Fn() -> String) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!(
                "timed out waiting for {}; received meanwhile: {:#?}\nserver stderr:\n{}",
                what(),
                self.backlog,
                self.stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "server closed stdout while waiting for {}; status {:?}\nserver stderr:\n{}",
                what(),
                self.child.try_wait(),
                self.stderr()
            ),
        }
    }
}

/// Client capabilities of a typical editor; `encodings` is what it offers
/// in `general.positionEncodings` (`None`: the field is absent).
pub fn capabilities(encodings: Option<&[&str]>) -> Value {
    let mut general = json!({});
    if let Some(encodings) = encodings {
        general["positionEncodings"] = json!(encodings);
    }
    json!({
        "general": general,
        "workspace": {"configuration": true, "didChangeConfiguration": {"dynamicRegistration": false}},
        "textDocument": {
            "publishDiagnostics": {"versionSupport": true},
            "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source", "source.fixAll"]}}},
            "documentLink": {"tooltipSupport": true},
        },
    })
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if thread::panicking() {
            eprintln!("--- iacm-lsp stderr ---\n{}", self.stderr());
        }
    }
}

/// Reads framed messages until the server closes stdout. Requests from the
/// server are answered at once (it must never wait on us); every message,
/// requests included, is passed on to the test.
fn read_messages(
    stdout: impl Read,
    tx: Sender<Value>,
    stdin: Arc<Mutex<ChildStdin>>,
    answers: Arc<Mutex<Answers>>,
    transcript: Arc<Mutex<Vec<String>>>,
) {
    let mut reader = BufReader::new(stdout);
    while let Some(message) = read_message(&mut reader) {
        transcript.lock().unwrap().push(message.to_string());
        if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
            let result = match method {
                "workspace/configuration" => {
                    let items = message["params"]["items"].as_array().map_or(1, Vec::len);
                    match answers.lock().unwrap().configuration.clone() {
                        ConfigAnswer::Nulls => Value::Array(vec![Value::Null; items]),
                        ConfigAnswer::Value(v) => Value::Array(vec![v; items]),
                        ConfigAnswer::Never => {
                            let _ = tx.send(message);
                            continue;
                        }
                    }
                }
                "window/showDocument" => json!({"success": true}),
                _ => Value::Null,
            };
            let body = json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string();
            let mut stdin = stdin.lock().unwrap();
            let _ = super::framing::write_frame(&mut *stdin, body.as_bytes());
        }
        if tx.send(message).is_err() {
            return;
        }
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let body = super::framing::read_frame(reader)?;
    Some(serde_json::from_slice(&body).expect("server sent invalid JSON"))
}

// ---- Positions, computed independently of the crate under test ----------

/// The LSP position of byte `offset` in `text`.
pub fn position(text: &str, offset: usize, enc: Enc) -> Value {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count();
    let prefix = &text[line_start..offset];
    let character = match enc {
        Enc::Utf8 => prefix.len(),
        Enc::Utf16 => prefix.encode_utf16().count(),
    };
    json!({"line": line, "character": character})
}

pub fn range(text: &str, bytes: Range<usize>, enc: Enc) -> Value {
    json!({"start": position(text, bytes.start, enc), "end": position(text, bytes.end, enc)})
}

/// The byte offset of an LSP position in `text`.
pub fn offset(text: &str, position: &Value, enc: Enc) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let line_text = text[line_start..].split('\n').next().unwrap_or("");
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units >= character {
            return line_start + i;
        }
        units += match enc {
            Enc::Utf8 => c.len_utf8(),
            Enc::Utf16 => c.len_utf16(),
        };
    }
    line_start + line_text.len()
}

/// Applies LSP `TextEdit`s (non-overlapping, as the protocol requires).
pub fn apply_text_edits(text: &str, edits: &[Value], enc: Enc) -> String {
    let mut edits: Vec<(Range<usize>, &str)> = edits
        .iter()
        .map(|e| {
            let start = offset(text, &e["range"]["start"], enc);
            let end = offset(text, &e["range"]["end"], enc);
            (start..end, e["newText"].as_str().unwrap())
        })
        .collect();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = text.to_string();
    for (range, new_text) in edits {
        out.replace_range(range, new_text);
    }
    out
}

/// Replaces `bytes` of `text` with `new_text` and returns the incremental
/// change event that tells the server the same, in `enc`.
pub fn edit(text: &mut String, bytes: Range<usize>, new_text: &str, enc: Enc) -> Value {
    let event = json!({"range": range(text, bytes.clone(), enc), "text": new_text});
    text.replace_range(bytes, new_text);
    event
}

/// The change events (last edit first, so each range is still valid when
/// the server applies it) for a `WorkspaceEdit`'s edits to one document.
pub fn changes_for(text: &str, edits: &[Value], enc: Enc) -> Vec<Value> {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(text, &e["range"]["start"], enc)));
    edits
        .iter()
        .map(|e| json!({"range": e["range"], "text": e["newText"]}))
        .collect()
}

// ---- Completion -----------------------------------------------------------

impl LspClient {
    /// `textDocument/completion` at byte `offset` of `text` (the document's
    /// current text); the `CompletionList` (or array) as sent.
    pub fn completion(&mut self, uri: &str, text: &str, offset: usize, enc: Enc) -> Value {
        self.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position(text, offset, enc)}),
        )
    }
}

/// The items of a completion result (a list or a bare array).
pub fn completion_items(result: &Value) -> Vec<Value> {
    let items = if result.is_array() {
        result
    } else {
        &result["items"]
    };
    items.as_array().cloned().unwrap_or_default()
}

/// Snippet text as an editor leaves it when each placeholder keeps its
/// default: `${1:label}` -> `label`, `${2}` and `$0` -> nothing. The
/// server's own conversion (unit-tested in the crate) does exactly that.
pub fn resolve_snippet(snippet: &str) -> String {
    iacm_lsp::features::completion::snippet_to_plain(snippet)
}

/// `text` after accepting a completion item, as an editor applies it: its
/// `textEdit`, with snippet placeholders at their defaults.
pub fn apply_completion(text: &str, item: &Value, enc: Enc) -> String {
    let edit = &item["textEdit"];
    let new_text = edit["newText"].as_str().expect("a textEdit");
    let new_text = if item["insertTextFormat"] == 2 {
        resolve_snippet(new_text)
    } else {
        new_text.to_string()
    };
    apply_text_edits(
        text,
        &[json!({"range": edit["range"], "newText": new_text})],
        enc,
    )
}
