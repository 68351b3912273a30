//! The SEO checks: Lighthouse's SEO category, plus headings, lengths, social cards, the
//! sitemap and a sample of internal links.

use language_tags::LanguageTag;
use url::Url;

use super::finding::{Category, Check, Finding, Severity};
use crate::web::Fetched;
use crate::web::html::Page;
use crate::web::robots::RobotsTxt;
use crate::web::sitemap::Sitemap;

const HTTP_STATUS: Check = Category::Seo.check(
    "seo.http-status",
    Severity::Critical,
    "Page answers with a successful HTTP status",
);
const CRAWLABLE: Check = Category::Seo.check(
    "seo.is-crawlable",
    Severity::Critical,
    "Page is not blocked from indexing",
);
const TITLE: Check = Category::Seo.check("seo.title", Severity::Critical, "Document has a <title>");
const TITLE_LENGTH: Check = Category::Seo.check(
    "seo.title-length",
    Severity::Low,
    "Title is 10 to 60 characters",
);
const DESCRIPTION: Check = Category::Seo.check(
    "seo.meta-description",
    Severity::High,
    "Document has a meta description",
);
const DESCRIPTION_LENGTH: Check = Category::Seo.check(
    "seo.meta-description-length",
    Severity::Low,
    "Meta description is 50 to 160 characters",
);
const LINK_TEXT: Check = Category::Seo.check(
    "seo.link-text",
    Severity::Medium,
    "Links have descriptive text",
);
const CRAWLABLE_ANCHORS: Check = Category::Seo.check(
    "seo.crawlable-anchors",
    Severity::Medium,
    "Links are crawlable",
);
const ROBOTS_VALID: Check =
    Category::Seo.check("seo.robots-txt", Severity::High, "robots.txt is valid");
const HREFLANG: Check =
    Category::Seo.check("seo.hreflang", Severity::Medium, "hreflang links are valid");
const CANONICAL: Check =
    Category::Seo.check("seo.canonical", Severity::High, "Canonical link is valid");
const STRUCTURED_DATA: Check = Category::Seo.check(
    "seo.structured-data",
    Severity::High,
    "Structured data (JSON-LD) parses",
);
const ONE_H1: Check = Category::Seo.check("seo.h1", Severity::Medium, "Page has exactly one <h1>");
const OPEN_GRAPH: Check = Category::Seo.check(
    "seo.open-graph",
    Severity::Low,
    "Open Graph tags for link previews",
);
const TWITTER: Check =
    Category::Seo.check("seo.twitter-card", Severity::Low, "Twitter/X card tags");
const VIEWPORT: Check =
    Category::Seo.check("seo.viewport", Severity::High, "Has a mobile viewport");
const INTERNAL_LINKS: Check = Category::Seo.check(
    "seo.internal-links",
    Severity::Low,
    "Page links to other pages of the site",
);
const BROKEN_LINKS: Check = Category::Seo.check(
    "seo.broken-links",
    Severity::Medium,
    "Internal links answer without errors",
);
const SITEMAP: Check = Category::Seo.check(
    "seo.sitemap",
    Severity::Medium,
    "An XML sitemap is published and valid",
);

/// Link texts that say nothing about the target (Lighthouse's list, English).
const VAGUE_LINK_TEXT: &[&str] = &[
    "click here",
    "click this",
    "go",
    "here",
    "information",
    "learn more",
    "more",
    "more info",
    "more information",
    "right here",
    "read more",
    "see more",
    "start",
    "this",
    "link",
    "continue",
    "details",
];

