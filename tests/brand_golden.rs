//! Golden brand profiles: four realistic fixture sites (a SaaS, a local service, a shop and a
//! German site) analysed end to end, each whole profile pinned as an `insta` snapshot, so any
//! change to what extraction finds shows as a diff. After an intended change: `cargo insta
//! review` (or `INSTA_UPDATE=always cargo test --test brand_golden`), then read the diff.

mod common;

use common::site::{self, SITE_NETWORK};
use heycmo::web::{FetchConfig, Fetcher};

async fn profile(name: &str) -> String {
    let site = site::serve(name).await;
    let fetcher = Fetcher::new(FetchConfig {
        allowed_networks: vec![SITE_NETWORK.parse().unwrap()],
        ..FetchConfig::new("http://heycmo.test")
    })
    .unwrap();
    let url = url::Url::parse(&site.url("/")).unwrap();
    let profile = heycmo::brand::analyze(&fetcher, &url, 10).await.unwrap();
    // The port changes with every run, and so does the time.
    let text = serde_json::to_string(&profile)
        .unwrap()
        .replace(&site.base, "http://site.test");
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["analyzedAt"] = "(time)".into();
    serde_json::to_string_pretty(&value).unwrap()
}

#[tokio::test]
async fn a_saas_site() {
    let profile = profile("brand-saas").await;
    insta::assert_snapshot!("saas", profile);
}

#[tokio::test]
async fn a_local_service() {
    let profile = profile("brand-local").await;
    insta::assert_snapshot!("local", profile);
}

#[tokio::test]
async fn a_shop() {
    let profile = profile("brand-shop").await;
    insta::assert_snapshot!("shop", profile);
}

#[tokio::test]
async fn a_german_site() {
    let profile = profile("brand-german").await;
    insta::assert_snapshot!("german", profile);
}
