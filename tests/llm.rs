//! The language-model engines against local servers that speak the OpenAI Chat Completions and
//! Anthropic Messages wire formats (request fields, response bodies, error bodies, 429 with
//! `Retry-After`), the client's own model through MCP sampling, and the offline answer.

mod common;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::sampling::Model;
use common::site::{self, SITE_NETWORK};
use common::{Server, client, post};
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

/// A request the provider received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: hyper::HeaderMap,
    body: Value,
    at: Instant,
}

/// A provider that answers from a script, one reply per request (the last one repeats).
struct Provider {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Reply = (u16, Vec<(&'static str, &'static str)>, Value);

async fn provider(script: Vec<Reply>) -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let script = Arc::new(Mutex::new(script));
    let log = seen.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (log, script) = (log.clone(), script.clone());
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                        let (log, script) = (log.clone(), script.clone());
                        async move {
                            let (parts, body) = req.into_parts();
                            let bytes = body.collect().await.unwrap().to_bytes();
                            // The status page's probe lists the models; it is tested in
                            // tests/status.rs and is no part of these scripts.
                            if parts.method == hyper::Method::GET
                                && parts.uri.path().ends_with("/models")
                            {
                                return Ok::<_, Infallible>(
                                    Response::builder()
                                        .header("content-type", "application/json")
                                        .body(Full::new(Bytes::from(
                                            r#"{"object":"list","data":[]}"#,
                                        )))
                                        .unwrap(),
                                );
                            }
                            log.lock().unwrap().push(Seen {
                                path: parts.uri.path().to_owned(),
                                headers: parts.headers,
                                body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                                at: Instant::now(),
                            });
                            let (status, headers, body) = {
                                let mut script = script.lock().unwrap();
                                if script.len() > 1 {
                                    script.remove(0)
                                } else {
                                    script[0].clone()
                                }
                            };
                            let mut response = Response::builder()
                                .status(status)
                                .header("content-type", "application/json");
                            for (name, value) in headers {
                                response = response.header(name, value);
                            }
                            Ok::<_, Infallible>(
                                response
                                    .body(Full::new(Bytes::from(body.to_string())))
                                    .unwrap(),
                            )
                        }
                    });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Provider { base, seen, task }
}

fn openai_answer(text: &str) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1764000000, "model": "gpt-test-0601",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
    })
}

fn anthropic_answer(text: &str) -> Value {
    json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
        "usage": {"input_tokens": 200, "output_tokens": 40}
    })
}

/// A server with the fixture brand onboarded.
async fn onboarded(extra: &[&str]) -> (Server, site::Site) {
    let site = site::serve("good").await;
    let mut args = vec!["--allow-fetch-network", SITE_NETWORK];
    args.extend_from_slice(extra);
    let server = Server::start(&args);
    let (status, _) = post(
        &server,
        &format!("/api/onboard/{}/auto-extract", server.customer_id),
        json!({"url": site.url("/"), "maxPages": 1}),
    )
    .await;
    assert_eq!(status, 200);
    (server, site)
}

