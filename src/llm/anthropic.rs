//! Anthropic's Messages API (`POST {base}/v1/messages`).

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::endpoint::Endpoint;
use super::retry::with_retries;
use super::{Completed, Completion, Llm, LlmConfig, LlmError, Usage};

pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
pub const DEFAULT_MODEL: &str = "claude-sonnet-4-5";
/// The API version heycmo speaks.
pub const VERSION: &str = "2023-06-01";

pub struct Anthropic(Endpoint);

impl Anthropic {
    pub fn new(client: reqwest::Client, config: &LlmConfig) -> Anthropic {
        Anthropic(Endpoint::new(
            client,
            config,
            "anthropic",
            DEFAULT_BASE_URL,
            "/v1/messages",
            DEFAULT_MODEL,
        ))
    }

    async fn once(&self, body: &Value) -> Result<Completed, LlmError> {
        let endpoint = &self.0;
        let mut request = endpoint
            .client
            .post(&endpoint.url)
            .header("anthropic-version", VERSION)
            .json(body);
        if let Some(key) = &endpoint.api_key {
            request = request.header("x-api-key", key);
        }
        // Errors are {"type": "error", "error": {"type": "rate_limit_error", "message": "..."}}.
        let body = endpoint
            .send(request, |e| {
                let (kind, message) = (
                    e["error"]["type"].as_str()?,
                    e["error"]["message"].as_str()?,
                );
                Some(format!("{kind}: {message}"))
            })
            .await?;
        let blocks = body["content"]
            .as_array()
            .ok_or_else(|| endpoint.undecodable("no content blocks", &body.to_string()))?;
        let text: String = blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect();
        Ok(Completed {
            text,
            usage: Usage {
                input_tokens: body["usage"]["input_tokens"].as_u64().unwrap_or(0),
                output_tokens: body["usage"]["output_tokens"].as_u64().unwrap_or(0),
            },
            engine: endpoint.engine(body["model"].as_str()),
        })
    }
}

impl Llm for Anthropic {
    /// `GET {base}/v1/models`, which answers the model list for a valid key.
    fn probe(&self) -> BoxFuture<'_, Result<(), LlmError>> {
        Box::pin(async move {
            let endpoint = &self.0;
            let mut request = endpoint
                .client
                .get(format!("{}/v1/models", endpoint.base))
                .header("anthropic-version", VERSION);
            if let Some(key) = &endpoint.api_key {
                request = request.header("x-api-key", key);
            }
            endpoint
                .send(request, |e| {
                    e["error"]["message"].as_str().map(str::to_owned)
                })
                .await
                .map(|_| ())
        })
    }

    fn complete<'a>(
        &'a self,
        completion: &'a Completion,
    ) -> BoxFuture<'a, Result<Completed, LlmError>> {
        Box::pin(async move {
            let messages: Vec<Value> = completion
                .messages
                .iter()
                .map(|m| json!({"role": m.role, "content": m.content}))
                .collect();
            let mut body = json!({
                "model": self.0.model,
                "max_tokens": completion.max_tokens,
                "system": completion.system,
                "messages": messages,
            });
            if let Some(t) = completion.temperature {
                body["temperature"] = json!(t);
            }
            with_retries(self.0.attempts, || self.once(&body)).await
        })
    }
}
