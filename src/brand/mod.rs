//! Brand profiles: what a site says about the brand behind it, read deterministically from its
//! home page and a few same-site pages. The latest stored profile is the brand context every
//! other tool uses.

pub mod extract;
pub mod keywords;
mod render;
pub mod voice;

use std::collections::{BTreeMap, HashMap, HashSet};

use futures::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use url::Url;

pub use keywords::KeyPhrase;
pub use voice::Voice;

use crate::audit::{self, OUR_AGENT};
use crate::web::html::Page;
use crate::web::sitemap;
use crate::web::{FetchError, Fetched, Fetcher};

/// Pages read by default besides the home page, and at most.
pub const DEFAULT_PAGES: usize = 5;
pub const MAX_PAGES: usize = 20;
/// Pages fetched at once.
const CONCURRENCY: usize = 4;

/// Paths worth reading first, in order: they say the most about a brand.
const PRIORITY: &[&str] = &[
    "about",
    "pricing",
    "product",
    "features",
    "solutions",
    "services",
    "customers",
    "why",
    "company",
    "blog",
];

/// One page that was fetched for the profile: read, or skipped and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageRead {
    pub url: String,
    /// 0 when no answer came.
    pub status: u16,
    pub title: Option<String>,
    pub words: usize,
    /// Why the page was not read: an error status, not HTML, a duplicate of a page already
    /// read (its canonical or a URL variant), or a failed fetch. Skipped pages add nothing to
    /// the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Colors {
    /// `<meta name="theme-color">`.
    pub theme: Option<String>,
    /// Most used colours first (`#rrggbb`), the theme colour leading when there is one.
    pub palette: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub pages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Languages {
    /// `<html lang>` of the home page.
    pub primary: Option<String>,
    /// `hreflang` alternates.
    pub alternates: Vec<String>,
}

/// Everything heycmo knows about a brand from its site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BrandProfile {
    /// Set once stored: 1 for the first analysis, then 2, 3, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// The URL analysed, and where the home page finally came from.
    pub url: String,
    pub final_url: String,
    pub analyzed_at: String,
    pub name: Option<String>,
    /// Where the name was found: og:site_name, application-name, JSON-LD Organization, logo alt
    /// text, title or domain.
    pub name_source: Option<String>,
    pub tagline: Option<String>,
    pub value_proposition: Option<String>,
    pub description: Option<String>,
    pub logo: Option<String>,
    pub key_phrases: Vec<KeyPhrase>,
    /// Who the site says it serves ("for small teams", "trusted by hikers").
    pub audience: Vec<String>,
    pub voice: Voice,
    pub colors: Colors,
    /// Network name to profile URL.
    pub social: BTreeMap<String, String>,
    pub contact: Contact,
    /// The texts of the site's calls to action, most used first.
    pub calls_to_action: Vec<String>,
    pub pricing_pages: Vec<String>,
    pub product_pages: Vec<String>,
    pub languages: Languages,
    pub pages: Vec<PageRead>,
    /// Always "offline": the profile is extracted, not written by a model.
    pub engine: String,
}

/// The customer's latest stored profile, the brand context every writing tool uses.
pub async fn latest(
    store: &crate::store::Store,
    customer: &str,
) -> Result<Option<BrandProfile>, crate::error::Error> {
    stored(store, customer, None).await
}

/// Reads the site at `url` (and up to `extra` more pages) and stores the profile as the
/// customer's next version: `analyze_brand_url` and onboarding's job.
pub async fn read_and_store(
    store: &crate::store::Store,
    fetcher: &Fetcher,
    customer: &str,
    url: &Url,
    extra: usize,
    now: crate::store::Millis,
) -> Result<BrandProfile, crate::error::Error> {
    let mut profile = analyze(fetcher, url, extra).await?;
    let json = serde_json::to_string(&profile)
        .map_err(|e| crate::error::Error::Internal(e.to_string()))?;
    let version = store
        .save_brand(customer, &profile.url, profile.name.as_deref(), json, now)
        .await?;
    profile.version = Some(version);
    Ok(profile)
}

/// A stored version of the customer's profile, or the latest when `version` is `None`.
pub async fn stored(
    store: &crate::store::Store,
    customer: &str,
    version: Option<i64>,
) -> Result<Option<BrandProfile>, crate::error::Error> {
    let Some(record) = store.brand(customer, version).await? else {
        return Ok(None);
    };
    let mut profile: BrandProfile = serde_json::from_str(&record.profile).map_err(|e| {
        crate::error::Error::Internal(format!(
            "stored brand profile {} is unreadable: {e}",
            record.version
        ))
    })?;
    profile.version = Some(record.version);
    Ok(Some(profile))
}

