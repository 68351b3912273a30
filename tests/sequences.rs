//! Email sequences through heycmo over REST, mailed to a real SMTP exchange on loopback
//! (`common::smtp`): the headers of every message, one-click unsubscribe, replies and bounces
//! posted by a relay, the suppression list checked at send time, send windows in the leads'
//! time zones, and a server killed in the middle of an SMTP exchange.

mod common;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Timelike, Utc};
use common::smtp::{Mail, Smtp};
use common::{Server, call, client, post};
use reqwest::Method;
use serde_json::{Value, json};

const FROM: &str = "Acme <hello@acme.example>";

fn args(smtp: &Smtp) -> Vec<String> {
    [
        "--smtp-url",
        &smtp.url(),
        "--mail-from",
        FROM,
        "--job-backoff-ms",
        "100",
        "--job-max-backoff-ms",
        "300",
        "--job-lease-seconds",
        "2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn start(smtp: &Smtp) -> Server {
    let args = args(smtp);
    Server::start(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

async fn rest(server: &Server, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    call(server, &server.key, method, path, body).await
}

/// Imports `rows`; answers the lead ids by email.
async fn import(server: &Server, rows: Value) -> std::collections::HashMap<String, String> {
    let path = format!("/api/leads/{}", server.customer_id);
    let (status, body) = post(server, &path, json!({ "rows": rows })).await;
    assert_eq!(status, 200, "{body}");
    let (status, list) = rest(server, Method::GET, &format!("{path}?limit=200"), None).await;
    assert_eq!(status, 200, "{list}");
    list["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["email"].as_str().unwrap().to_owned(),
                l["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A window open all day, every day: the steps go at once.
fn always() -> Value {
    json!({"start": "00:00", "end": "24:00", "skipWeekends": false})
}

async fn create(server: &Server, body: Value) -> Value {
    let (status, sequence) = post(
        server,
        &format!("/api/sequences/{}", server.customer_id),
        body,
    )
    .await;
    assert_eq!(status, 200, "{sequence}");
    sequence
}

async fn enroll(server: &Server, sequence: &str, ids: &[&str]) -> Value {
    let (status, body) = post(
        server,
        &format!("/api/sequences/{}/{sequence}/leads", server.customer_id),
        json!({ "leadIds": ids }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// A read of the server's own customer's `path` (after `/api/`), which must succeed.
async fn get(server: &Server, path: &str) -> Value {
    let (status, body) = rest(server, Method::GET, &format!("/api/{path}"), None).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Sets a paused sequence active again.
async fn resume(server: &Server, sequence: &str) {
    let (status, resumed) = rest(
        server,
        Method::PATCH,
        &format!("/api/sequences/{}/{sequence}", server.customer_id),
        Some(json!({"state": "active"})),
    )
    .await;
    assert_eq!(status, 200, "{resumed}");
}

async fn events(server: &Server, kind: &str) -> Vec<Value> {
    let body = get(
        server,
        &format!("events/{}?type={kind}", server.customer_id),
    )
    .await;
    body["events"].as_array().unwrap().clone()
}

async fn sequence_counts(server: &Server, id: &str) -> Value {
    get(server, &format!("sequences/{}", server.customer_id)).await["sequences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()["enrollments"]
        .clone()
}

async fn lead(server: &Server, id: &str) -> Value {
    get(server, &format!("leads/{}/{id}", server.customer_id)).await
}

/// The message's unsubscribe URL, from its `List-Unsubscribe` header.
fn unsubscribe_url(mail: &Mail) -> String {
    let header = mail.header("List-Unsubscribe").expect("List-Unsubscribe");
    header.trim_matches(['<', '>']).to_owned()
}

fn message_id(mail: &Mail) -> String {
    mail.header("Message-ID")
        .expect("Message-ID")
        .trim_matches(['<', '>'])
        .to_owned()
}

/// Posts a raw message to the inbound endpoint, signed with `secret` (or not verifiable).
async fn inbound(server: &Server, secret: &str, raw: &str, id: &str) -> (u16, Value) {
    let now = Utc::now().timestamp();
    let mut request = client()
        .post(server.url(&format!("/api/inbound/{}", server.customer_id)))
        .header("content-type", "message/rfc822")
        .body(raw.to_owned());
    for (name, value) in heycmo::webhooks::sign::headers(secret, id, now, raw.as_bytes()).unwrap() {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn each_step_is_mailed_personalised_with_one_click_unsubscribe_headers() {
    let smtp = Smtp::start().await;
    let server = start(&smtp);
    let ids = import(
        &server,
        json!([{"email": "ann@b.example", "name": "Ann Lee", "company": "Beta"}, {"email": "bob@b.example"}]),
    )
    .await;
    let sequence = create(
        &server,
        json!({
            "name": "Follow-up",
            "steps": [
                {"subject": "Hi {{ firstName | default(\"there\") }}", "body": "Did the guide help {{ company | default(\"your team\") }}? https://acme.example/guide"},
                {"subject": "One more idea", "body": "A last note.", "delayDays": 0}
            ],
            "window": always()
        }),
    )
    .await;
    assert!(
        sequence["warnings"][0]
            .as_str()
            .unwrap()
            .contains("not https"),
        "{sequence}"
    );
    let id = sequence["id"].as_str().unwrap();
    let enrolled = enroll(&server, id, &[&ids["ann@b.example"], &ids["bob@b.example"]]).await;
    assert_eq!(
        enrolled["enrolled"].as_array().unwrap().len(),
        2,
        "{enrolled}"
    );

    let ann = smtp.wait_for("ann@b.example", 2).await;
    let bob = smtp.wait_for("bob@b.example", 2).await;
    let first = ann
        .iter()
        .find(|m| m.header("Subject").as_deref() == Some("Hi Ann"))
        .unwrap_or_else(|| panic!("{ann:?}"));
    assert_eq!(first.from, "hello@acme.example");
    assert!(first.header("From").unwrap().contains("hello@acme.example"));
    assert!(
        first.body().contains("Did the guide help Beta?"),
        "{}",
        first.body()
    );
    assert!(message_id(first).ends_with("@acme.example"), "{first:?}");
    let url = unsubscribe_url(first);
    assert!(
        url.starts_with(&server.url("/u/")) && url.len() == server.url("/u/").len() + 48,
        "{url}"
    );
    assert_eq!(
        first.header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(
        first
            .body()
            .contains(&format!("Unsubscribe with one click: {url}"))
    );
    // A lead without the fields gets the defaults, not blanks.
    assert!(
        bob.iter()
            .any(|m| m.header("Subject").as_deref() == Some("Hi there"))
    );
    assert!(bob.iter().any(|m| m.body().contains("help your team?")));
    // Every message its own Message-ID and token.
    let mut all: Vec<String> = ann.iter().chain(&bob).map(message_id).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 4);
    assert_ne!(unsubscribe_url(&ann[0]), unsubscribe_url(&ann[1]));

    let deadline = Instant::now() + Duration::from_secs(10);
    while events(&server, "sequence.completed").await.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "sequence.completed was not appended twice"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sequence_counts(&server, id).await["completed"], 2);
    assert_eq!(
        lead(&server, &ids["ann@b.example"]).await["stage"],
        "contacted"
    );
    let again = enroll(&server, id, &[&ids["ann@b.example"]]).await;
    assert_eq!(again["alreadyEnrolled"][0], ids["ann@b.example"].as_str());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.accepted().len(), 4, "nothing sent twice");

    // Bad input: a step without text, a window that closes before it opens, an unknown
    // sequence.
    for (body, pointer) in [
        (
            json!({"name": "x", "steps": [{"subject": "only a subject"}]}),
            "/steps/0",
        ),
        (
            json!({"name": "x", "steps": [{"subject": "s", "body": "b"}], "window": {"start": "17:00", "end": "09:00"}}),
            "/window",
        ),
        (
            json!({"name": "x", "steps": [{"subject": "s", "body": "b"}], "window": {"timeZone": "Mars/Olympus"}}),
            "/window/timeZone",
        ),
    ] {
        let (status, error) = post(
            &server,
            &format!("/api/sequences/{}", server.customer_id),
            body,
        )
        .await;
        assert_eq!(status, 422, "{error}");
        assert_eq!(error["code"], "E_INVALID_INPUT");
        assert!(
            error["error"].as_str().unwrap().starts_with(pointer),
            "{error}"
        );
    }
    let (status, error) = post(
        &server,
        &format!(
            "/api/sequences/{}/seq_0000000000000000/leads",
            server.customer_id
        ),
        json!({"leadIds": [ids["ann@b.example"]]}),
    )
    .await;
    assert_eq!(status, 404, "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unsubscribes_replies_and_bounces_stop_sequences_and_suppression_holds_at_send_time() {
    let smtp = Smtp::start().await;
    smtp.refuse("gus@b.example");
    let server = start(&smtp);
    let ids = import(
        &server,
        json!([
            {"email": "bob@b.example"}, {"email": "cat@b.example", "name": "Cat"},
            {"email": "dan@b.example"}, {"email": "erin@b.example"}, {"email": "gus@b.example"}
        ]),
    )
    .await;
    let two_steps = json!([
        {"subject": "Hello", "body": "First."},
        {"subject": "Again", "body": "Second.", "delayDays": 2}
    ]);
    let main = create(
        &server,
        json!({"name": "Main", "steps": two_steps, "window": always()}),
    )
    .await;
    let main = main["id"].as_str().unwrap();
    let lenient = create(
        &server,
        json!({"name": "Keeps going", "steps": two_steps, "window": always(), "stop": {"onBounce": false}}),
    )
    .await;
    let lenient = lenient["id"].as_str().unwrap();
    let held = create(
        &server,
        json!({"name": "Held", "steps": [{"subject": "Later", "body": "Held."}], "window": always(), "paused": true}),
    )
    .await;
    assert_eq!(held["state"], "paused");
    let held = held["id"].as_str().unwrap();
    enroll(
        &server,
        main,
        &[
            &ids["bob@b.example"],
            &ids["cat@b.example"],
            &ids["dan@b.example"],
            &ids["gus@b.example"],
        ],
    )
    .await;
    enroll(&server, lenient, &[&ids["erin@b.example"]]).await;
    enroll(&server, held, &[&ids["erin@b.example"]]).await;
    let bob = smtp.wait_for("bob@b.example", 1).await.remove(0);
    let cat = smtp.wait_for("cat@b.example", 1).await.remove(0);
    let dan = smtp.wait_for("dan@b.example", 1).await.remove(0);
    let erin = smtp.wait_for("erin@b.example", 1).await.remove(0);

    // One click: the page shows a button; the post (a provider's RFC 8058 one-click, or the
    // button) unsubscribes at once, once.
    let url = unsubscribe_url(&bob);
    let html = common::strict_page(client().get(&url).send().await.unwrap()).await;
    assert!(
        html.contains("method=\"post\"") && html.contains("<button"),
        "{html}"
    );
    for _ in 0..2 {
        let done = client()
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 200);
        assert!(done.text().await.unwrap().contains("You are unsubscribed"));
    }
    assert_eq!(events(&server, "lead.unsubscribed").await.len(), 1);
    let unknown = client()
        .post(server.url(&format!("/u/{}", "0".repeat(48))))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let again = enroll(&server, held, &[&ids["bob@b.example"]]).await;
    assert_eq!(
        again["skipped"][0]["leadId"],
        ids["bob@b.example"].as_str(),
        "{again}"
    );

    // A reply, matched by In-Reply-To, signed by the relay.
    let (status, secret) = post(
        &server,
        &format!("/api/inbound-secret/{}", server.customer_id),
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{secret}");
    let secret = secret["secret"].as_str().unwrap().to_owned();
    let reply = format!(
        "From: Cat <cat@b.example>\r\nTo: hello@acme.example\r\nSubject: Re: Hello\r\n\
         Message-ID: <reply-1@b.example>\r\nIn-Reply-To: <{}>\r\n\r\nYes, tell me more.\r\n",
        message_id(&cat)
    );
    let (status, applied) = inbound(&server, &secret, &reply, "msg_1").await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["kind"], "reply");
    assert_eq!(applied["matched"], true);
    assert_eq!(applied["leadId"], ids["cat@b.example"].as_str());
    let (_, twice) = inbound(&server, &secret, &reply, "msg_2").await;
    assert_eq!(twice["duplicate"], true, "{twice}");
    assert_eq!(events(&server, "lead.replied").await.len(), 1);
    let cat_lead = lead(&server, &ids["cat@b.example"]).await;
    assert_eq!(cat_lead["stage"], "replied");
    assert!(cat_lead["intent"].as_u64().unwrap() >= 25, "{cat_lead}");
    // Not signed with the secret, or tampered with: refused.
    let (status, error) = inbound(&server, "whsec_bm90IHRoZSBzZWNyZXQ=", &reply, "msg_3").await;
    assert_eq!(status, 403, "{error}");
    assert_eq!(error["code"], "E_FORBIDDEN");

    // A delivery status notification of dan's message: a permanent bounce.
    let dsn = |original: &str| {
        format!(
            "From: MAILER-DAEMON@mx.b.example\r\nTo: hello@acme.example\r\nSubject: Undelivered\r\n\
             Message-ID: <dsn-{original}>\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
             --B\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n\
             --B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.b.example\r\n\r\n\
             Final-Recipient: rfc822; x@b.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
             --B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{original}>\r\nSubject: Hello\r\n\r\n--B--\r\n"
        )
    };
    let (status, applied) = inbound(&server, &secret, &dsn(&message_id(&dan)), "msg_4").await;
    assert_eq!(status, 200, "{applied}");
    assert_eq!(applied["kind"], "bounce");
    assert_eq!(applied["matched"], true);

    // Gus's server refused him outright (550 at RCPT): bounced, and the job says why.
    let deadline = Instant::now() + Duration::from_secs(15);
    while events(&server, "email.bounced").await.len() < 2 {
        assert!(Instant::now() < deadline, "gus's refusal is not a bounce");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let counts = sequence_counts(&server, main).await;
    assert_eq!(counts["stopped"], 4, "bob, cat, dan, gus: {counts}");
    assert_eq!(counts["active"], 0);

    // Erin's bounce suppresses her without stopping the lenient sequence; the held sequence,
    // resumed, checks the list at send time and skips her.
    let (_, applied) = inbound(&server, &secret, &dsn(&message_id(&erin)), "msg_5").await;
    assert_eq!(applied["matched"], true, "{applied}");
    assert_eq!(sequence_counts(&server, lenient).await["active"], 1);
    resume(&server, held).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while sequence_counts(&server, held).await["stopped"] != 1 {
        assert!(Instant::now() < deadline, "the held send was not checked");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        smtp.wait_for("erin@b.example", 1).await.len(),
        1,
        "erin got nothing more"
    );

    // Taking a lead out skips what was left.
    let (status, out) = call(
        &server,
        &server.key,
        Method::DELETE,
        &format!(
            "/api/sequences/{}/{lenient}/leads/{}",
            server.customer_id, ids["erin@b.example"]
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["state"], "stopped");
    assert_eq!(out["stopReason"], "unenrolled");
}

/// The next instant at `hour`:00 in `zone`, after now.
fn next_local_hour(zone: chrono_tz::Tz, hour: u32) -> DateTime<Utc> {
    let now = Utc::now().with_timezone(&zone);
    let mut day = now.date_naive();
    loop {
        let at = zone
            .from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap())
            .earliest()
            .unwrap();
        if at > now {
            return at.with_timezone(&Utc);
        }
        day = day.succ_opt().unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_lead_is_mailed_in_its_own_time_zones_window() {
    let smtp = Smtp::start().await;
    let server = start(&smtp);
    let ids = import(
        &server,
        json!([
            {"email": "kenji@b.example", "timezone": "Asia/Tokyo"},
            {"email": "lou@b.example", "timezone": "America/Los_Angeles"}
        ]),
    )
    .await;
    // A one-hour window three hours from now in Tokyo: seven hours from now in Los Angeles's
    // clock, so neither lead is in it now, and each waits for its own 'hour:00'.
    let tokyo_hour = Utc::now().with_timezone(&chrono_tz::Asia::Tokyo).hour();
    let hour = (tokyo_hour + 3) % 24;
    let end = if hour == 23 {
        "24:00".to_owned()
    } else {
        format!("{:02}:00", hour + 1)
    };
    let sequence = create(
        &server,
        json!({"name": "Local hours", "steps": [{"subject": "s", "body": "b"}],
               "window": {"start": format!("{hour:02}:00"), "end": end, "skipWeekends": false}}),
    )
    .await;
    let before = Utc::now();
    enroll(
        &server,
        sequence["id"].as_str().unwrap(),
        &[&ids["kenji@b.example"], &ids["lou@b.example"]],
    )
    .await;
    let jobs = get(
        &server,
        &format!("jobs/{}?state=queued", server.customer_id),
    )
    .await;
    let mut planned: Vec<DateTime<Utc>> = jobs["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["kind"] == "sequence.send")
        .map(|j| {
            DateTime::parse_from_rfc3339(j["runAt"].as_str().unwrap())
                .unwrap()
                .to_utc()
        })
        .collect();
    planned.sort();
    let mut expected = vec![
        next_local_hour(chrono_tz::Asia::Tokyo, hour),
        next_local_hour(chrono_tz::America::Los_Angeles, hour),
    ];
    expected.sort();
    assert_eq!(planned, expected, "planned at {before}");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(smtp.accepted().is_empty(), "nothing goes out of hours");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_killed_mid_exchange_sends_the_step_once_with_the_same_message_id() {
    let smtp = Smtp::start().await;
    smtp.hold(true);
    let server = start(&smtp);
    let ids = import(&server, json!([{"email": "ann@b.example"}])).await;
    let sequence = create(
        &server,
        json!({"name": "Once", "steps": [{"subject": "Only once", "body": "Hello."}], "window": always()}),
    )
    .await;
    enroll(
        &server,
        sequence["id"].as_str().unwrap(),
        &[&ids["ann@b.example"]],
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while smtp.held().is_empty() {
        assert!(
            Instant::now() < deadline,
            "the message never reached the server"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The data is in and unanswered: the send is claimed, not recorded. Kill it there.
    let (key, customer) = (server.key.clone(), server.customer_id.clone());
    let dir = server.kill();
    smtp.hold(false);
    let args = args(&smtp);
    let mut server = Server::start_in(dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    (server.key, server.customer_id) = (key, customer);
    let sent = smtp.wait_for("ann@b.example", 1).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while events(&server, "sequence.completed").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "the step was not recorded after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.accepted().len(), 1, "sent once: {:?}", smtp.accepted());
    assert_eq!(
        message_id(&sent[0]),
        message_id(&smtp.held()[0]),
        "the same Message-ID"
    );
    assert_eq!(events(&server, "sequence.completed").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn tracked_links_redirect_only_where_the_message_pointed_and_count_toward_intent() {
    let smtp = Smtp::start().await;
    let server = start(&smtp);
    let ids = import(&server, json!([{"email": "ann@b.example"}])).await;
    let sequence = create(
        &server,
        json!({"name": "Tracked", "steps": [{"subject": "s", "body": "Read https://acme.example/guide?a=1."}],
               "window": always(), "tracking": {"clicks": true, "opens": true}}),
    )
    .await;
    enroll(
        &server,
        sequence["id"].as_str().unwrap(),
        &[&ids["ann@b.example"]],
    )
    .await;
    let mail = smtp.wait_for("ann@b.example", 1).await.remove(0);
    let body = mail.body();
    assert!(!body.contains("acme.example/guide"), "{body}");
    let link = body
        .split_whitespace()
        .find(|w| w.starts_with(&server.url("/c/")))
        .unwrap_or_else(|| panic!("{body}"))
        .trim_end_matches('.')
        .to_owned();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let followed = no_redirects.get(&link).send().await.unwrap();
    assert_eq!(followed.status(), 303);
    assert_eq!(
        followed.headers()["location"],
        "https://acme.example/guide?a=1"
    );
    // A link with another destination under the same tag is not followed.
    let (data, tag) = link.rsplit('/').next().unwrap().split_once('.').unwrap();
    use base64::Engine as _;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
        String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(data)
                .unwrap(),
        )
        .unwrap()
        .replace("acme.example", "evil.example"),
    );
    let refused = no_redirects
        .get(server.url(&format!("/c/{forged}.{tag}")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
    assert!(refused.headers().get("location").is_none());

    assert!(
        mail.data.contains("text/html"),
        "an HTML part carries the pixel"
    );
    let parsed = mail_parser::MessageParser::default()
        .parse(mail.data.as_bytes())
        .unwrap();
    let html = parsed.body_html(0).unwrap().into_owned();
    let pixel = html
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("{html}"))
        .to_owned();
    assert!(pixel.starts_with(&server.url("/o/")), "{pixel}");
    for _ in 0..2 {
        let image = client().get(&pixel).send().await.unwrap();
        assert_eq!(image.status(), 200);
        assert_eq!(image.headers()["content-type"], "image/gif");
    }
    no_redirects.get(&link).send().await.unwrap();
    let ann = lead(&server, &ids["ann@b.example"]).await;
    let actions: Vec<&str> = ann["scoring"]["intent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "emailOpen").count(),
        1,
        "the second open counts nothing: {ann}"
    );
    assert_eq!(
        actions.iter().filter(|a| **a == "emailClick").count(),
        1,
        "{ann}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lead_who_reaches_the_goal_page_is_not_mailed() {
    let smtp = Smtp::start().await;
    let server = start(&smtp);
    let site = common::collector::acme_site(&server).await;
    let ids = import(
        &server,
        json!([{"email": "ann@acme.example"}, {"email": "bob@acme.example"}]),
    )
    .await;
    let sequence = create(
        &server,
        json!({"name": "Until sign-up", "steps": [{"subject": "Try it", "body": "Sign up?"}],
               "window": always(), "stop": {"goalPath": "/signup"}, "paused": true}),
    )
    .await;
    let id = sequence["id"].as_str().unwrap();
    enroll(
        &server,
        id,
        &[&ids["ann@acme.example"], &ids["bob@acme.example"]],
    )
    .await;
    // Ann, identified on the site, reaches the sign-up page after she was enrolled.
    for body in [
        json!({"site": site, "url": "https://acme.example/", "event": "identify", "email": "ann@acme.example"}),
        json!({"site": site, "url": "https://acme.example/signup"}),
    ] {
        common::collector::hit(&server, body).await;
    }
    common::collector::wait_for(
        &server,
        "SELECT count(*) FROM hits h JOIN visits v ON v.id = h.visit_id
         WHERE v.email_hash IS NOT NULL AND h.path = '/signup'",
        1,
    )
    .await;
    resume(&server, id).await;
    smtp.wait_for("bob@acme.example", 1).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while sequence_counts(&server, id).await["stopped"] != 1 {
        assert!(
            Instant::now() < deadline,
            "the goal did not stop ann's sequence"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        smtp.accepted().iter().all(|m| m.to != ["ann@acme.example"]),
        "ann reached the goal and got nothing"
    );
}
