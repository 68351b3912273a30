//! The baseline `make bench` compares heycmo with, started by `examples/loadgen.rs` as a child
//! process: rmcp's `StreamableHttpService` on hyper-util with one `echo` tool and nothing else,
//! and the system allocator, as a bare rmcp server ships. `bench_bare stateless` runs without
//! sessions and with JSON responses, `bench_bare stateful` with sessions and SSE responses.
//!
//! Prints `listening on http://ADDR`, then serves until killed.

use std::convert::Infallible;
use std::sync::Arc;

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
use serde_json::json;

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
    let stateful = match std::env::args().nth(1).as_deref() {
        Some("stateless") => false,
        Some("stateful") => true,
        other => {
            eprintln!("usage: bench_bare stateless|stateful (got {other:?})");
            std::process::exit(2);
        }
    };
    // One worker thread: the benchmark pins each server to one core.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
        .block_on(bare(stateful));
}
