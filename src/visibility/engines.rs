//! Answer engines: the AI assistants whose answers `check_ai_visibility` reads, as the operator
//! configured them (`--answer-engine NAME=KIND,base_url=…,model=…,key_env=…`).
//!
//! Each kind is asked the query as a person would ask it (no system prompt, nothing about the
//! brand), and what it cited is read from its own wire format: the Responses API's
//! `url_citation` annotations and `web_search_call` sources, Perplexity's `citations` and
//! `search_results`, Anthropic's web search result blocks and text citations. An
//! OpenAI-compatible chat server cites nothing, and the client's own model (sampling) is asked
//! through the MCP client, not from here.

use std::str::FromStr;
use std::time::Duration;

use serde_json::{Value, json};

use crate::llm::endpoint::Endpoint;
use crate::llm::retry::with_retries;
use crate::llm::{LlmConfig, LlmError, Provider, Usage};

/// Longest answer asked for, in tokens: enough for a recommendation list.
const MAX_ANSWER_TOKENS: u32 = 1024;
/// Web searches an Anthropic model may run per answer.
const ANTHROPIC_MAX_SEARCHES: u32 = 3;

/// How an engine is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// OpenAI's Responses API with the `web_search` tool.
    OpenAiResponses,
    /// Perplexity's Sonar chat completions.
    Perplexity,
    /// Any OpenAI-compatible chat completions server; it cites nothing.
    OpenAiChat,
    /// Anthropic's Messages API, with its web search tool unless `web_search=off`.
    Anthropic,
    /// The connected MCP client's own model.
    Sampling,
}

impl EngineKind {
    pub const ALL: [EngineKind; 5] = [
        EngineKind::OpenAiResponses,
        EngineKind::Perplexity,
        EngineKind::OpenAiChat,
        EngineKind::Anthropic,
        EngineKind::Sampling,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::OpenAiResponses => "openai-responses",
            EngineKind::Perplexity => "perplexity",
            EngineKind::OpenAiChat => "openai-chat",
            EngineKind::Anthropic => "anthropic",
            EngineKind::Sampling => "sampling",
        }
    }

    fn default_base_url(self) -> &'static str {
        match self {
            EngineKind::OpenAiResponses | EngineKind::OpenAiChat => {
                crate::llm::openai::DEFAULT_BASE_URL
            }
            EngineKind::Perplexity => "https://api.perplexity.ai",
            EngineKind::Anthropic => crate::llm::anthropic::DEFAULT_BASE_URL,
            EngineKind::Sampling => "",
        }
    }

    fn default_model(self) -> &'static str {
        match self {
            EngineKind::OpenAiResponses | EngineKind::OpenAiChat => {
                crate::llm::openai::DEFAULT_MODEL
            }
            EngineKind::Perplexity => "sonar",
            EngineKind::Anthropic => crate::llm::anthropic::DEFAULT_MODEL,
            EngineKind::Sampling => "client",
        }
    }

    fn path(self) -> &'static str {
        match self {
            EngineKind::OpenAiResponses => "/responses",
            EngineKind::Perplexity | EngineKind::OpenAiChat => "/chat/completions",
            EngineKind::Anthropic => "/v1/messages",
            EngineKind::Sampling => "",
        }
    }
}

impl FromStr for EngineKind {
    type Err = String;

    fn from_str(text: &str) -> Result<EngineKind, String> {
        EngineKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = EngineKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown kind {text:?}; the kinds are {}", known.join(", "))
            })
    }
}

/// One `--answer-engine` as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineSpec {
    /// What runs and answers call it: 1 to 32 of a-z, 0-9, `-`, `_`.
    pub name: String,
    pub kind: EngineKind,
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// The environment variable holding the API key; the key itself is never written in a flag.
    pub key_env: Option<String>,
    /// Whether the engine may search the web (the kinds that can); on unless `web_search=off`.
    pub web_search: bool,
}

impl FromStr for EngineSpec {
    type Err = String;

