//! Audit speed: parsing and checking a 200 KB page with the network excluded (target ≤ 15 ms
//! median), and the whole SEO audit end to end over loopback against the clean fixture site
//! (page, robots.txt, llms.txt, sitemap and the link sample; target < 100 ms), and the parse of a
//! hostile 5 MiB page that once took quadratic time.
//!
//! `cargo bench --bench audit`; the figures go in BENCHMARKS.md.

#[allow(dead_code)]
#[path = "../tests/common/site.rs"]
mod site;

use std::time::Duration;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use heycmo::audit::{self, Progress, Scores, conversion};
use heycmo::web::html::Page;
use heycmo::web::{FetchConfig, Fetched, Fetcher};
use url::Url;

/// The clean fixture's home page with its main content repeated up to 200 KB: a long landing
/// page with many sections, links and images.
fn big_page() -> String {
    let home = std::fs::read_to_string(site::sites_dir().join("good/index.html"))
        .unwrap()
        .replace("{self}", "https://acme.example");
    let (head, tail) = home.split_once("</main>").unwrap();
    let section = r#"
    <section><h2>Why do hikers choose our boots?</h2>
      <p>Every pair is stitched by hand in Portugal from full-grain leather. The soles are Vibram,
      the lining is breathable, and the fit is checked by a person before it ships to you.</p>
      <ul><li><a href="/pricing.html">See sizes and prices</a></li><li><a href="/about.html">How we make them</a></li>
      <li><a href="https://www.nature.com/articles/footwear">The durability study</a></li></ul>
      <img src="/photos/trail.jpg" alt="Boots on a muddy trail"><a class="btn" href="/pricing.html">Get your pair</a>
    </section>"#;
    let mut page = head.to_owned();
    while page.len() < 200 * 1024 {
        page.push_str(section);
    }
    page.push_str("</main>");
    page.push_str(tail);
    page
}

fn response(html: &str) -> Fetched {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("content-type", "text/html; charset=utf-8".parse().unwrap());
    Fetched {
        url: Url::parse("https://acme.example/").unwrap(),
        status: 200,
        headers,
        body: Bytes::from(html.to_owned()),
        wire_bytes: html.len() / 5,
        encoding: Some("gzip".into()),
        ttfb: Duration::from_millis(80),
        elapsed: Duration::from_millis(120),
        redirects: Vec::new(),
    }
}

fn offline(c: &mut Criterion) {
    let html = big_page();
    let fetched = response(&html);
    let url = fetched.url.clone();
    let mut group = c.benchmark_group("200 KB page, network excluded");
    group.bench_function("parse", |b| b.iter(|| Page::parse(Some(&url), &html)));
    group.bench_function(
        "parse and audit (SEO, GEO, performance, accessibility, CRO)",
        |b| {
            b.iter(|| {
                let page = Page::parse(Some(&url), &html);
                let mut findings = audit::on_page(&page, &fetched);
                findings.extend(conversion::checks(&page, &fetched));
                Scores::of(&findings)
            })
        },
    );
    group.finish();
}

/// A hostile page at the fetch cap: 5 MiB of empty `<style></style>` elements. Its parse once
/// took time in the square of its size (the depth pre-scan lower-cased the rest of the page at
/// every `<style>`); `/live` parses any page an anonymous visitor names.
fn hostile(c: &mut Criterion) {
    let html = "<style></style>".repeat(5 * 1024 * 1024 / 15);
    let url = Url::parse("https://acme.example/").unwrap();
    let mut group = c.benchmark_group("5 MiB of <style></style>");
    group.sample_size(10);
    group.bench_function("parse", |b| b.iter(|| Page::parse(Some(&url), &html)));
    group.finish();
}

fn end_to_end(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let site = runtime.block_on(site::serve("good"));
    let mut config = FetchConfig::new("http://127.0.0.1:8080");
    config.allowed_networks = vec![site::SITE_NETWORK.parse().unwrap()];
    let fetcher = Fetcher::new(config).unwrap();
    let url = Url::parse(&site.url("/")).unwrap();
    c.bench_function(
        "SEO audit end to end over loopback (page, robots.txt, llms.txt, sitemap, 4 links)",
        |b| {
            b.to_async(&runtime).iter(|| async {
                let report = audit::seo(&fetcher, &url, Progress::default())
                    .await
                    .unwrap();
                assert_eq!(report.status, 200);
                report
            })
        },
    );
}

criterion_group!(benches, offline, hostile, end_to_end);
criterion_main!(benches);