/// Reads the home page and up to `extra` same-site pages (navigation first, then the sitemap,
/// as robots.txt allows) and builds the profile.
pub async fn analyze(
    fetcher: &Fetcher,
    url: &Url,
    extra: usize,
) -> Result<BrandProfile, FetchError> {
    let analyzed_at = crate::clock::rfc3339(chrono::Utc::now().timestamp_millis());
    let (response, home) = audit::fetch_page(fetcher, url).await?;
    if !response.is_success() || !response.is_html() {
        return Err(FetchError::Network {
            url: response.url.to_string(),
            message: format!(
                "the home page answered HTTP {} ({}), not an HTML page",
                response.status,
                response.header("content-type").unwrap_or("no content type")
            ),
        });
    }
    let robots = audit::fetch_robots(fetcher, &response.url).await;
    let mut candidates = candidates(&home);
    if candidates.len() < extra {
        candidates.extend(
            sitemap_pages(
                fetcher,
                &response.url,
                robots.as_ref().map(|r| r.sitemaps()).unwrap_or_default(),
            )
            .await,
        );
    }
    // Each page once: the home page and every URL variant of a page already queued are
    // dropped before anything is fetched.
    // Each key, with the URL of the page read under it.
    let mut seen: HashMap<String, String> = keys_of(&response.url, &home)
        .into_iter()
        .chain([page_key(url)])
        .map(|key| (key, response.url.to_string()))
        .collect();
    let mut queued = HashSet::new();
    candidates.retain(|u| {
        let key = page_key(u);
        !seen.contains_key(&key)
            && queued.insert(key)
            && robots.as_ref().is_none_or(|r| r.allows(OUR_AGENT, u))
    });
    candidates.truncate(extra);
    let fetched: Vec<(Url, Fetch)> = futures::stream::iter(candidates)
        .map(|u| async move {
            let result = audit::fetch_page(fetcher, &u).await;
            (u, result)
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut pages_read = vec![read(&response.url, response.status, &home)];
    let mut pages: Vec<&Page> = vec![&home];
    for (asked, result) in &fetched {
        let skipped = |url: &Url, status: u16, why: String| PageRead {
            url: url.to_string(),
            status,
            title: None,
            words: 0,
            skipped: Some(why),
        };
        let entry = match result {
            Err(error) => skipped(asked, 0, format!("not fetched: {error}")),
            Ok((r, _)) if !r.is_success() => {
                skipped(&r.url, r.status, format!("HTTP {}", r.status))
            }
            Ok((r, _)) if !r.is_html() => skipped(
                &r.url,
                r.status,
                format!(
                    "not HTML ({})",
                    r.header("content-type").unwrap_or("no content type")
                ),
            ),
            Ok((r, page)) => {
                let keys = keys_of(&r.url, page);
                if let Some(known) = keys.iter().find_map(|k| seen.get(k)) {
                    skipped(
                        &r.url,
                        r.status,
                        format!("the same page as {known}, already read"),
                    )
                } else {
                    seen.extend(keys.into_iter().map(|k| (k, r.url.to_string())));
                    pages.push(page);
                    read(&r.url, r.status, page)
                }
            }
        };
        pages_read.push(entry);
    }
    Ok(profile(url, &response.url, analyzed_at, &pages, pages_read))
}

/// One candidate page's fetch.
type Fetch = Result<(Fetched, Page), FetchError>;

/// What tells two URLs of one page apart from two pages: host (without `www.`), port and path,
/// without query, fragment, trailing slash or index file.
fn page_key(url: &Url) -> String {
    let host = url
        .host_str()
        .unwrap_or("")
        .to_ascii_lowercase()
        .trim_start_matches("www.")
        .to_owned();
    let mut path = url.path().to_owned();
    for index in ["index.html", "index.htm", "index.php"] {
        if let Some(stripped) = path.strip_suffix(index) {
            path = stripped.to_owned();
        }
    }
    let path = path.trim_end_matches('/');
    match url.port_or_known_default() {
        Some(port) => format!("{host}:{port}{path}"),
        None => format!("{host}{path}"),
    }
}

/// The keys a fetched page is known by: where it came from and its canonical URL.
fn keys_of(url: &Url, page: &Page) -> Vec<String> {
    let mut keys = vec![page_key(url)];
    if let Some(canonical) = page
        .link_tags("canonical")
        .next()
        .and_then(|l| url.join(&l.href).ok())
    {
        keys.push(page_key(&canonical));
    }
    keys
}

/// A page's text without the lines that are only its navigation ("Shop Brew guide About"):
/// menus are the same on every page and would pass for the brand's key phrases.
fn without_navigation(page: &Page) -> String {
    let mut labels: Vec<&str> = page
        .links
        .iter()
        .filter(|l| l.in_nav && !l.text.trim().is_empty())
        .map(|l| l.text.trim())
        .collect();
    labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    page.text
        .lines()
        .filter(|line| {
            let mut rest = line.to_string();
            for label in &labels {
                rest = rest.replace(label, " ");
            }
            labels.is_empty() || rest.chars().any(char::is_alphanumeric)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn read(url: &Url, status: u16, page: &Page) -> PageRead {
    PageRead {
        url: url.to_string(),
        status,
        title: page.titles.first().cloned(),
        words: page.word_count(),
        skipped: None,
    }
}

/// Same-site pages linked from the home page, the most telling first.
fn candidates(home: &Page) -> Vec<Url> {
    let mut links: Vec<(usize, Url)> = Vec::new();
    for link in &home.links {
        let Some(mut url) = link.url.clone() else {
            continue;
        };
        url.set_fragment(None);
        url.set_query(None);
        if !home.same_site(&url) || links.iter().any(|(_, u)| u == &url) {
            continue;
        }
        let path = url.path().to_lowercase();
        let rank = PRIORITY
            .iter()
            .position(|p| path.contains(p))
            .unwrap_or(PRIORITY.len() + usize::from(!link.in_nav));
        links.push((rank, url));
    }
    links.sort_by_key(|(rank, _)| *rank);
    links.into_iter().map(|(_, u)| u).collect()
}

async fn sitemap_pages(fetcher: &Fetcher, site: &Url, named: Vec<String>) -> Vec<Url> {
    let url = named
        .into_iter()
        .find_map(|s| Url::parse(&s).ok())
        .or_else(|| site.join("/sitemap.xml").ok());
    let Some(url) = url else { return Vec::new() };
    match fetcher.get_text(&url).await {
        Ok(r) if r.is_success() => sitemap::parse(&r.text())
            .map(|s| if s.is_index { Vec::new() } else { s.locs })
            .unwrap_or_default()
            .into_iter()
            .filter_map(|l| Url::parse(&l).ok())
            .collect(),
        _ => Vec::new(),
    }
}

fn profile(
    url: &Url,
    final_url: &Url,
    analyzed_at: String,
    pages: &[&Page],
    pages_read: Vec<PageRead>,
) -> BrandProfile {
    let home = pages[0];
    let language = home.lang.clone().unwrap_or_else(|| "en".into());
    let (name, name_source) = match extract::name(home) {
        Some((name, source)) => (Some(name), Some(source.to_owned())),
        None => (None, None),
    };
    let texts: Vec<&str> = pages.iter().map(|p| p.text.as_str()).collect();
    let content: Vec<String> = pages.iter().map(|p| without_navigation(p)).collect();
    let content: Vec<&str> = content.iter().map(String::as_str).collect();
    let all_text = texts.join("\n");
    let (theme, palette) = extract::colors(pages, 8);
    let (emails, phones, contact_pages) = extract::contacts(pages);
    let logo = extract::organization(home)
        .and_then(|o| o.get("logo"))
        .and_then(|l| l.as_str().or_else(|| l.get("url").and_then(|u| u.as_str())))
        .map(str::to_owned)
        .or_else(|| home.meta("og:image").map(str::to_owned));
    BrandProfile {
        version: None,
        url: url.to_string(),
        final_url: final_url.to_string(),
        analyzed_at,
        tagline: extract::tagline(home, name.as_deref()),
        name,
        name_source,
        value_proposition: extract::value_proposition(home),
        description: home
            .meta("description")
            .or(home.meta("og:description"))
            .map(str::to_owned),
        logo,
        key_phrases: keywords::extract(&content, &language, 15),
        audience: extract::audience(pages, &language),
        voice: voice::measure(&all_text, &language),
        colors: Colors { theme, palette },
        social: extract::social(pages),
        contact: Contact {
            emails,
            phones,
            pages: contact_pages,
        },
        calls_to_action: calls_to_action(pages),
        pricing_pages: extract::pages_about(pages, &["pricing", "plans", "price"]),
        product_pages: extract::pages_about(pages, &["product", "features", "shop", "store"]),
        languages: Languages {
            primary: home.lang.clone(),
            alternates: home
                .link_tags("alternate")
                .filter_map(|l| l.hreflang.clone())
                .collect(),
        },
        pages: pages_read,
        engine: "offline".into(),
    }
}

/// Call-to-action texts across the pages, most used first.
fn calls_to_action(pages: &[&Page]) -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for page in pages {
        let texts = page
            .links
            .iter()
            .filter(|l| l.button_like)
            .map(|l| l.text.clone())
            .chain(page.buttons.iter().map(|b| b.text.clone()));
        for text in texts.filter(|t| !t.is_empty() && t.len() <= 60) {
            *counts.entry(text).or_default() += 1;
        }
    }
    let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
    ranked.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    ranked.into_iter().map(|(t, _)| t).take(8).collect()
}
