//! The dashboard in a real browser (Debian's Chromium over WebDriver): signing in with a key,
//! approving a draft from the content page, answering onboarding's interview, inviting and
//! revoking a teammate — on a 375 px wide screen, with no console error (a script or style
//! the policy refused would be one), no horizontal scrolling and no axe-core WCAG 2 AA
//! violation on any page.

mod common;

use common::site::{self, SITE_NETWORK};
use common::webdriver::Browser;
use common::{Server, call, draft, post};
use reqwest::Method;
use serde_json::{Value, json};

/// Checks the page the browser shows: no console error, nothing wider than the screen, no
/// accessibility violation; saves its screenshot.
async fn check_page(browser: &Browser, name: &str) {
    browser.screenshot(name).await;
    let errors = browser.console_errors().await;
    assert!(errors.is_empty(), "{name}: console errors {errors:?}");
    let overflow = browser
        .eval("return document.documentElement.scrollWidth - document.documentElement.clientWidth;")
        .await;
    assert_eq!(overflow, json!(0), "{name} scrolls sideways at 375 px");
    let violations = browser.accessibility_violations().await;
    assert!(violations.is_empty(), "{name}: {violations:#?}");
}

async fn api(server: &Server, method: Method, path: &str) -> Value {
    let (status, body) = call(server, &server.key, method, path, None).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_runs_the_pipeline_onboarding_and_the_team_from_a_phone_sized_browser() {
    let site = site::serve("good").await;
    let server = Server::start(&[
        "--key-cache-seconds",
        "0",
        "--allow-fetch-network",
        SITE_NETWORK,
    ]);
    // Two audits, so the overview draws their trend.
    for _ in 0..2 {
        let (status, report) = post(&server, "/api/scan", json!({"url": site.url("/")})).await;
        assert_eq!(status, 200, "{report}");
    }
    let hostile = "<script>alert(1)</script> Running in the rain";
    let id = draft(&server, hostile).await;
    let browser = Browser::start(375).await;
    browser.goto(&server.url("/login")).await;
    assert_eq!(browser.eval("return window.innerWidth;").await, json!(375));

    // Sign in with the key.
    browser.goto(&server.url("/login")).await;
    check_page(&browser, "login").await;
    browser.fill("input[name=key]", &server.key).await;
    browser
        .submit("form[action='/login'] button[type=submit]")
        .await;
    assert_eq!(browser.path().await, "/dashboard");
    let overview = browser.text().await;
    assert!(overview.contains("Drafts waiting for review"), "{overview}");
    assert!(overview.contains("Audit scores over time"), "{overview}");
    let charted = browser
        .eval("return document.querySelectorAll('svg.chart circle').length;")
        .await;
    assert_eq!(charted, json!(2), "one point per audit");

    // Every page, as a person on a phone sees it.
    for (slug, _) in heycmo::pages::dashboard::sections::NAV {
        let path = format!("/dashboard/{slug}");
        browser.goto(&server.url(&path)).await;
        check_page(&browser, &format!("dashboard-{slug}")).await;
    }

    // Approve the draft from the content page; the hostile title stayed text.
    browser
        .goto(&server.url("/dashboard/content?state=draft"))
        .await;
    assert!(browser.text().await.contains(hostile), "shown as text");
    assert!(
        browser.client.get_alert_text().await.is_err(),
        "no script ran"
    );
    browser
        .submit("form[action='/dashboard/do/approve_content'] button")
        .await;
    assert!(browser.text().await.contains("Approve content: done."));
    let item = api(
        &server,
        Method::GET,
        &format!("/api/content/{}/{id}", server.customer_id),
    )
    .await;
    assert_eq!(item["state"], "approved", "{item}");

    // Onboarding: start without a site, then answer the interview in its form.
    browser.goto(&server.url("/dashboard/onboarding")).await;
    browser
        .submit("form[action='/dashboard/do/start_onboarding'] button")
        .await;
    browser
        .fill("input[name=voice]", "Plain, warm, practical")
        .await;
    browser
        .fill("input[name=audience]", "Weekend trail racers")
        .await;
    browser
        .fill("input[name=competitors]", "Acme Trails, RidgeRun")
        .await;
    browser.fill("input[name=offers]", "Shoes from $120").await;
    browser.fill("input[name=icpCountries]", "FR, DE").await;
    check_page(&browser, "onboarding-interview").await;
    browser
        .submit("form[action='/dashboard/do/answer_onboarding'] button")
        .await;
    let onboarding = api(
        &server,
        Method::GET,
        &format!("/api/onboard/{}", server.customer_id),
    )
    .await;
    assert_eq!(
        onboarding["answers"]["competitors"],
        json!(["Acme Trails", "RidgeRun"]),
        "{onboarding}"
    );
    assert_eq!(onboarding["status"], "completed", "{onboarding}");

    // Invite a member; the key is shown once; revoke it from the team page.
    browser.goto(&server.url("/dashboard/team")).await;
    browser.fill("input[name=email]", "sam@example.com").await;
    browser
        .submit("form[action='/dashboard/do/invite_member'] button")
        .await;
    let shown = browser.text().await;
    let at = shown.find("hcmo_live_").expect("the new key, once");
    let key = shown[at..at + 74].to_owned();
    check_page(&browser, "team-invited").await;
    let (status, _) = call(
        &server,
        &key,
        Method::GET,
        &format!("/api/customer/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 200);
    browser.goto(&server.url("/dashboard/team")).await;
    browser
        .submit("form[action='/dashboard/do/revoke_key'] button")
        .await;
    assert!(browser.text().await.contains("Revoke a team key: done."));
    let (status, _) = call(
        &server,
        &key,
        Method::GET,
        &format!("/api/customer/{}", server.customer_id),
        None,
    )
    .await;
    assert_eq!(status, 401, "the revoked key no longer works");
    let keys = api(
        &server,
        Method::GET,
        &format!("/api/team/{}", server.customer_id),
    )
    .await;
    let sam = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["label"] == "sam@example.com")
        .unwrap();
    assert!(sam["revokedAt"].is_string(), "{keys}");
    check_page(&browser, "team-revoked").await;
    browser.close().await;
}
