//! GEO (generative-engine optimisation): whether answer engines and AI assistants can read,
//! understand and cite the page.

use std::collections::BTreeMap;

use serde_json::Value;

use super::finding::{Category, Check, Finding, Severity};
use crate::web::Fetched;
use crate::web::html::Page;
use crate::web::llms_txt;
use crate::web::robots::RobotsTxt;

const LLMS_TXT: Check = Category::Geo.check(
    "geo.llms-txt",
    Severity::High,
    "/llms.txt is published and well-formed",
);
const AI_CRAWLERS: Check = Category::Geo.check(
    "geo.ai-crawlers",
    Severity::High,
    "AI crawlers may fetch the page",
);
const ORGANIZATION: Check = Category::Geo.check(
    "geo.organization-schema",
    Severity::Medium,
    "JSON-LD names the organisation",
);
const ARTICLE: Check = Category::Geo.check(
    "geo.article-schema",
    Severity::Medium,
    "Article markup has an author and dates",
);
const FAQ: Check = Category::Geo.check(
    "geo.faq-schema",
    Severity::Low,
    "Question-and-answer content has FAQPage markup",
);
const PRODUCT: Check = Category::Geo.check(
    "geo.product-schema",
    Severity::Low,
    "Product markup has a name and offers",
);
const BREADCRUMBS: Check = Category::Geo.check(
    "geo.breadcrumbs",
    Severity::Low,
    "Inner pages have BreadcrumbList markup",
);
const ANSWER_READY: Check = Category::Geo.check(
    "geo.answer-structure",
    Severity::Medium,
    "Content is structured for answers",
);
const FRESHNESS: Check = Category::Geo.check(
    "geo.freshness",
    Severity::Low,
    "The page says when it was updated",
);
const SOURCES: Check = Category::Geo.check(
    "geo.cited-sources",
    Severity::Low,
    "The content cites outside sources",
);

/// The AI crawlers whose access is checked, as they name themselves in robots.txt.
pub const AI_AGENTS: &[&str] = &[
    "GPTBot",
    "OAI-SearchBot",
    "ChatGPT-User",
    "ClaudeBot",
    "Claude-User",
    "Claude-SearchBot",
    "PerplexityBot",
    "Google-Extended",
    "Applebot-Extended",
    "CCBot",
    "Bytespider",
    "meta-externalagent",
];

const ORGANIZATION_TYPES: &[&str] = &[
    "Organization",
    "Corporation",
    "LocalBusiness",
    "OnlineStore",
    "OnlineBusiness",
    "NGO",
    "EducationalOrganization",
    "NewsMediaOrganization",
    "Store",
    "ProfessionalService",
];
const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "BlogPosting",
    "NewsArticle",
    "TechArticle",
    "Report",
];
const QUESTION_WORDS: &[&str] = &[
    "how", "what", "why", "when", "where", "which", "who", "can", "do", "does", "is", "are",
    "should",
];

/// Whether each AI crawler may fetch the page's URL.
pub fn crawler_access(robots: Option<&RobotsTxt>, url: &url::Url) -> BTreeMap<String, bool> {
    AI_AGENTS
        .iter()
        .map(|agent| {
            (
                (*agent).to_owned(),
                robots.is_none_or(|r| r.allows(agent, url)),
            )
        })
        .collect()
}

pub fn ai_crawlers(access: &BTreeMap<String, bool>) -> Finding {
    let blocked: Vec<&str> = access
        .iter()
        .filter(|(_, ok)| !**ok)
        .map(|(a, _)| a.as_str())
        .collect();
    AI_CRAWLERS.judge(
        blocked.is_empty(),
        if blocked.is_empty() { format!("all {} AI crawlers allowed", access.len()) } else { format!("blocked in robots.txt: {}", blocked.join(", ")) },
        "Allow the AI crawlers you want to be cited by (for example remove `User-agent: GPTBot / Disallow: /`); blocking search agents such as OAI-SearchBot, Claude-SearchBot and PerplexityBot keeps the site out of AI answers.",
    )
}

/// /llms.txt: `None` when it could not be fetched at all.
pub fn llms_txt(fetched: Option<&Fetched>) -> Finding {
    let fix = "Publish /llms.txt: an H1 with the site name, a > blockquote summary, then ## sections listing [name](url): notes links to the most useful pages.";
    let Some(response) = fetched.filter(|r| r.is_success()) else {
        let seen = fetched.map_or("could not be fetched".to_owned(), |r| {
            format!("HTTP {}", r.status)
        });
        return LLMS_TXT.fail(format!("/llms.txt: {seen}"), fix);
    };
    if response.is_html() {
        return LLMS_TXT.fail("/llms.txt answers an HTML page, not Markdown", fix);
    }
    let file = llms_txt::parse(&response.text());
    LLMS_TXT.judge(
        file.is_valid(),
        if file.is_valid() {
            format!(
                "\"{}\": {} sections, {} links",
                file.title.as_deref().unwrap_or_default(),
                file.sections.len(),
                file.links()
            )
        } else {
            file.problems.join("; ")
        },
        fix,
    )
}

