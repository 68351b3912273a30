//! `make bench`: calls/s and latency of `tools/call` over Streamable HTTP, heycmo against a bare
//! rmcp server with the same trivial tool, and memory per idle session.
//!
//! Servers run as child processes (`examples/bench_heycmo.rs`, `examples/bench_bare.rs`) pinned to CPU 0 with `taskset`
//! when it exists; run this generator on the other core (`make bench` does). Each measurement
//! opens C keep-alive connections, each looping requests for the duration, and reports calls/s
//! with p50/p99 latency.
//!
//! - stateless: no session, JSON response; heycmo gets 2026-07-28 requests (per-request metadata),
//!   bare rmcp runs with sessions off;
//! - stateful: C sessions (`initialize` then calls with `Mcp-Session-Id`), SSE responses.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

type Http = Client<HttpConnector, Full<Bytes>>;

struct Server {
    child: Child,
    base: String,
    key: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary and argument of each server kind.
fn command_of(kind: &str) -> (&'static str, Option<&'static str>) {
    match kind {
        "bare-stateless" => ("bench_bare", Some("stateless")),
        "bare-stateful" => ("bench_bare", Some("stateful")),
        _ => ("bench_heycmo", None),
    }
}

fn start(kind: &str) -> Server {
    let (binary, argument) = command_of(kind);
    let exe = std::env::current_exe().unwrap().with_file_name(binary);
    let pinned = Command::new("taskset").arg("--version").output().is_ok();
    let mut command = if pinned {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let mut child = command
        .args(argument)
        .env("HEYCMO_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the bench servers (cargo build --profile dist --examples)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut base, mut key) = (String::new(), None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(k) = line.strip_prefix("key ") {
            key = Some(k.to_owned());
        }
        if let Some(b) = line.strip_prefix("listening on ") {
            base = b.to_owned();
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Server { child, base, key }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "loadgen", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    })
}

async fn post(
    http: &Http,
    server: &Server,
    headers: &[(&str, &str)],
    body: &Value,
) -> (hyper::http::response::Parts, Bytes) {
    let mut request = hyper::Request::post(format!("{}/mcp", server.base))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(key) = &server.key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let response = http.request(request).await.expect("request");
    let (parts, body) = response.into_parts();
    (parts, body.collect().await.expect("body").to_bytes())
}

/// Opens a session (initialize + initialized); answers its id.
async fn open_session(http: &Http, server: &Server) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "loadgen", "version": "1"}}});
    let (parts, _) = post(http, server, &[], &init).await;
    let session = parts
        .headers
        .get("mcp-session-id")
        .expect("a session id")
        .to_str()
        .unwrap()
        .to_owned();
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    post(
        http,
        server,
        &[
            ("mcp-session-id", &session),
            ("mcp-protocol-version", "2025-11-25"),
        ],
        &initialized,
    )
    .await;
    session
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Stateless,
    Stateful,
}

struct Figures {
    calls_per_second: f64,
    p50_us: u64,
    p99_us: u64,
    errors: usize,
}

async fn worker(
    server: Arc<Server>,
    mode: Mode,
    deadline: Instant,
    warmup: Instant,
) -> (Vec<u64>, usize) {
    let http: Http = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build_http();
    let session = match mode {
        Mode::Stateful => Some(open_session(&http, &server).await),
        Mode::Stateless => None,
    };
    let mut latencies = Vec::with_capacity(100_000);
    let mut errors = 0;
    let mut id = 1u64;
    while Instant::now() < deadline {
        id += 1;
        let mut params = json!({"name": "echo", "arguments": {"text": "hi"}});
        let headers: Vec<(&str, &str)> = match &session {
            Some(s) => vec![
                ("mcp-session-id", s.as_str()),
                ("mcp-protocol-version", "2025-11-25"),
            ],
            None => {
                params["_meta"] = meta();
                vec![
                    ("mcp-protocol-version", "2026-07-28"),
                    ("mcp-method", "tools/call"),
                    ("mcp-name", "echo"),
                ]
            }
        };
        let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params});
        let started = Instant::now();
        let (parts, bytes) = post(&http, &server, &headers, &body).await;
        let ok = parts.status.is_success() && bytes.windows(9).any(|w| w == b"\"result\":");
        if started >= warmup {
            latencies.push(started.elapsed().as_micros() as u64);
            errors += usize::from(!ok);
        }
    }
    (latencies, errors)
}

