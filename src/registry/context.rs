//! What a handler gets besides its input: who is calling, the store, and ways to talk back.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::auth::Principal;
use crate::clock::Clock;
use crate::error::Error;
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

/// A question for the person behind the client (MCP elicitation): a message and the JSON Schema
/// of the answer (an object of primitive fields).
#[derive(Debug, Clone)]
pub struct Question {
    pub message: String,
    pub schema: Value,
}

/// What the person did with a [`Question`].
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Accepted(Value),
    Declined,
    Cancelled,
}

/// How a tool reaches the client while it runs: progress and log messages, and requests the
/// client answers (sampling from its model, asking its user). Transports without a channel back
/// (REST, the CLI) pass none: reports are dropped and requests fail with `E_UNSUPPORTED`.
pub trait ClientLink: Send + Sync {
    fn progress(&self, done: f64, total: Option<f64>, message: Option<String>)
    -> BoxFuture<'_, ()>;
    fn log(&self, level: LogLevel, message: String) -> BoxFuture<'_, ()>;
    /// Asks the client's model to complete `prompt`; answers the text it produced.
    fn sample(&self, prompt: String, max_tokens: u32) -> BoxFuture<'_, Result<String, Error>>;
    /// Asks the client's user a question.
    fn elicit(&self, question: Question) -> BoxFuture<'_, Result<Answer, Error>>;
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
    pub client: Option<Arc<dyn ClientLink>>,
}

impl ToolContext {
    /// Reports progress to a client that asked for it (an MCP progress token); otherwise a no-op.
    pub async fn progress(&self, done: f64, total: Option<f64>, message: impl Into<String>) {
        if let Some(client) = &self.client {
            client.progress(done, total, Some(message.into())).await;
        }
    }

    /// Sends a log message to a client that set a log level at or below `level`.
    pub async fn log(&self, level: LogLevel, message: impl Into<String>) {
        if let Some(client) = &self.client {
            client.log(level, message.into()).await;
        }
    }

    fn link(&self) -> Result<&Arc<dyn ClientLink>, Error> {
        self.client.as_ref().ok_or_else(|| {
            Error::Unsupported(
                "This needs an MCP client that can answer requests; call it over MCP".into(),
            )
        })
    }

    /// Asks the connected client's model to complete `prompt` (MCP sampling).
    pub async fn sample(
        &self,
        prompt: impl Into<String>,
        max_tokens: u32,
    ) -> Result<String, Error> {
        self.link()?.sample(prompt.into(), max_tokens).await
    }

    /// Asks the connected client's user a question (MCP elicitation).
    pub async fn elicit(&self, question: Question) -> Result<Answer, Error> {
        self.link()?.elicit(question).await
    }
}
