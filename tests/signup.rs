//! Signing up: the local trial, Stripe Checkout against a local server speaking its wire
//! format, Stripe's signed webhooks (replayed, reordered, tampered with), the one hand-over of
//! the key, and what a canceled subscription may still do.

mod common;

use common::receiver::{Answer, Receiver};
use common::session::csrf;
use common::{Server, call, no_redirects};
use heycmo::billing::signature;
use reqwest::Method;
use serde_json::{Value, json};

const WEBHOOK_SECRET: &str = "whsec_local_test_secret";

async fn checkout(server: &Server, email: &str) -> (u16, Value) {
    let answer = no_redirects()
        .post(server.url("/api/checkout"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

async fn session(server: &Server, id: &str) -> reqwest::Response {
    no_redirects()
        .get(server.url(&format!("/api/session/{id}")))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_local_trial_is_one_click_and_the_key_is_handed_over_once() {
    let server = Server::start(&[]);
    let (status, body) = checkout(&server, "not an email").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_INVALID_INPUT"))
    );
    let (status, body) = checkout(&server, "ada@example.com").await;
    assert_eq!(status, 200, "{body}");
    let url = body["url"].as_str().unwrap();
    let id = url.rsplit('/').next().unwrap().to_owned();
    assert!(url.starts_with(&server.url("/signup/cs_local_")), "{url}");

    let pending = session(&server, &id).await;
    assert_eq!(pending.status(), 202);
    assert_eq!(pending.headers()["retry-after"], "3");

    let page = common::strict_page(no_redirects().get(url).send().await.unwrap()).await;
    assert!(page.contains("ada@example.com"), "{page}");
    let token = csrf(&page);
    let forged = common::post_form(url, &[("csrf", &"00".repeat(32))], None).await;
    assert_eq!(forged.status(), 403);
    assert!(
        forged.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let done = common::post_form(url, &[("csrf", &token)], None).await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()["location"],
        format!("/welcome?session_id={id}")
    );

    let handed = session(&server, &id).await;
    assert_eq!(handed.status(), 200);
    let handed: Value = handed.json().await.unwrap();
    assert_eq!(handed["email"], "ada@example.com");
    let key = handed["apiKey"].as_str().unwrap();
    assert!(handed["mcpEndpoint"].as_str().unwrap().ends_with(key));
    let customer = handed["customerId"].as_str().unwrap();
    let (status, account) = call(
        &server,
        key,
        Method::GET,
        &format!("/api/customer/{customer}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (account["status"].as_str(), account["plan"].as_str()),
        (Some("trialing"), Some("trial"))
    );

    let again = session(&server, &id).await;
    assert_eq!(again.status(), 410);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["code"], "E_GONE");
    assert_eq!(session(&server, "cs_local_unknown").await.status(), 404);
    // The welcome page no longer offers the key; the email cannot sign up twice.
    let welcome = no_redirects()
        .get(server.url(&format!("/welcome?session_id={id}")))
        .send()
        .await
        .unwrap();
    let welcome = common::strict_page(welcome).await;
    assert!(welcome.contains("handed over already"), "{welcome}");
    assert_eq!(checkout(&server, "ADA@example.com").await.0, 409);
    // Posting the trial again changes nothing.
    let twice = common::post_form(url, &[("csrf", &token)], None).await;
    assert_eq!(twice.status(), 409);
}

#[tokio::test]
async fn checkout_is_limited_per_address() {
    let server = Server::start(&["--rate-checkout", "2"]);
    for n in 0..2 {
        assert_eq!(checkout(&server, &format!("p{n}@example.com")).await.0, 200);
    }
    let (status, body) = checkout(&server, "p9@example.com").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("E_RATE_LIMITED"))
    );
}

/// A local server answering `POST /v1/checkout/sessions` as Stripe does.
async fn fake_stripe(fail: bool) -> Receiver {
    Receiver::start(move |received| {
        let n = received.len();
        if fail {
            return Answer::json(
                400,
                json!({"error": {"type": "invalid_request_error", "code": "resource_missing",
                    "param": "line_items[0][price]", "message": "No such price: 'price_gone'"}}),
            );
        }
        Answer::json(
            200,
            json!({"id": format!("cs_test_{n}"), "object": "checkout.session",
                   "url": format!("https://checkout.stripe.com/c/pay/cs_test_{n}")}),
        )
    })
    .await
}

fn stripe_server(stripe: &Receiver, price: &str) -> Server {
    Server::start(&[
        "--stripe-secret-key",
        "sk_test_local",
        "--stripe-price",
        price,
        "--stripe-webhook-secret",
        WEBHOOK_SECRET,
        "--stripe-base-url",
        &stripe.url(""),
        "--key-cache-seconds",
        "0",
    ])
}

/// Posts `event` signed as Stripe signs, `skew` seconds from now.
async fn deliver(server: &Server, event: &Value, skew: i64, tamper: bool) -> (u16, Value) {
    let body = event.to_string();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let header = signature::sign(WEBHOOK_SECRET, now + skew, body.as_bytes());
    let sent = if tamper {
        body.replace("cus_", "cux_")
    } else {
        body
    };
    let answer = no_redirects()
        .post(server.url("/api/webhooks/stripe"))
        .header("stripe-signature", header)
        .header("content-type", "application/json")
        .body(sent)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

fn event(id: &str, kind: &str, created: i64, object: Value) -> Value {
    json!({"id": id, "object": "event", "type": kind, "created": created,
           "api_version": "2024-06-20", "livemode": false, "data": {"object": object}})
}

fn subscription(customer: &str, status: &str) -> Value {
    json!({"id": "sub_1", "object": "subscription", "customer": customer, "status": status,
           "trial_end": 1_900_000_000,
           "items": {"object": "list", "data": [{"price": {"id": "price_pro", "lookup_key": "pro-monthly"}}]}})
}

#[tokio::test]
async fn stripe_checkout_and_its_webhooks_make_and_bill_the_customer() {
    let stripe = fake_stripe(false).await;
    let server = stripe_server(&stripe, "price_pro");
    let (status, body) = checkout(&server, "grace@example.com").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["url"], "https://checkout.stripe.com/c/pay/cs_test_1");
    let sent = &stripe.received()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/checkout/sessions")
    );
    assert_eq!(sent.header("authorization"), "Bearer sk_test_local");
    assert!(
        sent.header("idempotency-key")
            .starts_with("heycmo-checkout-")
    );
    assert_eq!(
        sent.header("content-type"),
        "application/x-www-form-urlencoded"
    );
    let form: std::collections::HashMap<String, String> = url::form_urlencoded::parse(&sent.body)
        .into_owned()
        .collect();
    assert_eq!(form["mode"], "subscription");
    assert_eq!(form["line_items[0][price]"], "price_pro");
    assert_eq!(form["customer_email"], "grace@example.com");
    assert_eq!(form["subscription_data[trial_period_days]"], "30");
    assert_eq!(
        form["success_url"],
        server.url("/welcome?session_id={CHECKOUT_SESSION_ID}")
    );
    assert_eq!(session(&server, "cs_test_1").await.status(), 202);

    let completed = event(
        "evt_checkout",
        "checkout.session.completed",
        1_800_000_000,
        json!({"id": "cs_test_1", "object": "checkout.session", "customer": "cus_grace",
               "customer_details": {"email": "grace@example.com"}, "subscription": "sub_1",
               "mode": "subscription", "status": "complete"}),
    );
    // Unsigned, tampered with, or signed too long ago: refused, and nothing is made.
    let unsigned = no_redirects()
        .post(server.url("/api/webhooks/stripe"))
        .body(completed.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    assert_eq!(deliver(&server, &completed, 0, true).await.0, 403);
    assert_eq!(deliver(&server, &completed, -301, false).await.0, 403);
    assert_eq!(session(&server, "cs_test_1").await.status(), 202);

    let (status, body) = deliver(&server, &completed, 0, false).await;
    assert_eq!(
        (status, body["outcome"].as_str()),
        (200, Some("applied")),
        "{body}"
    );
    let (status, body) = deliver(&server, &completed, 0, false).await;
    assert_eq!((status, body["outcome"].as_str()), (200, Some("duplicate")));
    let handed: Value = session(&server, "cs_test_1").await.json().await.unwrap();
    let key = handed["apiKey"].as_str().unwrap().to_owned();
    let customer = handed["customerId"].as_str().unwrap().to_owned();
    let account = |key: String, customer: String| {
        let server = &server;
        async move {
            call(
                server,
                &key,
                Method::GET,
                &format!("/api/customer/{customer}"),
                None,
            )
            .await
            .1
        }
    };

    // The subscription goes active, then is canceled; a late, older event changes nothing.
    let active = event(
        "evt_active",
        "customer.subscription.updated",
        1_800_000_100,
        subscription("cus_grace", "active"),
    );
    assert_eq!(
        deliver(&server, &active, 0, false).await.1["outcome"],
        "applied"
    );
    let now = account(key.clone(), customer.clone()).await;
    assert_eq!(
        (now["status"].as_str(), now["plan"].as_str()),
        (Some("active"), Some("pro-monthly"))
    );
    let canceled = event(
        "evt_canceled",
        "customer.subscription.deleted",
        1_800_000_300,
        subscription("cus_grace", "canceled"),
    );
    assert_eq!(
        deliver(&server, &canceled, 0, false).await.1["outcome"],
        "applied"
    );
    let late = event(
        "evt_late",
        "customer.subscription.updated",
        1_800_000_200,
        subscription("cus_grace", "past_due"),
    );
    assert_eq!(
        deliver(&server, &late, 0, false).await.1["outcome"],
        "stale"
    );
    let paid = event(
        "evt_paid",
        "invoice.paid",
        1_800_000_400,
        json!({"id": "in_1", "customer": "cus_grace"}),
    );
    assert_eq!(deliver(&server, &paid, 0, false).await.0, 200);
    assert_eq!(
        account(key.clone(), customer.clone()).await["status"],
        "canceled"
    );

    // Canceled: reads work, writes answer 402 with where to fix billing.
    let (status, _) = call(
        &server,
        &key,
        Method::POST,
        "/api/tools/list_content",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = call(
        &server,
        &key,
        Method::POST,
        "/api/tools/create_webhook",
        Some(json!({"url": "https://example.com/hook", "events": ["content.created"]})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (402, Some("E_PAYMENT_REQUIRED")),
        "{body}"
    );
    assert!(
        body["billingUrl"]
            .as_str()
            .unwrap()
            .starts_with(&server.base)
    );

    // A type heycmo does not act on is acknowledged.
    let other = event(
        "evt_other",
        "charge.refunded",
        1_800_000_500,
        json!({"id": "ch_1"}),
    );
    assert_eq!(
        deliver(&server, &other, 0, false).await.1["outcome"],
        "ignored"
    );
}

#[tokio::test]
async fn a_subscription_event_before_its_checkout_is_kept_for_it() {
    let stripe = fake_stripe(false).await;
    let server = stripe_server(&stripe, "price_pro");
    let early = event(
        "evt_early",
        "customer.subscription.created",
        1_800_000_100,
        subscription("cus_lin", "past_due"),
    );
    assert_eq!(deliver(&server, &early, 0, false).await.0, 200);
    // A checkout this server did not start (a payment link) still makes its customer.
    let completed = event(
        "evt_lin",
        "checkout.session.completed",
        1_800_000_000,
        json!({"id": "cs_link_9", "customer": "cus_lin", "customer_email": "lin@example.com"}),
    );
    assert_eq!(
        deliver(&server, &completed, 0, false).await.1["outcome"],
        "applied"
    );
    let handed: Value = session(&server, "cs_link_9").await.json().await.unwrap();
    let (_, account) = call(
        &server,
        handed["apiKey"].as_str().unwrap(),
        Method::GET,
        &format!("/api/customer/{}", handed["customerId"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(account["status"], "past_due");
}

#[tokio::test]
async fn stripe_s_refusal_is_passed_on_in_its_own_words() {
    let stripe = fake_stripe(true).await;
    let server = stripe_server(&stripe, "price_gone");
    let (status, body) = checkout(&server, "ken@example.com").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (502, Some("E_PROVIDER_FAILED"))
    );
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("No such price: 'price_gone'"),
        "{body}"
    );
}