/// Checks on the page itself and its response headers.
pub fn page(page: &Page, response: &Fetched, robots: Option<&RobotsTxt>) -> Vec<Finding> {
    let mut findings = vec![
        HTTP_STATUS.judge(
            response.is_success(),
            format!("HTTP {}", response.status),
            "Serve the page with a 2xx status; a 4xx or 5xx page is dropped from search results.",
        ),
        crawlable(page, response, robots),
    ];
    findings.extend(title(page));
    findings.extend(description(page));
    findings.push(link_text(page));
    findings.push(crawlable_anchors(page));
    findings.extend(hreflang(page));
    findings.extend(canonical(page));
    findings.extend(structured_data(page));
    let h1s: Vec<&str> = page
        .headings
        .iter()
        .filter(|h| h.level == 1)
        .map(|h| h.text.as_str())
        .collect();
    findings.push(ONE_H1.judge(
        h1s.len() == 1,
        match h1s.len() {
            0 => "no <h1>".to_owned(),
            1 => format!("<h1>{}</h1>", h1s[0]),
            n => format!("{n} <h1> elements: {}", h1s.join(" | ")),
        },
        "Give the page one <h1> that states its topic; use <h2>–<h6> below it.",
    ));
    let og_missing: Vec<&str> = ["og:title", "og:description", "og:image"]
        .into_iter()
        .filter(|k| page.meta(k).is_none())
        .collect();
    findings.push(OPEN_GRAPH.judge(
        og_missing.is_empty(),
        if og_missing.is_empty() { "og:title, og:description and og:image present".to_owned() } else { format!("missing {}", og_missing.join(", ")) },
        "Add og:title, og:description and og:image meta tags so shared links show a title, summary and picture.",
    ));
    findings.push(
        TWITTER.judge(
            page.meta("twitter:card").is_some(),
            page.meta("twitter:card")
                .map_or("no twitter:card".to_owned(), |c| {
                    format!("twitter:card = {c}")
                }),
            "Add <meta name=\"twitter:card\" content=\"summary_large_image\">.",
        ),
    );
    let viewport = page.meta("viewport");
    findings.push(VIEWPORT.judge(
        viewport.is_some_and(|v| v.replace(' ', "").contains("width=device-width")),
        viewport.map_or("no meta viewport".to_owned(), |v| format!("viewport = {v}")),
        "Add <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">.",
    ));
    let (internal, external) = link_counts(page);
    findings.push(INTERNAL_LINKS.judge(
        internal > 0,
        format!("{internal} internal and {external} external links"),
        "Link to related pages of the site; a page without internal links is a dead end for crawlers.",
    ));
    findings
}

fn crawlable(page: &Page, response: &Fetched, robots: Option<&RobotsTxt>) -> Finding {
    let noindex = |value: &str| {
        value
            .split(',')
            .any(|d| matches!(d.trim().to_ascii_lowercase().as_str(), "noindex" | "none"))
    };
    let mut blocks = Vec::new();
    for key in ["robots", "googlebot"] {
        for value in page.metas(key) {
            if noindex(value) {
                blocks.push(format!("<meta name=\"{key}\" content=\"{value}\">"));
            }
        }
    }
    for value in response.headers.get_all("x-robots-tag") {
        let value = value.to_str().unwrap_or("");
        // "googlebot: noindex" applies to one crawler; a bare directive to all.
        let directives = value
            .split_once(':')
            .filter(|(agent, _)| !agent.contains(','))
            .map_or(value, |(_, d)| d);
        if noindex(directives) {
            blocks.push(format!("X-Robots-Tag: {value}"));
        }
    }
    if let Some(robots) = robots
        && !robots.allows("Googlebot", &response.url)
    {
        blocks.push(format!(
            "robots.txt disallows {} for Googlebot",
            response.url.path()
        ));
    }
    CRAWLABLE.judge(
        blocks.is_empty(),
        if blocks.is_empty() { "no noindex directive, robots.txt allows it".to_owned() } else { blocks.join("; ") },
        "Remove the noindex directive (meta robots, X-Robots-Tag) or the robots.txt rule if the page should appear in search.",
    )
}

fn title(page: &Page) -> Vec<Finding> {
    let Some(title) = page.titles.first().filter(|t| !t.is_empty()) else {
        return vec![TITLE.fail(
            "no <title> or an empty one",
            "Add a unique, descriptive <title> to the <head>.",
        )];
    };
    let length = title.chars().count();
    vec![
        TITLE.pass(format!("<title>{title}</title>")),
        TITLE_LENGTH.judge(
            (10..=60).contains(&length),
            format!("{length} characters"),
            "Keep the title between 10 and 60 characters so search results show it whole.",
        ),
    ]
}

fn description(page: &Page) -> Vec<Finding> {
    let Some(description) = page.meta("description") else {
        return vec![DESCRIPTION.fail(
            "no meta description",
            "Add <meta name=\"description\"> summarising the page in one or two sentences.",
        )];
    };
    let length = description.chars().count();
    vec![
        DESCRIPTION.pass(description.to_owned()),
        DESCRIPTION_LENGTH.judge(
            (50..=160).contains(&length),
            format!("{length} characters"),
            "Write 50 to 160 characters: long enough to persuade, short enough not to be cut.",
        ),
    ]
}

