//! The legacy MCP transport (HTTP+SSE, spec 2024-11-05), built on hyper; rmcp 3 ships only the
//! client side of it.
//!
//! `GET /mcp/sse` authenticates, opens a session with its own `McpServer` (one per session, as
//! the hosted API does) and answers a never-ending event stream whose first event, `endpoint`, tells the
//! client where to POST. `POST /mcp/message?sessionId=` hands a JSON-RPC message to the session
//! and answers 202; the reply travels on the stream. The session ends when the stream closes.
//!
//! The POST is authorised by the session: its id is 128 random bits known only to the client
//! that opened the authenticated stream, and clients configured with `?token=` on the SSE URL
//! (the hosted API's config snippet, docs/hosted-api.md) do not repeat the token on the endpoint URL. A POST that
//! does carry a key must carry one of the session's own customer.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::Duration;

use ::http::request::Parts;
use ::http::{Response, StatusCode};
use bytes::Bytes;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt, stream};
use hyper::body::{Frame, Incoming};
use rmcp::RoleServer;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::transport::IntoTransport;
use tokio_stream::wrappers::IntervalStream;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, jsonrpc};
use crate::http::response::{self, Body, sse_event};
use crate::http::{self, query_param};
use crate::mcp::errors;
use crate::mcp::server::{McpServer, Shared};
use crate::mcp::transport::LenientStart;
use crate::registry::Surface;

/// How often an idle stream gets a comment line, so proxies do not time it out.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Messages queued per session in each direction before the sender waits.
const QUEUE: usize = 64;

/// Open streams one customer may hold. Each holds a server task and memory until its client
/// goes, so one leaky or hostile client must not be able to open them without end.
pub const MAX_SESSIONS_PER_CUSTOMER: usize = 32;

/// How long a client refused for holding too many streams is told to wait.
const RETRY_WHEN_FULL: Duration = Duration::from_secs(5);

struct Session {
    customer_id: String,
    inbound: mpsc::Sender<ClientJsonRpcMessage>,
}

type Sessions = Arc<Mutex<HashMap<String, Session>>>;

/// The legacy SSE transport's open sessions.
pub struct SseTransport {
    shared: Arc<Shared>,
    sessions: Sessions,
    shutdown: CancellationToken,
}

/// Removes the session and stops its server when the stream is dropped (client gone).
struct SessionGuard {
    id: String,
    sessions: Sessions,
    cancel: CancellationToken,
}

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.cancel.cancel();
        self.sessions.lock().remove(&self.id);
        tracing::debug!(session = %self.id, "legacy SSE session closed");
    }
}

impl SseTransport {
    pub fn new(shared: Arc<Shared>, shutdown: CancellationToken) -> SseTransport {
        SseTransport {
            shared,
            sessions: Arc::default(),
            shutdown,
        }
    }

