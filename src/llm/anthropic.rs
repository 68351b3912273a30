//! Anthropic's Messages API (`POST {base}/v1/messages`).

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::retry::{retry_after, with_retries};
use super::{Completed, Completion, Llm, LlmConfig, LlmError, Usage};

pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
pub const DEFAULT_MODEL: &str = "claude-sonnet-4-5";
/// The API version heycmo speaks.
pub const VERSION: &str = "2023-06-01";

pub struct Anthropic {
    client: reqwest::Client,
    url: String,
    api_key: Option<String>,
    model: String,
    attempts: u32,
}

impl Anthropic {
    pub fn new(client: reqwest::Client, config: &LlmConfig) -> Anthropic {
        let base = config
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_BASE_URL)
            .trim_end_matches('/');
        Anthropic {
            client,
            url: format!("{base}/v1/messages"),
            api_key: config.api_key.clone(),
            model: config.model.clone().unwrap_or_else(|| DEFAULT_MODEL.into()),
            attempts: config.attempts,
        }
    }

    fn engine(&self) -> String {
        format!("anthropic/{}", self.model)
    }

    async fn once(&self, body: &Value) -> Result<Completed, LlmError> {
        let mut request = self
            .client
            .post(&self.url)
            .header("anthropic-version", VERSION)
            .json(body);
        if let Some(key) = &self.api_key {
            request = request.header("x-api-key", key);
        }
        let response = request.send().await.map_err(|e| LlmError::Network {
            engine: self.engine(),
            message: e.to_string(),
        })?;
        let status = response.status();
        let retry = retry_after(response.headers());
        let text = response.text().await.map_err(|e| LlmError::Network {
            engine: self.engine(),
            message: e.to_string(),
        })?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            // {"type": "error", "error": {"type": "rate_limit_error", "message": "..."}}
            let message = match (
                body["error"]["type"].as_str(),
                body["error"]["message"].as_str(),
            ) {
                (Some(kind), Some(message)) => format!("{kind}: {message}"),
                _ => snippet(&text),
            };
            return Err(LlmError::Status {
                engine: self.engine(),
                status: status.as_u16(),
                message,
                retry_after: retry,
            });
        }
        let blocks = body["content"].as_array().ok_or_else(|| LlmError::Decode {
            engine: self.engine(),
            message: format!("no content blocks in {}", snippet(&text)),
        })?;
        let text: String = blocks
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect();
        let model = body["model"].as_str().unwrap_or(&self.model);
        Ok(Completed {
            text,
            usage: Usage {
                input_tokens: body["usage"]["input_tokens"].as_u64().unwrap_or(0),
                output_tokens: body["usage"]["output_tokens"].as_u64().unwrap_or(0),
            },
            engine: format!("anthropic/{model}"),
        })
    }
}

impl Llm for Anthropic {
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
                "model": self.model,
                "max_tokens": completion.max_tokens,
                "system": completion.system,
                "messages": messages,
            });
            if let Some(t) = completion.temperature {
                body["temperature"] = json!(t);
            }
            with_retries(self.attempts, || self.once(&body)).await
        })
    }
}

/// The start of a body, for error messages.
pub fn snippet(text: &str) -> String {
    crate::audit::finding::clip(text.trim(), 200)
}
