//! What a handler gets besides its input: who is calling, the store, and ways to talk back.

use std::sync::Arc;

use futures::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use crate::auth::Principal;
use crate::clock::Clock;
use crate::store::{EventWriter, Store};

/// Which surface a call came through; recorded with every tool event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Rest,
    McpStdio,
    McpSse,
    McpStreamable,
    Cli,
}

impl Surface {
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Rest => "rest",
            Surface::McpStdio => "mcp-stdio",
            Surface::McpSse => "mcp-sse",
            Surface::McpStreamable => "mcp-streamable-http",
            Surface::Cli => "cli",
        }
    }
}

/// Severity of a message a tool sends to the client (MCP `notifications/message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug,
    Info,
    Warning,
    Error,
}

/// How a transport delivers progress and log messages while a tool runs. Transports without a
/// channel back (REST, the CLI) pass none, and reports are dropped.
pub trait Notifier: Send + Sync {
    fn progress(&self, done: f64, total: Option<f64>, message: Option<String>)
    -> BoxFuture<'_, ()>;
    fn log(&self, level: LogLevel, message: String) -> BoxFuture<'_, ()>;
}

/// Everything a handler may use.
#[derive(Clone)]
pub struct ToolContext {
    pub principal: Principal,
    pub store: Store,
    pub events: EventWriter,
    pub request_id: String,
    pub surface: Surface,
    pub clock: Arc<dyn Clock>,
    /// The server's public base URL, for links in results.
    pub public_url: Arc<str>,
    /// Cancelled when the client cancels the request or goes away; long handlers check it.
    pub cancel: CancellationToken,
    pub notifier: Option<Arc<dyn Notifier>>,
}

impl ToolContext {
    /// Reports progress to a client that asked for it (an MCP progress token); otherwise a no-op.
    pub async fn progress(&self, done: f64, total: Option<f64>, message: impl Into<String>) {
        if let Some(notifier) = &self.notifier {
            notifier.progress(done, total, Some(message.into())).await;
        }
    }

    /// Sends a log message to a client that set a log level at or below `level`.
    pub async fn log(&self, level: LogLevel, message: impl Into<String>) {
        if let Some(notifier) = &self.notifier {
            notifier.log(level, message.into()).await;
        }
    }
}
