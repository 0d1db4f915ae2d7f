//! The LSP server: thin glue between tower-lsp-server and `features`.
//! stdout carries the protocol, so logs go to stderr (and never contain
//! document text or settings values such as the API key).

mod backend;
mod capabilities;
mod commands;
mod completion;
mod config;
mod document;
mod guard;
mod index;
mod live;
mod live_requests;
mod navigation;
mod publish;
mod query;
mod state;
pub mod transport;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

use backend::Backend;
use guard::Guarded;
use state::State;
use transport::FrameGuard;

/// One line to stderr.
macro_rules! log {
    ($($arg:tt)*) => { eprintln!("[iacm-lsp] {}", format_args!($($arg)*)) };
}
pub(crate) use log;

/// Handlers in flight at once. Each waits at most a hover's bounded time,
/// so this only needs to exceed the hovers a user can fire in that time.
const MAX_CONCURRENT_HANDLERS: usize = 64;

/// Serves LSP over stdio until `exit` (or end of input). Exits 0 when a
/// `shutdown` came first, 1 otherwise, as the specification asks.
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            log!("cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let state = Arc::new(State::default());
    runtime.block_on(serve(
        tokio::io::stdin(),
        tokio::io::stdout(),
        state.clone(),
        FrameGuard::new,
    ));
    // Tokio's stdin reader is a blocking read that `exit` does not end;
    // waiting for it would hang the process after `exit`.
    runtime.shutdown_background();
    if state.shutdown_requested.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Serves LSP on `input`/`output` until `exit` or the end of input.
/// `guard` wraps the input (a hook for the fuzzer to keep the guard's status).
async fn serve<I, O>(input: I, output: O, state: Arc<State>, guard: impl FnOnce(I) -> FrameGuard<I>)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (service, socket) = LspService::new(move |client| Backend::new(client, state));
    // Up to 4 handlers run at once by default; a few hovers waiting on a
    // slow Harness would then hold up every other message, edits too.
    let input = guard(input);
    let stash = input.stash();
    Server::new(input, output, socket)
        .concurrency_level(MAX_CONCURRENT_HANDLERS)
        .serve(Guarded::new(service, stash))
        .await;
}

/// The server on in-memory input, for the fuzzer: never contacts Harness
/// (whatever settings the input sends), and returns the input guard's
/// status once the server has stopped.
#[doc(hidden)]
pub async fn serve_offline<I, O>(input: I, output: O) -> Arc<transport::GuardStatus>
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let state = Arc::new(State::offline());
    let mut status = None;
    serve(input, output, state, |input| {
        let guard = FrameGuard::new(input);
        status = Some(guard.status());
        guard
    })
    .await;
    status.unwrap_or_default()
}
