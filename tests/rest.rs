//! REST against the real binary: the hosted API's endpoints (docs/hosted-api.md), the tool projection, keys reaching only
//! their own customer, and the error format on every failure.

mod common;

use common::{Server, client};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Asserts the documented error body and that its requestId is the X-Request-ID header.
async fn expect_error(response: reqwest::Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let header = response
        .headers()
        .get("x-request-id")
        .expect("X-Request-ID")
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.expect("JSON error body");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{body}"
    );
    assert_eq!(body["requestId"], header, "{body}");
    body
}

#[tokio::test]
async fn health_and_readiness() {
    let server = Server::start(&[]);
    let http = client();
    let response = http.get(server.url("/api/health")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));

    let body: Value = http
        .get(server.url("/api/health/ready"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "ready");
    assert_eq!(body["db"], true);
}

#[tokio::test]
async fn readiness_reports_an_unreachable_database() {
    let server = Server::start(&[]);
    // Make the database unreadable from under the running server: replace the file with a
    // directory so new connections fail.
    let db = server.db();
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", db.display());
        let _ = std::fs::remove_file(&path);
    }
    std::fs::create_dir(&db).unwrap();
    std::fs::write(db.join("x"), "not a database").unwrap();
    let response = client()
        .get(server.url("/api/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["db"], false);
    // Liveness is about the process, which is still up.
    assert_eq!(
        client()
            .get(server.url("/api/health"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn customer_and_events_follow_the_hosted_api_shapes() {
    let server = Server::start(&[]);
    let http = client();
    let response = http
        .get(server.url(&format!("/api/customer/{}", server.customer_id)))
        .bearer_auth(&server.key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let account: Value = response.json().await.unwrap();
    for field in ["id", "email", "plan", "status", "mcpEndpoint", "createdAt"] {
        assert!(account.get(field).is_some(), "missing {field}: {account}");
    }
    assert!(account.as_object().unwrap().contains_key("brandName"));
    assert_eq!(account["id"], server.customer_id);
    assert_eq!(account["status"], "active");

    // The call above is in the log; `?token=` works as well as the header.
    let url = format!(
        "/api/events/{}?token={}&type=tool.called",
        server.customer_id, server.key
    );
    let events: Value = http
        .get(server.url(&url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &events["events"][0];
    assert_eq!(first["type"], "tool.called");
    assert_eq!(first["data"]["tool"], "get_account");
    assert_eq!(first["data"]["outcome"], "success");
    assert!(first["data"]["durationMs"].is_number());
    assert!(first["timestamp"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn events_paginate_with_a_cursor() {
    let server = Server::start(&[]);
    let http = client();
    for _ in 0..5 {
        let r = http
            .post(server.url("/api/tools/get_account"))
            .bearer_auth(&server.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut input = json!({"type": "tool.called", "limit": 2});
        if let Some(c) = &cursor {
            input["cursor"] = json!(c);
        }
        // Read through the REST projection of list_events, which itself appends events; the
        // cursor keeps pages stable because new events are newer than the cursor.
        let page: Value = http
            .post(server.url("/api/tools/list_events"))
            .bearer_auth(&server.key)
            .json(&input)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for event in page["events"].as_array().unwrap() {
            seen.push(event["id"].as_i64().unwrap());
        }
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.dedup();
    assert_eq!(seen, sorted, "newest first, no repeats");
    assert!(seen.len() >= 5, "{seen:?}");
}

#[tokio::test]
async fn a_key_reaches_only_its_own_customer_on_every_route() {
    let server = Server::start(&[]);
    let (other_id, other_key) = server.create_customer("other@example.com");
    let http = client();
    for path in ["/api/customer/{id}", "/api/events/{id}"] {
        // The local key on the other customer's id, and the other key on the local id.
        for (id, key) in [(&other_id, &server.key), (&server.customer_id, &other_key)] {
            let url = server.url(&path.replace("{id}", id));
            let response = http.get(url).bearer_auth(key).send().await.unwrap();
            expect_error(response, StatusCode::FORBIDDEN, "E_FORBIDDEN").await;
        }
        // And each key on its own id works.
        let url = server.url(&path.replace("{id}", &other_id));
        assert_eq!(
            http.get(url)
                .bearer_auth(&other_key)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    // Tools act on the caller's own customer only.
    let account: Value = http
        .post(server.url("/api/tools/get_account"))
        .bearer_auth(&other_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(account["id"], other_id);
    assert_eq!(account["email"], "other@example.com");
}

#[tokio::test]
async fn errors_use_the_documented_format() {
    let server = Server::start(&["--max-body-bytes", "1024"]);
    let http = client();
    let id = &server.customer_id;

    let r = http
        .get(server.url(&format!("/api/customer/{id}")))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::UNAUTHORIZED, "E_AUTH_REQUIRED").await;
    let bad_key = format!("hcmo_live_{}", "0".repeat(64));
    let r = http
        .get(server.url(&format!("/api/customer/{id}")))
        .bearer_auth(bad_key)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::UNAUTHORIZED, "E_INVALID_KEY").await;

    let post = |body: &'static str| {
        http.post(server.url("/api/tools/list_events"))
            .bearer_auth(&server.key)
            .body(body)
            .send()
    };
    expect_error(
        post("{\"limit\":").await.unwrap(),
        StatusCode::BAD_REQUEST,
        "E_BAD_REQUEST",
    )
    .await;
    // Only JSON's whitespace makes an empty body: a form feed is not "no input".
    expect_error(
        post("\u{c}").await.unwrap(),
        StatusCode::BAD_REQUEST,
        "E_BAD_REQUEST",
    )
    .await;
    let body = expect_error(
        post("{\"limit\": 0}").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "E_INVALID_INPUT",
    )
    .await;
    assert_eq!(body["pointer"], "/limit");
    assert!(body["error"].as_str().unwrap().contains("/limit"), "{body}");
    let body = expect_error(
        post("{\"nope\": 1}").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "E_INVALID_INPUT",
    )
    .await;
    assert!(body["error"].as_str().unwrap().contains("nope"), "{body}");
    let body = expect_error(
        post("[1, 2]").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "E_INVALID_INPUT",
    )
    .await;
    assert_eq!(body["pointer"], "");

    let big = format!("{{\"type\": \"{}\"}}", "a".repeat(4096));
    let r = http
        .post(server.url("/api/tools/list_events"))
        .bearer_auth(&server.key)
        .body(big)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::PAYLOAD_TOO_LARGE, "E_PAYLOAD_TOO_LARGE").await;

    let r = http
        .post(server.url("/api/tools/no_such_tool"))
        .bearer_auth(&server.key)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::NOT_FOUND, "E_NOT_FOUND").await;
    let r = http.get(server.url("/no/such/route")).send().await.unwrap();
    expect_error(r, StatusCode::NOT_FOUND, "E_NOT_FOUND").await;
    let r = http.delete(server.url("/api/health")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET");
    expect_error(r, StatusCode::METHOD_NOT_ALLOWED, "E_METHOD_NOT_ALLOWED").await;

    // An incoming request id is echoed when it is plain, replaced when it is not.
    let r = http
        .get(server.url("/api/health"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = http
        .get(server.url("/api/health"))
        .header("x-request-id", "a\u{7f}b")
        .send()
        .await;
    if let Ok(r) = r {
        assert_ne!(r.headers()["x-request-id"], "a\u{7f}b");
    }
}

#[tokio::test]
async fn read_only_keys_cannot_call_tools_that_need_more() {
    let server = Server::start(&[]);
    let minted = server.cli(&["keys", "create", "--scope", "read-only"]);
    let key = minted["apiKey"].as_str().unwrap();
    // Both built-in tools are read-only, so a read-only key may call them.
    let r = client()
        .post(server.url("/api/tools/get_account"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn revoked_keys_stop_working_within_the_key_cache_time() {
    let server = Server::start(&["--key-cache-seconds", "1"]);
    let minted = server.cli(&["keys", "create", "--label", "temp"]);
    let key = minted["apiKey"].as_str().unwrap().to_owned();
    let http = client();
    let r = http
        .post(server.url("/api/tools/get_account"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let listed = server.cli(&["keys", "list"]);
    let keys = listed["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert!(
        keys.iter().all(|k| !k.to_string().contains(&key)),
        "secrets are never listed"
    );
    server.cli(&["keys", "revoke", minted["id"].as_str().unwrap()]);
    let revoked_at = std::time::Instant::now();
    loop {
        let r = http
            .post(server.url("/api/tools/get_account"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        if r.status() == StatusCode::UNAUTHORIZED {
            expect_error(r, StatusCode::UNAUTHORIZED, "E_INVALID_KEY").await;
            break;
        }
        assert_eq!(r.status(), 200);
        assert!(
            revoked_at.elapsed() < std::time::Duration::from_secs(3),
            "the revoked key still works"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let server = Server::start(&["--rate-rest", "3", "--rate-preauth", "2"]);
    let http = client();
    let call = || {
        http.post(server.url("/api/tools/get_account"))
            .bearer_auth(&server.key)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(call().await.unwrap().status(), 200);
    }
    let r = call().await.unwrap();
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body = expect_error(r, StatusCode::TOO_MANY_REQUESTS, "E_RATE_LIMITED").await;
    assert_eq!(body["error"], "Rate limit exceeded");

    // Failed authentication is limited per IP.
    let bad = format!("hcmo_live_{}", "1".repeat(64));
    for _ in 0..2 {
        let r = http
            .post(server.url("/api/tools/get_account"))
            .bearer_auth(&bad)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = http
        .post(server.url("/api/tools/get_account"))
        .bearer_auth(&bad)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "E_RATE_LIMITED").await;
}

/// Every route is charged once: an alias with `{customerId}` was once charged by both the alias
/// and the tool it runs, so it allowed half the documented requests.
#[tokio::test]
async fn alias_routes_are_charged_once_per_request() {
    let server = Server::start(&["--rate-rest", "4"]);
    let http = client();
    let alias = server.url(&format!("/api/customer/{}", server.customer_id));
    let projection = server.url("/api/tools/get_account");
    for _ in 0..2 {
        let r = http
            .get(&alias)
            .bearer_auth(&server.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    for _ in 0..2 {
        let r = http
            .post(&projection)
            .bearer_auth(&server.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = http
        .get(&alias)
        .bearer_auth(&server.key)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::TOO_MANY_REQUESTS, "E_RATE_LIMITED").await;
}

#[tokio::test]
async fn provisioning_needs_the_admin_secret() {
    let disabled = Server::start(&[]);
    let r = client()
        .post(disabled.url("/api/admin/provision"))
        .header("x-admin-secret", "whatever")
        .json(&json!({"email": "new@example.com"}))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::NOT_FOUND, "E_DISABLED").await;
    // Without a secret it is 401 whether or not provisioning is on.
    let r = client()
        .post(disabled.url("/api/admin/provision"))
        .json(&json!({"email": "new@example.com"}))
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::UNAUTHORIZED, "E_AUTH_REQUIRED").await;

    let server = Server::start(&["--admin-secret", "correct horse"]);
    let http = client();
    let provision = |secret: &'static str, body: Value| {
        http.post(server.url("/api/admin/provision"))
            .header("x-admin-secret", secret)
            .json(&body)
            .send()
    };
    let r = provision("wrong", json!({"email": "new@example.com"}))
        .await
        .unwrap();
    expect_error(r, StatusCode::FORBIDDEN, "E_FORBIDDEN").await;
    let r = provision("correct horse", json!({"email": "not an email"}))
        .await
        .unwrap();
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "E_INVALID_INPUT").await;
    let r = provision(
        "correct horse",
        json!({"email": "new@example.com", "plan": "pro"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let created: Value = r.json().await.unwrap();
    let key = created["apiKey"].as_str().unwrap();
    assert!(key.starts_with("hcmo_live_") && key.len() == 74);
    assert!(
        created["mcpEndpoint"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/mcp/sse?token={key}"))
    );
    let r = provision("correct horse", json!({"email": "NEW@example.com"}))
        .await
        .unwrap();
    expect_error(r, StatusCode::CONFLICT, "E_CONFLICT").await;

    // The new key works, on its own customer.
    let id = created["customerId"].as_str().unwrap();
    let r = http
        .get(server.url(&format!("/api/customer/{id}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn keys_and_tokens_never_reach_the_logs() {
    let server = Server::start(&["--admin-secret", "hunter2-admin"]);
    let http = client();
    let url = format!("/api/events/{}?token={}", server.customer_id, server.key);
    assert_eq!(
        http.get(server.url(&url)).send().await.unwrap().status(),
        200
    );
    let r = http
        .post(server.url("/api/admin/provision"))
        .header("x-admin-secret", "hunter2-admin")
        .json(&json!({"email": "logs@example.com"}))
        .send()
        .await
        .unwrap();
    let created: Value = r.json().await.unwrap();
    let new_key = created["apiKey"].as_str().unwrap().to_owned();
    assert_eq!(
        http.post(server.url("/api/tools/get_account"))
            .bearer_auth(&new_key)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let stderr = server.stderr();
    assert!(stderr.contains("served"), "logging is on: {stderr}");
    for secret in [server.key.as_str(), new_key.as_str(), "hunter2-admin"] {
        assert!(!stderr.contains(secret), "a secret reached the log");
    }
    assert!(!stderr.contains("token="), "query strings are not logged");
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_and_keeps_every_event() {
    let server = Server::start(&[]);
    let http = client();
    for _ in 0..20 {
        let r = http
            .post(server.url("/api/tools/get_account"))
            .bearer_auth(&server.key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let db = server.db();
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.db");
    let status = server.stop_keeping(&kept);
    assert!(status.success(), "{status:?}");
    // The log, read back by another process after shutdown, has all twenty calls.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_heycmo"))
        .args([
            "call",
            "list_events",
            r#"{"type": "tool.called", "limit": 50}"#,
            "--db",
        ])
        .arg(&kept)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page: Value = serde_json::from_slice(&output.stdout).unwrap();
    let calls = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["data"]["tool"] == "get_account")
        .count();
    assert_eq!(calls, 20);
    drop(db);
}

/// Writes that read before they write (inviting a member checks the customer, then adds a key)
/// once failed with "database is locked" when another write committed in between: SQLite does
/// not wait for a deferred transaction that must upgrade from a stale snapshot. Every write now
/// takes the write lock first and waits its turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_wait_their_turn_instead_of_failing() {
    let server = Server::start(&["--rate-rest", "100000"]);
    let invite = format!("/api/team/{}/invite", server.customer_id);
    let create = format!("/api/content/{}", server.customer_id);
    let mut calls = tokio::task::JoinSet::new();
    // 32 at once: as many connections as a busy client keeps, under the bound on connections
    // that have not authenticated yet.
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
    for n in 0..240 {
        let permits = permits.clone();
        let (base, key) = (server.base.clone(), server.key.clone());
        let (path, body) = if n % 2 == 0 {
            (
                invite.clone(),
                json!({"email": format!("member{n}@example.com")}),
            )
        } else {
            (
                create.clone(),
                json!({"topic": format!("topic {n}"), "format": "email"}),
            )
        };
        calls.spawn(async move {
            let _turn = permits.acquire().await.unwrap();
            let response = client()
                .post(format!("{base}{path}"))
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        });
    }
    while let Some(done) = calls.join_next().await {
        let (status, body) = done.unwrap();
        assert_eq!(status, 200, "{body}");
    }
}

/// Found by schemathesis against /openapi.json: the server now answers what the document says.
#[tokio::test]
async fn the_server_is_as_strict_as_its_openapi_document() {
    let server = Server::start(&[]);
    let http = client();
    let send = |method: reqwest::Method, path: &str, body: Option<&'static str>| {
        let mut request = http
            .request(method, server.url(path))
            .bearer_auth(&server.key);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        request.send()
    };
    // No body is no input; JSON null is not an object.
    let r = send(reqwest::Method::POST, "/api/tools/get_account", None)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = send(
        reqwest::Method::POST,
        "/api/tools/get_account",
        Some("null"),
    )
    .await
    .unwrap();
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "E_INVALID_INPUT").await;
    assert_eq!(body["pointer"], "", "{body}");
    // 3.0 is the integer 3, for the schema and for the handler alike.
    let r = send(
        reqwest::Method::POST,
        "/api/tools/list_events",
        Some(r#"{"limit": 3.0}"#),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let r = send(
        reqwest::Method::POST,
        "/api/tools/list_events",
        Some(r#"{"limit": 3.5}"#),
    )
    .await
    .unwrap();
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "E_INVALID_INPUT").await;
    // What the path gives, the body does not repeat.
    let item = common::draft(&server, "spring boots").await;
    let approve = format!("/api/content/{}/{item}/approve", server.customer_id);
    let r = send(
        reqwest::Method::POST,
        &approve,
        Some(r#"{"contentId": "cnt_0000000000000000"}"#),
    )
    .await
    .unwrap();
    let body = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "E_INVALID_INPUT").await;
    assert_eq!(body["pointer"], "/contentId");
    // A known path with a method it does not serve is 405 with Allow, documents included.
    for (path, allowed) in [
        ("/", "GET"),
        ("/openapi.json", "GET"),
        ("/llms.txt", "GET"),
        ("/mcp", "GET, POST, DELETE"),
        ("/api/tools/get_account", "POST"),
    ] {
        let r = send(reqwest::Method::TRACE, path, None).await.unwrap();
        assert_eq!(r.headers()["allow"], allowed, "{path}");
        expect_error(r, StatusCode::METHOD_NOT_ALLOWED, "E_METHOD_NOT_ALLOWED").await;
    }
    // Ending a session that does not exist is not a success.
    let r = http
        .delete(server.url("/mcp"))
        .bearer_auth(&server.key)
        .header("mcp-session-id", "nosuchsession")
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::NOT_FOUND, "E_NOT_FOUND").await;
}
