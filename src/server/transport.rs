//! A guard in front of tower-lsp-server's message decoder. That decoder
//! ends the input stream at the first message it cannot decode (bad
//! header, invalid UTF-8, not JSON, not JSON-RPC), and the server with it.
//! `FrameGuard` re-frames stdin: each well-formed message passes through
//! unchanged; each malformed one is replaced by a request for
//! `BAD_MESSAGE_METHOD`, which `guard::Guarded` answers with the JSON-RPC
//! error the specification asks for (parse error or invalid request).
//! Memory stays bounded whatever arrives: headers are capped and an
//! oversized body is skipped as it streams, not buffered.
//!
//! A large request (a didOpen of a big file) is parsed here once and handed
//! over through a [`Stash`], with a small stand-in request in its place:
//! passed through, it would grow the decoder's buffer to the next power of
//! two above its size (8 MiB for a 5 MB file), kept for the whole session.

use std::borrow::Cow;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, ReadBuf};
use tower_lsp_server::jsonrpc::{Id, Request, Response};

/// The method of the stand-in request for a malformed message. Its params
/// are `{"code": <JSON-RPC error code>, "message": "..."}`; its id is the
/// malformed message's id when one could be read, else `null`.
pub const BAD_MESSAGE_METHOD: &str = "$/iacm/badMessage";
/// The method of the stand-in for a large request handed over through the
/// [`Stash`]; its params are `{"slot": <number>}`.
pub const STASHED_METHOD: &str = "$/iacm/stashed";
/// Requests larger than this are handed over through the stash.
const STASH_ABOVE_BYTES: usize = 64 * 1024;
/// The largest body accepted. Files above `iacm.maxFileSizeBytes` are not
/// analysed anyway; this only keeps a bogus `Content-Length` from making
/// the server buffer without end.
pub const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;
/// A header block longer than this is garbage.
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// The most a `Content-Length` makes us reserve before the body arrives.
const MAX_RESERVE_BYTES: usize = 32 * 1024 * 1024;
/// A passed-on buffer larger than this is freed rather than kept.
const KEEP_BUFFER_BYTES: usize = 1024 * 1024;
const CONTENT_LENGTH: &[u8] = b"Content-Length";
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// What a guard has seen, for tests and the fuzzer: whether the input
/// ended, and whether an `exit` passed through.
#[derive(Debug, Default)]
pub struct GuardStatus {
    pub reached_eof: AtomicBool,
    pub saw_exit: AtomicBool,
}

/// Large requests already parsed by the guard, waiting for their
/// stand-in to reach `guard::Guarded`, which takes them back.
#[derive(Debug, Default, Clone)]
pub struct Stash {
    inner: Arc<Mutex<StashInner>>,
}

#[derive(Debug, Default)]
struct StashInner {
    next: u64,
    requests: HashMap<u64, Request>,
}

impl Stash {
    /// Keeps `request`; returns the slot its stand-in names.
    fn put(&self, request: Request) -> u64 {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let slot = inner.next;
        inner.next += 1;
        inner.requests.insert(slot, request);
        slot
    }

    /// The request a `STASHED_METHOD` stand-in stands for.
    pub fn take(&self, stand_in: &Request) -> Option<Request> {
        let slot = stand_in.params()?.get("slot")?.as_u64()?;
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.requests.remove(&slot)
    }
}

enum Phase {
    /// Reading a header block.
    Header,
    /// Reading a body of this many bytes.
    Body(usize),
    /// Dropping this many bytes of an oversized body.
    Skip(usize),
    /// After a bad header: dropping bytes up to the next `Content-Length`.
    Resync,
}

pub struct FrameGuard<R> {
    inner: R,
    phase: Phase,
    /// Bytes read but not yet framed.
    pending: Vec<u8>,
    /// Framed bytes ready for the decoder, from `out_pos` on.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    max_body: usize,
    status: Arc<GuardStatus>,
    stash: Stash,
}

impl<R> FrameGuard<R> {
    pub fn new(inner: R) -> Self {
        FrameGuard {
            inner,
            phase: Phase::Header,
            pending: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            eof: false,
            max_body: MAX_BODY_BYTES,
            status: Arc::default(),
            stash: Stash::default(),
        }
    }

    /// With another body limit than `MAX_BODY_BYTES` (tests).
    pub fn with_max_body(mut self, max_body: usize) -> Self {
        self.max_body = max_body;
        self
    }

    pub fn status(&self) -> Arc<GuardStatus> {
        self.status.clone()
    }

    /// Where the guard leaves the large requests it parsed.
    pub fn stash(&self) -> Stash {
        self.stash.clone()
    }

