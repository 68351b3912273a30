//! MCP Streamable HTTP at `/mcp`, through rmcp's `StreamableHttpService`.
//!
//! Every request is authenticated here (the spec has no per-session auth), the principal is put
//! in the request's extensions for the handler, and the credentials are removed before rmcp sees
//! the request. A session belongs to the customer that opened it: another customer's key cannot
//! use its id, even if it learnt it.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use ::http::request::Parts;
use ::http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use rmcp::transport::streamable_http_server::session::SessionManager as _;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::error::{Error, jsonrpc};
use crate::http;
use crate::http::direct;
use crate::http::response::{self, Body};
use crate::mcp::errors;
use crate::mcp::server::{McpServer, Shared};
use crate::mcp::sessions::{IDLE, Sessions};
use crate::registry::Surface;

pub(super) const SESSION_HEADER: &str = "mcp-session-id";
/// When a customer holds its maximum of sessions: idle ones expire within minutes, and a
/// well-behaved client ends its own with DELETE.
const SESSIONS_FULL_RETRY: Duration = Duration::from_secs(60);

/// The Streamable HTTP transport.
pub struct Streamable {
    app: Arc<App>,
    /// For the calls answered without rmcp's per-request service (`http::direct`).
    shared: Arc<Shared>,
    shutdown: CancellationToken,
    service: StreamableHttpService<McpServer, Sessions>,
    sessions: Arc<Sessions>,
    /// Session id to the customer that opened it.
    owners: Arc<Mutex<HashMap<String, String>>>,
}

impl Streamable {
    pub fn new(shared: Arc<Shared>, app: &Arc<App>, shutdown: CancellationToken) -> Streamable {
        // Host and Origin are checked by the router for both MCP transports alike, so rmcp's
        // own check is switched off rather than kept as a second, subtly different policy.
        let config = StreamableHttpServerConfig::default()
            .disable_allowed_hosts()
            .disable_allowed_origins()
            .with_json_response(true)
            .with_max_request_body_bytes(app.config.max_body_bytes)
            .with_cancellation_token(shutdown.child_token());
        let sessions = Arc::new(Sessions::default());
        let for_service = shared.clone();
        let service = StreamableHttpService::new(
            move || {
                Ok(McpServer::new(
                    for_service.clone(),
                    Surface::McpStreamable,
                    None,
                ))
            },
            sessions.clone(),
            config,
        );
        let owners: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        tokio::spawn(expire_sessions(
            sessions.clone(),
            owners.clone(),
            shutdown.clone(),
        ));
        Streamable {
            app: app.clone(),
            shared,
            shutdown,
            service,
            sessions,
            owners,
        }
    }

    /// Serves one request to `/mcp`.
    pub async fn handle(&self, mut parts: Parts, body: Incoming) -> Result<Response<Body>, Error> {
        let principal = http::auth_principal(&self.app, &parts).await?;
        let customer = principal.customer.clone();
        let session = parts
            .headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(session) = &session {
            let foreign = self
                .owners
                .lock()
                .get(session)
                .is_some_and(|owner| *owner != customer.id);
            // Ending a session that does not exist is not a success: rmcp would say 202.
            let unknown = parts.method == Method::DELETE
                && !self
                    .sessions
                    .has_session(&session.as_str().into())
                    .await
                    .unwrap_or(false);
            if foreign || unknown {
                // The same answer for both: ids are not confirmed to strangers.
                return Err(Error::NotFound("Session not found".into()));
            }
        }
        let method = parts.method.clone();
        let request_id = http::request_id(&parts);
        http::strip_credentials(&mut parts);
        // Read here, within the same bound rmcp applies, so a body rmcp refuses can be judged
        // again for the JSON-RPC error it deserves.
        let bytes = http::read_body(body, self.app.config.max_body_bytes).await?;
        if let Some(call) = direct::call(&self.shared, &parts, &bytes) {
            let shared = self.shared.clone();
            return Ok(direct::answer(shared, call, principal, request_id, &self.shutdown).await);
        }
        parts.extensions.insert(principal);
        let request = Request::from_parts(parts, Full::new(bytes.clone()));
        let response = self.service.handle(request).await;
        if response.status().is_client_error() || response.status().is_server_error() {
            let sent = (method == Method::POST).then_some(&bytes[..]);
            return Ok(jsonrpc_failure(response, sent, &request_id).await);
        }
        let response = no_content_when_deleted(&method, response);
        let issued = response
            .headers()
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok());
        if session.is_none()
            && let Some(issued) = issued
        {
            let issued = issued.to_owned();
            let full = {
                let mut owners = self.owners.lock();
                let open = owners.values().filter(|c| **c == customer.id).count();
                let full = open >= self.app.config.max_mcp_sessions;
                if !full {
                    owners.insert(issued.clone(), customer.id.clone());
                }
                full
            };
            if full {
                // Only a request that opened a session is refused: stateless calls go on.
                let _ = self.sessions.close_session(&issued.into()).await;
                return Err(Error::RateLimited {
                    retry_after: SESSIONS_FULL_RETRY,
                });
            }
        }
        if method == Method::DELETE
            && response.status().is_success()
            && let Some(session) = session
        {
            self.owners.lock().remove(&session);
        }
        Ok(response)
    }
}