const QUESTION: &str = "What should we fix first on our home page?";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openai_compatible_servers_get_the_brand_voice_and_are_retried_on_429() {
    let mock = provider(vec![
        (429, vec![("retry-after", "1")], json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}})),
        (200, vec![], openai_answer("Fix the title first [brand-v1].")),
    ])
    .await;
    let base = format!("{}/v1", mock.base);
    let (server, _site) = onboarded(&[
        "--llm",
        "openai",
        "--llm-base-url",
        &base,
        "--llm-api-key",
        "sk-test-secret",
        "--llm-model",
        "gpt-test",
    ])
    .await;
    let (status, out) = post(&server, "/api/tools/ask_cmo", json!({"question": QUESTION})).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["answer"], "Fix the title first [brand-v1].");
    assert_eq!(out["engine"], "openai/gpt-test-0601");
    assert_eq!(
        out["usage"],
        json!({"inputTokens": 120, "outputTokens": 30})
    );
    assert_eq!(out["sources"][0]["id"], "brand-v1");

    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one 429, then the retry");
    assert!(
        seen[1].at - seen[0].at >= Duration::from_millis(950),
        "Retry-After was honoured"
    );
    let request = &seen[1];
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.headers["authorization"], "Bearer sk-test-secret");
    assert_eq!(request.body["model"], "gpt-test");
    assert_eq!(request.body["max_tokens"], 1200);
    let messages = request.body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    let system = messages[0]["content"].as_str().unwrap();
    assert!(system.contains("# The brand: Acme Trail"), "{system}");
    assert!(system.contains("# Voice"), "{system}");
    assert_eq!(messages[1]["role"], "user");
    assert!(messages[1]["content"].as_str().unwrap().ends_with(QUESTION));
    assert!(
        !server.stderr().contains("sk-test-secret"),
        "the API key reached the logs"
    );

    // The tokens are counted for the customer.
    let usage: Value = client()
        .get(server.url(&format!("/api/usage/{}", server.customer_id)))
        .bearer_auth(&server.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        usage["totals"],
        json!({"calls": 1, "inputTokens": 120, "outputTokens": 30})
    );
    assert_eq!(usage["days"][0]["engine"], "openai/gpt-test-0601");

    // A customer who prefers offline gets offline for `auto`, without a request to the model.
    let response = client()
        .put(server.url(&format!("/api/customer/{}/engine", server.customer_id)))
        .bearer_auth(&server.key)
        .json(&json!({"engine": "offline"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (_, out) = post(&server, "/api/tools/ask_cmo", json!({"question": QUESTION})).await;
    assert_eq!(out["engine"], "offline");
    assert_eq!(
        mock.seen.lock().unwrap().len(),
        2,
        "no further request reached the model"
    );
    let (_, out) = post(
        &server,
        "/api/tools/ask_cmo",
        json!({"question": QUESTION, "engine": "server"}),
    )
    .await;
    assert_eq!(
        out["engine"], "openai/gpt-test-0601",
        "a call that names an engine gets it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anthropic_gets_its_headers_and_is_retried_when_overloaded() {
    let mock = provider(vec![
        (529, vec![], json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})),
        (200, vec![], anthropic_answer("Start with the meta description.")),
    ])
    .await;
    let (server, _site) = onboarded(&[
        "--llm",
        "anthropic",
        "--llm-base-url",
        &mock.base,
        "--llm-api-key",
        "sk-ant-secret",
        "--llm-model",
        "claude-test",
    ])
    .await;
    let (status, out) = post(&server, "/api/tools/ask_cmo", json!({"question": QUESTION})).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["answer"], "Start with the meta description.");
    assert_eq!(out["engine"], "anthropic/claude-test");
    assert_eq!(
        out["usage"],
        json!({"inputTokens": 200, "outputTokens": 40})
    );
    let seen = mock.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let request = &seen[1];
    assert_eq!(request.path, "/v1/messages");
    assert_eq!(request.headers["x-api-key"], "sk-ant-secret");
    assert_eq!(request.headers["anthropic-version"], "2023-06-01");
    assert_eq!(request.body["model"], "claude-test");
    assert!(
        request.body["system"]
            .as_str()
            .unwrap()
            .contains("Acme Trail")
    );
    assert_eq!(request.body["messages"][0]["role"], "user");
    assert!(!server.stderr().contains("sk-ant-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_errors_are_reported_and_not_retried_when_permanent() {
    let mock = provider(vec![(401, vec![], json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}))]).await;
    let (server, _site) = onboarded(&[
        "--llm",
        "anthropic",
        "--llm-base-url",
        &mock.base,
        "--llm-api-key",
        "wrong",
    ])
    .await;
    let (status, out) = post(&server, "/api/tools/ask_cmo", json!({"question": QUESTION})).await;
    assert_eq!(status, 502, "{out}");
    assert_eq!(out["code"], "E_LLM_FAILED");
    assert!(
        out["error"]
            .as_str()
            .unwrap()
            .contains("authentication_error: invalid x-api-key"),
        "{out}"
    );
    assert_eq!(mock.seen.lock().unwrap().len(), 1);

    // Server errors are retried up to --llm-attempts, then reported.
    let failing = provider(vec![(
        500,
        vec![],
        json!({"error": {"message": "boom", "type": "server_error"}}),
    )])
    .await;
    let base = format!("{}/v1", failing.base);
    let (server, _site) = onboarded(&[
        "--llm",
        "openai",
        "--llm-base-url",
        &base,
        "--llm-attempts",
        "2",
    ])
    .await;
    let (status, out) = post(&server, "/api/tools/ask_cmo", json!({"question": QUESTION})).await;
    assert_eq!((status, out["code"].as_str()), (502, Some("E_LLM_FAILED")));
    assert!(
        out["error"].as_str().unwrap().contains("HTTP 500: boom"),
        "{out}"
    );
    assert_eq!(failing.seen.lock().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_model_the_answer_is_offline_labelled_and_deterministic() {
    let (server, site) = onboarded(&[]).await;
    let (status, _) = post(&server, "/api/scan", json!({"url": site.url("/")})).await;
    assert_eq!(status, 200);
    let (status, first) = post(
        &server,
        "/api/tools/ask_cmo",
        json!({"question": "Is our site served over https?"}),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["engine"], "offline");
    let answer = first["answer"].as_str().unwrap();
    assert!(
        answer.starts_with("No language model is available"),
        "{answer}"
    );
    assert!(answer.contains("Page is served over HTTPS"), "{answer}");
    assert!(answer.contains("Acme Trail"), "{answer}");
    let (_, second) = post(
        &server,
        "/api/tools/ask_cmo",
        json!({"question": "Is our site served over https?"}),
    )
    .await;
    assert_eq!(first, second);
    let (status, refused) = post(
        &server,
        "/api/tools/ask_cmo",
        json!({"question": "Hi", "engine": "server"}),
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (409, Some("E_UNSUPPORTED"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_answers_route_the_question_to_the_records_that_answer_it() {
    let (server, site) = onboarded(&[]).await;
    let other = site::serve("bad").await;
    // The brand's home page, and three audits that are not its problems: another site, a 404
    // and a sitemap.
    for url in [
        site.url("/"),
        other.url("/"),
        site.url("/missing.html"),
        site.url("/sitemap.xml"),
    ] {
        for path in ["/api/scan", "/api/tools/cro_audit"] {
            let (status, body) = post(&server, path, json!({"url": url})).await;
            assert_eq!(status, 200, "{path} {url}: {body}");
        }
    }
    let ask = |question: &'static str| {
        let server = &server;
        async move {
            let (status, out) = post(
                server,
                "/api/tools/ask_cmo",
                json!({"question": question, "engine": "offline"}),
            )
            .await;
            assert_eq!(status, 200, "{out}");
            assert_eq!(out["engine"], "offline");
            assert!(
                out["brief"].as_str().unwrap().contains("[brand-v1]"),
                "{out}"
            );
            out["answer"].as_str().unwrap().to_owned()
        }
    };
    let audience = ask("Who is our target audience?").await;
    let pricing = ask("How clear is our pricing?").await;
    let competitors = ask("How do we compare with competitors?").await;
    let fixes = ask("What should we fix first for SEO?").await;
    let weather = ask("What will the weather be in Oslo tomorrow?").await;
    let answers = [&audience, &pricing, &competitors, &fixes, &weather];
    for (i, a) in answers.iter().enumerate() {
        for b in &answers[i + 1..] {
            assert_ne!(a, b, "two questions, one answer");
        }
    }
    assert!(audience.contains("\nAudience:\n"), "{audience}");
    assert!(!audience.contains("What to fix"), "{audience}");
    assert!(
        pricing.contains("Pricing page: ") && pricing.contains("/pricing.html"),
        "{pricing}"
    );
    assert!(competitors.contains(&other.url("/")), "{competitors}");
    assert!(competitors.contains("another site"), "{competitors}");
    assert!(
        weather.contains("Nothing stored answers this question"),
        "{weather}"
    );
    // The brand's problems come from its own pages only.
    assert!(fixes.contains("Search and AI visibility"), "{fixes}");
    for foreign in [
        other.url("/"),
        site.url("/missing.html"),
        site.url("/sitemap.xml"),
    ] {
        assert!(!fixes.contains(&foreign), "{foreign} in {fixes}");
    }
    assert!(fixes.contains(&site.url("/")), "{fixes}");
}

/// A client whose model answers every sampling request with the same advice.
fn model() -> Model {
    Model::new("client-model-7", |_| "Tighten the headline.")
}

/// The system prompts the model got.
fn system_prompts(model: &Model) -> Vec<String> {
    model
        .asked()
        .into_iter()
        .map(|(_, system)| system.unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_offers_sampling_writes_the_answer_itself() {
    let (server, _site) = onboarded(&[]).await;
    let model = model();
    let transport = common::mcp_transport(server.url("/mcp"), server.key.clone());
    let client = model.clone().serve(transport).await.unwrap();
    let mut params = CallToolRequestParams::new("ask_cmo");
    params.arguments = json!({"question": QUESTION}).as_object().cloned();
    let result = client.call_tool(params).await.unwrap();
    let out = result.structured_content.unwrap();
    assert_eq!(out["answer"], "Tighten the headline.");
    assert_eq!(out["engine"], "sampling/client-model-7");
    let prompts = system_prompts(&model);
    assert_eq!(prompts.len(), 1);
    assert!(
        prompts[0].contains("# The brand: Acme Trail"),
        "{}",
        prompts[0]
    );
    client.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_2026_generation_sampling_is_a_round_trip_the_client_drives() {
    let (server, _site) = onboarded(&[]).await;
    let model = model();
    let client = common::discover(model.clone(), &server).await;
    let mut params = CallToolRequestParams::new("ask_cmo");
    params.arguments = json!({"question": QUESTION}).as_object().cloned();
    let result = client.call_tool(params).await.unwrap();
    let out = result.structured_content.unwrap();
    assert_eq!(out["engine"], "sampling/client-model-7", "{out}");
    assert_eq!(out["answer"], "Tighten the headline.");
    assert!(system_prompts(&model)[0].contains("Acme Trail"));
    client.cancel().await.unwrap();
    // Two calls reached the tool: the round that asked the client, then the one that finished.
    let events: Value = client_events(&server, "ask_cmo").await;
    assert_eq!(events, json!(["success", "input_required"]));
}

/// The outcomes of a tool's calls, newest first.
async fn client_events(server: &Server, tool: &str) -> Value {
    let log: Value = client()
        .get(server.url(&format!(
            "/api/events/{}?type=tool.called",
            server.customer_id
        )))
        .bearer_auth(&server.key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["data"]["tool"] == tool)
        .map(|e| e["data"]["outcome"].clone())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_writes_content_that_is_read_and_checked() {
    let written = json!({
        "title": "Waterproof hiking boots: how to choose",
        "metaDescription": "How to choose waterproof hiking boots that last: fit, leather, soles and care, explained by Acme Trail.",
        "outline": ["Fit first", "Leather and soles"],
        "body": "Waterproof hiking boots keep you dry for years when they fit.\n\n## Fit first\n\nTry them in the afternoon.\n\n## Leather and soles\n\nFull-grain leather and Vibram soles last."
    });
    let mock = provider(vec![(
        200,
        vec![],
        openai_answer(&format!("Here you go:\n{written}")),
    )])
    .await;
    let base = format!("{}/v1", mock.base);
    let (server, _site) = onboarded(&[
        "--llm",
        "openai",
        "--llm-base-url",
        &base,
        "--llm-model",
        "gpt-test",
    ])
    .await;
    let (status, item) = post(
        &server,
        &format!("/api/content/{}", server.customer_id),
        json!({"topic": "choosing waterproof hiking boots", "format": "blog", "keywords": ["waterproof hiking boots"], "length": 60}),
    )
    .await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["engine"], "openai/gpt-test-0601");
    assert_eq!(item["title"], "Waterproof hiking boots: how to choose");
    assert_eq!(item["slug"], "waterproof-hiking-boots-how-to-choose");
    assert_eq!(item["outline"], json!(["Fit first", "Leather and soles"]));
    assert_eq!(item["usage"]["outputTokens"], 30);
    let passed = |id: &str| {
        item["seo"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()["passed"]
            .clone()
    };
    assert_eq!(passed("content.keyword-in-title"), json!(true));
    assert_eq!(passed("content.keyword-early"), json!(true));
    assert_eq!(passed("seo.meta-description-length"), json!(true));
    let seen = mock.seen.lock().unwrap().clone();
    let prompt = seen[0].body["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        prompt.contains("about: choosing waterproof hiking boots"),
        "{prompt}"
    );
    assert!(
        prompt.contains("Keywords to use naturally: waterproof hiking boots"),
        "{prompt}"
    );
    assert!(
        seen[0].body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("# The brand: Acme Trail")
    );
}