    /// Frames what `pending` holds; returns whether it made progress.
    fn process(&mut self) -> bool {
        match self.phase {
            Phase::Header => self.header(),
            Phase::Body(len) => {
                if self.pending.len() < len {
                    return false;
                }
                // The body keeps `pending`'s buffer (no copy of a large
                // didOpen); what follows it moves to a new one.
                let rest = self.pending.split_off(len);
                let body = std::mem::replace(&mut self.pending, rest);
                self.phase = Phase::Header;
                self.body(&body);
                true
            }
            Phase::Skip(left) => {
                let n = left.min(self.pending.len());
                if n == 0 && left > 0 {
                    return false;
                }
                self.pending.drain(..n);
                self.phase = if left == n {
                    Phase::Header
                } else {
                    Phase::Skip(left - n)
                };
                true
            }
            Phase::Resync => match find(&self.pending, CONTENT_LENGTH) {
                Some(at) => {
                    self.pending.drain(..at);
                    self.phase = Phase::Header;
                    true
                }
                None => {
                    // Keep a tail that may be the start of `Content-Length`.
                    let keep = CONTENT_LENGTH.len() - 1;
                    if self.pending.len() > keep {
                        let cut = self.pending.len() - keep;
                        self.pending.drain(..cut);
                    }
                    false
                }
            },
        }
    }

    fn header(&mut self) -> bool {
        let Some(end) = find(&self.pending, b"\r\n\r\n") else {
            if self.pending.len() > MAX_HEADER_BYTES {
                self.bad_header("header too long or not terminated by an empty line");
                return true;
            }
            return false;
        };
        match content_length(&self.pending[..end]) {
            Ok(len) => {
                self.pending.drain(..end + 4);
                self.phase = if len > self.max_body {
                    let why = format!(
                        "message of {len} bytes is over the limit of {}",
                        self.max_body
                    );
                    self.reject(Id::Null, INVALID_REQUEST, &why);
                    Phase::Skip(len)
                } else {
                    // Room for exactly this body (up to a bound a header
                    // alone cannot make us reserve more than): growing by
                    // doubling could hold almost twice a large message.
                    let wanted = len.min(MAX_RESERVE_BYTES);
                    self.pending
                        .reserve(wanted.saturating_sub(self.pending.len()));
                    Phase::Body(len)
                };
            }
            Err(why) => self.bad_header(why),
        }
        true
    }

    /// Answers a parse error, then looks for the next message.
    fn bad_header(&mut self, why: &str) {
        self.reject(Id::Null, PARSE_ERROR, &format!("malformed header: {why}"));
        // Skip at least one byte, so the same `Content-Length` that failed
        // is not found again.
        if !self.pending.is_empty() {
            self.pending.drain(..1);
        }
        self.phase = Phase::Resync;
    }

    fn body(&mut self, body: &[u8]) {
        if body.len() > STASH_ABOVE_BYTES
            && let Ok(request) = serde_json::from_slice::<Request>(body)
            // tower-lsp-server's loop stops reading at an `exit` it sees.
            && request.method() != "exit"
        {
            // The body is dropped by the caller as soon as this returns:
            // only the parsed request is kept.
            let slot = self.stash.put(request);
            let stand_in = json!({
                "jsonrpc": "2.0",
                "method": STASHED_METHOD,
                "params": {"slot": slot},
            });
            self.emit(stand_in.to_string().as_bytes());
            return;
        }
        match check_message(body) {
            Ok(method) => {
                if method.as_deref() == Some("exit") {
                    self.status.saw_exit.store(true, Ordering::SeqCst);
                }
                self.emit(body);
            }
            Err((id, code, why)) => self.reject(id, code, why),
        }
    }

    fn reject(&mut self, id: Id, code: i64, message: &str) {
        let request = json!({
            "jsonrpc": "2.0",
            "id": id,
            "method": BAD_MESSAGE_METHOD,
            "params": {"code": code, "message": message},
        });
        self.emit(request.to_string().as_bytes());
    }

