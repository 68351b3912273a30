//! Site intelligence against fixture sites on loopback: the exact findings of the SEO and CRO
//! audits, what changed between audits, and the fetcher's SSRF guard and limits.

mod common;

use std::collections::BTreeSet;

use common::site::{self, SITE_NETWORK};
use common::{Server, client};
use serde_json::{Value, json};

fn start() -> Server {
    Server::start(&[
        "--allow-fetch-network",
        SITE_NETWORK,
        "--fetch-timeout-seconds",
        "3",
    ])
}

async fn post(server: &Server, path: &str, body: Value) -> (u16, Value) {
    let response = client()
        .post(server.url(path))
        .bearer_auth(&server.key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
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