fn link_text(page: &Page) -> Finding {
    let vague: Vec<String> = page
        .links
        .iter()
        .filter(|l| l.url.is_some())
        .filter(|l| {
            let text = l
                .text
                .trim()
                .trim_end_matches(['.', '…', '→', '»', '>'])
                .trim()
                .to_lowercase();
            VAGUE_LINK_TEXT.contains(&text.as_str())
        })
        .map(|l| format!("\"{}\" → {}", l.text, l.href.as_deref().unwrap_or("")))
        .collect();
    LINK_TEXT.judge(
        vague.is_empty(),
        if vague.is_empty() {
            format!("{} links checked", page.links.len())
        } else {
            format!("{} vague: {}", vague.len(), vague.join(", "))
        },
        "Say where the link goes (\"See pricing plans\" rather than \"Click here\").",
    )
}

fn crawlable_anchors(page: &Page) -> Finding {
    let bad: Vec<String> = page
        .links
        .iter()
        .filter_map(|l| match l.href.as_deref() {
            None => Some(format!("<a>{}</a> without href", l.text)),
            Some("") => Some(format!("<a href=\"\">{}</a>", l.text)),
            Some(h) if h.to_ascii_lowercase().starts_with("javascript:") => {
                Some(format!("<a href=\"{h}\">{}</a>", l.text))
            }
            _ => None,
        })
        .collect();
    CRAWLABLE_ANCHORS.judge(
        bad.is_empty(),
        if bad.is_empty() {
            "every <a> has a crawlable href".to_owned()
        } else {
            bad.join(", ")
        },
        "Give every link a real href; crawlers do not run javascript: links or click handlers.",
    )
}

fn hreflang(page: &Page) -> Option<Finding> {
    let tags: Vec<_> = page
        .link_tags("alternate")
        .filter(|l| l.hreflang.is_some())
        .collect();
    if tags.is_empty() {
        return None;
    }
    let bad: Vec<String> = tags
        .iter()
        .filter_map(|tag| {
            let lang = tag.hreflang.as_deref().unwrap_or("");
            let lang_ok = lang.eq_ignore_ascii_case("x-default")
                || LanguageTag::parse(lang).is_ok_and(|t| t.is_valid());
            let href_ok = Url::parse(&tag.href).is_ok();
            (!lang_ok || !href_ok).then(|| {
                let why = if !lang_ok {
                    "not a language code"
                } else {
                    "not an absolute URL"
                };
                format!("hreflang=\"{lang}\" href=\"{}\" ({why})", tag.href)
            })
        })
        .collect();
    Some(HREFLANG.judge(
        bad.is_empty(),
        if bad.is_empty() {
            format!("{} alternates", tags.len())
        } else {
            bad.join(", ")
        },
        "Use BCP 47 language codes (en, en-GB, x-default) and absolute URLs in hreflang links.",
    ))
}

fn canonical(page: &Page) -> Option<Finding> {
    let tags: Vec<&str> = page
        .link_tags("canonical")
        .map(|l| l.href.as_str())
        .collect();
    let first = *tags.first()?;
    let distinct: std::collections::BTreeSet<&str> = tags.iter().copied().collect();
    let problem = if distinct.len() > 1 {
        Some(format!("{} conflicting canonical URLs", distinct.len()))
    } else if Url::parse(first).is_err() {
        match page.resolve(first) {
            Some(_) => Some(format!("\"{first}\" is relative")),
            None => Some(format!("\"{first}\" is not a URL")),
        }
    } else {
        let target = Url::parse(first).expect("checked above");
        let page_url = page.url.as_ref();
        if !page.same_site(&target) {
            Some(format!("\"{first}\" points to another site"))
        } else if target.path() == "/" && page_url.is_some_and(|u| u.path() != "/") {
            Some(format!(
                "\"{first}\" points to the home page, not this page's equivalent"
            ))
        } else {
            None
        }
    };
    Some(match problem {
        Some(problem) => CANONICAL.fail(
            problem,
            "Point rel=canonical, once, at the absolute URL of this page's preferred version.",
        ),
        None => CANONICAL.pass(first.to_owned()),
    })
}

