//! The first-party collector against the real binary: sites over REST, the script, hits from a
//! browser's point of view (origin, user agent, Do-Not-Track), what is refused and how, and
//! what reaches the database (visits and hits, never an IP address or a user agent).

mod common;

use common::{Server, call, client};
use reqwest::Method;
use serde_json::{Value, json};

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn hit(
    server: &Server,
    origin: Option<&str>,
    agent: &str,
    body: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut request = client()
        .post(server.url("/api/collect"))
        .header("content-type", "text/plain;charset=UTF-8")
        .header("user-agent", agent)
        .body(body.to_owned());
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let value = response.json().await.unwrap_or(Value::Null);
    (status, value, headers)
}

async fn create_site(server: &Server, body: Value) -> Value {
    let (status, site) = call(
        server,
        &server.key,
        Method::POST,
        &format!("/api/sites/{}", server.customer_id),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{site}");
    site
}

fn count(server: &Server, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(server.db()).unwrap();
    conn.query_row(sql, [], |row| row.get(0)).unwrap()
}

#[tokio::test]
async fn sites_are_managed_over_rest_and_bad_settings_are_refused() {
    let server = Server::start(&[]);
    let customer = &server.customer_id;
    let site = create_site(
        &server,
        json!({"domains": ["Shop.Example", "*.shop.example"], "timeZone": "Europe/Berlin", "goals": [{"path": "/thank-you"}]}),
    )
    .await;
    let id = site["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("site_"), "{site}");
    assert_eq!(site["domains"], json!(["shop.example", "*.shop.example"]));
    assert_eq!(site["name"], "shop.example");
    let snippet = site["snippet"].as_str().unwrap();
    assert!(
        snippet.contains(&format!("{}/js/heycmo.js", server.base)) && snippet.contains(&id),
        "{snippet}"
    );
    for (body, pointer) in [
        (json!({"domains": ["https://shop.example/"]}), "/domains"),
        (
            json!({"domains": ["shop.example"], "timeZone": "Mars/Base"}),
            "/timeZone",
        ),
        (json!({"domains": []}), "/domains"),
    ] {
        let (status, refused) = call(
            &server,
            &server.key,
            Method::POST,
            &format!("/api/sites/{customer}"),
            Some(body.clone()),
        )
        .await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (422, Some("E_INVALID_INPUT")),
            "{body}: {refused}"
        );
        assert!(
            refused["error"].as_str().unwrap().contains(pointer),
            "{refused}"
        );
    }
    let path = format!("/api/sites/{customer}/{id}");
    let (status, updated) = call(
        &server,
        &server.key,
        Method::PATCH,
        &path,
        Some(json!({"name": "Shop", "goals": [{"event": "signup"}]})),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["name"].as_str(), updated["goals"].clone()),
        (Some("Shop"), json!([{"event": "signup"}]))
    );
    assert_eq!(
        updated["timeZone"], "Europe/Berlin",
        "fields left out keep their value"
    );
    let (status, listed) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/sites/{customer}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(listed["sites"].as_array().unwrap().len(), 1);
    let (status, _) = call(&server, &server.key, Method::DELETE, &path, None).await;
    assert_eq!(status, 200);
    let (status, gone) = call(&server, &server.key, Method::DELETE, &path, None).await;
    assert_eq!((status, gone["code"].as_str()), (404, Some("E_NOT_FOUND")));
}

