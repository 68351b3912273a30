//! What a client that never authenticates can hold open: a half-sent request head is closed
//! after the header timeout, an idle keep-alive connection likewise, and one address may hold
//! only so many unauthenticated connections. Streams and authenticated clients are unaffected.

mod common;

use std::time::Duration;

use common::{Server, SseClient};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn addr(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (EOF or reset), within `within`; the bytes it
/// sent before closing.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read).await.ok().map(|()| seen)
}

/// One complete request on a raw connection, kept alive; the response's status line.
async fn request(stream: &mut TcpStream, path: &str, key: Option<&str>) -> String {
    let auth = key.map_or(String::new(), |k| format!("Authorization: Bearer {k}\r\n"));
    let head = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // The JSON bodies here are small and sent with Content-Length: read until the body ends.
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("an answer")
            .unwrap();
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                return head.lines().next().unwrap().to_owned();
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn half_sent_heads_and_idle_connections_are_closed_after_the_header_timeout() {
    let server = Server::start(&["--header-timeout-seconds", "1"]);
    let mut half = TcpStream::connect(addr(&server)).await.unwrap();
    half.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut half, Duration::from_secs(10))
            .await
            .is_some(),
        "a half-sent head is not held open"
    );

    let mut idle = TcpStream::connect(addr(&server)).await.unwrap();
    assert_eq!(
        request(&mut idle, "/api/health", None).await,
        "HTTP/1.1 200 OK"
    );
    assert!(
        closed_within(&mut idle, Duration::from_secs(10)).await == Some(Vec::new()),
        "an idle keep-alive connection is closed, with nothing more sent"
    );

    // A stream outlives the timeout: the legacy SSE transport answers on it after 2.5 s.
    let mut sse = SseClient::connect(
        &server.base,
        &server.url(&format!("/mcp/sse?token={}", server.key)),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let answer = sse.initialize().await;
    assert_eq!(answer["result"]["serverInfo"]["name"], "heycmo", "{answer}");
    let listed = sse.request("tools/list", json!({})).await;
    assert!(
        listed["result"]["tools"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_address_holds_a_bounded_number_of_unauthenticated_connections() {
    let server = Server::start(&["--max-preauth-connections", "4"]);
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
        stream
            .write_all(b"GET /api/health HTTP/1.1\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    let mut refused = TcpStream::connect(addr(&server)).await.unwrap();
    let answer = closed_within(&mut refused, Duration::from_secs(5))
        .await
        .expect("the fifth is answered and closed at once");
    let answer = String::from_utf8(answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 429 "), "{answer}");
    assert!(answer.contains("retry-after: 1\r\n"), "{answer}");
    assert!(answer.contains("\"code\":\"E_RATE_LIMITED\""), "{answer}");

    // A connection that authenticates gives its place back.
    drop(held.pop());
    let mut customer = loop {
        let mut stream = TcpStream::connect(addr(&server)).await.unwrap();
        // The server sees the dropped connection close a moment later.
        if closed_within(&mut stream, Duration::from_millis(200))
            .await
            .is_none()
        {
            break stream;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let path = format!("/api/customer/{}", server.customer_id);
    assert_eq!(
        request(&mut customer, &path, Some(&server.key)).await,
        "HTTP/1.1 200 OK"
    );
    let mut next = TcpStream::connect(addr(&server)).await.unwrap();
    assert_eq!(
        request(&mut next, "/api/health", None).await,
        "HTTP/1.1 200 OK"
    );
    // The authenticated connection goes on serving.
    assert_eq!(
        request(&mut customer, &path, Some(&server.key)).await,
        "HTTP/1.1 200 OK"
    );
}
