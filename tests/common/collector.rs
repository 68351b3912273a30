//! The collector as a site's pages reach it: a site of the customer on acme.example, hits of
//! its tracking script from a browser, and waiting for the batched commit.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use super::{Server, call, client};

pub const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/// A site of the customer on acme.example; answers its id.
pub async fn acme_site(server: &Server) -> String {
    let (status, site) = call(
        server,
        &server.key,
        Method::POST,
        &format!("/api/sites/{}", server.customer_id),
        Some(json!({"domains": ["acme.example"]})),
    )
    .await;
    assert_eq!(status, 200, "{site}");
    site["id"].as_str().unwrap().to_owned()
}

/// One hit of the tracking script from a page of acme.example; answers the collector's answer.
pub async fn hit(server: &Server, body: Value) -> Value {
    let response = client()
        .post(server.url("/api/collect"))
        .header("content-type", "text/plain;charset=UTF-8")
        .header("user-agent", CHROME)
        .header("origin", "https://acme.example")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    response.json().await.unwrap()
}

/// Waits until `sql` counts at least `n` in the database (the collector commits in batches).
pub async fn wait_for(server: &Server, sql: &str, n: i64) {
    let conn = rusqlite::Connection::open(server.db()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while conn.query_row(sql, [], |row| row.get::<_, i64>(0)).unwrap() < n {
        assert!(Instant::now() < deadline, "{sql} never reached {n}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