#[tokio::test]
async fn the_collector_counts_browsers_of_the_sites_domains_and_nothing_identifying_is_stored() {
    let server = Server::start(&[]);
    let site = create_site(&server, json!({"domains": ["shop.example"], "respectDoNotTrack": true, "goals": [{"path": "/thank-you"}]})).await;
    let id = site["id"].as_str().unwrap();
    let origin = Some("https://shop.example");
    let landing = json!({"site": id, "url": "https://shop.example/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=autumn&gclid=abc", "referrer": "https://mail.example.org/", "width": 1280}).to_string();

    let (status, answer, headers) = hit(&server, origin, CHROME, &landing).await;
    assert_eq!(
        (status, answer["counted"].clone()),
        (202, json!(true)),
        "{answer}"
    );
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://shop.example"
    );
    // The same browser goes on to another page: one visit, two pageviews.
    let next = json!({"site": id, "url": "https://shop.example/thank-you", "referrer": "https://shop.example/pricing"}).to_string();
    assert_eq!(hit(&server, origin, CHROME, &next).await.0, 202);
    let event = json!({"site": id, "url": "https://shop.example/thank-you", "event": "signup", "props": {"plan": "pro"}}).to_string();
    assert_eq!(hit(&server, origin, CHROME, &event).await.0, 202);
    // Another browser is another visitor.
    let direct = json!({"site": id, "url": "https://shop.example/"}).to_string();
    assert_eq!(hit(&server, origin, FIREFOX, &direct).await.0, 202);

    // Dropped, but answered the same way: a crawler, a browser that asked not to be tracked.
    let (status, bot, _) = hit(
        &server,
        origin,
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        &direct,
    )
    .await;
    assert_eq!((status, bot["dropped"].as_str()), (202, Some("bot")));
    let opted = client()
        .post(server.url("/api/collect"))
        .header("user-agent", FIREFOX)
        .header("origin", "https://shop.example")
        .header("dnt", "1")
        .body(direct.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(opted.status(), 202);
    assert_eq!(
        opted.json::<Value>().await.unwrap()["dropped"],
        "do-not-track"
    );

    // Refused in the error format.
    let evil = hit(&server, Some("https://evil.example"), CHROME, &direct).await;
    assert_eq!(
        (evil.0, evil.1["code"].as_str()),
        (403, Some("E_FORBIDDEN")),
        "{}",
        evil.1
    );
    assert!(evil.2.get("access-control-allow-origin").is_none());
    let foreign_page = json!({"site": id, "url": "https://evil.example/"}).to_string();
    assert_eq!(hit(&server, None, CHROME, &foreign_page).await.0, 403);
    let unknown =
        json!({"site": "site_0000000000000000", "url": "https://shop.example/"}).to_string();
    let (status, refused, _) = hit(&server, origin, CHROME, &unknown).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (404, Some("E_NOT_FOUND"))
    );
    for malformed in [
        "not json",
        "{\"site\": 1}",
        "{\"site\": \"x\", \"url\": \"u\", \"extra\": 1}",
    ] {
        let (status, refused, _) = hit(&server, origin, CHROME, malformed).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (400, Some("E_BAD_REQUEST")),
            "{malformed}: {refused}"
        );
        assert!(refused["requestId"].is_string());
    }
    let nested =
        json!({"site": id, "url": "https://shop.example/", "event": "x", "props": {"a": {"b": 1}}})
            .to_string();
    assert_eq!(hit(&server, origin, CHROME, &nested).await.0, 400);
    let oversized =
        json!({"site": id, "url": format!("https://shop.example/{}", "a".repeat(5000))})
            .to_string();
    let (status, refused, _) = hit(&server, origin, CHROME, &oversized).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (413, Some("E_PAYLOAD_TOO_LARGE")),
        "{refused}"
    );

    // What was stored, once the batch is committed (within a few milliseconds).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(&server, "SELECT count(*) FROM hits") < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "the hits were not committed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(count(&server, "SELECT count(*) FROM hits"), 4);
    assert_eq!(count(&server, "SELECT count(*) FROM visits"), 2);
    let conn = rusqlite::Connection::open(server.db()).unwrap();
    let (channel, source, campaign, click, screen, pageviews, events, entry, exit): (String, String, String, String, String, i64, i64, String, String) = conn
        .query_row(
            "SELECT channel, source, utm_campaign, click_id, screen, pageviews, events, entry_path, exit_path FROM visits WHERE entry_path = '/pricing'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?)),
        )
        .unwrap();
    assert_eq!(
        (
            channel.as_str(),
            source.as_str(),
            campaign.as_str(),
            click.as_str(),
            screen.as_str(),
            pageviews,
            events,
            entry.as_str(),
            exit.as_str()
        ),
        (
            "Paid Search",
            "newsletter",
            "autumn",
            "gclid",
            "laptop",
            2,
            1,
            "/pricing",
            "/thank-you"
        ),
        "a gclid says an ad was clicked, whatever the UTM medium"
    );
    let props: String = conn
        .query_row("SELECT props FROM hits WHERE name = 'signup'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&props).unwrap(),
        json!({"plan": "pro"})
    );
    // Nothing identifying: no address, no user agent, no click id value in any collector table.
    for table in ["visits", "hits", "sites"] {
        let dump: String = conn
            .query_row(
                &format!("SELECT group_concat(quote(t.*), '|') FROM (SELECT * FROM {table}) t"),
                [],
                |r| r.get::<_, Option<String>>(0),
            )
            .unwrap_or_default()
            .unwrap_or_default();
        for secret in ["127.0.0.1", "Chrome/126", "Firefox/128", "abc"] {
            assert!(!dump.contains(secret), "{table} holds {secret}: {dump}");
        }
    }
}