/// A refusal of rmcp's, which it answers in plain text, as a JSON-RPC error response with the
/// same stable code and request id every other error carries. A body that is not JSON is a
/// parse error (-32700) and one that is not a single JSON-RPC message (a batch, which current
/// protocol versions do not accept, or an object of another shape) an invalid request
/// (-32600), both 400, where rmcp says 415; the status of other refusals (406 for a missing
/// `Accept`, 404 for an unknown session, ...) stays as rmcp set it.
async fn jsonrpc_failure(
    response: Response<Body>,
    sent: Option<&[u8]>,
    request_id: &str,
) -> Response<Body> {
    if is_json(&response) {
        return response;
    }
    let mut status = response.status();
    let text = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let parsed = sent.map(serde_json::from_slice::<serde_json::Value>);
    let (code, error) = match parsed {
        Some(Err(e))
            if status == StatusCode::UNSUPPORTED_MEDIA_TYPE
                || status == StatusCode::BAD_REQUEST =>
        {
            status = StatusCode::BAD_REQUEST;
            (
                jsonrpc::PARSE_ERROR,
                Error::BadRequest(format!("Parse error: the body is not JSON ({e})")),
            )
        }
        Some(Ok(serde_json::Value::Array(_))) if status == StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            status = StatusCode::BAD_REQUEST;
            (
                jsonrpc::INVALID_REQUEST,
                Error::BadRequest("Invalid request: send one JSON-RPC message per request; batches are not accepted".into()),
            )
        }
        Some(Ok(_))
            if status == StatusCode::UNSUPPORTED_MEDIA_TYPE && !text.contains("Content-Type") =>
        {
            status = StatusCode::BAD_REQUEST;
            (
                jsonrpc::INVALID_REQUEST,
                Error::BadRequest(format!(
                    "Invalid request: not a JSON-RPC 2.0 message ({text})"
                )),
            )
        }
        _ => {
            let error = match status {
                StatusCode::NOT_FOUND => Error::NotFound(text),
                StatusCode::PAYLOAD_TOO_LARGE => Error::BadRequest(text),
                s if s.is_server_error() => Error::Internal(text),
                _ => Error::BadRequest(text),
            };
            (error.kind().jsonrpc, error)
        }
    };
    let error = errors::jsonrpc_with_code(code, &error, request_id);
    response::json(status, &errors::response_body(&error))
}

fn is_json(response: &Response<Body>) -> bool {
    response
        .headers()
        .get(::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// A session ended by `DELETE` answers 204 No Content, as the SDKs' clients expect (rmcp says
/// 202, which the Python SDK reports as a failed termination on every session).
fn no_content_when_deleted(method: &Method, mut response: Response<Body>) -> Response<Body> {
    if *method == Method::DELETE && response.status() == StatusCode::ACCEPTED {
        *response.status_mut() = StatusCode::NO_CONTENT;
        *response.body_mut() = response::full(bytes::Bytes::new());
    }
    response
}

/// Ends sessions idle for [`IDLE`] and forgets the owners of sessions that are gone.
async fn expire_sessions(
    sessions: Arc<Sessions>,
    owners: Arc<Mutex<HashMap<String, String>>>,
    shutdown: CancellationToken,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shutdown.cancelled() => return,
        }
        let expired = sessions.expire(IDLE);
        if expired > 0 {
            tracing::debug!(expired, "idle Streamable HTTP sessions ended");
        }
        let live: std::collections::HashSet<String> = sessions.ids().into_iter().collect();
        owners.lock().retain(|id, _| live.contains(id));
    }
}