    /// `NAME=KIND[,base_url=URL][,model=M][,key_env=VAR][,web_search=on|off]`.
    fn from_str(text: &str) -> Result<EngineSpec, String> {
        let fail = |why: String| format!("--answer-engine {text:?}: {why}");
        let mut parts = text.trim().split(',');
        let head = parts.next().unwrap_or_default();
        let (name, kind) = head
            .split_once('=')
            .ok_or_else(|| fail("starts with NAME=KIND, such as gpt=openai-responses".into()))?;
        let name = name.trim();
        if name.is_empty()
            || name.len() > 32
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(fail(format!(
                "the name {name:?} must be 1 to 32 of a-z, 0-9, - and _"
            )));
        }
        let kind: EngineKind = kind.trim().parse().map_err(fail)?;
        let mut spec = EngineSpec {
            name: name.to_owned(),
            kind,
            base_url: None,
            model: None,
            key_env: None,
            web_search: true,
        };
        for part in parts {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| fail(format!("{part:?} is not key=value")))?;
            let value = value.trim();
            if value.is_empty() {
                return Err(fail(format!("{key} is empty")));
            }
            match key.trim() {
                "base_url" => {
                    let url = url::Url::parse(value)
                        .map_err(|e| fail(format!("base_url {value:?}: {e}")))?;
                    if !matches!(url.scheme(), "http" | "https") {
                        return Err(fail(format!("base_url {value:?} is not http(s)")));
                    }
                    spec.base_url = Some(value.to_owned());
                }
                "model" => spec.model = Some(value.to_owned()),
                "key_env" => spec.key_env = Some(value.to_owned()),
                "web_search" => {
                    spec.web_search = match value {
                        "on" | "true" => true,
                        "off" | "false" => false,
                        other => {
                            return Err(fail(format!("web_search is on or off, not {other:?}")));
                        }
                    }
                }
                other => {
                    return Err(fail(format!(
                        "unknown setting {other:?}; the settings are base_url, model, key_env, web_search"
                    )));
                }
            }
        }
        if kind == EngineKind::Sampling
            && (spec.base_url.is_some() || spec.model.is_some() || spec.key_env.is_some())
        {
            return Err(fail(
                "a sampling engine is the client's own model: it takes no base_url, model or key_env"
                    .into(),
            ));
        }
        Ok(spec)
    }
}

/// What an engine answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    pub text: String,
    /// The URLs it cited, in order, each once.
    pub citations: Vec<String>,
    pub usage: Usage,
    /// The model that answered, as the engine named it.
    pub model: String,
}

/// One configured engine.
pub struct AnswerEngine {
    pub name: String,
    pub kind: EngineKind,
    pub model: String,
    pub web_search: bool,
    /// `None` for sampling, which is asked through the client.
    endpoint: Option<Endpoint>,
}

impl AnswerEngine {
    /// The engine of `spec`; `key` is the value of its `key_env`.
    pub fn new(
        spec: &EngineSpec,
        key: Option<String>,
        client: reqwest::Client,
        timeout: Duration,
        attempts: u32,
    ) -> AnswerEngine {
        let model = spec
            .model
            .clone()
            .unwrap_or_else(|| spec.kind.default_model().to_owned());
        let endpoint = (spec.kind != EngineKind::Sampling).then(|| {
            let config = LlmConfig {
                provider: Provider::None,
                base_url: spec.base_url.clone(),
                api_key: key,
                model: Some(model.clone()),
                timeout,
                attempts,
            };
            Endpoint::new(
                client,
                &config,
                spec.kind.as_str(),
                spec.kind.default_base_url(),
                spec.kind.path(),
                spec.kind.default_model(),
            )
        });
        AnswerEngine {
            name: spec.name.clone(),
            kind: spec.kind,
            model,
            web_search: spec.web_search,
            endpoint,
        }
    }

