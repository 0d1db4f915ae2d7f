//! The LSP client both servers are driven with: JSON-RPC over the server's
//! stdio with `Content-Length` framing. A reader thread stamps every
//! message with the time it arrived and answers the server's requests
//! (`workspace/configuration` with the given settings, anything else with
//! `null`), so a server that asks for its settings is never kept waiting.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "../../tests/support/framing.rs"]
mod framing;

pub struct Client {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    incoming: Receiver<(Instant, Value)>,
    next_id: i64,
}

fn write_message(stdin: &Mutex<ChildStdin>, message: &Value) {
    let body = serde_json::to_vec(message).expect("JSON");
    let mut stdin = stdin.lock().expect("stdin lock");
    let _ = framing::write_frame(&mut *stdin, &body);
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    serde_json::from_slice(&framing::read_frame(reader)?).ok()
}

impl Client {
    /// Starts `command` and answers `workspace/configuration` items from
    /// `settings` (the value under each item's `section`, else `null`).
    pub fn spawn(mut command: Command, settings: Value) -> Client {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let stdin = Arc::new(Mutex::new(child.stdin.take().expect("stdin")));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        let answer_to = stdin.clone();
        thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, stdout);
            while let Some(message) = read_message(&mut reader) {
                let now = Instant::now();
                if let (Some(id), Some(method)) = (message.get("id"), message["method"].as_str()) {
                    let result = match method {
                        "workspace/configuration" => Value::Array(
                            message["params"]["items"]
                                .as_array()
                                .map(|items| {
                                    items
                                        .iter()
                                        .map(|item| {
                                            item["section"]
                                                .as_str()
                                                .and_then(|s| settings.get(s).cloned())
                                                .unwrap_or(Value::Null)
                                        })
                                        .collect()
                                })
                                .unwrap_or_default(),
                        ),
                        _ => Value::Null,
                    };
                    write_message(
                        &answer_to,
                        &json!({"jsonrpc": "2.0", "id": id, "result": result}),
                    );
                    continue;
                }
                if tx.send((now, message)).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 0,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A notification serialised ahead, so a timer can start just before
    /// it is written (serialising a 5 MB didOpen is the client's work).
    pub fn prepare(method: &str, params: Value) -> Value {
        json!({"jsonrpc": "2.0", "method": method, "params": params})
    }

    pub fn send_prepared(&self, message: &[u8]) {
        let mut stdin = self.stdin.lock().expect("stdin lock");
        let _ = write!(stdin, "Content-Length: {}\r\n\r\n", message.len());
        let _ = stdin.write_all(message);
        let _ = stdin.flush();
    }

    pub fn notify(&self, method: &str, params: Value) {
        write_message(
            &self.stdin,
            &json!({"jsonrpc": "2.0", "method": method, "params": params}),
        );
    }

    /// Sends a request and returns when its response arrived, and the response.
    pub fn request(&mut self, method: &str, params: Value, timeout: Duration) -> (Instant, Value) {
        self.next_id += 1;
        let id = self.next_id;
        write_message(
            &self.stdin,
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        );
        self.wait_for(timeout, |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
        .unwrap_or_else(|| panic!("no answer to {method} within {timeout:?}"))
    }

    /// Waits for a message matching `wanted`; the others are dropped.
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        mut wanted: impl FnMut(&Value) -> bool,
    ) -> Option<(Instant, Value)> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.incoming.recv_timeout(left) {
                Ok((at, message)) if wanted(&message) => return Some((at, message)),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// The diagnostics published for `uri` next (of `version` when given:
    /// servers that send versions are held to them).
    pub fn diagnostics(
        &mut self,
        uri: &str,
        version: Option<i64>,
        timeout: Duration,
    ) -> Option<(Instant, Vec<Value>)> {
        self.wait_for(timeout, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && match (version, m["params"]["version"].as_i64()) {
                    (Some(want), Some(got)) => got >= want,
                    _ => true,
                }
        })
        .map(|(at, m)| {
            (
                at,
                m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            )
        })
    }

    /// Drops whatever arrived so far.
    pub fn drain(&mut self) {
        while self.incoming.try_recv().is_ok() {}
    }

    /// Peak resident memory of the server process (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    pub fn shutdown(mut self) {
        let _ = self.request("shutdown", Value::Null, Duration::from_secs(30));
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