    /// `GET /mcp/sse`: opens a session and its event stream.
    pub async fn open(&self, parts: &Parts) -> Result<Response<Body>, Error> {
        let principal = http::auth_principal(&self.shared.app, parts).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let (inbound_tx, inbound_rx) = mpsc::channel::<ClientJsonRpcMessage>(QUEUE);
        let (outbound_tx, outbound_rx) = mpsc::channel::<ServerJsonRpcMessage>(QUEUE);
        let cancel = self.shutdown.child_token();
        let mut sessions = self.sessions.lock();
        let open = sessions
            .values()
            .filter(|s| s.customer_id == principal.customer.id)
            .count();
        if open >= MAX_SESSIONS_PER_CUSTOMER {
            return Err(Error::RateLimited {
                retry_after: RETRY_WHEN_FULL,
            });
        }
        sessions.insert(
            id.clone(),
            Session {
                customer_id: principal.customer.id.clone(),
                inbound: inbound_tx,
            },
        );
        drop(sessions);

        let server = McpServer::new(self.shared.clone(), Surface::McpSse, Some(principal));
        let session_cancel = cancel.clone();
        tokio::spawn(async move {
            let transport =
                IntoTransport::<RoleServer, _, _>::into_transport((outbound_tx, inbound_rx));
            match rmcp::service::serve_server_with_ct(
                server,
                LenientStart::new(transport),
                session_cancel.clone(),
            )
            .await
            {
                Ok(running) => {
                    let _ = running.waiting().await;
                }
                Err(error) => {
                    tracing::debug!(%error, "legacy SSE session ended before initialisation")
                }
            }
            // The server is gone: end the stream too.
            session_cancel.cancel();
        });

        let guard = SessionGuard {
            id: id.clone(),
            sessions: self.sessions.clone(),
            cancel: cancel.clone(),
        };
        let endpoint =
            stream::once(
                async move { sse_event("endpoint", &format!("/mcp/message?sessionId={id}")) },
            );
        let messages = outbound_rx.map(|message| {
            sse_event(
                "message",
                &serde_json::to_string(&message).unwrap_or_default(),
            )
        });
        let pings = IntervalStream::new(tokio::time::interval_at(
            tokio::time::Instant::now() + KEEP_ALIVE,
            KEEP_ALIVE,
        ))
        .map(|_| Frame::data(Bytes::from_static(b": keep-alive\n\n")));
        let frames = endpoint
            .chain(stream::select(messages, pings))
            .take_until(cancel.cancelled_owned())
            .map(move |frame| {
                let _session = &guard;
                Ok(frame)
            });
        Ok(response::event_stream(frames))
    }

    /// `POST /mcp/message?sessionId=`: hands one message (or a batch) to the session.
    pub async fn message(&self, parts: &Parts, body: Incoming) -> Result<Response<Body>, Error> {
        let id = query_param(&parts.uri, "sessionId").unwrap_or_default();
        let session = {
            let sessions = self.sessions.lock();
            sessions
                .get(&id)
                .map(|s| (s.customer_id.clone(), s.inbound.clone()))
        };
        let Some((customer_id, mut inbound)) = session else {
            return Err(Error::SessionNotFound);
        };
        if http::token(parts).is_some() {
            let principal = http::auth_principal(&self.shared.app, parts).await?;
            principal.ensure_customer(&customer_id)?;
        }
        let bytes = http::read_body(body, self.shared.app.config.max_body_bytes).await?;
        let messages = match messages(&bytes) {
            Ok(messages) => messages,
            Err((code, error)) => {
                // JSON-RPC answers a message it cannot read with an error of id null; the
                // transport carries it as the POST's answer, since no request id can route it
                // to the stream.
                let request_id = http::request_id(parts);
                let error = errors::jsonrpc_with_code(code, &error, &request_id);
                return Ok(response::json(
                    StatusCode::BAD_REQUEST,
                    &errors::response_body(&error),
                ));
            }
        };
        for message in messages {
            if inbound.send(message).await.is_err() {
                return Err(Error::SessionNotFound);
            }
        }
        Ok(response::with_body(
            StatusCode::ACCEPTED,
            "text/plain; charset=utf-8",
            "Accepted",
        ))
    }
}

/// The JSON-RPC messages of a POST: one, or a batch (2024-11-05 allows batches) of at least
/// one. What is not JSON is a parse error; an empty batch, or what is not a message, an
/// invalid request.
fn messages(bytes: &[u8]) -> Result<Vec<ClientJsonRpcMessage>, (i32, Error)> {
    let invalid = |why: String| {
        (
            jsonrpc::INVALID_REQUEST,
            Error::BadRequest(format!("Invalid request: {why}")),
        )
    };
    let read = |value| {
        serde_json::from_value::<ClientJsonRpcMessage>(value)
            .map_err(|e| invalid(format!("not a JSON-RPC 2.0 message ({e})")))
    };
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Array(batch)) if batch.is_empty() => {
            Err(invalid("an empty batch".into()))
        }
        Ok(serde_json::Value::Array(batch)) => batch.into_iter().map(read).collect(),
        Ok(single) => Ok(vec![read(single)?]),
        Err(e) => Err((
            jsonrpc::PARSE_ERROR,
            Error::BadRequest(format!("Parse error: the body is not JSON ({e})")),
        )),
    }
}
