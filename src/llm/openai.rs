//! OpenAI-compatible Chat Completions (`POST {base}/chat/completions`): OpenAI itself and the
//! local servers that speak the same API (Ollama, vLLM, llama.cpp).

use futures::future::BoxFuture;
use serde_json::{Value, json};

use super::retry::{retry_after, with_retries};
use super::{Completed, Completion, Llm, LlmConfig, LlmError, Usage};

pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
pub const DEFAULT_MODEL: &str = "gpt-4o-mini";

pub struct OpenAi {
    client: reqwest::Client,
    url: String,
    api_key: Option<String>,
    model: String,
    attempts: u32,
}

impl OpenAi {
    pub fn new(client: reqwest::Client, config: &LlmConfig) -> OpenAi {
        let base = config
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_BASE_URL)
            .trim_end_matches('/');
        OpenAi {
            client,
            url: format!("{base}/chat/completions"),
            api_key: config.api_key.clone(),
            model: config.model.clone().unwrap_or_else(|| DEFAULT_MODEL.into()),
            attempts: config.attempts,
        }
    }

    fn engine(&self) -> String {
        format!("openai/{}", self.model)
    }

    async fn once(&self, body: &Value) -> Result<Completed, LlmError> {
        let mut request = self.client.post(&self.url).json(body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
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
            // {"error": {"message", "type", "code"}}
            let message = body["error"]["message"]
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| super::anthropic::snippet(&text));
            return Err(LlmError::Status {
                engine: self.engine(),
                status: status.as_u16(),
                message,
                retry_after: retry,
            });
        }
        let content = body["choices"][0]["message"]["content"]
            .as_str()
            .ok_or_else(|| LlmError::Decode {
                engine: self.engine(),
                message: format!(
                    "no choices[0].message.content in {}",
                    super::anthropic::snippet(&text)
                ),
            })?;
        let model = body["model"].as_str().unwrap_or(&self.model);
        Ok(Completed {
            text: content.to_owned(),
            usage: Usage {
                input_tokens: body["usage"]["prompt_tokens"].as_u64().unwrap_or(0),
                output_tokens: body["usage"]["completion_tokens"].as_u64().unwrap_or(0),
            },
            engine: format!("openai/{model}"),
        })
    }
}

impl Llm for OpenAi {
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
                "model": self.model,
                "messages": messages,
                "max_tokens": completion.max_tokens,
            });
            if let Some(t) = completion.temperature {
                body["temperature"] = json!(t);
            }
            with_retries(self.attempts, || self.once(&body)).await
        })
    }
}