    /// Whether this engine's answers can carry citations at all: where they cannot, a citation
    /// share is not measured rather than zero.
    pub fn cites(&self) -> bool {
        match self.kind {
            EngineKind::OpenAiResponses | EngineKind::Anthropic => self.web_search,
            EngineKind::Perplexity => true,
            EngineKind::OpenAiChat | EngineKind::Sampling => false,
        }
    }

    /// Asks `query`, retrying transient failures.
    pub async fn ask(&self, query: &str) -> Result<Answered, LlmError> {
        let Some(endpoint) = &self.endpoint else {
            return Err(LlmError::Decode {
                engine: self.name.clone(),
                message: "a sampling engine is asked through the MCP client".into(),
            });
        };
        let body = self.request(query);
        with_retries(endpoint.attempts, || self.once(endpoint, &body)).await
    }

    fn request(&self, query: &str) -> Value {
        let model = &self.model;
        match self.kind {
            EngineKind::OpenAiResponses => {
                let mut body =
                    json!({"model": model, "input": query, "max_output_tokens": MAX_ANSWER_TOKENS});
                if self.web_search {
                    body["tools"] = json!([{"type": "web_search"}]);
                    body["include"] = json!(["web_search_call.action.sources"]);
                }
                body
            }
            EngineKind::Perplexity | EngineKind::OpenAiChat => json!({
                "model": model,
                "messages": [{"role": "user", "content": query}],
                "max_tokens": MAX_ANSWER_TOKENS,
            }),
            EngineKind::Anthropic | EngineKind::Sampling => {
                let mut body = json!({
                    "model": model,
                    "max_tokens": MAX_ANSWER_TOKENS,
                    "messages": [{"role": "user", "content": query}],
                });
                if self.web_search {
                    body["tools"] = json!([{
                        "type": "web_search_20250305",
                        "name": "web_search",
                        "max_uses": ANTHROPIC_MAX_SEARCHES,
                    }]);
                }
                body
            }
        }
    }

    async fn once(&self, endpoint: &Endpoint, body: &Value) -> Result<Answered, LlmError> {
        let mut request = endpoint.client.post(&endpoint.url).json(body);
        if self.kind == EngineKind::Anthropic {
            request = request.header("anthropic-version", crate::llm::anthropic::VERSION);
            if let Some(key) = &endpoint.api_key {
                request = request.header("x-api-key", key);
            }
        } else if let Some(key) = &endpoint.api_key {
            request = request.bearer_auth(key);
        }
        let answer = endpoint.send(request, error_message).await?;
        let read = match self.kind {
            EngineKind::OpenAiResponses => read_responses(&answer),
            EngineKind::Perplexity => read_chat(&answer, true),
            EngineKind::OpenAiChat => read_chat(&answer, false),
            EngineKind::Anthropic | EngineKind::Sampling => read_messages(&answer),
        };
        let mut answered = read.map_err(|what| endpoint.undecodable(what, &answer.to_string()))?;
        if answered.model.is_empty() {
            answered.model = self.model.clone();
        }
        Ok(answered)
    }
}

/// The provider's words in an error body: `{"error": {"message"}}` (OpenAI, Perplexity) or
/// `{"type": "error", "error": {"type", "message"}}` (Anthropic).
fn error_message(body: &Value) -> Option<String> {
    let message = body["error"]["message"].as_str()?;
    Some(match body["error"]["type"].as_str() {
        Some(kind) if body["type"] == "error" => format!("{kind}: {message}"),
        _ => message.to_owned(),
    })
}

/// Pushes `url` unless it is there already.
fn cite(citations: &mut Vec<String>, url: Option<&str>) {
    if let Some(url) = url.filter(|u| !u.is_empty())
        && !citations.iter().any(|c| c == url)
    {
        citations.push(url.to_owned());
    }
}

fn usage(body: &Value, input: &str, output: &str) -> Usage {
    Usage {
        input_tokens: body["usage"][input].as_u64().unwrap_or(0),
        output_tokens: body["usage"][output].as_u64().unwrap_or(0),
    }
}

