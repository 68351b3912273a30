//! A local server speaking the answer engines' wire formats as their providers document them:
//! OpenAI's Responses API (`web_search_call` items with `action.sources`, `output_text` with
//! `url_citation` annotations), Perplexity's chat completions (`citations`, `search_results`),
//! Anthropic's Messages API with the web search tool (`server_tool_use`,
//! `web_search_tool_result`, text blocks with `web_search_result_location` citations) and a
//! plain OpenAI-compatible chat server, each checking its own key header and answering its own
//! error bodies.
//!
//! What an engine says depends on the query only (and on [`FakeEngines::improve`]), the same
//! for every engine, so a test knows each figure in advance.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use super::receiver::{Answer, Received, Receiver};

pub const OPENAI_KEY: &str = "sk-fixture-openai-0123456789";
pub const PERPLEXITY_KEY: &str = "pplx-fixture-0123456789";
pub const ANTHROPIC_KEY: &str = "sk-ant-fixture-0123456789";

/// The brand the fixtures talk about, its site and its competitors.
pub const BRAND: &str = "Café Noir";
pub const DOMAIN: &str = "cafenoir.example";
pub const COMPETITORS: [&str; 2] = ["Blue Bottle", "Acme Coffee"];

/// What the engines say to a query: the text and the URLs they cite.
fn said(query: &str, improved: bool) -> (String, Vec<&'static str>) {
    if query.contains("beans") {
        (
            "For specialty beans, Blue Bottle is popular, and Café Noir roasts weekly. \
             Café Noir ships fast."
                .into(),
            vec![
                "https://www.cafenoir.example/beans",
                "https://review.example/best-beans",
            ],
        )
    } else if query.contains("subscription") {
        (
            "Try CAFE NOIR's subscription club, or Acme Coffee.".into(),
            vec!["https://review.example/subs"],
        )
    } else if improved {
        (
            "Cafe Noir first, then Blue Bottle and Acme Coffee.".into(),
            vec!["https://blog.cafenoir.example/guide"],
        )
    } else {
        (
            "Blue Bottle and Acme Coffee are common picks; cafénoirish blends are a trend.".into(),
            vec!["https://review.example/"],
        )
    }
}

fn words(text: &str) -> u64 {
    text.split_whitespace().count() as u64
}

pub struct FakeEngines {
    pub receiver: Receiver,
    improved: Arc<AtomicBool>,
}

impl FakeEngines {
    pub async fn start() -> FakeEngines {
        let improved = Arc::new(AtomicBool::new(false));
        let flag = improved.clone();
        let receiver =
            Receiver::start(move |log: &[Received]| answer(log, flag.load(Ordering::SeqCst))).await;
        FakeEngines { receiver, improved }
    }

    /// From now on the brand is named in answers that did not name it.
    pub fn improve(&self) {
        self.improved.store(true, Ordering::SeqCst);
    }

    /// `--answer-engine` flags for the four kinds this server speaks, named gpt, sonar, claude
    /// and local.
    pub fn args(&self) -> Vec<String> {
        let base = &self.receiver.base;
        [
            format!("gpt=openai-responses,base_url={base}/openai/v1,model=gpt-fixture,key_env=FIXTURE_OPENAI_KEY"),
            format!("sonar=perplexity,base_url={base}/perplexity,key_env=FIXTURE_PERPLEXITY_KEY"),
            format!("claude=anthropic,base_url={base}/anthropic,model=claude-fixture,key_env=FIXTURE_ANTHROPIC_KEY"),
            format!("local=openai-chat,base_url={base}/local/v1,model=llama-fixture"),
        ]
        .into_iter()
        .flat_map(|spec| ["--answer-engine".to_owned(), spec])
        .collect()
    }

    /// The environment the flags' key_env names.
    pub fn env() -> [(&'static str, &'static str); 3] {
        [
            ("FIXTURE_OPENAI_KEY", OPENAI_KEY),
            ("FIXTURE_PERPLEXITY_KEY", PERPLEXITY_KEY),
            ("FIXTURE_ANTHROPIC_KEY", ANTHROPIC_KEY),
        ]
    }

    /// Requests whose path starts with `prefix`.
    pub fn requests(&self, prefix: &str) -> Vec<Received> {
        self.receiver
            .received()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix))
            .collect()
    }
}

fn openai_error(status: u16, message: &str, kind: &str, code: &str) -> Answer {
    Answer::json(
        status,
        json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
    )
}

/// How many earlier requests carried the same body: a retry of this one.
fn tries(log: &[Received]) -> usize {
    let last = log.last().unwrap();
    log.iter().filter(|r| r.body == last.body).count()
}

