//! Site intelligence against fixture sites on loopback: the exact findings of the SEO and CRO
//! audits, what changed between audits, and the fetcher's SSRF guard and limits.

mod common;

use std::collections::BTreeSet;

use common::site::{self, SITE_NETWORK};
use common::{Server, client, post};
use rmcp::model::{CallToolRequestParams, ProgressNotificationParam};
use rmcp::service::NotificationContext;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

fn start() -> Server {
    Server::start(&[
        "--allow-fetch-network",
        SITE_NETWORK,
        "--fetch-timeout-seconds",
        "3",
    ])
}

fn ids(report: &Value, passed: bool) -> BTreeSet<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["passed"] == passed)
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect()
}

fn finding<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no finding {id} in {report}"))
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn a_clean_site_passes_everything_but_https() {
    let site = site::serve("good").await;
    let server = start();
    let (status, report) = post(&server, "/api/scan", json!({"url": site.url("/")})).await;
    assert_eq!(status, 200, "{report}");
    // Served over plain http on loopback: the one thing a fixture cannot do right.
    assert_eq!(ids(&report, false), set(&["perf.https"]), "{report:#}");
    for id in [
        "seo.title",
        "seo.canonical",
        "seo.hreflang",
        "seo.structured-data",
        "seo.sitemap",
        "seo.broken-links",
        "seo.robots-txt",
        "seo.is-crawlable",
        "geo.llms-txt",
        "geo.ai-crawlers",
        "geo.organization-schema",
        "geo.faq-schema",
        "geo.product-schema",
        "geo.freshness",
        "geo.cited-sources",
        "perf.compression",
        "a11y.image-alt",
    ] {
        assert_eq!(
            finding(&report, id)["passed"],
            true,
            "{id}: {}",
            finding(&report, id)
        );
    }
    assert!(
        finding(&report, "seo.broken-links")["evidence"]
            .as_str()
            .unwrap()
            .contains("4 internal links")
    );
    assert!(
        finding(&report, "perf.compression")["evidence"]
            .as_str()
            .unwrap()
            .contains("gzip")
    );
    assert_eq!(report["aiCrawlers"]["GPTBot"], true);
    assert_eq!(report["kind"], "seo");
    assert!(report["auditId"].as_str().unwrap().starts_with("aud_"));
    assert!(
        report.get("changes").is_none(),
        "the first audit has nothing to compare with"
    );
    let scores = &report["scores"];
    assert_eq!(scores["categories"]["seo"], 100);
    assert_eq!(scores["categories"]["geo"], 100);
    assert!(scores["categories"]["performance"].as_u64().unwrap() < 100);
}

#[tokio::test]
async fn a_defective_site_fails_exactly_its_defects() {
    let site = site::serve("bad").await;
    let server = start();
    let (status, report) = post(&server, "/api/scan", json!({"url": site.url("/")})).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        ids(&report, false),
        set(&[
            "seo.is-crawlable",
            "seo.title",
            "seo.meta-description",
            "seo.link-text",
            "seo.crawlable-anchors",
            "seo.hreflang",
            "seo.canonical",
            "seo.structured-data",
            "seo.open-graph",
            "seo.twitter-card",
            "seo.viewport",
            "seo.broken-links",
            "seo.robots-txt",
            "seo.sitemap",
            "geo.llms-txt",
            "geo.ai-crawlers",
            "geo.organization-schema",
            "geo.freshness",
            "geo.cited-sources",
            "geo.answer-structure",
            "perf.https",
            "a11y.image-alt",
            "a11y.link-name",
            "a11y.html-lang",
            "a11y.heading-order",
        ]),
        "{report:#}"
    );
    assert!(
        finding(&report, "seo.is-crawlable")["evidence"]
            .as_str()
            .unwrap()
            .contains("noindex")
    );
    assert!(
        finding(&report, "seo.canonical")["evidence"]
            .as_str()
            .unwrap()
            .contains("another site")
    );
    assert!(
        finding(&report, "seo.hreflang")["evidence"]
            .as_str()
            .unwrap()
            .contains("english")
    );
    assert!(
        finding(&report, "seo.broken-links")["evidence"]
            .as_str()
            .unwrap()
            .contains("missing.html → HTTP 404")
    );
    assert!(
        finding(&report, "seo.robots-txt")["evidence"]
            .as_str()
            .unwrap()
            .contains("line 5")
    );
    assert!(
        finding(&report, "geo.ai-crawlers")["evidence"]
            .as_str()
            .unwrap()
            .contains("GPTBot")
    );
    assert!(
        finding(&report, "geo.llms-txt")["evidence"]
            .as_str()
            .unwrap()
            .contains("no H1")
    );
    assert!(
        finding(&report, "seo.sitemap")["evidence"]
            .as_str()
            .unwrap()
            .contains("<html>")
    );
    assert_eq!(report["aiCrawlers"]["GPTBot"], false);
    assert_eq!(report["aiCrawlers"]["ClaudeBot"], true);
    // Every failure says how to fix it; failures come first, most severe first.
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["fix"].is_string(), f["passed"] == false, "{f}");
    }
    assert_eq!(report["findings"][0]["severity"], "critical");
    assert!(
        report["scores"]["overall"].as_u64().unwrap() < 40,
        "{}",
        report["scores"]
    );
}

