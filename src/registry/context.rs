//! What a handler gets besides its input: who is calling, the store, and ways to talk back.

use std::sync::Arc;

use std::collections::BTreeMap;

use futures::future::BoxFuture;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::auth::Principal;
use crate::clock::Clock;
use crate::error::Error;
use crate::store::{EventWriter, Store};

/// The id of the request being served: echoed as `X-Request-ID` over HTTP, carried in every
/// error (`requestId`) and in the tool context, so one id follows a call through every layer.
/// Transports put it in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A fresh request id: 32 lowercase hex characters.
pub fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Which surface a call came through; recorded with every tool event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Rest,
    McpStdio,
    McpSse,
    McpStreamable,
    Cli,
    /// The dashboard's pages and forms.
    Dashboard,
}

impl Surface {
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Rest => "rest",
            Surface::McpStdio => "mcp-stdio",
            Surface::McpSse => "mcp-sse",
            Surface::McpStreamable => "mcp-streamable-http",
            Surface::Cli => "cli",
            Surface::Dashboard => "dashboard",
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

/// A completion asked of the client's model (`sampling/createMessage`).
#[derive(Debug, Clone, PartialEq)]
pub struct Sampling {
    /// The system prompt, which the client may use or not.
    pub system: Option<String>,
    pub prompt: String,
    pub max_tokens: u32,
}

impl Sampling {
    /// A bare prompt without a system prompt.
    pub fn prompt(prompt: impl Into<String>, max_tokens: u32) -> Sampling {
        Sampling {
            system: None,
            prompt: prompt.into(),
            max_tokens,
        }
    }
}

/// Something a tool asks of the client before it can finish.
#[derive(Debug, Clone)]
pub enum Ask {
    /// A question for the client's user.
    Elicit(Question),
    /// A completion from the client's model.
    Sample(Sampling),
    /// The client's roots (the folders or URIs it works in).
    ListRoots,
}

/// A client capability a tool may depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    Sampling,
    Elicitation,
    Roots,
}

/// How a tool reaches the client while it runs: progress and log messages, and requests the
/// client answers (sampling from its model, asking its user). Transports without a channel back
/// (REST, the CLI) pass none: reports are dropped and requests fail with `E_UNSUPPORTED`.
pub trait ClientLink: Send + Sync {
    fn progress(&self, done: f64, total: Option<f64>, message: Option<String>)
    -> BoxFuture<'_, ()>;
    fn log(&self, level: LogLevel, message: String) -> BoxFuture<'_, ()>;
    /// Puts every ask to the client and answers the raw replies by key. On the handshake
    /// generation the client is asked directly; on the 2026-07-28 generation what this round
    /// does not answer is [`Gathered::Pending`]: the call stops there, the client is sent an
    /// input-required result, and the call is made again with the replies (SEP-2322), so a
    /// handler must be safe to run again from the start.
    fn gather(&self, asks: Vec<(String, Ask)>) -> BoxFuture<'_, Result<Gathered, Error>>;
    /// Whether the client declared a capability.
    fn supports(&self, capability: Capability) -> bool;
}

/// The refusal of a request to the client where there is no client to ask.
pub(crate) fn needs_client() -> Error {
    Error::Unsupported("This needs an MCP client that can answer requests; call it over MCP".into())
}

/// What a gather brings back.
pub enum Gathered {
    Replies(BTreeMap<String, Value>),
    /// Some asks are not answered yet; the call waits for another round.
    Pending(Pending),
}

/// The asks a call waits on, and the replies of earlier rounds (carried to the next one in the
/// signed request state).
#[derive(Debug)]
pub struct Pending {
    pub asks: Vec<(String, Ask)>,
    pub answered: BTreeMap<String, Value>,
}

/// Where a handler that must wait for the client leaves what it waits on. The handler is then
/// stopped (its future dropped) and the registry answers [`crate::registry::Outcome::NeedsInput`]:
/// waiting is an outcome, not an error travelling back through every `?`.
#[derive(Clone, Default)]
pub struct Suspension(Arc<(parking_lot::Mutex<Option<Pending>>, tokio::sync::Notify)>);

impl Suspension {
    /// Leaves `pending` and never returns: the registry drops the handler.
    async fn suspend(&self, pending: Pending) -> ! {
        *self.0.0.lock() = Some(pending);
        self.0.1.notify_one();
        std::future::pending().await
    }

    /// What the handler waits on, once it has suspended.
    pub async fn suspended(&self) -> Pending {
        loop {
            self.0.1.notified().await;
            if let Some(pending) = self.0.0.lock().take() {
                return pending;
            }
        }
    }
}