fn answer(log: &[Received], improved: bool) -> Answer {
    let request = log.last().unwrap();
    let body = request.json();
    let path = request.path.as_str();
    if path == "/openai/v1/responses" {
        if request.header("authorization") != format!("Bearer {OPENAI_KEY}") {
            return openai_error(
                401,
                "Incorrect API key provided.",
                "invalid_request_error",
                "invalid_api_key",
            );
        }
        let query = body["input"].as_str().unwrap_or_default();
        if query.contains("flaky") && tries(log) == 1 {
            return openai_error(
                429,
                "Rate limit reached for requests",
                "requests",
                "rate_limit_exceeded",
            )
            .with_header("retry-after", "0");
        }
        let (text, cites) = said(query, improved);
        let searched = body["tools"][0]["type"] == "web_search"
            && body["include"][0] == "web_search_call.action.sources";
        let mut output = Vec::new();
        if searched {
            output.push(json!({
                "type": "web_search_call", "id": "ws_fixture", "status": "completed",
                "action": {"type": "search", "query": query,
                           "sources": cites.iter().map(|u| json!({"type": "url", "url": u})).collect::<Vec<_>>()}
            }));
        }
        output.push(json!({
            "type": "message", "id": "msg_fixture", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": text,
                         "annotations": if searched { vec![json!({"type": "url_citation", "start_index": 0,
                            "end_index": 10, "url": cites[0], "title": "Source"})] } else { vec![] }}]
        }));
        return Answer::json(
            200,
            json!({
                "id": "resp_fixture", "object": "response", "status": "completed",
                "model": "gpt-fixture-2026-01-01", "output": output,
                "usage": {"input_tokens": words(query), "output_tokens": words(&text), "total_tokens": words(query) + words(&text)}
            }),
        );
    }
    if path == "/perplexity/chat/completions" {
        if request.header("authorization") != format!("Bearer {PERPLEXITY_KEY}") {
            return openai_error(401, "Invalid API key", "invalid_api_key", "401");
        }
        if body["model"] != "sonar" {
            return openai_error(
                400,
                &format!("Invalid model '{}'", body["model"]),
                "invalid_model",
                "400",
            );
        }
        let query = body["messages"][0]["content"].as_str().unwrap_or_default();
        let (text, cites) = said(query, improved);
        return Answer::json(
            200,
            json!({
                "id": "pplx-fixture", "model": "sonar", "object": "chat.completion", "created": 1,
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "citations": cites,
                "search_results": cites.iter().map(|u| json!({"title": "Result", "url": u, "date": null})).collect::<Vec<_>>(),
                "usage": {"prompt_tokens": words(query), "completion_tokens": words(&text), "total_tokens": 0}
            }),
        );
    }
    if path == "/anthropic/v1/messages" {
        if request.header("x-api-key") != ANTHROPIC_KEY {
            return Answer::json(
                401,
                json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
            );
        }
        if request.header("anthropic-version") != "2023-06-01" {
            return Answer::json(
                400,
                json!({"type": "error", "error": {"type": "invalid_request_error", "message": "anthropic-version header is required"}}),
            );
        }
        let query = body["messages"][0]["content"].as_str().unwrap_or_default();
        if query.contains("overloaded") {
            return Answer::json(
                529,
                json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
            );
        }
        let (text, cites) = said(query, improved);
        let searched = body["tools"][0]["type"] == "web_search_20250305";
        let mut content = Vec::new();
        if searched {
            content.push(json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": query}}));
            content.push(json!({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
                "content": cites.iter().map(|u| json!({"type": "web_search_result", "url": u, "title": "R", "encrypted_content": "e", "page_age": null})).collect::<Vec<_>>()}));
        }
        content.push(json!({"type": "text", "text": text,
            "citations": if searched { vec![json!({"type": "web_search_result_location", "url": cites[0], "title": "R", "encrypted_index": "e", "cited_text": "…"})] } else { vec![] }}));
        return Answer::json(
            200,
            json!({
                "id": "msg_fixture", "type": "message", "role": "assistant", "model": "claude-fixture",
                "content": content, "stop_reason": "end_turn",
                "usage": {"input_tokens": words(query), "output_tokens": words(&text),
                          "server_tool_use": {"web_search_requests": u64::from(searched)}}
            }),
        );
    }
    if path == "/local/v1/chat/completions" {
        let query = body["messages"][0]["content"].as_str().unwrap_or_default();
        let (text, _) = said(query, improved);
        return Answer::json(
            200,
            json!({
                "id": "chatcmpl-fixture", "object": "chat.completion", "model": "llama-fixture",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": words(query), "completion_tokens": words(&text)}
            }),
        );
    }
    Answer::json(
        404,
        json!({"error": {"message": format!("no route {path}")}}),
    )
}

/// Checks that the figure at `pointer` of `value` is `expected` to three decimals.
pub fn assert_figure(value: &Value, pointer: &str, expected: f64) {
    let found = value
        .pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{pointer} missing in {value}"));
    assert!(
        (found - expected).abs() < 0.0005,
        "{pointer} is {found}, not {expected}, in {value}"
    );
}