/// JSON-LD for answer engines, the answer-ready structure, freshness and sources.
pub fn content(page: &Page, last_modified: Option<&str>, sitemap_lastmod: bool) -> Vec<Finding> {
    let types = page.json_ld_types();
    let has = |wanted: &[&str]| types.iter().any(|t| wanted.contains(&t.as_str()));
    let nodes = page.json_ld_nodes();
    let of_type = |wanted: &[&str]| -> Vec<&Value> {
        nodes
            .iter()
            .copied()
            .filter(|n| match n.get("@type") {
                Some(Value::String(t)) => wanted.contains(&t.as_str()),
                Some(Value::Array(ts)) => ts
                    .iter()
                    .any(|t| t.as_str().is_some_and(|t| wanted.contains(&t))),
                _ => false,
            })
            .collect()
    };
    let mut findings = vec![ORGANIZATION.judge(
        has(ORGANIZATION_TYPES),
        if has(ORGANIZATION_TYPES) { format!("types: {}", types.join(", ")) } else { "no Organization (or subtype) node".to_owned() },
        "Add Organization JSON-LD with name, url, logo and sameAs links to your profiles, so engines know who is speaking.",
    )];
    let articles = of_type(ARTICLE_TYPES);
    let looks_like_article = page.meta("og:type") == Some("article") || !articles.is_empty();
    if looks_like_article {
        let complete = articles.iter().any(|a| {
            a.get("author").is_some()
                && (a.get("datePublished").is_some() || a.get("dateModified").is_some())
        });
        findings.push(ARTICLE.judge(
            complete,
            if articles.is_empty() { "og:type article without Article JSON-LD".to_owned() } else if complete { "Article with author and dates".to_owned() } else { "Article without author or dates".to_owned() },
            "Mark the article up as Article/BlogPosting JSON-LD with author (a Person with a name) and datePublished/dateModified.",
        ));
    }
    let questions: Vec<&str> = page
        .headings
        .iter()
        .filter(|h| is_question(&h.text))
        .map(|h| h.text.as_str())
        .collect();
    if questions.len() >= 2 {
        findings.push(FAQ.judge(
            has(&["FAQPage", "QAPage"]),
            format!(
                "{} question headings; FAQPage {}",
                questions.len(),
                if has(&["FAQPage", "QAPage"]) {
                    "present"
                } else {
                    "missing"
                }
            ),
            "Mark the questions and answers up as FAQPage JSON-LD.",
        ));
    }
    let products = of_type(&["Product"]);
    if !products.is_empty() {
        let complete = products
            .iter()
            .all(|p| p.get("name").is_some() && p.get("offers").is_some());
        findings.push(PRODUCT.judge(
            complete,
            format!(
                "{} Product node(s){}",
                products.len(),
                if complete {
                    ""
                } else {
                    ", some without name or offers"
                }
            ),
            "Give each Product a name and offers (price, priceCurrency, availability).",
        ));
    }
    if page.url.as_ref().is_some_and(|u| u.path() != "/") {
        findings.push(BREADCRUMBS.judge(
            has(&["BreadcrumbList"]),
            if has(&["BreadcrumbList"]) {
                "BreadcrumbList present"
            } else {
                "no BreadcrumbList"
            },
            "Add BreadcrumbList JSON-LD showing where the page sits in the site.",
        ));
    }
    let structure = questions.len() + page.lists + page.tables;
    findings.push(ANSWER_READY.judge(
        structure > 0,
        format!("{} question headings, {} lists, {} tables", questions.len(), page.lists, page.tables),
        "Put the answers people ask for under question headings (\"How much does it cost?\") and use lists and tables that can be quoted whole.",
    ));
    let mut dated = Vec::new();
    if page
        .meta("article:modified_time")
        .or(page.meta("article:published_time"))
        .is_some()
    {
        dated.push("article:*_time meta");
    }
    if nodes
        .iter()
        .any(|n| n.get("dateModified").or(n.get("datePublished")).is_some())
    {
        dated.push("JSON-LD dates");
    }
    if !page.times.is_empty() {
        dated.push("<time datetime>");
    }
    if last_modified.is_some() {
        dated.push("Last-Modified header");
    }
    if sitemap_lastmod {
        dated.push("sitemap lastmod");
    }
    findings.push(FRESHNESS.judge(
        !dated.is_empty(),
        if dated.is_empty() { "no date anywhere".to_owned() } else { dated.join(", ") },
        "Show when the content was last updated: dateModified in JSON-LD and a visible <time datetime> date.",
    ));
    let outside = page
        .links
        .iter()
        .filter(|l| !l.in_nav)
        .filter_map(|l| l.url.as_ref())
        .filter(|u| !page.same_site(u))
        .filter(|u| !is_social(u))
        .count();
    findings.push(SOURCES.judge(
        outside > 0 || page.blockquotes > 0,
        format!("{outside} links to outside sources in the content, {} quotations", page.blockquotes),
        "Cite sources: link claims and statistics to where they come from; engines favour content they can verify.",
    ));
    findings
}

/// A heading phrased as a question.
pub fn is_question(text: &str) -> bool {
    let text = text.trim();
    text.ends_with('?')
        || text
            .split_whitespace()
            .next()
            .is_some_and(|w| QUESTION_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Social networks' hosts: links there are profiles, not sources.
pub const SOCIAL_HOSTS: &[(&str, &str)] = &[
    ("twitter.com", "x"),
    ("x.com", "x"),
    ("linkedin.com", "linkedin"),
    ("facebook.com", "facebook"),
    ("instagram.com", "instagram"),
    ("youtube.com", "youtube"),
    ("tiktok.com", "tiktok"),
    ("github.com", "github"),
    ("bsky.app", "bluesky"),
    ("threads.net", "threads"),
    ("pinterest.com", "pinterest"),
    ("mastodon.social", "mastodon"),
];

/// The network a URL is a profile on, if any.
pub fn social_network(url: &url::Url) -> Option<&'static str> {
    let host = url
        .host_str()?
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    SOCIAL_HOSTS
        .iter()
        .find(|(h, _)| host == *h || host.ends_with(&format!(".{h}")))
        .map(|(_, name)| *name)
}

fn is_social(url: &url::Url) -> bool {
    social_network(url).is_some()
}
