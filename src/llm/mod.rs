//! Language-model engines behind one [`Llm`] trait: the connected MCP client's own model
//! (sampling), an OpenAI-compatible Chat Completions server, and Anthropic's Messages API.
//!
//! Tools never talk to a provider directly: they build a [`Completion`] (the brand voice goes
//! into its system prompt through [`prompt`]) and hand it to whichever engine [`choose`] picks.
//! When no engine is available a tool writes offline and says so; nothing here pretends.

pub mod anthropic;
pub mod endpoint;
pub mod openai;
pub mod prompt;
pub mod retry;
pub mod sampling;

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn user(content: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
}

/// What to ask a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub system: String,
    pub messages: Vec<Message>,
    pub max_tokens: u32,
    pub temperature: Option<f32>,
}

/// Tokens a completion used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// A model's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    pub text: String,
    pub usage: Usage,
    /// Which engine and model wrote it: `openai/gpt-4o-mini`, `anthropic/claude-…`,
    /// `sampling/<the client's model>`.
    pub engine: String,
}

impl Completed {
    /// The usage, when the engine reported any (sampling reports none).
    pub fn reported_usage(&self) -> Option<Usage> {
        (self.usage != Usage::default()).then_some(self.usage)
    }
}

/// Why an engine gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The provider answered with an error status; `message` is its own words.
    #[error("{engine}: HTTP {status}: {message}")]
    Status {
        engine: String,
        status: u16,
        message: String,
        /// From `Retry-After`, when the provider sent one.
        retry_after: Option<Duration>,
    },
    #[error("{engine}: {message}")]
    Network { engine: String, message: String },
    #[error("{engine}: the answer could not be read: {message}")]
    Decode { engine: String, message: String },
    /// The MCP client could not or would not sample; or, on the 2026-07-28 generation, the
    /// round trip that asks it (which must reach the client as it is).
    #[error("{0}")]
    Client(Error),
}

impl LlmError {
    /// Worth trying again: rate limits, overload and server errors, lost connections.
    pub fn is_transient(&self) -> bool {
        match self {
            LlmError::Status { status, .. } => matches!(status, 408 | 409 | 429 | 500..=599),
            LlmError::Network { .. } => true,
            _ => false,
        }
    }
}

impl From<LlmError> for Error {
    fn from(error: LlmError) -> Error {
        match error {
            LlmError::Client(error) => error,
            other => Error::LlmFailed(other.to_string()),
        }
    }
}

/// A language model.
pub trait Llm: Send + Sync {
    fn complete<'a>(
        &'a self,
        completion: &'a Completion,
    ) -> BoxFuture<'a, Result<Completed, LlmError>>;

    /// Whether the engine answers with this key, without spending a token (the provider's
    /// model list): the status page's probe.
    fn probe(&self) -> BoxFuture<'_, Result<(), LlmError>>;
}

/// The provider configured for the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Provider {
    /// No server-side model: tools use the client's (sampling) or write offline.
    None,
    /// An OpenAI-compatible Chat Completions server (OpenAI, Ollama, vLLM, llama.cpp, ...).
    Openai,
    Anthropic,
}

/// The server's model configuration.
#[derive(Clone)]
pub struct LlmConfig {
    pub provider: Provider,
    /// Defaults to the provider's public API.
    pub base_url: Option<String>,
    /// Never logged; `Debug` hides it.
    pub api_key: Option<String>,
    pub model: Option<String>,
    pub timeout: Duration,
    /// Attempts per completion, the first included.
    pub attempts: u32,
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmConfig")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<hidden>"))
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            provider: Provider::None,
            base_url: None,
            api_key: None,
            model: None,
            timeout: Duration::from_secs(120),
            attempts: 3,
        }
    }
}

impl LlmConfig {
    /// The configured server-side engine, if any.
    pub fn engine(&self) -> Result<Option<Arc<dyn Llm>>, Error> {
        let client = || {
            crate::web::client()
                .timeout(self.timeout)
                .build()
                .map_err(|e| Error::Internal(format!("building the LLM HTTP client: {e}")))
        };
        Ok(match self.provider {
            Provider::None => None,
            Provider::Openai => {
                Some(Arc::new(openai::OpenAi::new(client()?, self)) as Arc<dyn Llm>)
            }
            Provider::Anthropic => {
                Some(Arc::new(anthropic::Anthropic::new(client()?, self)) as Arc<dyn Llm>)
            }
        })
    }
}

/// Which engine a call asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EngineChoice {
    /// The client's model when it offers sampling, else the server's, else offline.
    #[default]
    Auto,
    /// The connected MCP client's model.
    Sampling,
    /// The model configured on the server.
    Server,
    /// No model: deterministic writing from the stored data.
    Offline,
}

impl EngineChoice {
    pub fn parse(text: &str) -> Option<EngineChoice> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EngineChoice::Auto => "auto",
            EngineChoice::Sampling => "sampling",
            EngineChoice::Server => "server",
            EngineChoice::Offline => "offline",
        }
    }
}

/// The engine for one call: the call's choice, or when it says `auto` the customer's default
/// (read fresh, not from the key cache); `None` means write offline.
pub async fn choose<'c>(
    choice: EngineChoice,
    ctx: &'c crate::registry::ToolContext,
    key: &'static str,
) -> Result<Option<Box<dyn Llm + 'c>>, Error> {
    use crate::registry::Capability;
    let choice = match choice {
        EngineChoice::Auto => ctx
            .store
            .customer(&ctx.principal.customer.id)
            .await?
            .and_then(|c| c.engine)
            .and_then(|e| EngineChoice::parse(&e))
            .unwrap_or(EngineChoice::Auto),
        chosen => chosen,
    };
    let client = || -> Box<dyn Llm + 'c> { Box::new(sampling::ClientModel { ctx, key }) };
    let server = || {
        ctx.llm
            .clone()
            .map(|llm| Box::new(Shared(llm)) as Box<dyn Llm + 'c>)
    };
    match choice {
        EngineChoice::Offline => Ok(None),
        EngineChoice::Sampling if ctx.client_supports(Capability::Sampling) => Ok(Some(client())),
        // Over MCP the client could have declared sampling (SEP-2575 names the error); over
        // REST there is no client model to ask.
        EngineChoice::Sampling if ctx.client.is_some() => Err(Error::MissingCapability("sampling")),
        EngineChoice::Sampling => Err(Error::Unsupported(
            "The client does not offer sampling; choose engine \"server\" or \"offline\"".into(),
        )),
        EngineChoice::Server => server().map(Some).ok_or_else(|| {
            Error::Unsupported("No language model is configured on this server (--llm)".into())
        }),
        EngineChoice::Auto if ctx.client_supports(Capability::Sampling) => Ok(Some(client())),
        EngineChoice::Auto => Ok(server()),
    }
}

/// The server's engine, shared by every call.
struct Shared(Arc<dyn Llm>);

impl Llm for Shared {
    fn complete<'a>(
        &'a self,
        completion: &'a Completion,
    ) -> BoxFuture<'a, Result<Completed, LlmError>> {
        self.0.complete(completion)
    }

    fn probe(&self) -> BoxFuture<'_, Result<(), LlmError>> {
        self.0.probe()
    }
}
