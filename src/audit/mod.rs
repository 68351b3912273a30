//! Site audits: SEO (with GEO, performance and accessibility) and conversion, all deterministic.
//!
//! An audit fetches what it needs through the safe fetcher, reads the page once into a
//! [`Page`], and runs the checks of each category module over it. Findings are reported as they
//! are made (MCP progress, the `/live` stream) and collected into a [`Report`].

pub mod accessibility;
pub mod changes;
pub mod conversion;
pub mod finding;
pub mod geo;
pub mod performance;
mod render;
mod response;
mod run;
pub mod seo;
mod wording;

use std::collections::BTreeMap;
use std::time::Instant;

use futures::future::join_all;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::UnboundedSender;
use url::Url;

pub use changes::Changes;
pub use finding::{Category, Finding, Scores, Severity};
pub use run::{for_customer, in_turn};

use crate::store::{AuditRecord, Millis, Store, StoreError};
use crate::web::html::Page;
use crate::web::robots::RobotsTxt;
use crate::web::sitemap::{self, Sitemap};
use crate::web::{FetchError, Fetched, Fetcher};

/// Internal links checked for errors per audit.
pub const LINK_SAMPLE: usize = 10;
/// The user agent whose robots.txt rules heycmo follows when it fetches more than the page.
pub const OUR_AGENT: &str = "heycmo";

/// Which audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AuditKind {
    Seo,
    Cro,
}

impl AuditKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Seo => "seo",
            AuditKind::Cro => "cro",
        }
    }
}

/// What an audit found.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Set once the report is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_id: Option<String>,
    pub kind: AuditKind,
    /// The URL asked for.
    pub url: String,
    /// The URL the content came from, after redirects.
    pub final_url: String,
    pub status: u16,
    /// When the page was fetched (RFC 3339).
    pub fetched_at: String,
    pub scores: Scores,
    pub passed: usize,
    pub failed: usize,
    /// Failed checks first, most severe first.
    pub findings: Vec<Finding>,
    /// SEO audits: whether each AI crawler may fetch the page under robots.txt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_crawlers: Option<BTreeMap<String, bool>>,
    /// Milliseconds, end to end (page, robots.txt, llms.txt, sitemap and links).
    pub duration_ms: u64,
    /// Set when the URL is not an HTML page (an error status, a sitemap, a feed, …): why, and
    /// that only its status, headers and robots.txt were checked, not the page checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_audited: Option<String>,
    /// What changed since the previous audit of the same URL, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

/// Where findings go as they are made; dropping it ends the stream.
#[derive(Clone, Default)]
pub struct Progress(Option<UnboundedSender<Finding>>);

impl Progress {
    pub fn to(sender: UnboundedSender<Finding>) -> Progress {
        Progress(Some(sender))
    }

    fn emit(&self, findings: &[Finding]) {
        if let Some(sender) = &self.0 {
            for finding in findings {
                // The receiver may have gone (a client that hung up); the audit still completes.
                let _ = sender.send(finding.clone());
            }
        }
    }
}

/// Stores a customer's audit, first noting what changed since their previous audit of the URL.
pub async fn record(
    store: &Store,
    customer: &str,
    report: &mut Report,
    now: Millis,
) -> Result<(), StoreError> {
    let kind = report.kind.as_str();
    if let Some(previous) = store.latest_audit(customer, kind, &report.url).await?
        && let Ok(then) = serde_json::from_str::<Report>(&previous.report)
    {
        report.changes = Some(Changes::between(&then, &previous.id, report));
    }
    let id = format!("aud_{}", crate::auth::random_hex(8));
    report.audit_id = Some(id.clone());
    let json = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    store
        .save_audit(
            customer,
            AuditRecord {
                id,
                kind: kind.to_owned(),
                url: report.url.clone(),
                score: report.scores.overall,
                report: json,
                created_at: now,
            },
        )
        .await
}

/// Fetches a page and reads it (off the async threads: parsing is CPU work).
pub async fn fetch_page(fetcher: &Fetcher, url: &Url) -> Result<(Fetched, Page), FetchError> {
    let response = fetcher.get(url).await?;
    let page = parse(&response).await;
    Ok((response, page))
}

