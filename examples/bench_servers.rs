//! The servers `make bench` measures, started by `examples/loadgen.rs` as child processes:
//!
//! - `heycmo`: the real HTTP server (auth, rate limits, event logging, Host checks), with the
//!   built-in tools plus `echo`, the trivial tool every server in the comparison has;
//! - `bare-stateless` / `bare-stateful`: rmcp's `StreamableHttpService` on hyper-util with only
//!   `echo`, in stateless JSON-response mode or with sessions and SSE responses: the baseline.
//!
//! Each prints `listening on http://ADDR` (and the heycmo one its key) and serves until killed.

use std::convert::Infallible;
use std::sync::Arc;

use heycmo::app::App;
use heycmo::config::Config;
use heycmo::error::Error;
use heycmo::ratelimit::RateLimits;
use heycmo::registry::{Registry, Tool, ToolContext};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_util::sync::CancellationToken;

#[derive(Deserialize, JsonSchema)]
struct EchoInput {
    #[serde(default)]
    text: String,
}

#[derive(Serialize, JsonSchema)]
struct EchoOutput {
    text: String,
}

/// The trivial tool, as a heycmo registry tool.
struct Echo;

impl Tool for Echo {
    type Input = EchoInput;
    type Output = EchoOutput;
    async fn call(&self, _ctx: &ToolContext, input: EchoInput) -> Result<EchoOutput, Error> {
        Ok(EchoOutput { text: input.text })
    }
}

const ECHO_ENTRY: &str = r#"
name = "echo"
title = "Echo"
description = "Returns its input; the benchmark's trivial tool."
scope = "read-only"
annotations = { readOnlyHint = true, destructiveHint = false, idempotentHint = true, openWorldHint = false }
"#;

async fn heycmo(dir: &std::path::Path) {
    let registry = Registry::builtin_with(vec![("echo", Box::new(Echo), ECHO_ENTRY.into())])
        .expect("registry");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = Config {
        db: dir.join("bench.db"),
        limits: RateLimits::unlimited(),
        // The memory measurement holds thousands of sessions for one customer.
        max_mcp_sessions: usize::MAX,
        ..Config::default()
    };
    let app = App::with_registry(config, base.clone(), registry).expect("app");
    let key = app.local_customer().await.unwrap().1.expect("fresh key");
    println!("key {key}");
    println!("listening on {base}");
    heycmo::http::serve(app, listener, CancellationToken::new()).await;
}

/// The baseline: rmcp with one trivial tool and nothing else.
#[derive(Clone)]
struct Bare;

impl ServerHandler for Bare {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let schema = json!({"type": "object", "properties": {"text": {"type": "string"}}});
        let tool = rmcp::model::Tool::new(
            "echo",
            "Returns its input",
            schema.as_object().unwrap().clone(),
        );
        Ok(ListToolsResult::with_all_items(vec![tool]))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let text = request
            .arguments
            .and_then(|a| a.get("text").cloned())
            .unwrap_or(json!(""));
        Ok(CallToolResult::structured(json!({"text": text})).into())
    }
}

async fn bare(stateful: bool) {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(stateful)
        .with_json_response(!stateful);
    let service = Arc::new(StreamableHttpService::new(
        || Ok(Bare),
        Arc::new(LocalSessionManager::default()),
        config,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    println!("listening on http://{}", listener.local_addr().unwrap());
    loop {
        let (stream, _) = listener.accept().await.unwrap();
        // The same TCP_NODELAY heycmo sets; without it SSE responses stall on Nagle.
        stream.set_nodelay(true).unwrap();
        let service = service.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |request| {
                let service = service.clone();
                async move { Ok::<_, Infallible>(service.handle(request).await) }
            });
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

fn main() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("HEYCMO_LOG").unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    // One worker thread: the benchmark pins each server to one core.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let which = std::env::args().nth(1).unwrap_or_default();
    let dir = tempfile::tempdir().unwrap();
    runtime.block_on(async {
        match which.as_str() {
            "heycmo" => heycmo(dir.path()).await,
            "bare-stateless" => bare(false).await,
            "bare-stateful" => bare(true).await,
            other => eprintln!("unknown server {other:?}: heycmo, bare-stateless or bare-stateful"),
        }
    });
}
