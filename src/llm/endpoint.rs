//! What the HTTP engines share: where they post, with which key and model, how many attempts,
//! and how a response becomes an answer's JSON or a typed error.

use serde_json::Value;

use super::retry::retry_after;
use super::{LlmConfig, LlmError};

/// One provider's API as configured.
pub struct Endpoint {
    pub client: reqwest::Client,
    /// The configured base URL, without a trailing slash.
    pub base: String,
    pub url: String,
    pub api_key: Option<String>,
    pub model: String,
    pub attempts: u32,
    /// `openai` or `anthropic`: the first half of the engine name.
    provider: &'static str,
}

impl Endpoint {
    /// `path` is appended to the configured base URL (or `default_base`).
    pub fn new(
        client: reqwest::Client,
        config: &LlmConfig,
        provider: &'static str,
        default_base: &str,
        path: &str,
        default_model: &str,
    ) -> Endpoint {
        let base = config
            .base_url
            .as_deref()
            .unwrap_or(default_base)
            .trim_end_matches('/');
        Endpoint {
            client,
            base: base.to_owned(),
            url: format!("{base}{path}"),
            api_key: config.api_key.clone(),
            model: config.model.clone().unwrap_or_else(|| default_model.into()),
            attempts: config.attempts,
            provider,
        }
    }

    /// The engine name for the model that answered (the configured one when it did not say).
    pub fn engine(&self, answered_by: Option<&str>) -> String {
        format!("{}/{}", self.provider, answered_by.unwrap_or(&self.model))
    }

    /// Sends `request`; answers the JSON body of a success. An error status becomes
    /// [`LlmError::Status`] with `error_message`'s reading of the provider's error body (or the
    /// body's start), and the `Retry-After` it carried.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
        error_message: impl Fn(&Value) -> Option<String>,
    ) -> Result<Value, LlmError> {
        let network = |e: reqwest::Error| LlmError::Network {
            engine: self.engine(None),
            message: e.to_string(),
        };
        let response = request.send().await.map_err(network)?;
        let status = response.status();
        let retry = retry_after(response.headers());
        let text = response.text().await.map_err(network)?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(LlmError::Status {
                engine: self.engine(None),
                status: status.as_u16(),
                message: error_message(&body).unwrap_or_else(|| snippet(&text)),
                retry_after: retry,
            });
        }
        if body.is_null() {
            return Err(self.undecodable("no JSON", &text));
        }
        Ok(body)
    }

    /// An answer without the part that was expected (`what`).
    pub fn undecodable(&self, what: &str, body: &str) -> LlmError {
        LlmError::Decode {
            engine: self.engine(None),
            message: format!("{what} in {}", snippet(body)),
        }
    }
}

/// The start of a body, for error messages.
fn snippet(text: &str) -> String {
    crate::audit::finding::clip(text.trim(), 200)
}
