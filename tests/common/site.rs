//! A small web server for the fixture sites in `tests/fixtures/sites/<name>/`, on 127.0.0.2
//! (loopback, but not the address heycmo itself listens on, so tests can let the fetcher reach
//! this one network and still see every other private address refused).
//!
//! Files are served with their content type; `_headers` adds response headers per path and
//! `_redirects` answers redirects (both in Netlify's format); `{self}` in a text file is the
//! server's own base URL. HTML, text and XML are gzipped
//! when the client accepts it, as a production server would. A few paths misbehave on purpose:
//! `/slow` trickles its body, `/huge` is 6 MiB, `/bomb` is a tiny gzip that inflates past 5 MiB.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::Frame;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

/// Where the fixture sites' files live.
pub fn sites_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites")
}

/// The address fixture sites listen on; heycmo is started with `--allow-fetch-network` for it.
pub const SITE_NETWORK: &str = "127.0.0.2/32";

/// A running fixture site; stops when dropped.
pub struct Site {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Site {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Site {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

type Body = BoxBody<Bytes, Infallible>;

struct Files {
    root: PathBuf,
    headers: HashMap<String, Vec<(String, String)>>,
    redirects: HashMap<String, (String, u16)>,
}

/// Serves `tests/fixtures/sites/<name>/` on 127.0.0.2 and an ephemeral port.
pub async fn serve(name: &str) -> Site {
    let root = sites_dir().join(name);
    assert!(root.is_dir(), "no fixture site {}", root.display());
    let files = std::sync::Arc::new(Files {
        headers: parse_headers(&std::fs::read_to_string(root.join("_headers")).unwrap_or_default()),
        redirects: parse_redirects(
            &std::fs::read_to_string(root.join("_redirects")).unwrap_or_default(),
        ),
        root,
    });
    let listener = TcpListener::bind("127.0.0.2:0")
        .await
        .expect("bind 127.0.0.2");
    let addr: SocketAddr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let files = files.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let files = files.clone();
                    async move { Ok::<_, Infallible>(answer(&files, addr, req).await) }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Site {
        base: format!("http://{addr}"),
        task,
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

async fn answer(
    files: &Files,
    addr: SocketAddr,
    req: Request<hyper::body::Incoming>,
) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let gzip_ok = req
        .headers()
        .get("accept-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    match path.as_str() {
        "/slow" => {
            let stream = async_stream_body();
            return Response::builder()
                .header("content-type", "text/html")
                .body(StreamBody::new(stream).boxed())
                .unwrap();
        }
        "/huge" => {
            return Response::builder()
                .header("content-type", "text/html")
                .body(full(vec![b'a'; 6 * 1024 * 1024]))
                .unwrap();
        }
        "/bomb" => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            gz.write_all(&vec![b' '; 6 * 1024 * 1024]).unwrap();
            return Response::builder()
                .header("content-type", "text/html")
                .header("content-encoding", "gzip")
                .body(full(gz.finish().unwrap()))
                .unwrap();
        }
        _ => {}
    }
    if let Some((target, status)) = files.redirects.get(&path) {
        let target = target.replace("{self}", &format!("http://{addr}"));
        return Response::builder()
            .status(*status)
            .header("location", target)
            .body(full(Bytes::new()))
            .unwrap();
    }
    let relative = if path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.clone()
    };
    let file = files.root.join(relative.trim_start_matches('/'));
    let inside = file
        .canonicalize()
        .ok()
        .filter(|f| f.starts_with(files.root.canonicalize().unwrap()));
    let Some(mut bytes) = inside.and_then(|f| std::fs::read(f).ok()) else {
        return Response::builder()
            .status(404)
            .header("content-type", "text/html")
            .body(full(
                "<html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>",
            ))
            .unwrap();
    };
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("xml") => "application/xml",
        Some("txt") | Some("md") => "text/plain; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    if kind.starts_with("text/") || kind.ends_with("xml") {
        // Pages name their own absolute URLs (canonical, sitemap); the port is known only now.
        bytes = String::from_utf8_lossy(&bytes)
            .replace("{self}", &format!("http://{addr}"))
            .into_bytes();
    }
    let mut response = Response::builder().header("content-type", kind);
    for (name, value) in files.headers.get(&path).into_iter().flatten() {
        response = response.header(name, value);
    }
    if gzip_ok
        && kind.starts_with("text/html")
        && !files
            .headers
            .get(&path)
            .is_some_and(|h| h.iter().any(|(n, _)| n == "x-no-gzip"))
    {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&bytes).unwrap();
        return response
            .header("content-encoding", "gzip")
            .body(full(gz.finish().unwrap()))
            .unwrap();
    }
    response.body(full(bytes)).unwrap()
}

/// One byte every 200 ms, for a minute.
fn async_stream_body()
-> impl futures::Stream<Item = Result<Frame<Bytes>, Infallible>> + Send + Sync + 'static {
    futures::stream::unfold(0, |n| async move {
        if n >= 300 {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        Some((Ok(Frame::data(Bytes::from_static(b"a"))), n + 1))
    })
}

/// `_headers`: a path line, then indented `Name: value` lines.
fn parse_headers(text: &str) -> HashMap<String, Vec<(String, String)>> {
    let mut map: HashMap<String, Vec<(String, String)>> = HashMap::new();
    let mut current = None;
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            current = Some(line.trim().to_owned());
        } else if let (Some(path), Some((name, value))) = (&current, line.trim().split_once(':')) {
            map.entry(path.clone())
                .or_default()
                .push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    map
}

/// `_redirects`: `from to [status]` per line; `{self}` in `to` is this server's base URL.
fn parse_redirects(text: &str) -> HashMap<String, (String, u16)> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let from = parts.next()?.to_owned();
            let to = parts.next()?.to_owned();
            let status = parts.next().and_then(|s| s.parse().ok()).unwrap_or(302);
            Some((from, (to, status)))
        })
        .collect()
}
