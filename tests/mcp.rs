//! MCP on all three transports with real clients: rmcp's client over Streamable HTTP (both
//! protocol generations) and over stdio (a child process), and a legacy-SSE client. The same
//! tools, schemas and results must come back everywhere.

mod common;

use std::collections::HashMap;

use common::{Server, SseClient, client, tool_names};
use rmcp::model::{CallToolRequestParams, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RunningService};
use rmcp::transport::{ConfigureCommandExt, StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

type Client = RunningService<RoleClient, ()>;

fn transport(server: &Server, key: &str) -> StreamableHttpClientTransport<reqwest::Client> {
    common::mcp_transport(server.url("/mcp"), key)
}

async fn handshake_client(server: &Server) -> Client {
    ().serve(transport(server, &server.key))
        .await
        .expect("initialize over Streamable HTTP")
}

async fn discover_client(server: &Server) -> Client {
    ().serve_with_lifecycle(
        transport(server, &server.key),
        ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        },
    )
    .await
    .expect("server/discover over Streamable HTTP")
}

fn call(name: &str, arguments: Value) -> CallToolRequestParams {
    let mut params = CallToolRequestParams::new(name.to_owned());
    params.arguments = arguments.as_object().cloned();
    params
}

/// The tool list as a comparable value: name to (input schema, output schema).
fn schemas(tools: &[rmcp::model::Tool]) -> HashMap<String, (Value, Value)> {
    tools
        .iter()
        .map(|t| {
            let input = Value::Object((*t.input_schema).clone());
            let output = t
                .output_schema
                .as_ref()
                .map(|s| Value::Object((**s).clone()))
                .unwrap_or(Value::Null);
            (t.name.to_string(), (input, output))
        })
        .collect()
}