async fn measure(
    server: &Arc<Server>,
    mode: Mode,
    concurrency: usize,
    duration: Duration,
) -> Figures {
    let warmup = Instant::now() + Duration::from_millis(500);
    let deadline = warmup + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(worker(server.clone(), mode, deadline, warmup)))
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, e) = task.await.unwrap();
        all.extend(latencies);
        errors += e;
    }
    all.sort_unstable();
    let pick = |q: f64| {
        all.get(((all.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0)
    };
    Figures {
        calls_per_second: all.len() as f64 / duration.as_secs_f64(),
        p50_us: pick(0.5),
        p99_us: pick(0.99),
        errors,
    }
}

async fn idle_session_kib(server: &Server, sessions: usize) -> f64 {
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    // Warm the allocator and the session machinery before the baseline reading.
    for _ in 0..50 {
        open_session(&http, server).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib(server.child.id());
    for _ in 0..sessions {
        open_session(&http, server).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib(server.child.id());
    after.saturating_sub(before) as f64 / sessions as f64
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let sessions: usize = std::env::var("BENCH_SESSIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let duration = Duration::from_secs(seconds);
    println!("| server | mode | C | calls/s | p50 µs | p99 µs | errors |");
    println!("|---|---|---|---|---|---|---|");
    // `BENCH_ONLY=heycmo` (a comma-separated list of server kinds) measures only those: handy
    // while profiling one server.
    let only = std::env::var("BENCH_ONLY").ok();
    let selected = |kind: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|k| k == kind))
    };
    // `BENCH_CONCURRENCY=32` (a comma-separated list) measures only those levels.
    let levels: Vec<usize> = std::env::var("BENCH_CONCURRENCY")
        .ok()
        .map(|l| l.split(',').filter_map(|c| c.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 32]);
    // `BENCH_MODE=stateful` (or `stateless`) measures only that mode.
    let mode_wanted = std::env::var("BENCH_MODE").ok();
    let wanted = |mode: Mode| {
        mode_wanted.as_deref().is_none_or(|m| {
            m == match mode {
                Mode::Stateless => "stateless",
                Mode::Stateful => "stateful",
            }
        })
    };
    let mut memory = Vec::new();
    for (kind, modes) in [
        ("heycmo", &[Mode::Stateless, Mode::Stateful][..]),
        ("bare-stateless", &[Mode::Stateless][..]),
        ("bare-stateful", &[Mode::Stateful][..]),
    ] {
        if !selected(kind) {
            continue;
        }
        let server = Arc::new(start(kind));
        for &mode in modes.iter().filter(|&&m| wanted(m)) {
            for &concurrency in &levels {
                let f = measure(&server, mode, concurrency, duration).await;
                let label = if mode == Mode::Stateless {
                    "stateless (JSON)"
                } else {
                    "stateful (SSE)"
                };
                println!(
                    "| {kind} | {label} | {concurrency} | {:.0} | {} | {} | {} |",
                    f.calls_per_second, f.p50_us, f.p99_us, f.errors
                );
            }
        }
        if modes.contains(&Mode::Stateful) {
            memory.push((kind, idle_session_kib(&server, sessions).await));
        }
    }
    println!();
    println!("| server | KiB per idle session ({sessions} sessions) |");
    println!("|---|---|");
    for (kind, kib) in memory {
        println!("| {kind} | {kib:.1} |");
    }
}
