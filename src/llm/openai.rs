//! OpenAI-compatible Chat Completions (`POST {base}/chat/completions`): OpenAI itself and the
//! local servers that speak the same API (Ollama, vLLM, llama.cpp).

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::endpoint::Endpoint;
use super::retry::with_retries;
use super::{Completed, Completion, Llm, LlmConfig, LlmError, Usage};

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

pub struct OpenAi(Endpoint);

impl OpenAi {
    pub fn new(client: reqwest::Client, config: &LlmConfig) -> OpenAi {
        OpenAi(Endpoint::new(
            client,
            config,
            "openai",
            DEFAULT_BASE_URL,
            "/chat/completions",
            DEFAULT_MODEL,
        ))
    }

    async fn once(&self, body: &Value) -> Result<Completed, LlmError> {
        let endpoint = &self.0;
        let mut request = endpoint.client.post(&endpoint.url).json(body);
        if let Some(key) = &endpoint.api_key {
            request = request.bearer_auth(key);
        }
        // Errors are {"error": {"message", "type", "code"}}.
        let body = endpoint
            .send(request, |e| {
                e["error"]["message"].as_str().map(str::to_owned)
            })
            .await?;
        let content = body["choices"][0]["message"]["content"]
            .as_str()
            .ok_or_else(|| {
                endpoint.undecodable("no choices[0].message.content", &body.to_string())
            })?;
        Ok(Completed {
            text: content.to_owned(),
            usage: Usage {
                input_tokens: body["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
                output_tokens: body["usage"]["completion_tokens"].as_u64().unwrap_or(0),
            },
            engine: endpoint.engine(body["model"].as_str()),
        })
    }
}

impl Llm for OpenAi {
    /// `GET {base}/models`, which OpenAI and the compatible servers answer for a valid key.
    fn probe(&self) -> BoxFuture<'_, Result<(), LlmError>> {
        Box::pin(async move {
            let endpoint = &self.0;
            let mut request = endpoint.client.get(format!("{}/models", endpoint.base));
            if let Some(key) = &endpoint.api_key {
                request = request.bearer_auth(key);
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
            let mut messages = vec![json!({"role": "system", "content": completion.system})];
            messages.extend(
                completion
                    .messages
                    .iter()
                    .map(|m| json!({"role": m.role, "content": m.content})),
            );
            let mut body = json!({
                "model": self.0.model,
                "messages": messages,
                "max_tokens": completion.max_tokens,
            });
            if let Some(t) = completion.temperature {
                body["temperature"] = json!(t);
            }
            with_retries(self.0.attempts, || self.once(&body)).await
        })
    }
}
