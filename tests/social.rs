//! Social publishing end to end: the real server and SQLite file, and local servers speaking
//! Mastodon's, Bluesky's, LinkedIn's and X's wire formats, which check what arrives.

mod common;

use std::time::{Duration, Instant};

use common::platforms::{self, BLUESKY_PASSWORD, GOOD_TOKEN, Platform, Trouble};
use common::receiver::{Answer, Receiver};
use common::{Server, call, connect, post};
use reqwest::Method;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

struct World {
    server: Server,
    mastodon: Platform,
    bluesky: Platform,
    linkedin: Platform,
    x: Platform,
    hook: Receiver,
}

fn start_server(extra: &[&str]) -> Server {
    let mut args = vec![
        "--allow-fetch-network",
        common::site::SITE_NETWORK,
        "--job-backoff-ms",
        "100",
        "--rate-rest",
        "100000",
        "--job-max-backoff-ms",
        "400",
    ];
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// A server with every platform connected.
async fn world() -> World {
    let (mastodon, bluesky, linkedin, x) = (
        platforms::mastodon().await,
        platforms::bluesky().await,
        platforms::linkedin().await,
        platforms::x().await,
    );
    let hook = Receiver::start(|_| Answer::status(200)).await;
    let server = start_server(&[]);
    for body in [
        json!({"platform": "mastodon", "instanceUrl": mastodon.base(), "accessToken": GOOD_TOKEN}),
        json!({"platform": "bluesky", "handle": "brand.bsky.social", "appPassword": BLUESKY_PASSWORD, "serviceUrl": bluesky.base()}),
        json!({"platform": "linkedin", "accessToken": GOOD_TOKEN, "baseUrl": linkedin.base()}),
        json!({"platform": "x", "accessToken": GOOD_TOKEN, "baseUrl": x.base()}),
        json!({"platform": "webhook", "url": hook.url("/posts")}),
    ] {
        let (status, channel) = connect(&server, body.clone()).await;
        assert_eq!(status, 200, "{body}: {channel}");
    }
    World {
        server,
        mastodon,
        bluesky,
        linkedin,
        x,
        hook,
    }
}

/// An approved social item with `body` as its text.
async fn approved(server: &Server, body: &str) -> String {
    let id = common::draft(server, "free resoling").await;
    let path = format!("/api/content/{}/{id}", server.customer_id);
    let (status, edited) = call(
        server,
        &server.key,
        Method::PATCH,
        &path,
        Some(json!({"body": body})),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    let (status, _) = post(server, &format!("{path}/approve"), json!({})).await;
    assert_eq!(status, 200);
    id
}

async fn posts(server: &Server, query: &str) -> Vec<Value> {
    let path = format!("/api/posts/{}{query}", server.customer_id);
    let (status, body) = call(server, &server.key, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{body}");
    body["posts"].as_array().unwrap().clone()
}

/// Waits until every post of the query has left `queued`.
async fn settled(server: &Server, query: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let all = posts(server, query).await;
        if all.len() >= count && all.iter().all(|p| p["state"] != "queued") {
            return all;
        }
        assert!(Instant::now() < deadline, "posts still queued: {all:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn content_state(server: &Server, id: &str) -> String {
    let path = format!("/api/content/{}/{id}", server.customer_id);
    let (_, item) = call(server, &server.key, Method::GET, &path, None).await;
    item["state"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn connecting_checks_credentials_and_keeps_them_sealed() {
    let mastodon = platforms::mastodon().await;
    let bluesky = platforms::bluesky().await;
    let server = start_server(&[]);
    let (status, refused) = connect(
        &server,
        json!({"platform": "mastodon", "instanceUrl": mastodon.base(), "accessToken": "stolen"}),
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str().unwrap()),
        (400, "E_BAD_REQUEST"),
        "{refused}"
    );
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("The access token is invalid"),
        "{refused}"
    );
    let (status, refused) = connect(&server, json!({"platform": "bluesky", "handle": "brand.bsky.social", "appPassword": "wrong", "serviceUrl": bluesky.base()})).await;
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("Invalid identifier or password")
    );
    let (status, missing) = connect(
        &server,
        json!({"platform": "mastodon", "accessToken": GOOD_TOKEN}),
    )
    .await;
    assert_eq!(
        (status, missing["code"].as_str().unwrap()),
        (422, "E_INVALID_INPUT")
    );
    assert!(missing["error"].as_str().unwrap().contains("instanceUrl"));
    let (status, refused) = connect(&server, json!({"platform": "mastodon", "instanceUrl": "http://10.1.1.1", "accessToken": GOOD_TOKEN})).await;
    assert_eq!(
        (status, refused["code"].as_str().unwrap()),
        (400, "E_URL_REFUSED"),
        "private instances are refused: {refused}"
    );
    // Every platform's own URL is judged alike, and a refusal is the caller's error (400), not
    // a failure of the platform (502).
    for body in [
        json!({"platform": "bluesky", "handle": "brand.bsky.social", "appPassword": BLUESKY_PASSWORD, "serviceUrl": "http://127.0.0.1:9"}),
        json!({"platform": "linkedin", "accessToken": GOOD_TOKEN, "baseUrl": "http://10.0.0.8"}),
        json!({"platform": "x", "accessToken": GOOD_TOKEN, "baseUrl": "http://169.254.169.254"}),
        json!({"platform": "mastodon", "instanceUrl": "http://localhost.:9", "accessToken": GOOD_TOKEN}),
        json!({"platform": "webhook", "url": "http://localhost./posts"}),
    ] {
        let (status, refused) = connect(&server, body.clone()).await;
        assert_eq!(
            (status, refused["code"].as_str().unwrap()),
            (400, "E_URL_REFUSED"),
            "{body}: {refused}"
        );
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .contains("--allow-fetch-network"),
            "the refusal names the flag that opens a network: {refused}"
        );
    }

    let (status, channel) = connect(
        &server,
        json!({"platform": "mastodon", "instanceUrl": mastodon.base(), "accessToken": GOOD_TOKEN}),
    )
    .await;
    assert_eq!(status, 200, "{channel}");
    assert_eq!(
        channel["account"].as_str().unwrap(),
        format!("@brand@{}", "127.0.0.2")
    );
    assert!(
        !channel.to_string().contains(GOOD_TOKEN),
        "the token is never returned"
    );
    let (status, channel) = connect(&server, json!({"platform": "bluesky", "handle": "@brand.bsky.social", "appPassword": BLUESKY_PASSWORD, "serviceUrl": bluesky.base()})).await;
    assert_eq!(status, 200, "{channel}");
    assert_eq!(channel["settings"]["did"], platforms::BLUESKY_DID);

    let (status, listed) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/connections/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed["customerId"], json!(server.customer_id));
    assert_eq!(listed["connections"]["mastodon"]["connected"], true);
    assert_eq!(
        listed["connections"]["bluesky"]["account"],
        "brand.bsky.social"
    );
    assert_eq!(listed["connections"]["x"], json!({"connected": false}));
    for file in [server.db(), server.db().with_extension("db-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        for secret in [GOOD_TOKEN, BLUESKY_PASSWORD] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} is sealed in {}",
                file.display()
            );
        }
    }
    assert!(
        !server.stderr().contains(GOOD_TOKEN) && !server.stderr().contains(BLUESKY_PASSWORD),
        "secrets stay out of the logs"
    );

    let (other, other_key) = server.create_customer("other@example.com");
    let (status, _) = call(
        &server,
        &other_key,
        Method::GET,
        &format!("/api/connections/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (_, theirs) = call(
        &server,
        &other_key,
        Method::GET,
        &format!("/api/connections/{other}"),
        None,
    )
    .await;
    assert_eq!(theirs["connections"]["mastodon"]["connected"], false);

    let path = format!("/api/connections/{}/mastodon", server.customer_id);
    let (status, _) = call(&server, &server.key, Method::DELETE, &path, None).await;
    assert_eq!(status, 200);
    let (status, _) = call(&server, &server.key, Method::DELETE, &path, None).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_content_goes_out_on_every_platform_in_its_wire_format() {
    let w = world().await;
    let server = &w.server;
    let text = "Free resoling (for life) on every boot #boots https://shop.example.com/resoling — café crew";
    let id = approved(server, text).await;
    let at = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let path = format!("/api/content/{}/{id}/schedule", server.customer_id);
    let (status, scheduled) = post(
        server,
        &path,
        json!({"channels": ["mastodon", "bluesky", "linkedin", "x", "webhook"], "at": at}),
    )
    .await;
    assert_eq!(status, 200, "{scheduled}");
    let queued = scheduled["posts"].as_array().unwrap();
    assert_eq!(queued.len(), 5);
    assert!(
        queued
            .iter()
            .all(|p| p["state"] == "queued" && p["text"] == text)
    );
    assert_eq!(content_state(server, &id).await, "scheduled");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        w.mastodon.posts().is_empty(),
        "nothing goes out before its time"
    );

    let done = settled(server, &format!("?contentId={id}"), 5).await;
    assert!(done.iter().all(|p| p["state"] == "published"), "{done:#?}");
    assert_eq!(content_state(server, &id).await, "published");
    let by_channel = |name: &str| done.iter().find(|p| p["channel"] == name).unwrap().clone();

    let mastodon = w
        .mastodon
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(mastodon.json()["status"], text);
    assert_eq!(
        mastodon.header("idempotency-key"),
        by_channel("mastodon")["id"].as_str().unwrap()
    );
    assert_eq!(
        by_channel("mastodon")["url"],
        "https://mastodon.example/@brand/11001"
    );

    let (uri, record) = w.bluesky.posts()[0].clone();
    assert_eq!(by_channel("bluesky")["remoteId"], json!(uri));
    assert!(
        by_channel("bluesky")["url"]
            .as_str()
            .unwrap()
            .starts_with("https://bsky.app/profile/brand.bsky.social/post/")
    );
    assert_eq!(
        record["record"]["facets"][0]["features"][0]["uri"],
        "https://shop.example.com/resoling"
    );
    assert_eq!(record["record"]["text"], text);

    let (urn, body) = w.linkedin.posts()[0].clone();
    assert_eq!(
        body["commentary"],
        r"Free resoling \(for life\) on every boot \#boots https://shop.example.com/resoling — café crew"
    );
    assert_eq!(body["author"], "urn:li:person:782bbtaQ");
    assert_eq!(
        by_channel("linkedin")["url"].as_str().unwrap(),
        format!("https://www.linkedin.com/feed/update/{urn}/")
    );

    assert_eq!(w.x.posts()[0].1["text"], text);
    assert_eq!(
        by_channel("x")["url"].as_str().unwrap(),
        format!("https://x.com/brand/status/{}", w.x.posts()[0].0)
    );

    let delivered = w.hook.received();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].json()["data"]["text"], text);
    assert_eq!(
        delivered[0].header("webhook-id"),
        by_channel("webhook")["id"].as_str().unwrap()
    );

    let events = format!("/api/events/{}?type=content.*", server.customer_id);
    let (_, log) = call(server, &server.key, Method::GET, &events, None).await;
    let kinds: Vec<&str> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "content.published").count(),
        5,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "content.scheduled").count(),
        1,
        "{kinds:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn only_approved_content_fitting_connected_channels_is_queued() {
    let w = world().await;
    let server = &w.server;
    let draft = &common::draft(server, "boots").await;
    let path = format!("/api/content/{}/{draft}/schedule", server.customer_id);
    let (status, body) = post(
        server,
        &path,
        json!({"channels": ["mastodon"], "at": "2030-01-01T09:00:00Z"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (409, "E_CONFLICT"),
        "{body}"
    );
    assert!(body["error"].as_str().unwrap().contains("is draft"));

    let long = format!(
        "{} https://example.com/{}",
        "word ".repeat(52),
        "x".repeat(200)
    );
    let id = approved(server, &long).await;
    let path = format!("/api/content/{}/{id}/schedule", server.customer_id);
    let (status, body) = post(
        server,
        &path,
        json!({"channels": ["mastodon", "x"], "at": "2030-01-01T09:00:00Z"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (422, "E_INVALID_INPUT"),
        "{body}"
    );
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("X takes at most 280"),
        "{body}"
    );
    // The link counts 23 on Mastodon: the same text fits there.
    let (status, body) = post(
        server,
        &path,
        json!({"channels": ["mastodon"], "at": "2030-01-01T09:00:00Z"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_state(server, &id).await, "scheduled");

    let (status, _) = call(
        server,
        &server.key,
        Method::DELETE,
        &format!("/api/connections/{}/x", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = post(
        server,
        &format!("/api/posts/{}", server.customer_id),
        json!({"text": "hello", "channels": ["x"]}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (409, "E_CONFLICT")
    );
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("X is not connected")
    );
    let (status, body) = post(
        server,
        &format!("/api/posts/{}", server.customer_id),
        json!({"channels": ["mastodon"]}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn platform_failures_are_retried_the_platforms_way() {
    let w = world().await;
    let server = &w.server;
    w.x.trouble(Trouble {
        rate_limited: Some(2),
        times: 1,
        ..Trouble::default()
    });
    w.mastodon.trouble(Trouble {
        unavailable: true,
        times: 2,
        ..Trouble::default()
    });
    w.bluesky.trouble(Trouble {
        lose_answer: true,
        times: 1,
        ..Trouble::default()
    });
    w.linkedin.trouble(Trouble {
        refuse: true,
        times: 1,
        ..Trouble::default()
    });
    let started = Instant::now();
    let (status, body) = post(
        server,
        &format!("/api/posts/{}", server.customer_id),
        json!({"text": "Resoling is back.", "channels": ["x", "mastodon", "bluesky", "linkedin"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let done = settled(server, "", 4).await;
    let by_channel = |name: &str| done.iter().find(|p| p["channel"] == name).unwrap().clone();

    // X: 429 with x-rate-limit-reset two seconds on; the retry waits for it.
    assert_eq!(by_channel("x")["state"], "published");
    let x_posts: Vec<_> =
        w.x.requests()
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect();
    assert_eq!(x_posts.len(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "the retry waited for the reset"
    );
    // Mastodon: two 503s, then published; every attempt carried the same Idempotency-Key.
    let keys: Vec<String> = w
        .mastodon
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.header("idempotency-key").to_owned())
        .collect();
    assert_eq!(keys.len(), 3);
    assert!(
        keys.iter()
            .all(|k| k == by_channel("mastodon")["id"].as_str().unwrap())
    );
    assert_eq!(w.mastodon.posts().len(), 1);
    // Bluesky: the record was created but the answer lost; the retry finds it, no second post.
    assert_eq!(by_channel("bluesky")["state"], "published");
    assert_eq!(w.bluesky.posts().len(), 1);
    assert!(
        w.bluesky
            .requests()
            .iter()
            .any(|r| r.path.starts_with("/xrpc/com.atproto.repo.getRecord"))
    );
    // LinkedIn: a 422 is final, with LinkedIn's message; retry_job sends it again.
    let failed = by_channel("linkedin");
    assert_eq!(failed["state"], "failed");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("LinkedIn answered 422"),
        "{failed}"
    );
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("/commentary :: is too long")
    );
    let (_, jobs) = call(
        server,
        &server.key,
        Method::GET,
        &format!("/api/jobs/{}?state=dead", server.customer_id),
        None,
    )
    .await;
    let dead = jobs["jobs"].as_array().unwrap();
    assert_eq!(dead.len(), 1, "{jobs}");
    assert_eq!(dead[0]["attempts"], 1, "a refusal is not retried");
    let retry = format!("/api/jobs/{}/{}/retry", server.customer_id, dead[0]["id"]);
    let (status, body) = post(server, &retry, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let deadline = Instant::now() + WAIT;
    while posts(server, "?state=published").await.len() < 4 {
        assert!(
            Instant::now() < deadline,
            "the retried post was not published"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(w.linkedin.posts().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_post_never_goes_out() {
    let w = world().await;
    let server = &w.server;
    let id = approved(server, "Resoling season opens Monday.").await;
    let schedule = format!("/api/content/{}/{id}/schedule", server.customer_id);
    let at = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let (status, scheduled) = post(
        server,
        &schedule,
        json!({"channels": ["mastodon", "x"], "at": at}),
    )
    .await;
    assert_eq!(status, 200, "{scheduled}");
    let x_post = scheduled["posts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["channel"] == "x")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancel = format!("/api/posts/{}/{x_post}", server.customer_id);
    let (status, cancelled) = call(server, &server.key, Method::DELETE, &cancel, None).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["state"], "cancelled");
    assert_eq!(
        content_state(server, &id).await,
        "scheduled",
        "the Mastodon post is still coming"
    );
    let (status, again) = call(server, &server.key, Method::DELETE, &cancel, None).await;
    assert_eq!(
        (status, again["code"].as_str().unwrap()),
        (409, "E_CONFLICT")
    );
    assert!(again["error"].as_str().unwrap().contains("is cancelled"));

    let deadline = Instant::now() + WAIT;
    while posts(server, "?state=published").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the Mastodon post never went out"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(w.x.posts().is_empty(), "the cancelled post did not go out");
    assert_eq!(w.mastodon.posts().len(), 1);

    // Cancelling an item's only post puts it back to approved.
    let other = approved(server, "Winter boots are in.").await;
    let schedule = format!("/api/content/{}/{other}/schedule", server.customer_id);
    let (_, scheduled) = post(
        server,
        &schedule,
        json!({"channels": ["bluesky"], "at": "2030-01-01T09:00:00Z"}),
    )
    .await;
    let only = scheduled["posts"][0]["id"].as_str().unwrap().to_owned();
    let (status, _) = call(
        server,
        &server.key,
        Method::DELETE,
        &format!("/api/posts/{}/{only}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(content_state(server, &other).await, "approved");
    let (_, log) = call(
        server,
        &server.key,
        Method::GET,
        &format!(
            "/api/events/{}?type=content.unscheduled",
            server.customer_id
        ),
        None,
    )
    .await;
    assert_eq!(log["events"][0]["data"]["contentId"], json!(other));
}

#[tokio::test]
async fn a_post_brief_holds_the_limits_of_the_networks_it_is_for() {
    let mastodon = platforms::mastodon().await;
    let server = start_server(&[]);
    let path = format!("/api/content/{}", server.customer_id);
    let limits = |item: &Value| -> Vec<(String, u64)> {
        item["brief"]["platformLimits"]
            .as_array()
            .unwrap_or_else(|| panic!("{item}"))
            .iter()
            .map(|l| {
                (
                    l["platform"].as_str().unwrap().to_owned(),
                    l["max"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let topic = json!({"topic": "autumn roast", "format": "social"});
    // Nothing connected: the brief names every network.
    let (status, item) = post(&server, &path, topic.clone()).await;
    assert_eq!(status, 200, "{item}");
    let names: Vec<String> = limits(&item).into_iter().map(|(p, _)| p).collect();
    assert_eq!(names, ["mastodon", "bluesky", "linkedin", "x"]);
    assert_eq!(item["brief"]["length"]["max"], 280, "the strictest, X");

    // Only Mastodon connected: only its limit holds.
    let body =
        json!({"platform": "mastodon", "instanceUrl": mastodon.base(), "accessToken": GOOD_TOKEN});
    let (status, channel) = connect(&server, body).await;
    assert_eq!(status, 200, "{channel}");
    let (status, item) = post(&server, &path, topic.clone()).await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(limits(&item), [("mastodon".to_owned(), 500)]);
    assert_eq!(item["brief"]["length"]["max"], 500);

    // Named networks win over the connected ones.
    let named =
        json!({"topic": "autumn roast", "format": "social", "platforms": ["bluesky", "x", "x"]});
    let (status, item) = post(&server, &path, named).await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(
        limits(&item),
        [("bluesky".to_owned(), 300), ("x".to_owned(), 280)]
    );
    let unknown = json!({"topic": "autumn roast", "format": "social", "platforms": ["myspace"]});
    let (status, refused) = post(&server, &path, unknown).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (422, Some("E_INVALID_INPUT")),
        "{refused}"
    );
}
