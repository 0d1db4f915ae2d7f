//! A tower `Service` around the `LspService`: a panic inside a handler
//! becomes a JSON-RPC internal error (and a log line) instead of taking
//! the server down, and the stand-in requests `transport::FrameGuard`
//! makes for malformed messages are answered with their error, and those
//! for large requests are swapped back for the request they stand for.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::{Context, Poll};

use futures::FutureExt;
use futures::future::BoxFuture;
use tower_lsp_server::ExitedError;
use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};
use tower_service::Service;

use super::log;
use super::transport::{BAD_MESSAGE_METHOD, STASHED_METHOD, Stash, bad_message_response};

pub struct Guarded<S> {
    inner: S,
    stash: Stash,
}

impl<S> Guarded<S> {
    /// `stash`: the input guard's, for the large requests it parsed.
    pub fn new(inner: S, stash: Stash) -> Self {
        Guarded { inner, stash }
    }
}

type Answer = Result<Option<Response>, ExitedError>;

impl<S> Service<Request> for Guarded<S>
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = BoxFuture<'static, Answer>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ExitedError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        if request.method() == STASHED_METHOD {
            match self.stash.take(&request) {
                Some(stashed) => request = stashed,
                // Only the guard sends these, one per stashed request.
                None => return Box::pin(std::future::ready(Ok(None))),
            }
        }
        if request.method() == BAD_MESSAGE_METHOD {
            log!("{}", bad_message_log(&request));
            let (_, id, params) = request.into_parts();
            let response = bad_message_response(id, params.as_ref());
            return Box::pin(std::future::ready(Ok(Some(response))));
        }
        let id = request.id().cloned();
        let method = request.method().to_string();
        let inner = &mut self.inner;
        match catch_unwind(AssertUnwindSafe(|| inner.call(request))) {
            Ok(future) => Box::pin(async move {
                match AssertUnwindSafe(future).catch_unwind().await {
                    Ok(answer) => answer,
                    Err(_) => Ok(internal_error(id, &method)),
                }
            }),
            Err(_) => Box::pin(std::future::ready(Ok(internal_error(id, &method)))),
        }
    }
}

/// Only the error, never the message text (it may hold a document).
fn bad_message_log(request: &Request) -> String {
    let why = request
        .params()
        .and_then(|p| p["message"].as_str())
        .unwrap_or("malformed message");
    format!("ignored a malformed message from the client: {why}")
}

/// The answer to a request whose handler panicked (none for a notification).
/// The panic hook has printed where; the payload is not repeated (a
/// slicing panic quotes the text it was slicing, i.e. the document).
fn internal_error(id: Option<Id>, method: &str) -> Option<Response> {
    log!("the {method} handler panicked; the server goes on");
    let mut error = Error::internal_error();
    error.message = format!("iacm-lsp: internal error while handling {method}").into();
    id.map(|id| Response::from_error(id, error))
}