/// Everything a handler may use.
#[derive(Clone)]
pub struct ToolContext {
    pub principal: Principal,
    pub store: Store,
    pub events: EventWriter,
    /// Fetches other sites, behind the SSRF guard.
    pub fetcher: crate::web::Fetcher,
    /// The server's own language model, if configured; see [`crate::llm::choose`].
    pub llm: Option<Arc<dyn crate::llm::Llm>>,
    /// Where record changes are announced; see [`ToolContext::record_changed`].
    pub changes: crate::changes::Changes,
    pub request_id: String,
    pub surface: Surface,
    pub clock: Arc<dyn Clock>,
    /// The server's public base URL, for links in results.
    pub public_url: Arc<str>,
    /// Cancelled when the client cancels the request or goes away; long handlers check it.
    pub cancel: CancellationToken,
    pub client: Option<Arc<dyn ClientLink>>,
    /// Where a call that waits for the client's replies stops; see [`Suspension`].
    pub suspension: Suspension,
    /// Seals and opens stored secrets.
    pub vault: crate::vault::Vault,
    /// Queues background work.
    pub jobs: crate::jobs::Jobs,
    /// Google Analytics and Search Console, with the access tokens granted so far.
    pub google: Arc<crate::google::Google>,
    /// AI visibility runs on the configured answer engines.
    pub visibility: crate::visibility::Visibility,
    /// Sequence mail, when the operator configured a mail server.
    pub mailer: Option<crate::sequences::mailer::Mailer>,
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
        self.client.as_ref().ok_or_else(needs_client)
    }

    /// Puts several asks to the client at once, each under a key of the tool's choosing; see
    /// [`ClientLink::gather`].
    pub async fn gather(&self, asks: Vec<(String, Ask)>) -> Result<BTreeMap<String, Value>, Error> {
        match self.link()?.gather(asks).await? {
            Gathered::Replies(replies) => Ok(replies),
            Gathered::Pending(pending) => self.suspension.suspend(pending).await,
        }
    }

    /// Announces that a record of this customer changed (after the change is committed), for
    /// whoever watches it.
    pub fn record_changed(&self, record: crate::changes::Record) {
        crate::changes::announce(&self.changes, &self.principal.customer.id, record);
    }

    /// Whether the connected client declared `capability` (never, outside MCP).
    pub fn client_supports(&self, capability: Capability) -> bool {
        self.client.as_ref().is_some_and(|c| c.supports(capability))
    }

    async fn ask_one(&self, key: &str, ask: Ask) -> Result<Value, Error> {
        let mut replies = self.gather(vec![(key.to_owned(), ask)]).await?;
        replies
            .remove(key)
            .ok_or_else(|| Error::BadRequest(format!("No reply to {key}")))
    }

    /// Asks the connected client's model to complete `prompt` (MCP sampling); `key` names the
    /// ask across rounds.
    pub async fn sample(
        &self,
        key: &str,
        prompt: impl Into<String>,
        max_tokens: u32,
    ) -> Result<String, Error> {
        let reply = self
            .sample_reply(key, Sampling::prompt(prompt, max_tokens))
            .await?;
        Ok(sampled_text(&reply))
    }

    /// Asks the client's model for a completion and answers the whole `CreateMessageResult`
    /// (its `model` names who wrote it).
    pub async fn sample_reply(&self, key: &str, sampling: Sampling) -> Result<Value, Error> {
        self.ask_one(key, Ask::Sample(sampling)).await
    }

    /// Asks the connected client's user a question (MCP elicitation); `key` names the ask across
    /// rounds.
    pub async fn elicit(&self, key: &str, question: Question) -> Result<Answer, Error> {
        Ok(answer(&self.ask_one(key, Ask::Elicit(question)).await?))
    }
}

/// The text of a `sampling/createMessage` reply (its content is one block or a list).
pub fn sampled_text(reply: &Value) -> String {
    let blocks: Vec<&Value> = match &reply["content"] {
        Value::Array(blocks) => blocks.iter().collect(),
        other => vec![other],
    };
    blocks
        .iter()
        .filter_map(|b| b["text"].as_str())
        .collect::<Vec<_>>()
        .join("")
}

/// The [`Answer`] in an `elicitation/create` reply.
pub fn answer(reply: &Value) -> Answer {
    match reply["action"].as_str() {
        Some("accept") => Answer::Accepted(reply["content"].clone()),
        Some("decline") => Answer::Declined,
        _ => Answer::Cancelled,
    }
}
