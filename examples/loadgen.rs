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
//!
//! Then real tools (`get_account`, `list_events`) on heycmo over MCP stateless and over REST
//! (`POST /api/tools/<name>`), the same call on both surfaces, with the MCP / REST ratio; and
//! the resident memory of each server idle before its first request, the `heycmo` binary
//! itself (`heycmo serve`, background work included) among them. On that binary, the
//! analytics collector's ingestion (`POST /api/collect`, each worker a browser of its own) at
//! each concurrency, against heycmo's stateless tool-call rate of the same run.

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
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary and argument of each server kind.
fn command_of(kind: &str) -> (&'static str, &'static [&'static str]) {
    match kind {
        "bare-stateless" => ("bench_bare", &["stateless"]),
        "bare-stateful" => ("bench_bare", &["stateful"]),
        // The product itself, `make bench` builds it next to the examples.
        // Limits raised so they are checked but never bite, as in the bench server.
        "heycmo-binary" => (
            "../heycmo",
            &[
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--rate-rest",
                "1000000000",
                "--rate-collect",
                "1000000000",
            ],
        ),
        _ => ("bench_heycmo", &[]),
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
    // The binary's database goes in a directory of its own, removed with the process.
    let dir = tempfile::tempdir().unwrap();
    if kind == "heycmo-binary" {
        command.arg("--db").arg(dir.path().join("heycmo.db"));
    }
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
        // `heycmo serve` prints the local customer's key on a fresh database.
        if let Some(k) = line
            .split_whitespace()
            .find(|w| w.starts_with("hcmo_live_"))
        {
            key = Some(k.to_owned());
        }
        if let Some(b) = line.strip_prefix("listening on ") {
            base = b.to_owned();
            break;
        }
        if let Some(b) = line.strip_prefix("heycmo listening on ") {
            base = b.split_whitespace().next().unwrap_or_default().to_owned();
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        base,
        key,
        _dir: dir,
    }
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
    post_to(http, server, "/mcp", headers, body).await
}

async fn post_to(
    http: &Http,
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (hyper::http::response::Parts, Bytes) {
    let mut request = hyper::Request::post(format!("{}{path}", server.base))
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

/// What each request of a measurement is.
#[derive(Clone, Copy)]
enum Call {
    /// `tools/call` of a tool over MCP, with `{}` for `get_account`-like tools, `{"text":"hi"}` for echo.
    Mcp(&'static str, Mode),
    /// `POST /api/tools/<name>` with `{}`.
    Rest(&'static str),
    /// `POST /api/collect`: a pageview of the site with this id, from a browser per worker.
    Collect(&'static str),
}

impl Call {
    fn arguments(tool: &str) -> Value {
        if tool == "echo" {
            json!({"text": "hi"})
        } else {
            json!({})
        }
    }
}

struct Figures {
    calls_per_second: f64,
    p50_us: u64,
    p99_us: u64,
    errors: usize,
}

async fn worker(
    server: Arc<Server>,
    call: Call,
    deadline: Instant,
    warmup: Instant,
) -> (Vec<u64>, usize) {
    let http: Http = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build_http();
    let session = match call {
        Call::Mcp(_, Mode::Stateful) => Some(open_session(&http, &server).await),
        _ => None,
    };
    let browser = format!(
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.{}.0 Safari/537.36",
        browser_number()
    );
    let mut latencies = Vec::with_capacity(100_000);
    let mut errors = 0;
    let mut id = 1u64;
    while Instant::now() < deadline {
        id += 1;
        let started = Instant::now();
        let ok = match call {
            Call::Mcp(tool, _) => {
                let mut params = json!({"name": tool, "arguments": Call::arguments(tool)});
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
                            ("mcp-name", tool),
                        ]
                    }
                };
                let body =
                    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params});
                let (parts, bytes) = post(&http, &server, &headers, &body).await;
                parts.status.is_success()
                    && bytes.windows(9).any(|w| w == b"\"result\":")
                    && !bytes.windows(14).any(|w| w == b"\"isError\":true")
            }
            Call::Rest(tool) => {
                let path = format!("/api/tools/{tool}");
                let (parts, _) = post_to(&http, &server, &path, &[], &Call::arguments(tool)).await;
                parts.status.is_success()
            }
            Call::Collect(site) => {
                let hit = json!({"site": site, "url": format!("https://bench.example/page/{}", id % 50), "referrer": "https://www.google.com/", "width": 1280});
                let headers = [
                    ("origin", "https://bench.example"),
                    ("user-agent", browser.as_str()),
                ];
                let (parts, bytes) = post_to(&http, &server, "/api/collect", &headers, &hit).await;
                parts.status.as_u16() == 202 && bytes.windows(14).any(|w| w == b"\"counted\":true")
            }
        };
        if started >= warmup {
            latencies.push(started.elapsed().as_micros() as u64);
            errors += usize::from(!ok);
        }
    }
    (latencies, errors)
}

async fn measure(
    server: &Arc<Server>,
    call: Call,
    concurrency: usize,
    duration: Duration,
) -> Figures {
    let warmup = Instant::now() + Duration::from_millis(500);
    let deadline = warmup + duration;
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| tokio::spawn(worker(server.clone(), call, deadline, warmup)))
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

/// A number per worker, so each is a browser (a visitor) of its own.
fn browser_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Creates a site on the heycmo binary for the collector's load; answers its id.
async fn bench_site(server: &Server) -> String {
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let (_, bytes) = post_to(
        &http,
        server,
        "/api/tools/create_site",
        &[],
        &json!({"domains": ["bench.example"]}),
    )
    .await;
    let site: Value = serde_json::from_slice(&bytes).expect("create_site answers JSON");
    site["id"].as_str().expect("a site id").to_owned()
}

/// The server's resident memory once it has settled after start, before any request: `heycmo
/// serve` hands its start-up allocations back a second after it is ready (src/main.rs).
async fn idle_rss_mib(server: &Server) -> f64 {
    tokio::time::sleep(Duration::from_secs(2)).await;
    rss_kib(server.child.id()) as f64 / 1024.0
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
    let mut idle = Vec::new();
    let mut real = Vec::new();
    for (kind, modes) in [
        ("heycmo", &[Mode::Stateless, Mode::Stateful][..]),
        ("bare-stateless", &[Mode::Stateless][..]),
        ("bare-stateful", &[Mode::Stateful][..]),
    ] {
        if !selected(kind) {
            continue;
        }
        let server = Arc::new(start(kind));
        idle.push((kind, idle_rss_mib(&server).await));
        if kind == "heycmo" {
            for tool in ["get_account", "list_events"] {
                for &concurrency in &levels {
                    let mcp = measure(
                        &server,
                        Call::Mcp(tool, Mode::Stateless),
                        concurrency,
                        duration,
                    )
                    .await;
                    let rest = measure(&server, Call::Rest(tool), concurrency, duration).await;
                    real.push((tool, concurrency, mcp, rest));
                }
            }
        }
        for &mode in modes.iter().filter(|&&m| wanted(m)) {
            for &concurrency in &levels {
                let f = measure(&server, Call::Mcp("echo", mode), concurrency, duration).await;
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
    let mut collected = Vec::new();
    if selected("heycmo-binary") {
        let server = Arc::new(start("heycmo-binary"));
        idle.push(("heycmo (binary, heycmo serve)", idle_rss_mib(&server).await));
        let site: &'static str = Box::leak(bench_site(&server).await.into_boxed_str());
        for &concurrency in &levels {
            let f = measure(&server, Call::Collect(site), concurrency, duration).await;
            collected.push((concurrency, f));
        }
    }
    println!();
    println!("| tool | surface | C | calls/s | p50 µs | p99 µs | errors | MCP / REST |");
    println!("|---|---|---|---|---|---|---|---|");
    for (tool, concurrency, mcp, rest) in &real {
        let ratio = mcp.calls_per_second / rest.calls_per_second.max(1.0);
        for (surface, f) in [("MCP stateless", mcp), ("REST", rest)] {
            println!(
                "| {tool} | {surface} | {concurrency} | {:.0} | {} | {} | {} | {} |",
                f.calls_per_second,
                f.p50_us,
                f.p99_us,
                f.errors,
                if surface == "REST" {
                    String::new()
                } else {
                    format!("{ratio:.2}")
                }
            );
        }
    }
    if !collected.is_empty() {
        println!();
        println!(
            "| collector (`POST /api/collect`, heycmo serve) | C | hits/s | p50 µs | p99 µs | errors |"
        );
        println!("|---|---|---|---|---|---|");
        for (concurrency, f) in &collected {
            println!(
                "| pageviews, a browser per connection | {concurrency} | {:.0} | {} | {} | {} |",
                f.calls_per_second, f.p50_us, f.p99_us, f.errors
            );
        }
    }
    println!();
    println!("| server | RSS idle before the first request, MiB |");
    println!("|---|---|");
    for (kind, mib) in idle {
        println!("| {kind} | {mib:.1} |");
    }
    println!();
    println!("| server | KiB per idle session ({sessions} sessions) |");
    println!("|---|---|");
    for (kind, kib) in memory {
        println!("| {kind} | {kib:.1} |");
    }
}
