//! Turning failed HTTP exchanges into `FetchError`s with messages a user
//! can act on. The API answers errors in two shapes: goa's
//! (`application/vnd.goa.error`, `{name, id, message, temporary, timeout,
//! fault}`) on IaCM paths, and the NG envelope (`{status: "ERROR", code,
//! message}`) from the gateway and other Harness services.

use serde::Deserialize;

use super::live::FetchError;

/// Longest message kept from an error body: enough for any real message,
/// short enough for a hover or a log line.
const MAX_MESSAGE_CHARS: usize = 300;

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorBody {
    // goa: `name` is the error kind (`not_found`, `unauthorized`, ...).
    name: Option<String>,
    // NG: `code` (`INVALID_TOKEN`, `RESOURCE_NOT_FOUND`, ...), `status: ERROR`.
    code: Option<String>,
    message: Option<serde_json::Value>,
    // Some gateways say `error` / `detail` instead of `message`.
    error: Option<serde_json::Value>,
    detail: Option<serde_json::Value>,
}

/// The error for a non-success status, with the body's message when the
/// body has one. `secret` (the API key) is masked should the server echo it.
pub fn status_error(status: u16, body: &[u8], secret: &str) -> FetchError {
    let message = redact(&body_message(status, body), secret);
    match status {
        401 => FetchError::Unauthorized(message),
        403 => FetchError::Forbidden(message),
        404 => FetchError::NotFound(message),
        429 => FetchError::RateLimited,
        _ => FetchError::Server { status, message },
    }
}

/// What the body says went wrong, or a generic line naming the status.
pub fn body_message(status: u16, body: &[u8]) -> String {
    if let Some(message) = structured_message(body) {
        return message;
    }
    let text = clean(&String::from_utf8_lossy(body));
    // An HTML error page from a proxy says nothing useful in a hover.
    if !text.is_empty() && !text.starts_with('<') {
        return text;
    }
    generic_message(status)
}

fn structured_message(body: &[u8]) -> Option<String> {
    let parsed: ErrorBody = serde_json::from_slice(body).ok()?;
    let message = [parsed.message, parsed.error, parsed.detail]
        .into_iter()
        .flatten()
        .find_map(|v| match v {
            serde_json::Value::String(s) if !s.trim().is_empty() => Some(clean(&s)),
            serde_json::Value::Null => None,
            other if !other.is_string() => Some(clean(&other.to_string())),
            _ => None,
        });
    // NG codes (`INVALID_TOKEN`) help a search; goa names (`not_found`)
    // only repeat the status, so they are shown only without a message.
    let code = parsed.code.map(|k| clean(&k)).filter(|k| !k.is_empty());
    let name = parsed.name.map(|k| clean(&k)).filter(|k| !k.is_empty());
    match (message, code, name) {
        (Some(m), Some(c), _) if !m.contains(&c) => Some(format!("{m} ({c})")),
        (Some(m), _, _) => Some(m),
        (None, c, n) => c.or(n),
    }
}

fn generic_message(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unexpected status");
    format!("HTTP {status} {reason}")
}

/// One line, no control characters, bounded length.
fn clean(text: &str) -> String {
    let one_line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if one_line.chars().count() <= MAX_MESSAGE_CHARS {
        one_line
    } else {
        let cut: String = one_line.chars().take(MAX_MESSAGE_CHARS).collect();
        format!("{cut}…")
    }
}

/// Masks `secret` in `text`. A hostile or buggy server could echo the key
/// back in an error message, which would then reach hovers and logs.
pub fn redact(text: &str, secret: &str) -> String {
    if secret.len() < 4 || !text.contains(secret) {
        return text.to_string();
    }
    text.replace(secret, "<redacted>")
}

/// A transport failure: `Timeout`, or `Network` with a message naming the
/// host but never the URL's query (nor the key, which is only in a header).
pub fn transport_error(err: &reqwest::Error, secret: &str) -> FetchError {
    if err.is_timeout() {
        return FetchError::Timeout;
    }
    let host = err
        .url()
        .and_then(|u| {
            let host = u.host_str()?;
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            })
        })
        .unwrap_or_else(|| "the Harness API".to_string());
    let what = if err.is_connect() {
        "could not connect to"
    } else if err.is_body() || err.is_decode() {
        "the connection broke while reading from"
    } else {
        "request failed to"
    };
    let cause = root_cause(err);
    let message = match cause {
        Some(cause) => format!("{what} {host}: {cause}"),
        None => format!("{what} {host}"),
    };
    FetchError::Network(redact(&clean(&message), secret))
}

/// The innermost error's text ("Connection refused (os error 111)"),
/// which says more than reqwest's "error sending request for url (...)"
/// and, unlike it, holds no URL.
fn root_cause(err: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(err);
    let mut last = None;
    while let Some(e) = source {
        last = Some(e);
        source = e.source();
    }
    let text = last?.to_string();
    // Never let a URL through, whatever layer wrote it.
    (!text.contains("://")).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goa_error_message_and_name() {
        let body = br#"{"name":"not_found","id":"a1b2","message":"workspace ws1 not found","temporary":false,"timeout":false,"fault":false}"#;
        assert_eq!(
            status_error(404, body, "pat.x.y.z"),
            FetchError::NotFound("workspace ws1 not found".into())
        );
    }

    #[test]
    fn ng_envelope_message_and_code() {
        let body = br#"{"status":"ERROR","code":"INVALID_TOKEN","message":"Token is not valid.","correlationId":"c","detailedMessage":null,"responseMessages":[]}"#;
        assert_eq!(
            status_error(401, body, "pat.x.y.z"),
            FetchError::Unauthorized("Token is not valid. (INVALID_TOKEN)".into())
        );
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert!(
            matches!(status_error(403, b"", "k"), FetchError::Forbidden(m) if m == "HTTP 403 Forbidden")
        );
        assert_eq!(status_error(429, b"", "k"), FetchError::RateLimited);
        assert_eq!(
            status_error(502, b"<html>bad gateway</html>", "k"),
            FetchError::Server {
                status: 502,
                message: "HTTP 502 Bad Gateway".into()
            }
        );
        assert_eq!(
            status_error(500, b"  upstream\n\tdown ", "k"),
            FetchError::Server {
                status: 500,
                message: "upstream down".into()
            }
        );
    }

    #[test]
    fn echoed_key_is_masked_and_long_messages_cut() {
        let body = br#"{"message":"bad key pat.acc.tok.secret"}"#;
        let err = status_error(401, body, "pat.acc.tok.secret");
        assert_eq!(err, FetchError::Unauthorized("bad key <redacted>".into()));
        let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(5000));
        let FetchError::Server { message, .. } = status_error(500, long.as_bytes(), "k") else {
            panic!()
        };
        assert!(message.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn odd_bodies_do_not_panic() {
        for body in [
            &b"null"[..],
            b"[]",
            b"{\"message\":null}",
            b"{\"message\":{\"a\":1}}",
            b"\xff\xfe",
            b"{",
        ] {
            let _ = status_error(500, body, "key1");
        }
    }
}