#[tokio::test]
async fn streamable_http_handshake_generation() {
    let server = Server::start(&[]);
    let client = handshake_client(&server).await;
    let info = client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().unwrap().name, "heycmo");
    assert_eq!(
        info.protocol_version,
        ProtocolVersion::LATEST_WITH_INITIALIZE
    );
    assert!(info.capabilities.tools.is_some() && info.capabilities.logging.is_some());

    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, tool_names());
    let get_account = tools.iter().find(|t| t.name == "get_account").unwrap();
    assert!(get_account.output_schema.is_some());
    assert_eq!(
        get_account.annotations.as_ref().unwrap().read_only_hint,
        Some(true)
    );

    let result = client
        .call_tool(call("get_account", json!({})))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false));
    let account = result.structured_content.expect("structured content");
    assert_eq!(account["id"], server.customer_id);
    let text = result.content[0]
        .as_text()
        .expect("a text rendering")
        .text
        .clone();
    assert!(text.contains(&server.customer_id), "{text}");

    // Bad input is a tool error the model can read, with the REST error body as its text.
    let bad = client
        .call_tool(call("list_events", json!({"limit": 0})))
        .await
        .unwrap();
    assert_eq!(bad.is_error, Some(true));
    let body: Value = serde_json::from_str(&bad.content[0].as_text().unwrap().text).unwrap();
    assert_eq!(body["code"], "E_INVALID_INPUT");
    assert!(body["requestId"].as_str().is_some_and(|r| !r.is_empty()));

    // An unknown tool is a protocol error.
    let unknown = client.call_tool(call("no_such_tool", json!({}))).await;
    assert!(unknown.is_err(), "{unknown:?}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn streamable_http_2026_generation_without_handshake() {
    let server = Server::start(&[]);
    let client = discover_client(&server).await;
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), tool_names().len());
    let result = client
        .call_tool(call("get_account", json!({})))
        .await
        .unwrap();
    assert_eq!(result.structured_content.unwrap()["id"], server.customer_id);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn stdio_serves_the_same_registry() {
    let server = Server::start(&[]);
    let db = server.db();
    let command = tokio::process::Command::new(env!("CARGO_BIN_EXE_heycmo")).configure(|cmd| {
        cmd.arg("stdio")
            .arg("--db")
            .arg(&db)
            .arg("--public-url")
            .arg(&server.base)
            .env("HEYCMO_LOG", "debug");
    });
    let child = TokioChildProcess::builder(command)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
        .0;
    let stdio = ().serve(child).await.expect("initialize over stdio");
    let http = handshake_client(&server).await;
    assert_eq!(
        schemas(&stdio.list_all_tools().await.unwrap()),
        schemas(&http.list_all_tools().await.unwrap()),
        "stdio and Streamable HTTP publish the same tools and schemas"
    );
    // stdio acts as the local customer, the same one the server printed.
    let a = stdio
        .call_tool(call("get_account", json!({})))
        .await
        .unwrap()
        .structured_content
        .unwrap();
    let b = http
        .call_tool(call("get_account", json!({})))
        .await
        .unwrap()
        .structured_content
        .unwrap();
    assert_eq!(a, b);

    // The 2026-07-28 generation works on stdio too.
    let command = tokio::process::Command::new(env!("CARGO_BIN_EXE_heycmo")).configure(|cmd| {
        cmd.arg("stdio")
            .arg("--db")
            .arg(&db)
            .env("HEYCMO_PUBLIC_URL", &server.base);
    });
    let child = TokioChildProcess::builder(command)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
        .0;
    let modern = ()
        .serve_with_lifecycle(
            child,
            ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("server/discover over stdio");
    let c = modern
        .call_tool(call("get_account", json!({})))
        .await
        .unwrap()
        .structured_content
        .unwrap();
    assert_eq!(a, c);
    stdio.cancel().await.unwrap();
    modern.cancel().await.unwrap();
    http.cancel().await.unwrap();
}

#[tokio::test]
async fn legacy_sse_serves_the_same_tools_and_results() {
    let server = Server::start(&[]);
    let mut sse = SseClient::connect(
        &server.base,
        &server.url(&format!("/mcp/sse?token={}", server.key)),
    )
    .await;
    assert!(
        sse.endpoint.starts_with("/mcp/message?sessionId="),
        "{}",
        sse.endpoint
    );
    let init = sse.initialize().await;
    assert_eq!(init["result"]["protocolVersion"], "2024-11-05");
    assert_eq!(init["result"]["serverInfo"]["name"], "heycmo");

    let listed = sse.request("tools/list", json!({})).await;
    let http = handshake_client(&server).await;
    let tools: Vec<rmcp::model::Tool> =
        serde_json::from_value(listed["result"]["tools"].clone()).unwrap();
    assert_eq!(
        schemas(&tools),
        schemas(&http.list_all_tools().await.unwrap())
    );

    let called = sse
        .request(
            "tools/call",
            json!({"name": "get_account", "arguments": {}}),
        )
        .await;
    let over_http = http
        .call_tool(call("get_account", json!({})))
        .await
        .unwrap();
    assert_eq!(
        called["result"]["structuredContent"],
        over_http.structured_content.unwrap()
    );
    assert_eq!(called["result"]["isError"], false);

    // The session records its calls under the SSE surface.
    let events = sse
        .request(
            "tools/call",
            json!({"name": "list_events", "arguments": {"limit": 5}}),
        )
        .await;
    let surfaces: Vec<&str> = events["result"]["structuredContent"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["data"]["surface"].as_str())
        .collect();
    assert!(
        surfaces.contains(&"mcp-sse") && surfaces.contains(&"mcp-streamable-http"),
        "{surfaces:?}"
    );
    http.cancel().await.unwrap();
}

#[tokio::test]
async fn legacy_sse_sessions_and_auth() {
    let server = Server::start(&[]);
    let http = client();
    // No token: 401 in the error format.
    let r = http.get(server.url("/mcp/sse")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "E_AUTH_REQUIRED");

    // Unknown session: 400 with the hosted API's text.
    let r = http
        .post(server.url("/mcp/message?sessionId=nope"))
        .json(&json!({"jsonrpc": "2.0", "method": "ping", "id": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "Session not found — reconnect to /mcp/sse");
    assert_eq!(body["code"], "E_SESSION_NOT_FOUND");

    // The header works as well as ?token=; another customer's key cannot post to the session.
    let mut sse =
        SseClient::connect_with(&server.base, &server.url("/mcp/sse"), Some(&server.key)).await;
    assert_eq!(
        sse.initialize().await["result"]["serverInfo"]["name"],
        "heycmo"
    );
    drop(sse);
    let mut sse = {
        let url = server.url(&format!("/mcp/sse?token={}", server.key));
        SseClient::connect(&server.base, &url).await
    };
    let (_, other_key) = server.create_customer("intruder@example.com");
    let r = http
        .post(format!("{}{}", server.base, sse.endpoint))
        .bearer_auth(&other_key)
        .json(&json!({"jsonrpc": "2.0", "method": "ping", "id": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Malformed messages are refused without harming the session.
    let r = http
        .post(format!("{}{}", server.base, sse.endpoint))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        sse.initialize().await["result"]["serverInfo"]["name"],
        "heycmo"
    );

    // Closing the stream ends the session.
    let endpoint = sse.endpoint.clone();
    drop(sse);
    let mut gone = false;
    for _ in 0..50 {
        let r = http
            .post(format!("{}{endpoint}", server.base))
            .json(&json!({"jsonrpc": "2.0", "method": "ping", "id": 9}))
            .send()
            .await
            .unwrap();
        if r.status() == 400 {
            gone = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(gone, "the session outlived its stream");
}

#[tokio::test]
async fn streamable_http_auth_sessions_and_dns_rebinding() {
    let server = Server::start(&[]);
    let http = client();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let post = |key: Option<&str>,
                host: Option<&str>,
                origin: Option<&str>,
                session: Option<&str>,
                body: &Value| {
        let mut request = http
            .post(server.url("/mcp"))
            .header("accept", "application/json, text/event-stream")
            .json(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(host) = host {
            request = request.header("host", host);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(session) = session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-06-18");
        }
        request.send()
    };
    let r = post(None, None, None, None, &init).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "E_AUTH_REQUIRED");
    let r = post(Some(&server.key), Some("evil.example"), None, None, &init)
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a foreign Host is refused");
    let r = post(
        Some(&server.key),
        None,
        Some("https://evil.example"),
        None,
        &init,
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 403, "a foreign Origin is refused");
    let r = post(Some(&server.key), None, Some(&server.base), None, &init)
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "our own origin is accepted");

    // A session belongs to the customer that opened it.
    let session = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let (_, other_key) = server.create_customer("other@example.com");
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
    let r = post(Some(&other_key), None, None, Some(&session), &list)
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        404,
        "another customer's key cannot use the session"
    );
}

#[tokio::test]
async fn mcp_tool_calls_are_rate_limited_with_a_json_rpc_error() {
    let server = Server::start(&["--rate-mcp", "2"]);
    let client = handshake_client(&server).await;
    for _ in 0..2 {
        client
            .call_tool(call("get_account", json!({})))
            .await
            .unwrap();
    }
    let limited = client.call_tool(call("get_account", json!({}))).await;
    match limited {
        Err(rmcp::service::ServiceError::McpError(error)) => {
            let data = error.data.expect("error data");
            assert_eq!(data["code"], "E_RATE_LIMITED");
            assert!(data["retryAfter"].as_u64().unwrap() >= 1);
        }
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
    // Listing is not a tool call and stays available.
    assert_eq!(
        client.list_all_tools().await.unwrap().len(),
        tool_names().len()
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn documentation_is_served_as_resources_and_a_prompt() {
    use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams, ResourceContents};
    let server = Server::start(&[]);
    let client = handshake_client(&server).await;
    let resources = client.list_all_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert!(uris.contains(&"heycmo://docs/index.md"), "{uris:?}");
    let read = client
        .read_resource(ReadResourceRequestParams::new("heycmo://tools/list_events"))
        .await
        .unwrap();
    let ResourceContents::TextResourceContents { text, .. } = &read.contents[0] else {
        panic!("text expected")
    };
    let page: Value = serde_json::from_str(text).unwrap();
    assert_eq!(page["name"], "list_events");
    assert_eq!(page["inputSchema"]["type"], "object");
    let missing = client
        .read_resource(ReadResourceRequestParams::new("heycmo://tools/nope"))
        .await;
    assert!(missing.is_err());
    let mut params = GetPromptRequestParams::new("getting_started");
    params.arguments = json!({"website": "https://example.com"})
        .as_object()
        .cloned();
    let prompt = client.get_prompt(params).await.unwrap();
    let text = serde_json::to_string(&prompt.messages).unwrap();
    assert!(
        text.contains("get_account") && text.contains("https://example.com"),
        "{text}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn legacy_sse_streams_per_customer_are_capped() {
    let server = Server::start(&[]);
    let url = server.url(&format!("/mcp/sse?token={}", server.key));
    let mut open = Vec::new();
    for _ in 0..heycmo::http::sse::MAX_SESSIONS_PER_CUSTOMER {
        open.push(SseClient::connect(&server.base, &url).await);
    }
    let refused = client().get(&url).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // Another customer is not affected, and closing a stream frees a place.
    let (_, other_key) = server.create_customer("neighbour@example.com");
    SseClient::connect(
        &server.base,
        &server.url(&format!("/mcp/sse?token={other_key}")),
    )
    .await;
    drop(open.pop());
    let mut reopened = false;
    for _ in 0..50 {
        let r = client().get(&url).send().await.unwrap();
        if r.status() == 200 {
            reopened = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(reopened, "a closed stream did not free its place");
}

#[tokio::test]
async fn streamable_sessions_per_customer_are_capped() {
    let server = Server::start(&["--max-mcp-sessions", "2"]);
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let open = || {
        client()
            .post(server.url("/mcp"))
            .bearer_auth(&server.key)
            .header("accept", "application/json, text/event-stream")
            .json(&initialize)
            .send()
    };
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let response = open().await.unwrap();
        assert_eq!(response.status(), 200);
        sessions.push(
            response.headers()["mcp-session-id"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    let refused = open().await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "E_RATE_LIMITED");
    // Sessions of the 2026-07-28 generation are not sessions: they still work at the cap.
    let discover = discover_client(&server).await;
    assert!(!discover.list_all_tools().await.unwrap().is_empty());
    // Ending a session makes room for another.
    let deleted = client()
        .delete(server.url("/mcp"))
        .bearer_auth(&server.key)
        .header("mcp-session-id", &sessions[0])
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert_eq!(open().await.unwrap().status(), 200);
}

/// A JSON-RPC error response as the transports answer an unreadable message: id null, the
/// JSON-RPC code, and data with the stable code and the request id.
async fn jsonrpc_error(response: reqwest::Response, status: u16, code: i64) -> Value {
    assert_eq!(response.status(), status);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["jsonrpc"], "2.0", "{body}");
    assert_eq!(body["id"], Value::Null, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(body["error"]["data"]["requestId"], request_id, "{body}");
    assert!(
        body["error"]["data"]["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("E_"))
    );
    body
}

/// What cannot be read as one JSON-RPC message gets a JSON-RPC error in JSON, never rmcp's
/// plain-text 415; a session ended with DELETE answers 204, as the SDKs expect.
#[tokio::test]
async fn streamable_http_answers_unreadable_messages_with_jsonrpc_errors() {
    let server = Server::start(&[]);
    let http = client();
    let post = |body: &'static str| {
        http.post(server.url("/mcp"))
            .bearer_auth(&server.key)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    jsonrpc_error(
        post("{\"jsonrpc\": \"2.0\", \"id\":").await.unwrap(),
        400,
        -32700,
    )
    .await;
    jsonrpc_error(post("not json").await.unwrap(), 400, -32700).await;
    for invalid in [
        "[]",
        r#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
        r#"{"hello": "world"}"#,
        r#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#,
        "42",
    ] {
        let body = jsonrpc_error(post(invalid).await.unwrap(), 400, -32600).await;
        assert_eq!(
            body["error"]["data"]["code"], "E_BAD_REQUEST",
            "{invalid}: {body}"
        );
    }
    // Other refusals keep their status and are JSON-RPC too.
    let r = http
        .post(server.url("/mcp"))
        .bearer_auth(&server.key)
        .header("accept", "application/json")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}))
        .send()
        .await
        .unwrap();
    jsonrpc_error(r, 406, -32600).await;

    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    let r = http
        .post(server.url("/mcp"))
        .bearer_auth(&server.key)
        .header("accept", "application/json, text/event-stream")
        .json(&init)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let session = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let r = http
        .delete(server.url("/mcp"))
        .bearer_auth(&server.key)
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-06-18")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = http
        .post(server.url("/mcp"))
        .bearer_auth(&server.key)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-06-18")
        .json(&json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}))
        .send()
        .await
        .unwrap();
    let body = jsonrpc_error(r, 404, -32602).await;
    assert_eq!(body["error"]["data"]["code"], "E_NOT_FOUND");
}

/// The legacy transport answers what it cannot hand to the session in JSON-RPC on the POST: an
/// empty batch is one Invalid Request error, not a silent 202.
#[tokio::test]
async fn legacy_sse_answers_unreadable_messages_with_jsonrpc_errors() {
    let server = Server::start(&[]);
    let sse = SseClient::connect(
        &server.base,
        &server.url(&format!("/mcp/sse?token={}", server.key)),
    )
    .await;
    let post = |body: &'static str| {
        client()
            .post(server.url(&sse.endpoint))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    jsonrpc_error(post("[]").await.unwrap(), 400, -32600).await;
    jsonrpc_error(post(r#"{"nope": 1}"#).await.unwrap(), 400, -32600).await;
    jsonrpc_error(post("{").await.unwrap(), 400, -32700).await;
}

/// A client may announce something before it initialises; the session (and on stdio, the
/// process) goes on, as JSON-RPC asks of notifications nobody knows.
#[tokio::test]
async fn an_unknown_notification_before_initialize_is_ignored() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_heycmo"))
        .arg("stdio")
        .arg("--db")
        .arg(dir.path().join("heycmo.db"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for message in [
        json!({"jsonrpc": "2.0", "method": "notifications/whatever", "params": {}}),
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}}),
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
    ] {
        stdin
            .write_all(format!("{message}\n").as_bytes())
            .await
            .unwrap();
    }
    for id in [1, 2] {
        let line = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
            .await
            .expect("an answer")
            .unwrap()
            .expect("the process is still serving");
        let answer: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(answer["id"], id, "{answer}");
        assert!(answer["result"].is_object(), "{answer}");
    }
}

/// A plain 2026-07-28 `tools/call` is answered without rmcp's per-request service
/// (`http::direct`): every answer must be the one rmcp gives. Each request is sent twice, as it
/// is and with a quality value in `Accept`, which rmcp accepts the same way but which sends the
/// request through rmcp; status, content type and body must agree (request ids aside).
#[tokio::test]
async fn stateless_calls_answered_directly_are_answered_as_rmcp_answers_them() {
    let server = Server::start(&[]);
    let meta = |capabilities: Value| {
        json!({
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": {"name": "test", "version": "1"},
            "io.modelcontextprotocol/clientCapabilities": capabilities,
        })
    };
    let send = |tool: &'static str, params: Value, accept: &'static str| {
        let mut params = params;
        params["name"] = json!(tool);
        let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params});
        client()
            .post(server.url("/mcp"))
            .bearer_auth(&server.key)
            .header("accept", accept)
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", tool)
            .json(&body)
            .send()
    };
    // Request ids differ per request by design; everything else must not.
    fn without_request_ids(text: &str) -> String {
        let re = regex::Regex::new(r"\b[0-9a-f]{32}\b").unwrap();
        re.replace_all(text, "<request id>").into_owned()
    }
    let sampling = meta(json!({"sampling": {}}));
    let cases: Vec<(&str, &'static str, Value)> = vec![
        (
            "a result",
            "get_account",
            json!({"arguments": {}, "_meta": meta(json!({}))}),
        ),
        (
            "invalid input, an isError result",
            "list_events",
            json!({"arguments": {"limit": "many"}, "_meta": meta(json!({}))}),
        ),
        (
            "a capability the client did not declare, 400",
            "ask_cmo",
            json!({"arguments": {"question": "Who buys?", "engine": "sampling"}, "_meta": meta(json!({}))}),
        ),
        (
            "input required, with a signed request state",
            "ask_cmo",
            json!({"arguments": {"question": "Who buys?", "engine": "sampling"}, "_meta": sampling}),
        ),
        (
            "an altered request state, a JSON-RPC error",
            "ask_cmo",
            json!({"arguments": {"question": "Who buys?", "engine": "sampling"},
                   "requestState": "forged", "_meta": meta(json!({"sampling": {}}))}),
        ),
    ];
    for (case, tool, params) in cases {
        let direct = send(tool, params.clone(), "application/json, text/event-stream")
            .await
            .unwrap();
        let through_rmcp = send(tool, params, "application/json;q=1, text/event-stream")
            .await
            .unwrap();
        assert_eq!(direct.status(), through_rmcp.status(), "{case}");
        assert_eq!(
            direct.headers()["content-type"],
            through_rmcp.headers()["content-type"],
            "{case}"
        );
        let (a, b) = (
            direct.text().await.unwrap(),
            through_rmcp.text().await.unwrap(),
        );
        let (a, b): (Value, Value) = (
            serde_json::from_str(&without_request_ids(&a)).unwrap(),
            serde_json::from_str(&without_request_ids(&b)).unwrap(),
        );
        assert_eq!(a, b, "{case}");
        assert_eq!(a["id"], 7, "{case}: {a}");
    }
}