fn structured_data(page: &Page) -> Option<Finding> {
    if page.json_ld.is_empty() {
        return None;
    }
    let mut problems: Vec<String> = page
        .json_ld
        .iter()
        .enumerate()
        .filter_map(|(i, block)| {
            block
                .parsed
                .as_ref()
                .err()
                .map(|e| format!("block {}: {e}", i + 1))
        })
        .collect();
    let untyped = page
        .json_ld_nodes()
        .into_iter()
        .filter(|n| n.get("@type").is_none() && n.get("@graph").is_none())
        .count();
    if untyped > 0 {
        problems.push(format!("{untyped} node(s) without @type"));
    }
    Some(STRUCTURED_DATA.judge(
        problems.is_empty(),
        if problems.is_empty() { format!("types: {}", page.json_ld_types().join(", ")) } else { problems.join("; ") },
        "Fix the JSON-LD so it parses and every node has an @type (validate at validator.schema.org).",
    ))
}

/// (internal, external) http(s) links.
pub fn link_counts(page: &Page) -> (usize, usize) {
    let internal = page
        .links
        .iter()
        .filter_map(|l| l.url.as_ref())
        .filter(|u| page.same_site(u))
        .count();
    let all = page.links.iter().filter(|l| l.url.is_some()).count();
    (internal, all - internal)
}

/// robots.txt validity; `None` when it could not be fetched at all.
pub fn robots(robots: &RobotsTxt) -> Finding {
    match robots.status {
        200..=299 => {
            let problems = robots.problems();
            ROBOTS_VALID.judge(
                problems.is_empty(),
                if problems.is_empty() { format!("{} valid", robots.url) } else { problems.iter().map(|p| format!("line {}: {}", p.line, p.message)).collect::<Vec<_>>().join("; ") },
                "Fix the listed lines: every rule needs a known directive, and Allow/Disallow come after a User-agent line.",
            )
        }
        500..=599 => ROBOTS_VALID.fail(
            format!("{} answers HTTP {}", robots.url, robots.status),
            "Serve robots.txt (or a 404); crawlers treat a failing robots.txt as \"crawl nothing\".",
        ),
        status => ROBOTS_VALID.pass(format!("no robots.txt (HTTP {status}): everything may be crawled")),
    }
}

/// The sitemap: found and valid, listing pages of this site.
pub fn sitemap(found: Option<(&Url, Result<&Sitemap, &str>)>, page: &Page) -> Finding {
    let fix = "Publish an XML sitemap at /sitemap.xml (or name it in robots.txt) listing the site's canonical pages.";
    match found {
        None => SITEMAP.fail("no sitemap in robots.txt and none at /sitemap.xml", fix),
        Some((url, Err(problem))) => SITEMAP.fail(format!("{url}: {problem}"), fix),
        Some((url, Ok(map))) => {
            let foreign = map
                .locs
                .iter()
                .filter(|l| Url::parse(l).map(|u| !page.same_site(&u)).unwrap_or(true))
                .count();
            if map.locs.is_empty() {
                SITEMAP.fail(format!("{url} lists no URLs"), fix)
            } else if foreign > 0 && !map.is_index {
                SITEMAP.fail(
                    format!(
                        "{url}: {foreign} of {} URLs are not absolute URLs of this site",
                        map.locs.len()
                    ),
                    fix,
                )
            } else {
                SITEMAP.pass(format!(
                    "{url}: {} {}",
                    map.locs.len(),
                    if map.is_index { "sitemaps" } else { "URLs" }
                ))
            }
        }
    }
}

/// The sampled internal links and what they answered.
pub fn broken_links(checked: &[(Url, Result<u16, String>)]) -> Option<Finding> {
    if checked.is_empty() {
        return None;
    }
    let broken: Vec<String> = checked
        .iter()
        .filter_map(|(url, result)| match result {
            Ok(status) if *status < 400 => None,
            Ok(status) => Some(format!("{url} → HTTP {status}")),
            Err(e) => Some(format!("{url} → {e}")),
        })
        .collect();
    Some(BROKEN_LINKS.judge(
        broken.is_empty(),
        if broken.is_empty() {
            format!("{} internal links sampled, all fine", checked.len())
        } else {
            broken.join(", ")
        },
        "Fix or remove links to pages that answer 4xx/5xx.",
    ))
}