fn model(body: &Value) -> String {
    body["model"].as_str().unwrap_or_default().to_owned()
}

/// A Responses API answer: the `output_text` of its messages, cited URLs from their
/// `url_citation` annotations, then the sources of its `web_search_call`s.
fn read_responses(body: &Value) -> Result<Answered, &'static str> {
    let items = body["output"].as_array().ok_or("no output")?;
    let (mut text, mut cited, mut sources) = (String::new(), Vec::new(), Vec::new());
    for item in items {
        match item["type"].as_str() {
            Some("message") => {
                for part in item["content"].as_array().into_iter().flatten() {
                    if part["type"] == "output_text" {
                        text.push_str(part["text"].as_str().unwrap_or_default());
                        for note in part["annotations"].as_array().into_iter().flatten() {
                            if note["type"] == "url_citation" {
                                cite(&mut cited, note["url"].as_str());
                            }
                        }
                    }
                }
            }
            Some("web_search_call") => {
                for source in item["action"]["sources"].as_array().into_iter().flatten() {
                    cite(&mut sources, source["url"].as_str());
                }
            }
            _ => {}
        }
    }
    if text.is_empty() && body["status"] != "completed" {
        return Err("no output_text");
    }
    for source in sources {
        cite(&mut cited, Some(&source));
    }
    Ok(Answered {
        text,
        citations: cited,
        usage: usage(body, "input_tokens", "output_tokens"),
        model: model(body),
    })
}

/// A chat completion; Perplexity's carries `citations` (URLs) and `search_results`.
fn read_chat(body: &Value, citations: bool) -> Result<Answered, &'static str> {
    let text = body["choices"][0]["message"]["content"]
        .as_str()
        .ok_or("no choices[0].message.content")?;
    let mut cited = Vec::new();
    if citations {
        for url in body["citations"].as_array().into_iter().flatten() {
            cite(&mut cited, url.as_str());
        }
        for result in body["search_results"].as_array().into_iter().flatten() {
            cite(&mut cited, result["url"].as_str());
        }
    }
    Ok(Answered {
        text: text.to_owned(),
        citations: cited,
        usage: usage(body, "prompt_tokens", "completion_tokens"),
        model: model(body),
    })
}

