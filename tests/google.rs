//! Google Analytics 4 and Search Console through heycmo, against a local server that speaks
//! Google's wire formats (`common::google`): connecting with a service-account key or a refresh
//! token, reports typed by their headers, one token grant for many queries, and every refusal
//! Google can give answered in the error format with what to do about it.

mod common;

use common::google::{self, FakeGoogle};
use common::{Server, call, connect, post};
use reqwest::Method;
use serde_json::{Value, json};

fn start(fake: &FakeGoogle) -> Server {
    let args = fake.args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&args)
}

/// Connects GA4's `property` with the fixture service account's key.
async fn connect_property(server: &Server, property: &str) -> (u16, Value) {
    connect(
        server,
        json!({"platform": "google_analytics", "propertyId": property, "serviceAccountKey": google::key_file()}),
    )
    .await
}

/// The database file as text, to look for secrets in it.
fn database_text(server: &Server) -> String {
    String::from_utf8_lossy(&std::fs::read(server.db()).unwrap()).into_owned()
}

/// Whether `name` shows as connected in `GET /api/connections/{customerId}`.
async fn connected(server: &Server, name: &str) -> bool {
    let (status, connections) = call(
        server,
        &server.key,
        Method::GET,
        &format!("/api/connections/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 200, "{connections}");
    connections["connections"][name]["connected"] == json!(true)
}

async fn ga4(server: &Server, body: Value) -> (u16, Value) {
    post(server, &format!("/api/ga4/{}", server.customer_id), body).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_account_reads_ga4_with_one_token_for_many_reports() {
    let fake = FakeGoogle::start().await;
    let server = start(&fake);
    let (status, channel) = connect(
        &server,
        json!({"platform": "google_analytics", "propertyId": format!("properties/{}", google::PROPERTY), "serviceAccountKey": google::key_file()}),
    )
    .await;
    assert_eq!(status, 200, "{channel}");
    assert_eq!(
        channel["account"],
        format!("properties/{}", google::PROPERTY)
    );
    assert_eq!(channel["settings"]["readsAs"], google::SERVICE_EMAIL);
    assert!(!channel.to_string().contains("PRIVATE KEY"), "{channel}");

    // The assertion the fake accepted was RS256-signed for the analytics scope.
    let grants = fake.requests("/token");
    assert_eq!(grants.len(), 1);
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(&grants[0].body)
            .into_owned()
            .collect();
    let header = jsonwebtoken::decode_header(&form["assertion"]).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    assert_eq!(
        header.kid.as_deref(),
        Some("f1x7ure0000000000000000000000000000000ab")
    );

    let (status, report) = ga4(
        &server,
        json!({"dimensions": ["sessionDefaultChannelGroup"], "metrics": ["sessions", "purchaseRevenue"], "returnPropertyQuota": true}),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["rows"],
        json!([
            {"sessionDefaultChannelGroup": "Organic Search", "sessions": 330, "purchaseRevenue": 29.5},
            {"sessionDefaultChannelGroup": "Direct", "sessions": 65, "purchaseRevenue": 177.0},
            {"sessionDefaultChannelGroup": "Referral", "sessions": 15, "purchaseRevenue": 0.0}
        ])
    );
    assert_eq!(report["rowCount"], 3);
    assert_eq!(
        report["metricHeaders"][1],
        json!({"name": "purchaseRevenue", "type": "TYPE_CURRENCY"})
    );
    assert_eq!(report["metadata"]["currencyCode"], "EUR");
    assert_eq!(
        report["propertyQuota"]["tokensPerHour"]["remaining"],
        39_988
    );
    // What was sent is the Data API's body: defaults filled, int64 fields as strings.
    let sent = fake.requests(":runReport")[0].json();
    assert_eq!(
        sent["dateRanges"],
        json!([{"startDate": "28daysAgo", "endDate": "yesterday"}])
    );
    assert_eq!(sent["limit"], "10000");
    assert_eq!(
        sent["metrics"],
        json!([{"name": "sessions"}, {"name": "purchaseRevenue"}])
    );

    // A page at a time: the next offset is given until the rows run out.
    let (status, page) = ga4(
        &server,
        json!({"dimensions": ["date", "pagePath"], "metrics": ["totalUsers"], "limit": 2, "offset": 2,
               "dateRanges": [{"startDate": "2026-11-01", "endDate": "2026-11-02"}]}),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["rows"].as_array().unwrap().len(), 2);
    assert_eq!(
        (page["rowCount"].clone(), page["nextOffset"].clone()),
        (json!(5), json!(4))
    );
    assert_eq!(
        fake.requests("/token").len(),
        1,
        "the token is kept between reports"
    );

    // The connection shows in the seed's shape; the credentials never do.
    assert!(connected(&server, "google_analytics").await);
    assert!(!connected(&server, "search_console").await);
    let db = database_text(&server);
    assert!(
        !db.contains("BEGIN PRIVATE KEY") && !db.contains("MIIE"),
        "the key is sealed at rest"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn google_refusals_answer_what_to_do() {
    let fake = FakeGoogle::start().await;
    let server = start(&fake);
    // A key Google does not know: its words, as a bad request.
    let (status, error) = connect(
        &server,
        json!({"platform": "google_analytics", "propertyId": google::PROPERTY, "serviceAccountKey": google::forged_key_file()}),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("E_BAD_REQUEST")),
        "{error}"
    );
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("Invalid JWT Signature"),
        "{error}"
    );
    // A property the account was not added to: named, with the role and the address to add.
    let (status, error) = connect_property(&server, google::NO_ACCESS_PROPERTY).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (502, Some("E_PROVIDER_FAILED")),
        "{error}"
    );
    let message = error["error"].as_str().unwrap();
    assert!(
        message.contains(google::NO_ACCESS_PROPERTY)
            && message.contains("Viewer")
            && message.contains(google::SERVICE_EMAIL),
        "{message}"
    );
    // Nothing was stored for a refused connection.
    assert!(!connected(&server, "google_analytics").await);

    // A key file that is not one, and mixed credentials, are refused before anything is sent.
    let before = fake.receiver.received().len();
    for (body, pointer) in [
        (
            json!({"platform": "google_analytics", "propertyId": "1", "serviceAccountKey": {"type": "authorized_user"}}),
            "/serviceAccountKey",
        ),
        (
            json!({"platform": "google_analytics", "propertyId": "1", "serviceAccountKey": "{not json"}),
            "/serviceAccountKey",
        ),
        (
            json!({"platform": "search_console", "siteUrl": google::SITE, "serviceAccountKey": google::key_file(), "refreshToken": "x"}),
            "/refreshToken",
        ),
        (
            json!({"platform": "search_console", "propertyId": "1", "refreshToken": "x", "clientId": "c", "clientSecret": "s"}),
            "/propertyId",
        ),
        (
            json!({"platform": "google_analytics", "propertyId": "GA-1"}),
            "/propertyId",
        ),
    ] {
        let (status, error) = connect(&server, body.clone()).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (422, Some("E_INVALID_INPUT")),
            "{body}: {error}"
        );
        assert_eq!(error["pointer"], pointer, "{body}: {error}");
    }
    assert_eq!(fake.receiver.received().len(), before);

    // A spent quota: 429 with when it refills (the next full hour), not retried hot.
    let (status, _) = connect_property(&server, google::SPENT_PROPERTY).await;
    assert_eq!(status, 200);
    let response = common::client()
        .post(server.url(&format!("/api/ga4/{}", server.customer_id)))
        .bearer_auth(&server.key)
        .json(&json!({"metrics": ["sessions"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["code"], "E_QUOTA_EXHAUSTED", "{error}");
    assert!(
        (1..=3600).contains(&retry) && error["retryAfter"] == json!(retry),
        "{retry} {error}"
    );
    assert_eq!(
        fake.requests(":runReport").len(),
        1,
        "one attempt, no hot retry"
    );

    // Google's words for a metric it does not have; heycmo's for limits it knows.
    let (status, _) = connect_property(&server, google::PROPERTY).await;
    assert_eq!(status, 200);
    let (status, error) = ga4(&server, json!({"metrics": ["bogusMetric"]})).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (400, Some("E_BAD_REQUEST")),
        "{error}"
    );
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("bogusMetric is not a valid metric")
    );
    let sent = fake.requests(":runReport").len();
    for (body, pointer) in [
        (json!({"metrics": ["sessions"], "limit": 250_001}), "/limit"),
        (json!({"metrics": []}), "/metrics"),
        (
            json!({"metrics": ["a","b","c","d","e","f","g","h","i","j","k"]}),
            "/metrics",
        ),
        (
            json!({"metrics": ["sessions"], "dimensions": ["a","b","c","d","e","f","g","h","i","j"]}),
            "/dimensions",
        ),
        (
            json!({"metrics": ["sessions"], "dateRanges": [{"startDate": "today", "endDate": "today"}, {"startDate": "today", "endDate": "today"}, {"startDate": "today", "endDate": "today"}, {"startDate": "today", "endDate": "today"}, {"startDate": "today", "endDate": "today"}]}),
            "/dateRanges",
        ),
        (
            json!({"metrics": ["sessions"], "dateRanges": [{"startDate": "last week", "endDate": "today"}]}),
            "/dateRanges/0/startDate",
        ),
        (
            json!({"metrics": ["sessions"], "dateRanges": [{"startDate": "2026-11-30", "endDate": "2026-11-01"}]}),
            "/dateRanges/0",
        ),
    ] {
        let (status, error) = ga4(&server, body.clone()).await;
        assert_eq!(
            (status, error["code"].as_str()),
            (422, Some("E_INVALID_INPUT")),
            "{body}: {error}"
        );
        assert_eq!(error["pointer"], pointer, "{body}: {error}");
    }
    assert_eq!(
        fake.requests(":runReport").len(),
        sent,
        "invalid queries are not sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_token_reads_search_console() {
    let fake = FakeGoogle::start().await;
    let server = start(&fake);
    let (status, error) = connect(
        &server,
        json!({"platform": "search_console", "siteUrl": google::SITE, "refreshToken": "1//revoked", "clientId": google::CLIENT_ID, "clientSecret": google::CLIENT_SECRET}),
    )
    .await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("invalid_grant: Token has been expired or revoked"),
        "{error}"
    );
    let (status, error) = connect(
        &server,
        json!({"platform": "search_console", "siteUrl": google::NO_ACCESS_SITE, "refreshToken": google::REFRESH_TOKEN, "clientId": google::CLIENT_ID, "clientSecret": google::CLIENT_SECRET}),
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (502, Some("E_PROVIDER_FAILED")),
        "{error}"
    );
    assert!(
        error["error"]
            .as_str()
            .unwrap()
            .contains("Users and permissions"),
        "{error}"
    );
    let (status, channel) = connect(
        &server,
        json!({"platform": "search_console", "siteUrl": google::SITE, "refreshToken": google::REFRESH_TOKEN, "clientId": google::CLIENT_ID, "clientSecret": google::CLIENT_SECRET}),
    )
    .await;
    assert_eq!(status, 200, "{channel}");
    assert_eq!(channel["settings"]["permissionLevel"], "siteFullUser");
    let db = database_text(&server);
    assert!(
        !db.contains(google::REFRESH_TOKEN) && !db.contains(google::CLIENT_SECRET),
        "the refresh token and client secret are sealed at rest"
    );

    let path = format!("/api/search-console/{}", server.customer_id);
    let (status, answer) = post(
        &server,
        &path,
        json!({"dimensions": ["page"], "startDate": "2026-11-01", "endDate": "2026-11-30"}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["rows"][0]["page"], "https://shop.example/brew");
    assert_eq!(
        answer["rows"][1],
        json!({"page": "https://shop.example/", "clicks": 26, "impressions": 1050, "ctr": 26.0 / 1050.0, "position": (6.4 * 400.0 + 11.2 * 650.0) / 1050.0})
    );
    assert_eq!(answer["responseAggregationType"], "byPage");
    let sent = fake.requests("searchAnalytics/query")[0].json();
    assert_eq!(sent["startDate"], "2026-11-01");
    assert_eq!(sent["rowLimit"], 1000);
    // The site's URL is one path segment, encoded as Google requires.
    assert!(
        fake.requests("searchAnalytics/query")[0]
            .path
            .starts_with("/webmasters/v3/sites/sc-domain%3Ashop.example/")
    );

    let (status, answer) = post(
        &server,
        &path,
        json!({"dimensions": ["query"], "rowLimit": 1, "dimensionFilterGroups": [{"filters": [{"dimension": "query", "operator": "contains", "expression": "coffee"}]}]}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["rows"],
        json!([{"query": "coffee at altitude", "clicks": 17, "impressions": 400, "ctr": 17.0 / 400.0, "position": 6.4}])
    );
    assert_eq!(answer["nextStartRow"], 1);
    let sent = fake.requests("searchAnalytics/query")[1].json();
    assert_eq!(sent["dimensionFilterGroups"][0]["groupType"], "and");
    assert_eq!(
        sent["endDate"].as_str().unwrap().len(),
        10,
        "relative days are resolved before sending"
    );
    assert_eq!(
        fake.requests("/token").len(),
        2,
        "one refused grant, then one kept token"
    );

    // GA4 is not connected: a clear conflict naming what to connect.
    let (status, error) = ga4(&server, json!({"metrics": ["sessions"]})).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (409, Some("E_CONFLICT")),
        "{error}"
    );
    assert!(error["error"].as_str().unwrap().contains("connect_channel"));

    // Disconnecting forgets it.
    let (status, _) = call(
        &server,
        &server.key,
        Method::DELETE,
        &format!("/api/connections/{}/search_console", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, error) = post(&server, &path, json!({})).await;
    assert_eq!(status, 409, "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_briefing_reports_what_google_measured_and_what_it_could_not_read() {
    let fake = FakeGoogle::start().await;
    let server = start(&fake);
    let research = format!("/api/research/{}", server.customer_id);
    // Nothing connected: no Google part, no Google call.
    let (status, briefing) = post(&server, &research, json!({"engine": "offline"})).await;
    assert_eq!(status, 200, "{briefing}");
    assert_eq!(briefing["google"], json!({}));
    assert!(fake.receiver.received().is_empty());

    for body in [
        json!({"platform": "google_analytics", "propertyId": google::PROPERTY, "serviceAccountKey": google::key_file()}),
        json!({"platform": "search_console", "siteUrl": google::SITE, "serviceAccountKey": google::key_file()}),
    ] {
        let (status, channel) = connect(&server, body).await;
        assert_eq!(status, 200, "{channel}");
    }
    let (status, briefing) = post(&server, &research, json!({"engine": "offline"})).await;
    assert_eq!(status, 200, "{briefing}");
    let ga = &briefing["google"]["analytics"]["measured"];
    assert_eq!(
        (ga["sessions"].clone(), ga["previousSessions"].clone()),
        (json!(410), json!(240)),
        "{ga}"
    );
    assert_eq!(
        ga["channels"][0],
        json!({"channel": "Organic Search", "sessions": 330, "previousSessions": 200})
    );
    // The two periods went as two named date ranges of one report.
    let sent = fake.requests(":runReport").last().unwrap().json();
    assert_eq!(sent["dateRanges"][1]["name"], "previous");
    let search = &briefing["google"]["search"]["measured"];
    assert_eq!(
        (search["clicks"].clone(), search["impressions"].clone()),
        (json!(68.0), json!(1950.0)),
        "{search}"
    );
    assert_eq!(search["topQueries"][0]["query"], "cold brew ratio");
    let highlights = briefing["highlights"].to_string();
    assert!(highlights.contains("GA4 measured 410 sessions in 1 day(s) (+71 % on the 1 days before): Organic Search 330, Direct 65, Referral 15."), "{highlights}");
    assert!(
        highlights.contains("68 clicks from 1950 impressions"),
        "{highlights}"
    );
    assert!(
        highlights.contains("top query \\\"cold brew ratio\\\" (42 clicks"),
        "{highlights}"
    );

    // A source that cannot be read is named with Google's reason; the briefing still stands.
    let (status, _) = connect_property(&server, google::SPENT_PROPERTY).await;
    assert_eq!(status, 200);
    let (status, briefing) = post(&server, &research, json!({"engine": "offline"})).await;
    assert_eq!(status, 200, "{briefing}");
    let unread = briefing["google"]["analytics"]["unread"].as_str().unwrap();
    assert!(unread.contains("quota"), "{unread}");
    assert!(briefing["google"]["analytics"].get("measured").is_none());
    assert!(
        briefing["highlights"]
            .to_string()
            .contains("GA4 could not be read")
    );
}
