//! Shared test harness: the real `heycmo` binary on an ephemeral port with a temporary SQLite
//! file, or the library's server in-process, and small HTTP helpers.

#![allow(dead_code)]

pub mod answers;
pub mod browser;
pub mod collector;
pub mod google;
pub mod platforms;
pub mod receiver;
pub mod sampling;
pub mod session;
pub mod site;
pub mod smtp;
pub mod webdriver;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `heycmo serve` child process.
pub struct Server {
    pub base: String,
    pub key: String,
    pub customer_id: String,
    pub dir: tempfile::TempDir,
    pub stderr_path: PathBuf,
    child: Child,
}

impl Server {
    /// Starts `heycmo serve` with the given extra arguments and waits until it listens.
    pub fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        Server::start_in(dir, extra)
    }

    pub fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Server {
        Server::launch(dir, extra, &[])
    }

    /// Starts it with `env` set besides (API keys that flags name by variable).
    pub fn start_with_env(extra: &[&str], env: &[(&str, &str)]) -> Server {
        Server::launch(tempfile::tempdir().expect("temp dir"), extra, env)
    }

    fn launch(dir: tempfile::TempDir, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let db = dir.path().join("heycmo.db");
        let stderr_path = dir.path().join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).expect("stderr file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_heycmo"))
            .args(["serve", "--bind", "127.0.0.1:0", "--db"])
            .arg(&db)
            .args(extra)
            .env("HEYCMO_LOG", "trace")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start heycmo");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let (mut key, mut customer_id, mut base) = (String::new(), String::new(), String::new());
        for line in lines.by_ref() {
            let line = line.expect("stdout line");
            if let Some(k) = line
                .split_whitespace()
                .find(|w| w.starts_with("hcmo_live_"))
            {
                key = k.to_owned();
            }
            if let Some(c) = line.split_whitespace().find(|w| w.starts_with("cust_")) {
                customer_id = c.to_owned();
            }
            if let Some(rest) = line.strip_prefix("heycmo listening on ") {
                base = rest.split_whitespace().next().unwrap().to_owned();
                break;
            }
        }
        assert!(
            !base.is_empty(),
            "the server did not start; stderr: {}",
            std::fs::read_to_string(&stderr_path).unwrap_or_default()
        );
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            base,
            key,
            customer_id,
            dir,
            stderr_path,
            child,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("heycmo.db")
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// Runs a `heycmo` command on this server's database; it must succeed, and its output is
    /// JSON.
    pub fn cli(&self, args: &[&str]) -> serde_json::Value {
        let output = Command::new(env!("CARGO_BIN_EXE_heycmo"))
            .args(args)
            .arg("--db")
            .arg(self.db())
            .output()
            .expect("run heycmo");
        assert!(
            output.status.success(),
            "heycmo {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON")
    }

    /// Creates another customer through the CLI, answering (customer id, key).
    pub fn create_customer(&self, email: &str) -> (String, String) {
        let value = self.cli(&["customers", "create", "--email", email]);
        (
            value["customerId"].as_str().unwrap().to_owned(),
            value["apiKey"].as_str().unwrap().to_owned(),
        )
    }

    /// Stops the server with SIGTERM and waits for it to exit, then copies its database (and
    /// its WAL) to `to`, before the temporary directory goes.
    pub fn stop_keeping(mut self, to: &std::path::Path) -> std::process::ExitStatus {
        let db = self.db();
        let status = self.stop_in_place();
        for suffix in ["", "-wal", "-shm"] {
            let from = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
            if from.exists() {
                std::fs::copy(&from, format!("{}{suffix}", to.display())).unwrap();
            }
        }
        status
    }

    /// Kills the server with SIGKILL (no shutdown, no flush: a crash) and answers its directory,
    /// with the database, for a restart.
    pub fn kill(mut self) -> tempfile::TempDir {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("wait");
        let placeholder = tempfile::tempdir().expect("temp dir");
        std::mem::replace(&mut self.dir, placeholder)
    }

    /// Stops the server with SIGTERM and waits for it to exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.stop_in_place()
    }

    fn stop_in_place(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill");
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the server did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request with `key` and an optional JSON body; answers the status and the JSON it got back.
pub async fn call(
    server: &Server,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = client().request(method, server.url(path)).bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// The HTML of a page answered 200 under a policy that loads nothing from anywhere.
pub async fn strict_page(page: reqwest::Response) -> String {
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    page.text().await.unwrap()
}

/// A JSON POST with the server's own key.
pub async fn post(
    server: &Server,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    call(server, &server.key, reqwest::Method::POST, path, Some(body)).await
}

/// `connect_channel` over REST with the server's own key.
pub async fn connect(server: &Server, body: serde_json::Value) -> (u16, serde_json::Value) {
    post(
        server,
        &format!("/api/connections/{}", server.customer_id),
        body,
    )
    .await
}

/// A social draft on `topic` with the server's own key, written as a client without a model
/// would: the brief, then the text handed in with submit_draft. Answers its id.
pub async fn draft(server: &Server, topic: &str) -> String {
    let (status, item) = post(
        server,
        &format!("/api/content/{}", server.customer_id),
        serde_json::json!({"topic": topic, "format": "social", "engine": "offline"}),
    )
    .await;
    assert_eq!(status, 200, "{item}");
    let id = item["id"].as_str().unwrap().to_owned();
    let (status, item) = post(
        server,
        &format!("/api/content/{}/{id}/draft", server.customer_id),
        serde_json::json!({"title": topic, "body": format!("{topic}: what our customers ask us most, answered in one post. #{}", topic.split_whitespace().next().unwrap_or("news"))}),
    )
    .await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["state"], "draft");
    id
}

/// The built-in tools' names, in the order every listing gives them.
pub fn tool_names() -> Vec<String> {
    heycmo::registry::Registry::builtin()
        .expect("the built-in catalogue is consistent")
        .tools()
        .iter()
        .map(|t| t.name().to_owned())
        .collect()
}

/// A client that shows redirects instead of following them, as a test of a form needs.
pub fn no_redirects() -> reqwest::Client {
    heycmo::web::client()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn client() -> reqwest::Client {
    heycmo::web::client()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A small client for the legacy HTTP+SSE transport (spec 2024-11-05), the way Claude Desktop's
/// older builds speak it: GET the stream, read `endpoint`, POST messages there, read replies as
/// `message` events.
pub struct SseClient {
    pub endpoint: String,
    events: tokio::sync::mpsc::UnboundedReceiver<(String, String)>,
    http: reqwest::Client,
    base: String,
    next_id: u64,
    /// Reads the stream; aborted on drop, which closes the connection like a client going away.
    reader: tokio::task::JoinHandle<()>,
}

impl Drop for SseClient {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl SseClient {
    pub async fn connect(base: &str, sse_url: &str) -> SseClient {
        SseClient::connect_with(base, sse_url, None).await
    }

    /// Connects sending the key as `Authorization: Bearer` when given.
    pub async fn connect_with(base: &str, sse_url: &str, bearer: Option<&str>) -> SseClient {
        use futures::StreamExt;
        let http = client_without_timeout();
        let mut request = http.get(sse_url);
        if let Some(key) = bearer {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("GET /mcp/sse");
        assert_eq!(
            response.status(),
            200,
            "{}",
            response.text().await.unwrap_or_default()
        );
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream; charset=utf-8"
        );
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            let mut body = response.bytes_stream();
            let mut buffer = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    let mut name = String::from("message");
                    let mut data = Vec::new();
                    for line in block.lines() {
                        if let Some(v) = line.strip_prefix("event: ") {
                            name = v.to_owned();
                        } else if let Some(v) = line.strip_prefix("data: ") {
                            data.push(v.to_owned());
                        }
                    }
                    if !data.is_empty() && tx.send((name, data.join("\n"))).is_err() {
                        return;
                    }
                }
            }
        });
        let (name, endpoint) = rx.recv().await.expect("the first event");
        assert_eq!(name, "endpoint", "the first event is endpoint");
        SseClient {
            endpoint,
            events: rx,
            http,
            base: base.to_owned(),
            next_id: 1,
            reader,
        }
    }

    /// POSTs a message to the session; answers the HTTP status.
    pub async fn post(&self, message: &serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.base, self.endpoint))
            .json(message)
            .send()
            .await
            .expect("POST message")
    }

    /// Sends a request and waits for its response on the stream.
    pub async fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let id = self.next_id;
        self.next_id += 1;
        let response = self.post(&serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        assert_eq!(response.status(), 202);
        loop {
            let (name, data) = tokio::time::timeout(Duration::from_secs(10), self.events.recv())
                .await
                .expect("a reply within 10 s")
                .expect("the stream is open");
            assert_eq!(name, "message");
            let message: serde_json::Value = serde_json::from_str(&data).expect("JSON message");
            if message["id"] == id {
                return message;
            }
        }
    }

    pub async fn notify(&self, method: &str) {
        let response = self
            .post(&serde_json::json!({"jsonrpc": "2.0", "method": method}))
            .await;
        assert_eq!(response.status(), 202);
    }

    /// The handshake of the 2024-11-05 generation.
    pub async fn initialize(&mut self) -> serde_json::Value {
        let reply = self
            .request(
                "initialize",
                serde_json::json!({"protocolVersion": "2024-11-05", "capabilities": {}, "clientInfo": {"name": "sse-test", "version": "1"}}),
            )
            .await;
        self.notify("notifications/initialized").await;
        reply
    }
}

