//! The HTTP server: accept loop, per-request plumbing, and the REST routes of the hosted API (docs/hosted-api.md).
//!
//! One hyper server carries REST, both MCP HTTP transports and the discovery documents. Every
//! response carries `X-Request-ID`; every error is `{"error","code","requestId"}`; a panic in a
//! handler becomes a 500 in that format rather than a dropped connection.

mod auth;
mod body;
mod capture;
mod collect;
pub mod connections;
mod dashboard;
mod direct;
mod forms;
mod live;
mod login;
mod mail;
pub mod origin;
pub mod response;
mod rest;
mod router;
mod signup;
pub mod sse;
mod streamable;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::mcp::server::Shared;
pub use auth::{principal as auth_principal, query_param, strip_credentials, token};
pub use body::read as read_body;
pub use rest::request_id;
pub use router::Router;

pub use crate::registry::{RequestId, new_request_id};

/// The address of the client, in the request's extensions (for per-IP limits).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

/// How long open connections get to finish once shutdown starts.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `shutdown` is cancelled, then drains open connections.
pub async fn serve(app: Arc<App>, listener: TcpListener, shutdown: CancellationToken) {
    serve_with(crate::library::surface(app), listener, shutdown).await
}

/// [`serve`] with a given MCP surface (another library of resources and prompts).
pub async fn serve_with(shared: Arc<Shared>, listener: TcpListener, shutdown: CancellationToken) {
    let app = shared.app.clone();
    let router = Arc::new(Router::new(shared, shutdown.clone()));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(app.config.header_timeout);
    let gate = connections::Gate::new(app.config.max_preauth_connections);
    let graceful = GracefulShutdown::new();
    let sweeper = tokio::spawn(sweep_limiters(app, shutdown.clone()));
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let Some(slot) = gate.admit(peer.ip()) else {
            tracing::debug!(ip = %peer.ip(), "too many unauthenticated connections; refused");
            tokio::spawn(connections::refuse(stream));
            continue;
        };
        // Responses on SSE streams are small writes; without this, Nagle's algorithm holds each
        // one back for up to 40 ms waiting for an ACK.
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            let router = router.clone();
            request.extensions_mut().insert(slot.clone());
            async move { Ok::<_, Infallible>(router.handle(request, ClientAddr(peer)).await) }
        });
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection.into_owned());
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    sweeper.abort();
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after {DRAIN:?}; closing them");
    }
}

/// Periodically forgets rate-limit state of idle keys, so memory does not grow with every IP
/// that ever called.
async fn sweep_limiters(app: Arc<App>, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tick.tick() => app.limiters.forget_idle(),
            () = shutdown.cancelled() => return,
        }
    }
}
