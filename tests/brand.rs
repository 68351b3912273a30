//! Brand onboarding against the fixture site: what is extracted, versioning, and the brand name
//! reaching the account.

mod common;

use common::site::{self, SITE_NETWORK};
use common::{Server, call};
use serde_json::json;

#[tokio::test]
async fn a_site_becomes_a_versioned_brand_profile() {
    let site = site::serve("good").await;
    let server = Server::start(&["--allow-fetch-network", SITE_NETWORK]);
    let onboard = format!("/api/onboard/{}/auto-extract", server.customer_id);
    let (status, p) = call(
        &server,
        &server.key,
        reqwest::Method::POST,
        &onboard,
        Some(json!({"url": site.url("/")})),
    )
    .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["version"], 1);
    assert_eq!(p["engine"], "offline");
    assert_eq!(p["name"], "Acme Trail");
    assert_eq!(p["nameSource"], "og:site_name");
    assert_eq!(p["tagline"], "waterproof hiking boots");
    assert_eq!(
        p["valueProposition"],
        "Waterproof hiking boots that last ten years. Hand-stitched leather boots that keep your feet dry on every trail, resoled for free whenever you need it."
    );
    assert!(
        p["description"]
            .as_str()
            .unwrap()
            .starts_with("Waterproof hiking boots made to last")
    );
    assert_eq!(p["logo"], site.url("/logo.png"));
    let phrases: Vec<&str> = p["keyPhrases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["phrase"].as_str().unwrap())
        .collect();
    assert!(phrases.contains(&"waterproof hiking boots"), "{phrases:?}");
    assert_eq!(p["audience"], json!(["mountain guides"]));
    assert_eq!(p["colors"]["theme"], "#1f6f43");
    assert_eq!(p["colors"]["palette"][0], "#1f6f43");
    assert!(
        p["colors"]["palette"]
            .as_array()
            .unwrap()
            .contains(&json!("#f2a900"))
    );
    assert_eq!(
        p["social"],
        json!({"linkedin": "https://www.linkedin.com/company/acme-trail", "x": "https://x.com/acmetrail"})
    );
    assert_eq!(p["contact"]["emails"], json!(["hello@acme.example"]));
    assert_eq!(p["contact"]["pages"], json!([site.url("/contact.html")]));
    assert_eq!(p["callsToAction"][0], "Get the trail guide");
    assert!(
        p["callsToAction"]
            .as_array()
            .unwrap()
            .contains(&json!("Start your free trial fitting"))
    );
    assert_eq!(p["pricingPages"], json!([site.url("/pricing.html")]));
    assert_eq!(
        p["languages"],
        json!({"primary": "en", "alternates": ["en", "de", "x-default"]})
    );
    let voice = &p["voice"];
    assert!(voice["readingEase"].as_f64().unwrap() > 40.0, "{voice}");
    assert!(voice["wordsAnalyzed"].as_u64().unwrap() > 100, "{voice}");
    // Home page, then the pages the navigation leads to, most telling first; /admin/ is
    // disallowed by robots.txt and never read.
    let read: Vec<&str> = p["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        read,
        [
            site.url("/"),
            site.url("/about.html"),
            site.url("/pricing.html"),
            site.url("/contact.html"),
            site.url("/privacy.html")
        ]
    );

    // The account now carries the brand name; a second analysis is version 2, the same facts.
    let (_, account) = call(
        &server,
        &server.key,
        reqwest::Method::GET,
        &format!("/api/customer/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(account["brandName"], "Acme Trail");
    let (_, again) = call(
        &server,
        &server.key,
        reqwest::Method::POST,
        &onboard,
        Some(json!({"url": site.url("/"), "maxPages": 1})),
    )
    .await;
    assert_eq!(again["version"], 2);
    assert_eq!(again["pages"].as_array().unwrap().len(), 2);
    assert_eq!(again["name"], p["name"]);

    let brand = format!("/api/brand/{}", server.customer_id);
    let (_, latest) = call(&server, &server.key, reqwest::Method::GET, &brand, None).await;
    assert_eq!(latest["version"], 2);
    let (_, first) = call(
        &server,
        &server.key,
        reqwest::Method::GET,
        &format!("{brand}?version=1"),
        None,
    )
    .await;
    assert_eq!(first, p);
    let (status, missing) = call(
        &server,
        &server.key,
        reqwest::Method::GET,
        &format!("{brand}?version=9"),
        None,
    )
    .await;
    assert_eq!(
        (status, missing["code"].as_str()),
        (404, Some("E_NOT_FOUND"))
    );
}

#[tokio::test]
async fn unusable_sites_are_clear_errors_and_store_nothing() {
    let site = site::serve("bad").await;
    let server = Server::start(&["--allow-fetch-network", SITE_NETWORK]);
    let onboard = format!("/api/onboard/{}/auto-extract", server.customer_id);
    let (status, body) = call(
        &server,
        &server.key,
        reqwest::Method::POST,
        &onboard,
        Some(json!({"url": site.url("/missing.html")})),
    )
    .await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["code"], "E_FETCH_FAILED");
    assert!(
        body["error"].as_str().unwrap().contains("HTTP 404"),
        "{body}"
    );
    let (status, body) = call(
        &server,
        &server.key,
        reqwest::Method::POST,
        &onboard,
        Some(json!({"url": "http://192.168.1.1/"})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("E_URL_REFUSED"))
    );
    let (status, body) = call(
        &server,
        &server.key,
        reqwest::Method::POST,
        &onboard,
        Some(json!({"url": site.url("/"), "maxPages": 50})),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("E_INVALID_INPUT"))
    );
    let (status, body) = call(
        &server,
        &server.key,
        reqwest::Method::GET,
        &format!("/api/brand/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 404);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("analyze_brand_url")
    );
}
