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
use ::http::{Method, Request, Response};
use hyper::body::Incoming;
use rmcp::transport::streamable_http_server::session::SessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::server::{McpServer, Shared};
use super::sessions::{IDLE, Sessions};
use crate::app::App;
use crate::error::Error;
use crate::http;
use crate::http::response::Body;
use crate::registry::Surface;

const SESSION_HEADER: &str = "mcp-session-id";
/// When a customer holds its maximum of sessions: idle ones expire within minutes, and a
/// well-behaved client ends its own with DELETE.
const SESSIONS_FULL_RETRY: Duration = Duration::from_secs(60);

/// The Streamable HTTP transport.
pub struct Streamable {
    app: Arc<App>,
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
        let service = StreamableHttpService::new(
            move || Ok(McpServer::new(shared.clone(), Surface::McpStreamable, None)),
            sessions.clone(),
            config,
        );
        let owners: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        tokio::spawn(expire_sessions(sessions.clone(), owners.clone(), shutdown));
        Streamable {
            app: app.clone(),
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
            if foreign {
                // The same answer as for an unknown session: ids are not confirmed to strangers.
                return Err(Error::NotFound("Session not found".into()));
            }
        }
        let method = parts.method.clone();
        http::strip_credentials(&mut parts);
        parts.extensions.insert(principal);
        let response = self.service.handle(Request::from_parts(parts, body)).await;
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