    fn emit(&mut self, body: &[u8]) {
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        }
        self.out
            .extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.out.extend_from_slice(body);
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for FrameGuard<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.out_pos < this.out.len() {
                let n = buf.remaining().min(this.out.len() - this.out_pos);
                buf.put_slice(&this.out[this.out_pos..this.out_pos + n]);
                this.out_pos += n;
                if this.out_pos == this.out.len() && this.out.capacity() > KEEP_BUFFER_BYTES {
                    // Passed on: don't keep a large message's buffer for
                    // the rest of the session.
                    this.out = Vec::new();
                    this.out_pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.process() {
                continue;
            }
            if this.eof {
                // A message cut off by the end of input is dropped.
                this.status.reached_eof.store(true, Ordering::SeqCst);
                return Poll::Ready(Ok(()));
            }
            let mut chunk = [0u8; 16 * 1024];
            let mut read = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Ready(Ok(())) if read.filled().is_empty() => this.eof = true,
                Poll::Ready(Ok(())) => this.pending.extend_from_slice(read.filled()),
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The `Content-Length` of a header block (without its final blank line).
/// Other headers (`Content-Type`) are dropped: the body is re-framed.
fn content_length(block: &[u8]) -> Result<usize, &'static str> {
    let block = std::str::from_utf8(block).map_err(|_| "not ASCII")?;
    let mut length = None;
    for line in block.split("\r\n") {
        let (name, value) = line.split_once(':').ok_or("a line is not `Name: value`")?;
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(
                value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| "Content-Length is not a number")?,
            );
        }
    }
    length.ok_or("no Content-Length")
}

/// The shape tower-lsp-server's decoder accepts as a request or
/// notification, with `params` skipped rather than built (a didOpen of a
/// large file is not parsed into a tree twice).
#[derive(Deserialize)]
struct RequestShape<'a> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(default, borrow)]
    method: Cow<'a, str>,
    #[serde(default)]
    #[allow(dead_code)]
    params: Option<IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    id: Option<Id>,
}

#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Option<Id>,
}

/// `Ok(method)` for a message the decoder accepts (`None` for a response);
/// else the id to answer, the error code and why.
fn check_message(body: &[u8]) -> Result<Option<String>, (Id, i64, &'static str)> {
    if std::str::from_utf8(body).is_err() {
        return Err((Id::Null, PARSE_ERROR, "the message is not UTF-8"));
    }
    // The common case in one pass over the body (a didOpen can be large).
    if let Ok(request) = serde_json::from_slice::<RequestShape>(body) {
        if request.jsonrpc == "2.0" {
            return Ok(Some(request.method.into_owned()));
        }
    }
    if serde_json::from_slice::<IgnoredAny>(body).is_err() {
        return Err((Id::Null, PARSE_ERROR, "the message is not JSON"));
    }
    if serde_json::from_slice::<Response>(body).is_ok() {
        return Ok(None);
    }
    let id = serde_json::from_slice::<IdOnly>(body)
        .ok()
        .and_then(|m| m.id)
        .unwrap_or(Id::Null);
    Err((
        id,
        INVALID_REQUEST,
        "not a JSON-RPC 2.0 request, notification or response",
    ))
}