async fn parse(response: &Fetched) -> Page {
    let url = response.url.clone();
    let html = response.text();
    let html_like = response.is_html_like();
    tokio::task::spawn_blocking(move || {
        if html_like {
            Page::parse(Some(&url), &html)
        } else {
            Page {
                url: Some(url),
                bytes: html.len(),
                ..Page::default()
            }
        }
    })
    .await
    .unwrap_or_default()
}

/// The SEO audit: Lighthouse's SEO checks, GEO, performance and accessibility.
pub async fn seo(fetcher: &Fetcher, url: &Url, progress: Progress) -> Result<Report, FetchError> {
    let started = Instant::now();
    let fetched_at = chrono::Utc::now();
    let (response, page) = fetch_page(fetcher, url).await?;
    if let Some(report) = if_not_a_page(
        fetcher,
        AuditKind::Seo,
        url,
        &response,
        &progress,
        fetched_at,
        started,
    )
    .await
    {
        return Ok(report);
    }
    let mut findings = Vec::new();
    let site = &response.url;

    let (robots, llms) = tokio::join!(
        fetch_robots(fetcher, site),
        fetch_optional(fetcher, site, "/llms.txt")
    );
    let page_findings = seo::page(&page, &response, robots.as_ref());
    progress.emit(&page_findings);
    findings.extend(page_findings);
    let mut stage = performance::checks(&page, &response);
    stage.extend(accessibility::checks(&page));
    progress.emit(&stage);
    findings.extend(stage);

    let access = geo::crawler_access(robots.as_ref(), site);
    let mut stage = vec![geo::ai_crawlers(&access), geo::llms_txt(llms.as_ref())];
    if let Some(robots) = &robots {
        stage.push(seo::robots(robots));
    }
    progress.emit(&stage);
    findings.extend(stage);

    let (sitemap, links) = tokio::join!(
        fetch_sitemap(fetcher, site, robots.as_ref()),
        check_links(fetcher, &page, robots.as_ref())
    );
    let sitemap_ref = sitemap
        .as_ref()
        .map(|(u, r)| (u, r.as_ref().map_err(String::as_str)));
    let has_lastmod = sitemap
        .as_ref()
        .is_some_and(|(_, r)| r.as_ref().is_ok_and(|s| !s.lastmods.is_empty()));
    let mut stage = vec![seo::sitemap(sitemap_ref, &page)];
    stage.extend(seo::broken_links(&links));
    stage.extend(geo::content(
        &page,
        response.header("last-modified"),
        has_lastmod,
    ));
    progress.emit(&stage);
    findings.extend(stage);

    Ok(report(
        AuditKind::Seo,
        url,
        &response,
        fetched_at,
        findings,
        Some(access),
        started,
    ))
}

/// The checks that need nothing but the page and its response: SEO on-page checks,
/// accessibility, GEO content and performance. No robots.txt, llms.txt, sitemap or link sample.
pub fn on_page(page: &Page, response: &Fetched) -> Vec<Finding> {
    let mut findings = seo::page(page, response, None);
    findings.extend(performance::checks(page, response));
    findings.extend(accessibility::checks(page));
    findings.extend(geo::content(page, response.header("last-modified"), false));
    findings
}

/// The conversion audit of one page.
pub async fn cro(fetcher: &Fetcher, url: &Url, progress: Progress) -> Result<Report, FetchError> {
    let started = Instant::now();
    let fetched_at = chrono::Utc::now();
    let (response, page) = fetch_page(fetcher, url).await?;
    if let Some(report) = if_not_a_page(
        fetcher,
        AuditKind::Cro,
        url,
        &response,
        &progress,
        fetched_at,
        started,
    )
    .await
    {
        return Ok(report);
    }
    let findings = conversion::checks(&page, &response);
    progress.emit(&findings);
    Ok(report(
        AuditKind::Cro,
        url,
        &response,
        fetched_at,
        findings,
        None,
        started,
    ))
}