#[tokio::test]
async fn conversion_findings_on_both_sites() {
    let (good, bad) = (site::serve("good").await, site::serve("bad").await);
    let server = start();
    let (status, report) = post(
        &server,
        "/api/tools/cro_audit",
        json!({"url": good.url("/")}),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(ids(&report, false), BTreeSet::new(), "{report:#}");
    assert_eq!(report["scores"]["overall"], 100);

    let (_, report) = post(
        &server,
        "/api/tools/cro_audit",
        json!({"url": bad.url("/")}),
    )
    .await;
    assert_eq!(
        ids(&report, false),
        set(&[
            "cro.primary-cta",
            "cro.cta-wording",
            "cro.form-length",
            "cro.headline",
            "cro.value-proposition",
            "cro.testimonials",
            "cro.customer-logos",
            "cro.review-markup",
            "cro.privacy-link",
            "cro.contact-details",
            "cro.pricing-clarity",
            "cro.social-proof",
            "cro.mobile-viewport",
        ]),
        "{report:#}"
    );
    assert!(
        finding(&report, "cro.form-length")["evidence"]
            .as_str()
            .unwrap()
            .contains("12 fields")
    );
    assert!(
        finding(&report, "cro.cta-wording")["evidence"]
            .as_str()
            .unwrap()
            .contains("Submit")
    );
}

#[tokio::test]
async fn a_second_audit_reports_what_changed() {
    let site = site::serve("bad").await;
    let server = start();
    let url = site.url("/about.html");
    let (_, first) = post(&server, "/api/scan", json!({"url": url})).await;
    let (_, second) = post(&server, "/api/scan", json!({"url": url})).await;
    let changes = &second["changes"];
    assert_eq!(changes["previousAuditId"], first["auditId"]);
    assert_eq!(changes["overallDelta"], 0);
    assert_eq!(changes["newlyFailing"], json!([]));
    assert_eq!(changes["fixed"], json!([]));
    // Both are stored, newest first, and readable by id, by this customer only.
    let get = |path: String, key: String| {
        let url = server.url(&path);
        async move {
            let response = client().get(url).bearer_auth(key).send().await.unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let (status, listed) = get(
        format!("/api/audits/{}?kind=seo&url={url}", server.customer_id),
        server.key.clone(),
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    let ids: Vec<&Value> = listed["audits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["auditId"])
        .collect();
    assert_eq!(ids, [&second["auditId"], &first["auditId"]]);
    let first_id = first["auditId"].as_str().unwrap();
    let (status, stored) = get(
        format!("/api/audits/{}/{first_id}", server.customer_id),
        server.key.clone(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(stored, first);
    let (other, other_key) = server.create_customer("other@example.com");
    let (status, body) = get(format!("/api/audits/{other}/{first_id}"), other_key.clone()).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("E_NOT_FOUND")));
    let (status, _) = get(
        format!("/api/audits/{}/{first_id}", server.customer_id),
        other_key,
    )
    .await;
    assert_eq!(status, 403);
    // X-Robots-Tag naming one crawler still blocks it.
    assert_eq!(finding(&first, "seo.is-crawlable")["passed"], false);
    assert!(
        finding(&first, "seo.is-crawlable")["evidence"]
            .as_str()
            .unwrap()
            .contains("X-Robots-Tag")
    );
    // Without compression from the server, the compression check is not applicable for tiny pages.
    assert!(
        first["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["id"] != "perf.compression")
    );
}

#[tokio::test]
async fn the_guard_refuses_private_addresses_and_redirects_to_them() {
    let site = site::serve("bad").await;
    let server = start();
    for (url, reason) in [
        ("http://127.0.0.1:9/".to_owned(), "loopback"),
        ("http://10.0.0.1/".to_owned(), "private"),
        (
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "metadata",
        ),
        ("http://[::ffff:192.168.0.1]/".to_owned(), "private"),
        ("http://[fd00::1]/".to_owned(), "unique local"),
        ("http://LocalHost:9/".to_owned(), "loopback"),
        (site.url("/to-loopback"), "loopback"),
        (site.url("/to-metadata"), "metadata"),
        (site.url("/to-mapped"), "private"),
        (site.url("/to-localhost-name"), "loopback"),
        ("file:///etc/passwd".to_owned(), "http and https"),
    ] {
        let (status, body) = post(&server, "/api/scan", json!({"url": url})).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["code"], "E_URL_REFUSED", "{url}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(reason),
            "{url}: {body}"
        );
    }
    for (path, text) in [
        ("/loop", "more than 5 redirects"),
        ("/huge", "larger than"),
        ("/bomb", "larger than"),
        ("/slow", "no complete answer within 3 s"),
    ] {
        let (status, body) = post(&server, "/api/scan", json!({"url": site.url(path)})).await;
        assert_eq!(status, 502, "{path}: {body}");
        assert_eq!(body["code"], "E_FETCH_FAILED", "{path}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(text),
            "{path}: {body}"
        );
    }
    // Two redirects within the site are followed and reported.
    let (status, report) = post(&server, "/api/scan", json!({"url": site.url("/hop1")})).await;
    assert_eq!(status, 200, "{report}");
    assert!(
        report["finalUrl"]
            .as_str()
            .unwrap()
            .ends_with("/about.html")
    );
    assert_eq!(finding(&report, "perf.redirects")["passed"], false);
}

#[tokio::test]
async fn without_the_allowance_even_the_fixture_site_is_refused() {
    let site = site::serve("good").await;
    let server = Server::start(&[]);
    let (status, body) = post(&server, "/api/scan", json!({"url": site.url("/")})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "E_URL_REFUSED");
}

/// The `event:` names and parsed `data:` of a finished event stream.
fn events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let name = block.lines().find_map(|l| l.strip_prefix("event: "))?;
            let data = block.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((name.to_owned(), serde_json::from_str(data).unwrap()))
        })
        .collect()
}

/// `GET` of `path` asking for the event stream, as `EventSource` and stream readers do.
async fn stream(server: &Server, path: &str) -> reqwest::Response {
    client()
        .get(server.url(path))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap()
}

/// The one `error` event a stream that could not start carries.
async fn stream_error(server: &Server, path: &str) -> Value {
    let response = stream(server, path).await;
    assert_eq!(response.status(), 200);
    let events = events(&response.text().await.unwrap());
    assert_eq!(events.len(), 1, "{events:?}");
    let (name, data) = &events[0];
    assert_eq!(name, "error");
    assert!(data["requestId"].as_str().is_some_and(|id| !id.is_empty()));
    data.clone()
}

#[tokio::test]
async fn live_streams_every_check_without_a_key() {
    let site = site::serve("good").await;
    let server = Server::start(&["--allow-live-network", SITE_NETWORK, "--rate-preauth", "3"]);
    let response = stream(&server, &format!("/live?url={}", site.url("/"))).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/event-stream; charset=utf-8"
    );
    let events = events(&response.text().await.unwrap());
    assert_eq!(events.first().unwrap().0, "start");
    let (last, summary) = events.last().unwrap();
    assert_eq!(last, "summary", "{events:?}");
    let findings: Vec<&Value> = events
        .iter()
        .filter(|(n, _)| n == "finding")
        .map(|(_, d)| d)
        .collect();
    let expected = summary["seo"]["passed"].as_u64().unwrap()
        + summary["seo"]["failed"].as_u64().unwrap()
        + summary["cro"]["passed"].as_u64().unwrap()
        + summary["cro"]["failed"].as_u64().unwrap();
    assert_eq!(findings.len() as u64, expected);
    assert!(findings.iter().any(|f| f["id"] == "geo.llms-txt"));
    assert!(findings.iter().any(|f| f["id"] == "cro.primary-cta"));
    assert_eq!(summary["cro"]["scores"]["overall"], 100);

    // A refused URL and a missing one end the stream with an error event, in the error format.
    let refused = stream_error(&server, "/live?url=http://10.0.0.1/").await;
    assert_eq!(refused["code"], "E_URL_REFUSED");
    let missing = stream_error(&server, "/live").await;
    assert_eq!(missing["code"], "E_BAD_REQUEST");
    // Three streams per minute from this address were allowed; the fourth is not.
    let limited = stream(&server, "/live?url=example.com").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    // The page is not a stream and is not counted.
    let page = client().get(server.url("/live")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    // Nothing was stored: /live has no customer.
    let (_, events) = {
        let response = client()
            .get(server.url(&format!(
                "/api/events/{}?type=tool.called",
                server.customer_id
            )))
            .bearer_auth(&server.key)
            .send()
            .await
            .unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    };
    assert_eq!(events["events"], json!([]));
}

#[tokio::test]
async fn live_keeps_its_guard_when_the_tools_may_fetch_private_networks() {
    let site = site::serve("good").await;
    let server = Server::start(&[
        "--allow-private-fetch",
        "--allow-fetch-network",
        SITE_NETWORK,
    ]);
    // The tools reach the fixture site...
    let (status, body) = post(&server, "/api/scan", json!({"url": site.url("/")})).await;
    assert_eq!(status, 200, "{body}");
    // ...an anonymous visitor of /live does not, by name or by address.
    let refused = stream_error(&server, &format!("/live?url={}", site.url("/"))).await;
    assert_eq!(refused["code"], "E_URL_REFUSED", "{refused}");
    let refused = stream_error(&server, "/live?url=http://localhost:9/").await;
    assert_eq!(refused["code"], "E_URL_REFUSED", "{refused}");
}

#[tokio::test]
async fn a_browser_gets_the_live_page_under_a_strict_policy() {
    let server = Server::start(&[]);
    let response = client()
        .get(server.url("/live?url=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    assert!(csp.contains("script-src 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let html = response.text().await.unwrap();
    assert!(html.contains("<form"), "{html}");
    // The URL comes back in the form, escaped; no external asset is referenced.
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http"),
        "{html}"
    );
}

#[tokio::test]
async fn the_live_page_draws_the_streamed_findings_in_a_real_browser() {
    let site = site::serve("bad").await;
    let server = Server::start(&["--allow-live-network", SITE_NETWORK]);
    let page = server.url(&format!("/live?url={}", site.url("/")));
    let dom = tokio::task::spawn_blocking(move || common::browser::rendered_dom(&page, 20_000))
        .await
        .unwrap();
    // The inline script ran under the page's policy, read the stream and drew it: scores,
    // then failures with their fixes, first among them the most severe.
    assert!(dom.contains("Audited "), "{dom}");
    let scores = dom.find("id=\"scores\"").unwrap();
    assert!(!dom[scores..scores + 40].contains("hidden"), "{dom}");
    assert!(
        dom.contains("class=\"sev-critical\"") || dom.contains("class=\"sev-high\""),
        "{dom}"
    );
    assert!(dom.contains("Fix: "), "{dom}");
    let dashes = dom.matches("—").count() + dom.matches("…").count();
    assert!(
        dashes > 0 && !dom.contains("â€"),
        "the page decodes as UTF-8: {dom}"
    );
}

#[tokio::test]
async fn the_live_page_shows_a_refused_url_as_a_readable_error() {
    let server = Server::start(&[]);
    let page = server.url("/live?url=http://10.0.0.1/");
    let dom = tokio::task::spawn_blocking(move || common::browser::rendered_dom(&page, 10_000))
        .await
        .unwrap();
    assert!(dom.contains("class=\"error\""), "{dom}");
    assert!(dom.contains("(E_URL_REFUSED)"), "{dom}");
}

#[tokio::test]
async fn a_site_that_cannot_be_reached_ends_the_live_stream_with_an_error() {
    let server = Server::start(&["--allow-live-network", SITE_NETWORK]);
    // Nothing listens on 127.0.0.2:9.
    let response = stream(&server, "/live?url=http://127.0.0.2:9/").await;
    assert_eq!(response.status(), 200);
    let events = events(&response.text().await.unwrap());
    let (name, data) = events.last().unwrap();
    assert_eq!(name, "error");
    assert_eq!(data["code"], "E_FETCH_FAILED");
}

/// An MCP client that passes on the progress messages it receives.
#[derive(Clone)]
struct Progress(mpsc::UnboundedSender<String>);

impl ClientHandler for Progress {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(params.message.unwrap_or_default());
    }
}

#[tokio::test]
async fn over_mcp_each_check_is_reported_as_progress() {
    let site = site::serve("bad").await;
    let server = start();
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let transport = common::mcp_transport(server.url("/mcp"), server.key.clone());
    let client = Progress(sender).serve(transport).await.unwrap();
    let mut params = CallToolRequestParams::new("ai_seo_audit");
    params.arguments = json!({"url": site.url("/")}).as_object().cloned();
    let result = client.call_tool(params).await.unwrap();
    assert_ne!(result.is_error, Some(true));
    let report = result.structured_content.unwrap();
    let total = report["findings"].as_array().unwrap().len();
    // Notifications may be handled just after the result arrives; wait for them, briefly.
    let mut messages = Vec::new();
    while messages.len() < total {
        match tokio::time::timeout(std::time::Duration::from_secs(5), receiver.recv()).await {
            Ok(Some(message)) => messages.push(message),
            _ => break,
        }
    }
    assert_eq!(messages.len(), total, "{messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("FAIL geo.ai-crawlers: blocked in robots.txt: GPTBot")),
        "{messages:?}"
    );
    // The text rendering leads with the scores and lists what failed with its fix.
    let text = result.content[0].as_text().unwrap().text.clone();
    assert!(text.starts_with("SEO audit of "), "{text}");
    assert!(text.contains("Fix: "), "{text}");
    // A refused URL is a tool error the model can read, not a protocol failure.
    let mut params = CallToolRequestParams::new("ai_seo_audit");
    params.arguments = json!({"url": "http://169.254.169.254/"})
        .as_object()
        .cloned();
    let refused = client.call_tool(params).await.unwrap();
    assert_eq!(refused.is_error, Some(true));
    assert!(
        refused.content[0]
            .as_text()
            .unwrap()
            .text
            .contains("E_URL_REFUSED")
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn files_and_error_pages_are_not_audited_as_pages() {
    let site = site::serve("good").await;
    let server = start();
    for (path, tool, status, failing) in [
        ("/sitemap.xml", "/api/scan", 200, "http.html"),
        ("/missing.html", "/api/scan", 404, "http.status"),
        ("/sitemap.xml", "/api/tools/cro_audit", 200, "http.html"),
    ] {
        let (code, report) = post(&server, tool, json!({"url": site.url(path)})).await;
        assert_eq!(code, 200, "{report}");
        assert_eq!(report["status"], status);
        let reason = report["notAudited"]
            .as_str()
            .unwrap_or_else(|| panic!("{report}"));
        assert!(reason.contains(&site.url(path)), "{reason}");
        let ids: BTreeSet<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.iter().all(|id| id.starts_with("http.")),
            "{path}: {ids:?}"
        );
        assert!(
            ids.contains("http.robots") && ids.contains("http.x-robots-tag"),
            "{ids:?}"
        );
        let failed = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == failing)
            .unwrap();
        assert_eq!(failed["passed"], false, "{path}: {failed}");
    }
    // A page is still audited as one.
    let (_, page) = post(&server, "/api/scan", json!({"url": site.url("/")})).await;
    assert!(page.get("notAudited").is_none());
    assert!(page["findings"].as_array().unwrap().len() > 20);
}
