//! The heycmo server `make bench` measures, started by `examples/loadgen.rs` as a child process:
//! the real HTTP server (Host/Origin check, API-key authentication, rate limits, input
//! validation, the `tool.called` event log) with the built-in tools plus `echo`, the trivial tool
//! every server in the comparison has. Built as the `heycmo` binary is, allocator included.
//!
//! Prints its key and `listening on http://ADDR`, then serves until killed.

use heycmo::app::App;
use heycmo::config::Config;
use heycmo::error::Error;
use heycmo::ratelimit::RateLimits;
use heycmo::registry::{Registry, Tool, ToolContext};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

// The allocator of the `heycmo` binary (see src/main.rs), so the figures are the product's.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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

fn main() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("HEYCMO_LOG").unwrap_or_else(|_| "warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let dir = tempfile::tempdir().unwrap();
    // One worker thread: the benchmark pins each server to one core.
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
        .block_on(heycmo(dir.path()));
}