#[tokio::test]
async fn the_script_is_small_cached_and_revalidated() {
    let server = Server::start(&[]);
    let response = client()
        .get(server.url("/js/heycmo.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age=86400")
    );
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let script = response.text().await.unwrap();
    assert!(
        script.contains("sendBeacon")
            && !script.contains("document.cookie")
            && !script.contains("localStorage")
    );
    let again = client()
        .get(server.url("/js/heycmo.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let preflight = client()
        .request(Method::OPTIONS, server.url("/api/collect"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-methods"], "POST");
}

#[tokio::test]
async fn site_stats_count_what_the_collector_recorded() {
    let server = Server::start(&[]);
    let site = create_site(
        &server,
        json!({"domains": ["shop.example"], "timeZone": "Asia/Kolkata", "goals": [{"path": "/thank-you"}, {"event": "signup"}, {"path": "/docs/*"}]}),
    )
    .await;
    let id = site["id"].as_str().unwrap();
    let origin = Some("https://shop.example");
    let send = |agent: &'static str, body: Value| {
        let body = body.to_string();
        let server = &server;
        async move {
            let (status, answer, _) = hit(server, origin, agent, &body).await;
            assert_eq!(
                (status, answer["counted"].clone()),
                (202, json!(true)),
                "{answer}"
            );
        }
    };
    // Chrome: from ChatGPT to pricing, then the thank-you page. Firefox: a newsletter's
    // campaign to the docs, one page (a bounce), and a signup event.
    send(CHROME, json!({"site": id, "url": "https://shop.example/pricing", "referrer": "https://chatgpt.com/"})).await;
    send(CHROME, json!({"site": id, "url": "https://shop.example/thank-you", "referrer": "https://shop.example/pricing"})).await;
    send(FIREFOX, json!({"site": id, "url": "https://shop.example/docs/start?utm_source=newsletter&utm_medium=email&utm_campaign=autumn"})).await;
    send(
        FIREFOX,
        json!({"site": id, "url": "https://shop.example/docs/start", "event": "signup"}),
    )
    .await;

    let path = format!("/api/stats/{}/{id}?period=7d", server.customer_id);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let stats = loop {
        let (status, stats) = call(&server, &server.key, Method::GET, &path, None).await;
        assert_eq!(status, 200, "{stats}");
        if stats["summary"]["pageviews"] == 3 {
            break stats;
        }
        assert!(std::time::Instant::now() < deadline, "{stats}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(stats["timeZone"], "Asia/Kolkata");
    let summary = &stats["summary"];
    assert_eq!(
        (
            summary["visitors"].as_u64(),
            summary["visits"].as_u64(),
            summary["conversions"].as_u64()
        ),
        (Some(2), Some(2), Some(2))
    );
    // Firefox's visit has one pageview but a custom event: not a bounce.
    assert_eq!(summary["bounceRate"], json!(0.0));
    assert_eq!(summary["conversionRate"], json!(100.0));
    assert_eq!(summary["viewsPerVisit"], json!(1.5));
    let series = stats["series"].as_array().unwrap();
    assert_eq!(series.len(), 7);
    assert_eq!(
        series.last().unwrap()["pageviews"],
        3,
        "today holds every hit"
    );
    assert_eq!(
        stats["previous"]["change"]["visits"],
        Value::Null,
        "nothing before to compare with"
    );
    assert_eq!(stats["previous"]["summary"]["visits"], 0);
    let channels: Vec<(String, u64, u64)> = stats["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["channel"].as_str().unwrap().to_owned(),
                c["visits"].as_u64().unwrap(),
                c["conversions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        channels,
        [("AI Assistants".into(), 1, 1), ("Email".into(), 1, 1)]
    );
    assert_eq!(
        stats["campaigns"],
        json!([{"campaign": "autumn", "source": "newsletter", "medium": "email", "visits": 1, "visitors": 1}])
    );
    let goals: Vec<(String, u64)> = stats["goals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["label"].as_str().unwrap().to_owned(),
                g["conversions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        goals,
        [
            ("/thank-you".into(), 1),
            ("event: signup".into(), 1),
            ("/docs/*".into(), 1)
        ]
    );
    let pages: Vec<&str> = stats["topPages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(pages, ["/docs/start", "/pricing", "/thank-you"]);
    let sources: Vec<&str> = stats["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["chatgpt.com", "newsletter"]);

    // Another customer reaches neither the stats nor the site.
    let (other, other_key) = server.create_customer("other@example.com");
    for (method, path) in [
        (Method::GET, format!("/api/stats/{other}/{id}")),
        (Method::PATCH, format!("/api/sites/{other}/{id}")),
        (Method::DELETE, format!("/api/sites/{other}/{id}")),
    ] {
        let body = (method == Method::PATCH).then(|| json!({"name": "mine"}));
        let (status, refused) = call(&server, &other_key, method, &path, body).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (404, Some("E_NOT_FOUND")),
            "{path}"
        );
    }
    let (status, _) = call(
        &server,
        &other_key,
        Method::GET,
        &format!("/api/stats/{}/{id}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 403, "a key for one customer cannot name another");

    // Bad periods are refused in the error format.
    for query in [
        "from=2026-01-10&to=2026-01-01",
        "from=2026-01-01",
        "period=decade",
        "from=2024-01-01&to=2026-01-01",
    ] {
        let path = format!("/api/stats/{}/{id}?{query}", server.customer_id);
        let (status, refused) = call(&server, &server.key, Method::GET, &path, None).await;
        assert!(matches!(status, 400 | 422), "{query}: {status} {refused}");
        assert!(
            refused["code"].as_str().unwrap().starts_with("E_"),
            "{refused}"
        );
    }
}

#[tokio::test]
async fn revenue_is_tracked_once_refunded_and_credited_exactly() {
    let server = Server::start(&[]);
    let customer = server.customer_id.clone();
    let site = create_site(&server, json!({"domains": ["shop.example"]})).await;
    let id = site["id"].as_str().unwrap();
    let origin = Some("https://shop.example");
    // A buyer arrives from Google, says who they are at sign-in; a second browser of theirs
    // comes by from ChatGPT's answer and identifies too.
    for (agent, body) in [
        (
            CHROME,
            json!({"site": id, "url": "https://shop.example/boots", "referrer": "https://www.google.com/"}),
        ),
        (
            CHROME,
            json!({"site": id, "url": "https://shop.example/boots", "event": "identify", "email": "Ann@Example.com"}),
        ),
        (
            FIREFOX,
            json!({"site": id, "url": "https://shop.example/checkout", "referrer": "https://chatgpt.com/"}),
        ),
        (
            FIREFOX,
            json!({"site": id, "url": "https://shop.example/checkout", "event": "identify", "email": "ann@example.com"}),
        ),
    ] {
        let (status, answer, _) = hit(&server, origin, agent, &body.to_string()).await;
        assert_eq!(status, 202, "{answer}");
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(
        &server,
        "SELECT count(*) FROM visits WHERE email_hash IS NOT NULL",
    ) < 2
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the identify hits were not committed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let revenue = format!("/api/revenue/{customer}");
    let track = |body: Value| {
        let (server, revenue) = (&server, revenue.clone());
        async move { call(server, &server.key, Method::POST, &revenue, Some(body)).await }
    };
    let (status, order) = track(
        json!({"orderId": "A-1", "amount": 10001, "currency": "eur", "email": "ann@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{order}");
    assert_eq!(
        (
            order["status"].as_str(),
            order["currency"].as_str(),
            order["netFormatted"].as_str()
        ),
        (Some("created"), Some("EUR"), Some("100.01"))
    );
    let channels: Vec<&str> = order["touchpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["channel"].as_str().unwrap())
        .collect();
    assert_eq!(
        channels,
        ["Organic Search", "AI Assistants"],
        "both browsers' visits, in time order"
    );

    // The same order again changes nothing; the same id with another amount is a conflict.
    let (status, again) =
        track(json!({"orderId": "A-1", "amount": 10001, "currency": "EUR"})).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("unchanged")));
    let (status, clash) = track(json!({"orderId": "A-1", "amount": 999, "currency": "EUR"})).await;
    assert_eq!(
        (status, clash["code"].as_str()),
        (409, Some("E_CONFLICT")),
        "{clash}"
    );
    // Refunds: part of it, the same refund again, a second one too big, an unknown order.
    let (status, refunded) =
        track(json!({"orderId": "A-1", "amount": -2001, "currency": "EUR"})).await;
    assert_eq!(
        (
            status,
            refunded["status"].as_str(),
            refunded["net"].as_i64()
        ),
        (200, Some("refunded"), Some(8000)),
        "{refunded}"
    );
    let (status, same) =
        track(json!({"orderId": "A-1", "amount": 2001, "refund": true, "currency": "EUR"})).await;
    assert_eq!((status, same["status"].as_str()), (200, Some("unchanged")));
    let (status, too_much) =
        track(json!({"orderId": "A-1", "amount": -9000, "refundId": "r2", "currency": "EUR"}))
            .await;
    assert_eq!(
        (status, too_much["code"].as_str()),
        (409, Some("E_CONFLICT")),
        "{too_much}"
    );
    assert!(
        too_much["error"]
            .as_str()
            .unwrap()
            .contains("80.00 of 100.01"),
        "{too_much}"
    );
    let (status, missing) =
        track(json!({"orderId": "nope", "amount": -1, "currency": "EUR"})).await;
    assert_eq!(
        (status, missing["code"].as_str()),
        (404, Some("E_NOT_FOUND"))
    );
    // An order of its own touchpoints, and one in yen with none.
    let (status, _) = track(json!({"orderId": "B-1", "amount": 500, "currency": "EUR", "touchpoints": [{"at": "2020-01-01T00:00:00Z", "source": "newsletter", "medium": "email"}]})).await;
    assert_eq!(status, 200);
    let (status, yen) = track(json!({"orderId": "J-1", "amount": 700, "currency": "JPY"})).await;
    assert_eq!((status, yen["netFormatted"].as_str()), (200, Some("700")));
    // Bad input in the error format.
    for bad in [
        json!({"orderId": "F-1", "amount": 12.5, "currency": "EUR"}),
        json!({"orderId": "F-2", "amount": 100, "currency": "EURO"}),
        json!({"orderId": "F-3", "amount": 100, "currency": "XAU"}),
        json!({"orderId": "F-4", "amount": 0, "currency": "EUR"}),
        json!({"orderId": "F-5", "amount": 100, "currency": "EUR", "occurredAt": "2026-01-01T00:00:00Z", "touchpoints": [{"at": "2026-02-01T00:00:00Z", "source": "google"}]}),
    ] {
        let (status, refused) = track(bad.clone()).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (422, Some("E_INVALID_INPUT")),
            "{bad}: {refused}"
        );
    }

    // A list in a query is its key repeated.
    let two = format!("/api/attribution/{customer}?models=linear&models=first_touch&currency=EUR");
    let (status, chosen) = call(&server, &server.key, Method::GET, &two, None).await;
    assert_eq!(status, 200, "{chosen}");
    assert_eq!(chosen["models"], json!(["linear", "first_touch"]));
    assert_eq!(
        chosen["currencies"].as_array().unwrap().len(),
        1,
        "EUR only"
    );
    let report = format!("/api/attribution/{customer}?groupBy=channel");
    let (status, report) = call(&server, &server.key, Method::GET, &report, None).await;
    assert_eq!(status, 200, "{report}");
    let currencies: Vec<&str> = report["currencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["currency"].as_str().unwrap())
        .collect();
    assert_eq!(currencies, ["EUR", "JPY"]);
    let eur = &report["currencies"][0];
    assert_eq!(
        (
            eur["orders"].as_u64(),
            eur["gross"].as_i64(),
            eur["refunded"].as_i64(),
            eur["net"].as_i64()
        ),
        (Some(2), Some(10501), Some(2001), Some(8500))
    );
    assert_eq!(
        eur["ordersWithoutTouchpoints"], 1,
        "B-1's touchpoint is years before it"
    );
    let models = eur["models"].as_array().unwrap();
    assert_eq!(models.len(), 6);
    for model in models {
        let total: i64 = model["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["revenue"].as_i64().unwrap())
            .sum();
        assert_eq!(total, 8500, "{model}");
    }
    let groups = |name: &str| -> Vec<(String, i64)> {
        models.iter().find(|m| m["model"] == name).unwrap()["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["key"].as_str().unwrap().to_owned(),
                    g["revenue"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        groups("first_touch"),
        [
            ("Organic Search".to_owned(), 8000),
            ("(none)".to_owned(), 500)
        ]
    );
    assert_eq!(
        groups("last_touch"),
        [
            ("AI Assistants".to_owned(), 8000),
            ("(none)".to_owned(), 500)
        ]
    );
    assert_eq!(
        groups("linear"),
        [
            ("AI Assistants".to_owned(), 4000),
            ("Organic Search".to_owned(), 4000),
            ("(none)".to_owned(), 500)
        ]
    );

    let (status, events) = call(
        &server,
        &server.key,
        Method::GET,
        &format!("/api/events/{customer}?type=revenue.tracked"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{events}");
    assert_eq!(
        events["events"].as_array().unwrap().len(),
        4,
        "three orders and one refund: {events}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[expect(
    deprecated,
    reason = "resources/subscribe is the handshake generation's way to watch a resource"
)]
async fn a_sites_stats_are_a_resource_whose_subscribers_hear_of_new_hits() {
    use rmcp::ServiceExt;

    let server = Server::start(&[]);
    let site = create_site(&server, json!({"domains": ["shop.example"]})).await;
    let id = site["id"].as_str().unwrap();
    let uri = format!("heycmo://sites/{id}/stats");
    let (sender, mut updates) = tokio::sync::mpsc::unbounded_channel();
    let transport = common::mcp_transport(server.url("/mcp"), server.key.clone());
    let client = common::Watcher(sender).serve(transport).await.unwrap();
    let listed = client.list_all_resources().await.unwrap();
    assert!(listed.iter().any(|r| r.uri == uri), "{listed:?}");
    let templates = client.list_all_resource_templates().await.unwrap();
    assert!(
        templates
            .iter()
            .any(|t| t.uri_template == "heycmo://sites/{id}/stats"),
        "{templates:?}"
    );
    client
        .subscribe(rmcp::model::SubscribeRequestParams::new(uri.clone()))
        .await
        .unwrap();
    let page = json!({"site": id, "url": "https://shop.example/"}).to_string();
    for agent in [CHROME, FIREFOX] {
        assert_eq!(
            hit(&server, Some("https://shop.example"), agent, &page)
                .await
                .0,
            202
        );
    }
    // One announcement for the burst, after the hits are committed.
    let heard = tokio::time::timeout(std::time::Duration::from_secs(10), updates.recv())
        .await
        .expect("an update")
        .unwrap();
    assert_eq!(heard, uri);
    let read = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(uri.clone()))
        .await
        .unwrap();
    let text = match &read.contents[0] {
        rmcp::model::ResourceContents::TextResourceContents { text, .. } => text.clone(),
        other => panic!("{other:?}"),
    };
    let stats: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stats["summary"]["visitors"], 2, "{stats}");
    assert_eq!(stats["series"].as_array().unwrap().len(), 30);
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(2500), updates.recv())
            .await
            .is_err(),
        "the burst was announced once"
    );
    // Another customer's site is no resource of this session.
    let missing = client
        .read_resource(rmcp::model::ReadResourceRequestParams::new(
            "heycmo://sites/site_0000000000000000/stats",
        ))
        .await;
    assert!(missing.is_err());
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_briefing_reports_traffic_and_revenue() {
    let server = Server::start(&[]);
    let customer = server.customer_id.clone();
    let site = create_site(
        &server,
        json!({"domains": ["shop.example"], "goals": [{"path": "/thank-you"}]}),
    )
    .await;
    let id = site["id"].as_str().unwrap();
    let origin = Some("https://shop.example");
    for (agent, body) in [
        (
            CHROME,
            json!({"site": id, "url": "https://shop.example/", "referrer": "https://www.google.com/"}),
        ),
        (
            CHROME,
            json!({"site": id, "url": "https://shop.example/thank-you"}),
        ),
        (
            FIREFOX,
            json!({"site": id, "url": "https://shop.example/", "referrer": "https://www.google.com/"}),
        ),
    ] {
        assert_eq!(hit(&server, origin, agent, &body.to_string()).await.0, 202);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(&server, "SELECT count(*) FROM hits") < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the hits were not committed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (status, _) = call(
        &server,
        &server.key,
        Method::POST,
        &format!("/api/revenue/{customer}"),
        Some(json!({"orderId": "A-1", "amount": 2500, "currency": "EUR", "touchpoints": [{"at": "2026-01-01T00:00:00Z", "source": "google", "medium": "organic"}]})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, briefing) = call(
        &server,
        &server.key,
        Method::POST,
        &format!("/api/research/{customer}"),
        Some(json!({"engine": "offline"})),
    )
    .await;
    assert_eq!(status, 200, "{briefing}");
    let traffic = &briefing["traffic"][0];
    assert_eq!(
        (
            traffic["visits"].as_u64(),
            traffic["pageviews"].as_u64(),
            traffic["conversions"].as_u64()
        ),
        (Some(2), Some(3), Some(1)),
        "{traffic}"
    );
    assert_eq!(
        traffic["channels"],
        json!([{"channel": "Organic Search", "visits": 2}])
    );
    assert_eq!(
        traffic["goals"],
        json!([{"goal": "/thank-you", "conversions": 1}])
    );
    assert_eq!(briefing["revenue"][0]["netFormatted"], "25.00");
    let highlights = briefing["highlights"].to_string();
    assert!(
        highlights.contains("Traffic on shop.example: 2 visits by 2 visitors")
            && highlights.contains("Goal /thank-you: 1 conversion")
            && highlights.contains("Revenue: 25.00 EUR net from 1 order"),
        "{highlights}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_script_reports_from_a_real_browser() {
    let server = Server::start(&[]);
    let site = create_site(
        &server,
        json!({"domains": ["127.0.0.2"], "goals": [{"event": "signup"}]}),
    )
    .await;
    let id = site["id"].as_str().unwrap().to_owned();
    // A page as a site would serve it: calls queued before the script loads, then the snippet.
    let snippet = site["snippet"].as_str().unwrap().to_owned();
    let page = format!(
        "<!doctype html><html><head><title>Shop</title>\
         <script>window.heycmo=window.heycmo||function(){{(window.heycmo.q=window.heycmo.q||[]).push(arguments)}};\
         heycmo('identify','ann@example.com');heycmo('signup',{{plan:'pro'}});</script>{snippet}</head>\
         <body><h1>Boots</h1></body></html>"
    );
    let shop = common::receiver::Receiver::start(move |_| {
        common::receiver::Answer::status(200)
            .with_header("content-type", "text/html; charset=utf-8")
            .with_body(&page)
    })
    .await;
    let url = shop.url("/boots?utm_source=newsletter&utm_medium=email");
    tokio::task::spawn_blocking(move || common::browser::rendered_dom_as(&url, 3000, Some(CHROME)))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(&server, "SELECT count(*) FROM hits") < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the browser's hits did not arrive: {}",
            server.stderr()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let conn = rusqlite::Connection::open(server.db()).unwrap();
    let (entry, channel, pageviews, events, identified): (String, String, i64, i64, bool) = conn
        .query_row(
            "SELECT entry_path, channel, pageviews, events, email_hash IS NOT NULL FROM visits WHERE site_id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        (
            entry.as_str(),
            channel.as_str(),
            pageviews,
            events,
            identified
        ),
        ("/boots", "Email", 1, 1, true)
    );
    let signup: String = conn
        .query_row("SELECT props FROM hits WHERE name = 'signup'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&signup).unwrap(),
        json!({"plan": "pro"})
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_one_browsers_hits_is_one_visit_with_every_hit() {
    let server = Server::start(&[]);
    let site = create_site(&server, json!({"domains": ["shop.example"]})).await;
    let id = site["id"].as_str().unwrap();
    // A page's beacons leave together: the pageview that starts the visit and the events
    // that extend it reach the server at once, on several connections, from several browsers.
    let browsers: Vec<String> = (0..4)
        .map(|n| CHROME.replace("Chrome/126", &format!("Chrome/12{n}")))
        .collect();
    // 60 at once: under the 64 connections one address may hold before authenticating.
    let hits: Vec<(&str, String)> = (0..15)
        .flat_map(|n| {
            browsers.iter().map(move |browser| {
                let event = if n == 0 {
                    json!("pageview")
                } else {
                    json!(format!("click{n}"))
                };
                let body = json!({"site": id, "url": "https://shop.example/", "event": event});
                (browser.as_str(), body.to_string())
            })
        })
        .collect();
    let answers = futures::future::join_all(
        hits.iter()
            .map(|(browser, body)| hit(&server, Some("https://shop.example"), browser, body)),
    )
    .await;
    for (status, answer, _) in &answers {
        assert_eq!(
            (*status, answer["counted"].clone()),
            (202, json!(true)),
            "{answer}"
        );
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(&server, "SELECT count(*) FROM hits") < 60 {
        assert!(
            std::time::Instant::now() < deadline,
            "{} of 60 hits stored",
            count(&server, "SELECT count(*) FROM hits")
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(count(&server, "SELECT count(*) FROM visits"), 4);
    assert_eq!(
        count(
            &server,
            "SELECT count(*) FROM visits WHERE pageviews + events = 15"
        ),
        4
    );
}