fn report(
    kind: AuditKind,
    url: &Url,
    response: &Fetched,
    fetched_at: chrono::DateTime<chrono::Utc>,
    mut findings: Vec<Finding>,
    ai_crawlers: Option<BTreeMap<String, bool>>,
    started: Instant,
) -> Report {
    // Failures first, the most severe first; the order within a group is the checks' own.
    findings.sort_by_key(|f| (f.passed, std::cmp::Reverse(f.severity.weight())));
    let failed = findings.iter().filter(|f| !f.passed).count();
    Report {
        audit_id: None,
        kind,
        url: url.to_string(),
        final_url: response.url.to_string(),
        status: response.status,
        fetched_at: crate::clock::rfc3339(fetched_at.timestamp_millis()),
        scores: Scores::of(&findings),
        passed: findings.len() - failed,
        failed,
        findings,
        ai_crawlers,
        duration_ms: started.elapsed().as_millis() as u64,
        not_audited: None,
        changes: None,
    }
}

/// The report of a response that is not a page, when it is not one: its status, headers and
/// robots.txt judged, and why nothing else was.
async fn if_not_a_page(
    fetcher: &Fetcher,
    kind: AuditKind,
    url: &Url,
    response: &Fetched,
    progress: &Progress,
    fetched_at: chrono::DateTime<chrono::Utc>,
    started: Instant,
) -> Option<Report> {
    let reason = response::not_a_page(response)?;
    let robots = fetch_robots(fetcher, &response.url).await;
    let findings = response::checks(response, robots.as_ref());
    progress.emit(&findings);
    let mut report = report(kind, url, response, fetched_at, findings, None, started);
    report.not_audited = Some(reason);
    Some(report)
}

/// The site's robots.txt; `None` when it could not be fetched at all.
pub async fn fetch_robots(fetcher: &Fetcher, site: &Url) -> Option<RobotsTxt> {
    let url = RobotsTxt::url_for(site)?;
    let response = fetcher.get_text(&url).await.ok()?;
    Some(RobotsTxt {
        url,
        status: response.status,
        body: response.text(),
    })
}

async fn fetch_optional(fetcher: &Fetcher, site: &Url, path: &str) -> Option<Fetched> {
    fetcher.get_text(&site.join(path).ok()?).await.ok()
}

/// The sitemap named in robots.txt, else `/sitemap.xml`.
async fn fetch_sitemap(
    fetcher: &Fetcher,
    site: &Url,
    robots: Option<&RobotsTxt>,
) -> Option<(Url, Result<Sitemap, String>)> {
    let named = robots.and_then(|r| r.sitemaps().into_iter().find_map(|s| Url::parse(&s).ok()));
    let url = named.or_else(|| site.join("/sitemap.xml").ok())?;
    let response = fetcher.get_text(&url).await.ok()?;
    if response.status == 404 || response.status == 410 {
        return None;
    }
    let parsed = if !response.is_success() {
        Err(format!("HTTP {}", response.status))
    } else {
        sitemap::parse(&response.text())
    };
    Some((url, parsed))
}

/// Checks a sample of the page's internal links that robots.txt lets us fetch.
async fn check_links(
    fetcher: &Fetcher,
    page: &Page,
    robots: Option<&RobotsTxt>,
) -> Vec<(Url, Result<u16, String>)> {
    let mut sample: Vec<Url> = Vec::new();
    for link in &page.links {
        let Some(mut url) = link.url.clone() else {
            continue;
        };
        url.set_fragment(None);
        if !page.same_site(&url) || page.url.as_ref() == Some(&url) || sample.contains(&url) {
            continue;
        }
        if robots.is_some_and(|r| !r.allows(OUR_AGENT, &url)) {
            continue;
        }
        sample.push(url);
        if sample.len() == LINK_SAMPLE {
            break;
        }
    }
    let statuses = join_all(sample.iter().map(|url| fetcher.status(url))).await;
    sample
        .into_iter()
        .zip(statuses)
        .map(|(url, status)| (url, status.map_err(|e| e.to_string())))
        .collect()
}
