//! Webhooks end to end: the real server, a real SQLite file and a receiver on loopback that
//! checks each delivery's Standard Webhooks signature and replay window.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::receiver::{Answer, Received, Receiver};
use common::{Server, call, post};
use heycmo::webhooks::sign;
use reqwest::Method;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);

/// A server whose webhooks may reach the receiver's network, with quick retries.
fn server(extra: &[&str]) -> Server {
    let mut args = vec![
        "--allow-fetch-network",
        common::site::SITE_NETWORK,
        "--job-backoff-ms",
        "50",
        "--rate-rest",
        "100000",
        "--job-max-backoff-ms",
        "200",
    ];
    args.extend_from_slice(extra);
    Server::start(&args)
}

async fn subscribe(server: &Server, url: &str, events: &[&str]) -> Value {
    let (status, hook) = post(
        server,
        &format!("/api/hooks/{}", server.customer_id),
        json!({"url": url, "events": events}),
    )
    .await;
    assert_eq!(status, 200, "{hook}");
    hook
}

async fn draft(server: &Server) -> String {
    common::draft(server, "trail running shoes").await
}

/// Checks a delivery as a receiver must: signature over id, timestamp and body, within the window.
fn verify(secret: &str, delivery: &Received) {
    let now = chrono::Utc::now().timestamp();
    sign::verify(
        secret,
        delivery.header("webhook-id"),
        delivery.header("webhook-timestamp"),
        delivery.header("webhook-signature"),
        &delivery.body,
        now,
    )
    .unwrap_or_else(|e| {
        panic!(
            "delivery {} does not verify: {e}",
            delivery.header("webhook-id")
        )
    });
    // Another secret, a changed body or an old timestamp must not pass.
    assert!(
        sign::verify(
            &sign::new_secret(),
            delivery.header("webhook-id"),
            delivery.header("webhook-timestamp"),
            delivery.header("webhook-signature"),
            &delivery.body,
            now
        )
        .is_err()
    );
    assert!(
        sign::verify(
            secret,
            delivery.header("webhook-id"),
            delivery.header("webhook-timestamp"),
            delivery.header("webhook-signature"),
            b"{}",
            now
        )
        .is_err()
    );
    assert_eq!(
        sign::verify(
            secret,
            delivery.header("webhook-id"),
            delivery.header("webhook-timestamp"),
            delivery.header("webhook-signature"),
            &delivery.body,
            now + 600
        ),
        Err(sign::VerifyError::Stale)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribed_events_arrive_signed_and_others_do_not() {
    let receiver = Receiver::start(|_| Answer::status(204)).await;
    let server = server(&[]);
    let hook = subscribe(
        &server,
        &receiver.url("/hook"),
        &["content.created", "content.approved"],
    )
    .await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(
        hook["events"],
        json!(["content.created", "content.approved"])
    );

    let (status, listed) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/hooks/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed["webhooks"][0]["id"], hook["id"]);
    assert!(
        listed["webhooks"][0].get("secret").is_none(),
        "secrets are shown once"
    );
    for file in [server.db(), server.db().with_extension("db-wal")] {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the secret is sealed at rest in {}",
            file.display()
        );
    }

    let first = draft(&server).await;
    let second = draft(&server).await;
    let path = format!("/api/content/{}/{second}/reject", server.customer_id);
    let (status, _) = post(&server, &path, json!({"reason": "off brand"})).await;
    assert_eq!(status, 200);
    let path = format!("/api/content/{}/{first}/approve", server.customer_id);
    let (status, _) = post(&server, &path, json!({})).await;
    assert_eq!(status, 200);

    let got = receiver
        .wait_for(WAIT, "three deliveries", |r| r.len() >= 3)
        .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let got = if receiver.received().len() > got.len() {
        receiver.received()
    } else {
        got
    };
    let types: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        ["content.created", "content.created", "content.approved"],
        "content.rejected is not subscribed"
    );
    for delivery in &got {
        assert_eq!(delivery.method, "POST");
        assert_eq!(delivery.path, "/hook");
        assert_eq!(delivery.header("content-type"), "application/json");
        assert!(delivery.header("webhook-id").starts_with("msg_"));
        verify(&secret, delivery);
        let body = delivery.json();
        assert!(body["timestamp"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(got[2].json()["data"]["contentId"], json!(first));
    assert_eq!(got[2].json()["data"]["state"], "approved");

    let path = format!(
        "/api/hooks/{}/{}/deliveries",
        server.customer_id,
        hook["id"].as_str().unwrap()
    );
    let (status, log) = call(&server, &server.key, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{log}");
    let deliveries = log["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 3);
    assert!(
        deliveries
            .iter()
            .all(|d| d["state"] == "delivered" && d["attempts"] == 1 && d["lastStatus"] == 204)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_attempts_are_retried_under_the_same_id() {
    let receiver = Receiver::start(|seen| {
        if seen.len() <= 2 {
            Answer::json(500, json!({"error": "busy"}))
        } else {
            Answer::status(200)
        }
    })
    .await;
    let server = server(&[]);
    let hook = subscribe(&server, &receiver.url("/retry"), &["content.created"]).await;
    draft(&server).await;
    let got = receiver
        .wait_for(WAIT, "the third attempt", |r| r.len() >= 3)
        .await;
    let ids: Vec<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(
        ids, [ids[0]; 3],
        "every attempt carries the same webhook-id"
    );
    assert!(
        got.iter().all(|r| r.body == got[0].body),
        "every attempt sends the same body"
    );
    let secret = hook["secret"].as_str().unwrap();
    for attempt in &got {
        verify(secret, attempt);
    }

    let path = format!(
        "/api/hooks/{}/{}/deliveries",
        server.customer_id,
        hook["id"].as_str().unwrap()
    );
    let delivered = async {
        loop {
            let (_, log) = call(&server, &server.key, Method::GET, &path, None).await;
            if log["deliveries"][0]["state"] == "delivered" {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let log = tokio::time::timeout(WAIT, delivered)
        .await
        .expect("delivered");
    assert_eq!(log["deliveries"][0]["attempts"], 3);
    assert_eq!(log["deliveries"][0]["lastStatus"], 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_subscription_is_disabled_until_enabled_again() {
    let down = Arc::new(AtomicUsize::new(1));
    let flag = down.clone();
    let receiver = Receiver::start(move |_| {
        if flag.load(Ordering::SeqCst) == 1 {
            Answer::status(503)
        } else {
            Answer::status(200)
        }
    })
    .await;
    let server = server(&["--webhook-disable-after", "3"]);
    let hook = subscribe(&server, &receiver.url("/down"), &["content.created"]).await;
    let id = hook["id"].as_str().unwrap();
    draft(&server).await;
    let list = format!("/api/hooks/{}", server.customer_id);
    let disabled = async {
        loop {
            let (_, listed) = call(&server, &server.key, Method::GET, &list, None).await;
            if listed["webhooks"][0]["enabled"] == false {
                return listed;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let listed = tokio::time::timeout(WAIT, disabled)
        .await
        .expect("disabled");
    assert_eq!(listed["webhooks"][0]["failures"], 3);
    assert!(
        listed["webhooks"][0]["disabledReason"]
            .as_str()
            .unwrap()
            .contains("3 failed attempts")
    );

    // Nothing is sent while disabled.
    draft(&server).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let attempts = receiver.received().len();
    assert!(
        attempts <= 4,
        "{attempts} attempts: at most the one in flight when it was disabled"
    );

    down.store(0, Ordering::SeqCst);
    let (status, enabled) = call(
        &server,
        &server.key,
        Method::PATCH,
        &format!("{list}/{id}"),
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, 200, "{enabled}");
    assert_eq!(enabled["enabled"], true);
    assert_eq!(enabled["failures"], 0);
    assert!(enabled.get("disabledReason").is_none());
    draft(&server).await;
    let got = receiver
        .wait_for(WAIT, "a delivery after re-enabling", |all| {
            all.len() > attempts
                && all[attempts..]
                    .iter()
                    .any(|r| r.json()["type"] == "content.created")
        })
        .await;
    assert!(got.len() > attempts);
}

#[tokio::test(flavor = "multi_thread")]
async fn private_urls_other_customers_and_bad_input_are_refused() {
    let server = server(&[]);
    let path = format!("/api/hooks/{}", server.customer_id);
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
        "http://LocalHost./hook",
        "http://a.localhost./hook",
        "ftp://example.com/hook",
    ] {
        let (status, body) = post(
            &server,
            &path,
            json!({"url": url, "events": ["content.created"]}),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str().unwrap()),
            (400, "E_URL_REFUSED"),
            "{url}: {body}"
        );
    }
    let (status, body) = post(
        &server,
        &path,
        json!({"url": "https://agent.example.com/h", "events": ["tool.called"]}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (422, "E_INVALID_INPUT"),
        "{body}"
    );
    let (status, body) = post(
        &server,
        &path,
        json!({"url": "https://agent.example.com/h", "events": []}),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    let (other, other_key) = server.create_customer("other@example.com");
    let (status, body) = call(
        &server,
        &other_key,
        Method::POST,
        &path,
        Some(json!({"url": "https://agent.example.com/h", "events": ["content.created"]})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str().unwrap()),
        (403, "E_FORBIDDEN")
    );
    let hook = subscribe(&server, "https://agent.example.com/h", &["content.created"]).await;
    let id = hook["id"].as_str().unwrap();
    for (method, route) in [
        (Method::DELETE, format!("/api/hooks/{other}/{id}")),
        (Method::GET, format!("/api/hooks/{other}/{id}/deliveries")),
        (Method::PATCH, format!("/api/hooks/{other}/{id}")),
    ] {
        let body = (method == Method::PATCH).then(|| json!({"enabled": false}));
        let (status, answer) = call(&server, &other_key, method, &route, body).await;
        assert_eq!(
            (status, answer["code"].as_str().unwrap()),
            (404, "E_NOT_FOUND"),
            "{route}: {answer}"
        );
    }
    let (status, _) = call(
        &server,
        &server.key,
        Method::DELETE,
        &format!("{path}/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = call(
        &server,
        &server.key,
        Method::DELETE,
        &format!("{path}/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invitation_mints_a_key_and_is_announced() {
    let receiver = Receiver::start(|_| Answer::status(200)).await;
    let server = server(&[]);
    let hook = subscribe(&server, &receiver.url("/team"), &["team.invited"]).await;
    let path = format!("/api/team/{}/invite", server.customer_id);
    let (status, bad) = post(&server, &path, json!({"email": "sam"})).await;
    assert_eq!(
        (status, bad["code"].as_str().unwrap()),
        (422, "E_INVALID_INPUT"),
        "{bad}"
    );
    let (status, invited) = post(
        &server,
        &path,
        json!({"email": "sam@example.com", "role": "read-only"}),
    )
    .await;
    assert_eq!(status, 200, "{invited}");
    let key = invited["apiKey"].as_str().unwrap();
    assert!(invited["mcpEndpoint"].as_str().unwrap().contains(key));

    // The teammate's key reads, but a read-only key cannot write.
    let account = format!("/api/customer/{}", server.customer_id);
    let (status, _) = call(&server, key, Method::GET, &account, None).await;
    assert_eq!(status, 200);
    let (status, refused) = call(
        &server,
        key,
        Method::POST,
        &path,
        Some(json!({"email": "eve@example.com"})),
    )
    .await;
    assert_eq!(
        (status, refused["code"].as_str().unwrap()),
        (403, "E_FORBIDDEN")
    );

    let got = receiver
        .wait_for(WAIT, "the team.invited delivery", |r| !r.is_empty())
        .await;
    verify(hook["secret"].as_str().unwrap(), &got[0]);
    let body = got[0].json();
    assert_eq!(body["type"], "team.invited");
    assert_eq!(body["data"]["email"], "sam@example.com");
    assert_eq!(body["data"]["role"], "read-only");
    assert_eq!(body["data"]["keyId"], invited["keyId"]);
    assert!(
        !got[0].body.windows(key.len()).any(|w| w == key.as_bytes()),
        "the key is not in the event"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delivery_still_failing_when_its_window_ends_is_given_up() {
    use heycmo::app::App;
    use heycmo::clock::{Clock, SystemClock};
    use heycmo::config::Config;
    use heycmo::jobs::JobConfig;
    use heycmo::store::{NewEvent, NewWebhook};
    use heycmo::webhooks::deliver::DeliveryPolicy;

    let receiver = Receiver::start(|_| Answer::status(500)).await;
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        db: dir.path().join("heycmo.db"),
        allowed_fetch_networks: vec![common::site::SITE_NETWORK.parse().unwrap()],
        jobs: JobConfig {
            workers: 1,
            poll: Duration::from_millis(10),
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(200),
            ..JobConfig::default()
        },
        // The 24 hours of a real server, shortened to one second.
        webhooks: DeliveryPolicy {
            give_up_after: Duration::from_secs(1),
            disable_after: 1000,
        },
        ..Config::default()
    };
    let app = App::open(config, "http://127.0.0.1:8080".into()).unwrap();
    let customer = app
        .provision("window@example.com", "pro")
        .await
        .unwrap()
        .customer
        .id;
    let id = "wh_00000000000000aa".to_owned();
    app.store
        .create_webhook(
            NewWebhook {
                sealed_secret: app.vault.seal(
                    &heycmo::webhooks::secret_purpose(&id),
                    sign::new_secret().as_bytes(),
                ),
                id: id.clone(),
                customer_id: customer.clone(),
                url: receiver.url("/window"),
                events: vec!["content.created".into()],
            },
            SystemClock.now_millis(),
        )
        .await
        .unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let background = app.start_background(shutdown.clone());
    app.events
        .append(NewEvent::new(
            customer.clone(),
            "content.created",
            &json!({"contentId": "cnt_00000000000000aa"}),
            SystemClock.now_millis(),
        ))
        .await
        .unwrap();
    app.events.flush().await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    let given_up = loop {
        let failed = app
            .store
            .deliveries(&customer, &id, Some("failed"), 10)
            .await
            .unwrap();
        if let Some(delivery) = failed.into_iter().next() {
            break delivery;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the delivery was never given up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        given_up.last_error.as_deref().unwrap().contains("given up"),
        "{given_up:?}"
    );
    assert!(
        given_up.attempts >= 2,
        "retried before giving up: {given_up:?}"
    );
    assert_eq!(given_up.last_status, Some(500));
    let attempts = receiver.received().len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        attempts,
        "nothing is sent once given up"
    );
    shutdown.cancel();
    background.join_all().await;
}