/// rmcp's Streamable HTTP client transport to `url` with `key` as its bearer token, on a client
/// from `heycmo::web::client` (reqwest is built without a TLS provider of its own).
pub fn mcp_transport(
    url: impl Into<std::sync::Arc<str>>,
    key: impl Into<String>,
) -> rmcp::transport::StreamableHttpClientTransport<reqwest::Client> {
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    rmcp::transport::StreamableHttpClientTransport::with_client(
        client_without_timeout(),
        StreamableHttpClientTransportConfig::with_uri(url).auth_header(key),
    )
}

pub fn client_without_timeout() -> reqwest::Client {
    heycmo::web::client().build().unwrap()
}

/// An MCP client that passes on the resource updates it hears of.
#[derive(Clone)]
pub struct Watcher(pub tokio::sync::mpsc::UnboundedSender<String>);

impl rmcp::ClientHandler for Watcher {
    async fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _context: rmcp::service::NotificationContext<rmcp::RoleClient>,
    ) {
        let _ = self.0.send(params.uri);
    }
}

/// `handler` connected to `server`'s Streamable HTTP endpoint on the 2026-07-28 generation
/// (`server/discover`, no handshake).
pub async fn discover<H: rmcp::ClientHandler>(
    handler: H,
    server: &Server,
) -> rmcp::service::RunningService<rmcp::RoleClient, H> {
    use rmcp::service::ClientServiceExt;
    handler
        .serve_with_lifecycle(
            mcp_transport(server.url("/mcp"), server.key.clone()),
            rmcp::service::ClientLifecycleMode::Discover {
                preferred_versions: vec![rmcp::model::ProtocolVersion::V_2026_07_28],
            },
        )
        .await
        .expect("server/discover over Streamable HTTP")
}

/// A browser-like form post (`application/x-www-form-urlencoded`), redirects not followed,
/// with `cookie` when given.
pub async fn post_form(
    url: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = no_redirects()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}