/// A Messages API answer: its text blocks, cited URLs from their citations, then the results of
/// its web searches.
fn read_messages(body: &Value) -> Result<Answered, &'static str> {
    let blocks = body["content"].as_array().ok_or("no content blocks")?;
    let (mut text, mut cited, mut results) = (String::new(), Vec::new(), Vec::new());
    for block in blocks {
        match block["type"].as_str() {
            Some("text") => {
                text.push_str(block["text"].as_str().unwrap_or_default());
                for citation in block["citations"].as_array().into_iter().flatten() {
                    cite(&mut cited, citation["url"].as_str());
                }
            }
            Some("web_search_tool_result") => {
                for result in block["content"].as_array().into_iter().flatten() {
                    if result["type"] == "web_search_result" {
                        cite(&mut results, result["url"].as_str());
                    }
                }
            }
            _ => {}
        }
    }
    for result in results {
        cite(&mut cited, Some(&result));
    }
    Ok(Answered {
        text,
        citations: cited,
        usage: usage(body, "input_tokens", "output_tokens"),
        model: model(body),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_with_their_settings_and_refuse_what_is_wrong() {
        let spec: EngineSpec =
            "gpt=openai-responses,base_url=http://127.0.0.1:9/v1,model=gpt-4.1,key_env=OPENAI_KEY"
                .parse()
                .unwrap();
        assert_eq!(spec.name, "gpt");
        assert_eq!(spec.kind, EngineKind::OpenAiResponses);
        assert_eq!(spec.base_url.as_deref(), Some("http://127.0.0.1:9/v1"));
        assert_eq!(spec.model.as_deref(), Some("gpt-4.1"));
        assert_eq!(spec.key_env.as_deref(), Some("OPENAI_KEY"));
        assert!(spec.web_search);
        let off: EngineSpec = "claude=anthropic,web_search=off".parse().unwrap();
        assert!(!off.web_search);
        for (bad, says) in [
            ("gpt", "NAME=KIND"),
            ("GPT=perplexity", "must be 1 to 32"),
            ("x=bard", "the kinds are openai-responses, perplexity"),
            ("x=perplexity,colour=red", "unknown setting \"colour\""),
            ("x=perplexity,base_url=ftp://h/", "not http(s)"),
            ("x=perplexity,model=", "model is empty"),
            ("x=sampling,model=m", "takes no base_url"),
            ("x=anthropic,web_search=maybe", "on or off"),
        ] {
            let error = bad.parse::<EngineSpec>().unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn responses_answers_cite_annotations_then_search_sources() {
        let body = json!({
            "model": "gpt-4.1-2025",
            "status": "completed",
            "output": [
                {"type": "web_search_call", "id": "ws_1", "status": "completed",
                 "action": {"type": "search", "query": "q", "sources": [
                    {"type": "url", "url": "https://b.example/"},
                    {"type": "url", "url": "https://a.example/x"}]}},
                {"type": "message", "role": "assistant", "content": [
                    {"type": "output_text", "text": "Try Acme.", "annotations": [
                        {"type": "url_citation", "start_index": 4, "end_index": 8,
                         "url": "https://a.example/x", "title": "A"}]}]}],
            "usage": {"input_tokens": 12, "output_tokens": 5}
        });
        let answered = read_responses(&body).unwrap();
        assert_eq!(answered.text, "Try Acme.");
        assert_eq!(
            answered.citations,
            ["https://a.example/x", "https://b.example/"]
        );
        assert_eq!(answered.usage.input_tokens, 12);
        assert_eq!(answered.model, "gpt-4.1-2025");
    }

    #[test]
    fn perplexity_cites_and_plain_chat_does_not() {
        let body = json!({
            "model": "sonar",
            "choices": [{"message": {"role": "assistant", "content": "Acme [1]"}}],
            "citations": ["https://a.example/"],
            "search_results": [{"title": "B", "url": "https://b.example/", "date": null}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 4}
        });
        assert_eq!(
            read_chat(&body, true).unwrap().citations,
            ["https://a.example/", "https://b.example/"]
        );
        assert!(read_chat(&body, false).unwrap().citations.is_empty());
        assert!(read_chat(&json!({"choices": []}), true).is_err());
    }

    #[test]
    fn anthropic_answers_cite_their_search_results() {
        let body = json!({
            "model": "claude-x",
            "content": [
                {"type": "server_tool_use", "id": "s1", "name": "web_search", "input": {"query": "q"}},
                {"type": "web_search_tool_result", "tool_use_id": "s1", "content": [
                    {"type": "web_search_result", "url": "https://r.example/", "title": "R",
                     "encrypted_content": "x"}]},
                {"type": "text", "text": "Acme is good.", "citations": [
                    {"type": "web_search_result_location", "url": "https://c.example/",
                     "title": "C", "cited_text": "…", "encrypted_index": "x"}]}],
            "usage": {"input_tokens": 7, "output_tokens": 9}
        });
        let answered = read_messages(&body).unwrap();
        assert_eq!(answered.text, "Acme is good.");
        assert_eq!(
            answered.citations,
            ["https://c.example/", "https://r.example/"]
        );
        assert_eq!(answered.usage.output_tokens, 9);
    }

    #[test]
    fn error_bodies_read_in_each_providers_words() {
        assert_eq!(
            error_message(
                &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
            )
            .as_deref(),
            Some("overloaded_error: Overloaded")
        );
        assert_eq!(
            error_message(&json!({"error": {"message": "Invalid model", "type": "invalid_model"}}))
                .as_deref(),
            Some("Invalid model")
        );
    }
}