/// The answer to a `BAD_MESSAGE_METHOD` request.
pub fn bad_message_response(id: Option<Id>, params: Option<&Value>) -> Response {
    let code = params
        .and_then(|p| p["code"].as_i64())
        .unwrap_or(PARSE_ERROR);
    let message = params
        .and_then(|p| p["message"].as_str())
        .unwrap_or("malformed message")
        .to_string();
    let error = tower_lsp_server::jsonrpc::Error {
        code: code.into(),
        message: Cow::Owned(message),
        data: None,
    };
    Response::from_error(id.unwrap_or(Id::Null), error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// The bodies the guard passes on for `input`.
    fn bodies(input: &[u8]) -> Vec<Value> {
        bodies_with_limit(input, MAX_BODY_BYTES)
    }

    fn bodies_with_limit(input: &[u8], max_body: usize) -> Vec<Value> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut out = Vec::new();
        rt.block_on(
            FrameGuard::new(input)
                .with_max_body(max_body)
                .read_to_end(&mut out),
        )
        .unwrap();
        let mut rest = out.as_slice();
        let mut messages = Vec::new();
        while !rest.is_empty() {
            let end = find(rest, b"\r\n\r\n").expect("a header");
            let len = content_length(&rest[..end]).expect("a length");
            let body = &rest[end + 4..end + 4 + len];
            messages.push(serde_json::from_slice(body).expect("JSON"));
            rest = &rest[end + 4 + len..];
        }
        messages
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    #[test]
    fn well_formed_messages_pass_unchanged() {
        let input = format!(
            "{}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n{}",
            frame(PING),
            frame(r#"{"jsonrpc":"2.0","method":"exit"}"#)
        );
        let got = bodies(input.as_bytes());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], serde_json::from_str::<Value>(PING).unwrap());
        assert_eq!(got[1]["method"], "exit");
    }

    #[test]
    fn each_malformed_message_becomes_one_error_and_the_next_one_is_read() {
        let cases: &[(&[u8], i64)] = &[
            (b"Content-Length: 5\r\n\r\n{nope", PARSE_ERROR),
            (b"Content-Length: 3\r\n\r\n\xff\xfe\xfd", PARSE_ERROR),
            (b"Content-Length: 2\r\n\r\n[]", INVALID_REQUEST),
            (b"Content-Length: 2\r\n\r\n{}", INVALID_REQUEST),
            (b"Content-Length: x\r\n\r\n", PARSE_ERROR),
            (b"garbage\r\n\r\n", PARSE_ERROR),
            (b"Content-Length: 0\r\n\r\n", PARSE_ERROR),
        ];
        for (bad, code) in cases {
            let mut input = bad.to_vec();
            input.extend_from_slice(frame(PING).as_bytes());
            let got = bodies(&input);
            let shown = String::from_utf8_lossy(bad);
            assert_eq!(got.len(), 2, "{shown}: {got:?}");
            assert_eq!(got[0]["method"], BAD_MESSAGE_METHOD, "{shown}");
            assert_eq!(got[0]["params"]["code"], *code, "{shown}");
            assert_eq!(got[1]["method"], "shutdown", "{shown}");
        }
    }

    #[test]
    fn an_invalid_request_keeps_its_id() {
        let got = bodies(frame(r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#).as_bytes());
        assert_eq!(got[0]["id"], 7);
        assert_eq!(got[0]["params"]["code"], INVALID_REQUEST);
    }

    #[test]
    fn an_oversized_body_is_skipped_not_buffered() {
        let max = 1000;
        let mut input = format!("Content-Length: {}\r\n\r\n", 100_000).into_bytes();
        input.resize(input.len() + 100_000, b'x');
        input.extend_from_slice(frame(PING).as_bytes());
        let got = bodies_with_limit(&input, max);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0]["params"]["code"], INVALID_REQUEST);
        assert_eq!(got[1]["method"], "shutdown");
    }

    #[test]
    fn endless_garbage_is_dropped_with_one_error() {
        let mut input = vec![b'z'; 100_000];
        input.extend_from_slice(frame(PING).as_bytes());
        let got = bodies(&input);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[1]["method"], "shutdown");
    }

    #[test]
    fn a_large_request_is_handed_over_parsed_through_the_stash() {
        let text = "x".repeat(STASH_ABOVE_BYTES);
        let open = json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": "file:///a.yaml", "text": text}},
        })
        .to_string();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let input = format!("{}{}", frame(&open), frame(PING));
        let mut guard = FrameGuard::new(input.as_bytes());
        let stash = guard.stash();
        let mut out = Vec::new();
        rt.block_on(guard.read_to_end(&mut out)).unwrap();
        // What reaches the decoder is small: a stand-in, then the next message.
        assert!(out.len() < 200, "{}", String::from_utf8_lossy(&out));
        let got = bodies(input.as_bytes());
        assert_eq!(got.len(), 2);
        assert_eq!(got[0]["method"], STASHED_METHOD);
        assert_eq!(got[1]["method"], "shutdown");
        let stand_in: Request = serde_json::from_value(got[0].clone()).unwrap();
        let request = stash.take(&stand_in).expect("the stashed request");
        assert_eq!(request.method(), "textDocument/didOpen");
        assert_eq!(request.params().unwrap()["textDocument"]["text"], text);
        assert!(stash.take(&stand_in).is_none(), "taken once");
        // A large message that is not a valid request is still rejected.
        let bad = format!("{{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"{text}\"}}");
        let got = bodies(frame(&bad).as_bytes());
        assert_eq!(got[0]["method"], BAD_MESSAGE_METHOD);
        assert_eq!(got[0]["id"], 3);
        // An `exit`, however large, passes as it is: the server's read loop
        // must see it to stop.
        let exit = json!({"jsonrpc": "2.0", "method": "exit", "params": {"pad": text}});
        let input = frame(&exit.to_string());
        let mut guard = FrameGuard::new(input.as_bytes());
        let status = guard.status();
        let mut out = Vec::new();
        rt.block_on(guard.read_to_end(&mut out)).unwrap();
        assert!(out.len() > STASH_ABOVE_BYTES);
        assert!(status.saw_exit.load(Ordering::SeqCst));
    }

    #[test]
    fn a_message_cut_off_by_the_end_of_input_is_dropped() {
        let input = format!("{}Content-Length: 50\r\n\r\n{{\"jsonrpc\"", frame(PING));
        let got = bodies(input.as_bytes());
        assert_eq!(got.len(), 1);
    }
}
