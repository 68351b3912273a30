//! The HTTP side of [`crate::mcp::direct`]: which `POST /mcp` requests are answered without
//! rmcp's per-request service, and the reply's framing.
//!
//! A request qualifies only when rmcp would accept it and answer it with one JSON reply, so
//! none of rmcp's refusals has to be repeated here: no session, `Accept` naming both media
//! types, a JSON body, and the 2026-07-28 headers (SEP-2243) that say exactly what the body
//! says (`MCP-Protocol-Version`, `Mcp-Method: tools/call`, `Mcp-Name` in plain text), each
//! given once. Anything else, however small the difference, is rmcp's to answer.

use std::sync::Arc;

use ::http::request::Parts;
use ::http::{HeaderMap, Method, Response, StatusCode, header};
use rmcp::model::{ErrorCode, ServerJsonRpcMessage};
use tokio_util::sync::CancellationToken;

use crate::auth::Principal;
use crate::error::Error;
use crate::http::response::{self, Body};
use crate::mcp::direct::{self, DirectCall, Envelope};
use crate::mcp::errors;
use crate::mcp::server::Shared;

const JSON: &str = "application/json";
const EVENT_STREAM: &str = "text/event-stream";

/// The call in this request, when it is one answered directly.
pub fn call(shared: &Shared, parts: &Parts, body: &[u8]) -> Option<DirectCall> {
    let headers = &parts.headers;
    let qualifies = parts.method == Method::POST
        && !headers.contains_key(super::streamable::SESSION_HEADER)
        && only(headers, "mcp-protocol-version") == Some(direct::VERSION.as_str())
        && only(headers, "mcp-method") == Some("tools/call")
        && accepts_both(headers)
        && only(headers, header::CONTENT_TYPE.as_str())
            .is_some_and(|v| essence(v).eq_ignore_ascii_case(JSON));
    if !qualifies {
        return None;
    }
    let name = only(headers, "mcp-name")?;
    let message: Envelope = serde_json::from_slice(body).ok()?;
    shared
        .direct_call(message)
        .filter(|call| call.tool() == name)
}

/// Runs the call in a task of its own, as rmcp runs a handler: a client that goes away cancels
/// it (the call sees its cancellation and stops cleanly) instead of dropping it half-way, and
/// so does the server's shutdown. A call that cannot be answered (a panic in the tool, the
/// shutdown) gets the JSON-RPC error a refusal of rmcp's gets.
pub async fn answer(
    shared: Arc<Shared>,
    call: DirectCall,
    principal: Principal,
    request_id: String,
    shutdown: &CancellationToken,
) -> Response<Body> {
    let cancel = CancellationToken::new();
    let gone = cancel.clone().drop_guard();
    let task = tokio::spawn(shared.answer_directly(call, principal, request_id.clone(), cancel));
    let answered = tokio::select! {
        joined = task => joined.map_err(|e| Error::Internal(format!("the tool call failed: {e}"))),
        () = shutdown.cancelled() => Err(Error::Internal("the server is shutting down".into())),
    };
    let message = match answered {
        Ok(message) => message,
        Err(error) => return failure(&error, &request_id),
    };
    gone.disarm();
    let status = http_status(&message);
    match serde_json::to_vec(&message) {
        Ok(body) => response::with_body(status, JSON, body),
        Err(e) => failure(
            &Error::Internal(format!("serializing the reply: {e}")),
            &request_id,
        ),
    }
}

/// The HTTP status of a reply sent directly, by the rule rmcp applies to the 2026-07-28
/// generation: errors about the request's protocol terms are 400, an unknown method 404, the
/// rest travel in a 200. (rmcp also answers 400 for invalid params when the required metadata
/// is malformed, which never comes here.)
fn http_status(message: &ServerJsonRpcMessage) -> StatusCode {
    let ServerJsonRpcMessage::Error(error) = message else {
        return StatusCode::OK;
    };
    match error.error.code {
        ErrorCode::UNSUPPORTED_PROTOCOL_VERSION
        | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        | ErrorCode::HEADER_MISMATCH => StatusCode::BAD_REQUEST,
        ErrorCode::METHOD_NOT_FOUND => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

/// A call that got no reply, as the JSON-RPC error of a message whose id is not known here.
fn failure(error: &Error, request_id: &str) -> Response<Body> {
    let error = errors::jsonrpc(error, request_id);
    response::json(
        StatusCode::INTERNAL_SERVER_ERROR,
        &errors::response_body(&error),
    )
}

/// The value of a header given exactly once, as text.
fn only<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    values
        .next()
        .is_none()
        .then(|| value.to_str().ok())
        .flatten()
}

/// `Accept` lists both media types, without parameters: a quality value (which could exclude
/// one) or a quoted string is left to rmcp's parser.
fn accepts_both(headers: &HeaderMap) -> bool {
    let mut json = false;
    let mut sse = false;
    for value in headers.get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else {
            return false;
        };
        if value.contains([';', '"']) {
            return false;
        }
        for range in value.split(',').map(str::trim) {
            json |= range.eq_ignore_ascii_case(JSON);
            sse |= range.eq_ignore_ascii_case(EVENT_STREAM);
        }
    }
    json && sse
}

fn essence(content_type: &str) -> &str {
    content_type
        .split_once(';')
        .map_or(content_type, |(essence, _)| essence)
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                ::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn accept_must_name_both_types_plainly() {
        let both = headers(&[("accept", "application/json, text/event-stream")]);
        assert!(accepts_both(&both));
        let split = headers(&[
            ("accept", "application/json"),
            ("accept", "text/event-stream"),
        ]);
        assert!(accepts_both(&split));
        assert!(!accepts_both(&headers(&[("accept", "application/json")])));
        // A weight could exclude a type: rmcp judges it.
        let weighted = headers(&[("accept", "application/json, text/event-stream;q=0")]);
        assert!(!accepts_both(&weighted));
        assert!(!accepts_both(&HeaderMap::new()));
    }

    #[test]
    fn a_header_given_twice_is_not_read() {
        let twice = headers(&[("mcp-method", "tools/call"), ("mcp-method", "tools/call")]);
        assert_eq!(only(&twice, "mcp-method"), None);
        let once = headers(&[("mcp-method", "tools/call")]);
        assert_eq!(only(&once, "mcp-method"), Some("tools/call"));
        assert_eq!(
            essence("Application/JSON; charset=utf-8"),
            "Application/JSON"
        );
    }
}
