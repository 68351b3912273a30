//! What an audit can say of a URL that is not a page — an error status, or a sitemap, feed,
//! image or any other type than HTML: its status, its headers and whether robots.txt lets
//! crawlers fetch it. The page checks are not run on it (a 404 page scored for its headings,
//! or a sitemap for its missing <h1>, would be noise dressed as findings), and the report says
//! so in `notAudited`.

use super::finding::{Category, Check, Finding, Severity};
use crate::web::Fetched;
use crate::web::robots::RobotsTxt;

const STATUS: Check = Category::Seo.check(
    "http.status",
    Severity::Critical,
    "The URL answers with success (2xx)",
);
const HTML: Check =
    Category::Seo.check("http.html", Severity::High, "The response is an HTML page");
const ROBOTS: Check = Category::Seo.check(
    "http.robots",
    Severity::Medium,
    "robots.txt lets search crawlers fetch the URL",
);
const NOINDEX: Check = Category::Seo.check(
    "http.x-robots-tag",
    Severity::Medium,
    "No X-Robots-Tag header keeps it out of search",
);

/// Why the response is not audited as a page, when it is not one.
pub fn not_a_page(response: &Fetched) -> Option<String> {
    let kind = response.header("content-type").unwrap_or("no content type");
    if !response.is_success() {
        return Some(format!(
            "{} answered HTTP {} ({kind}): an error response is not audited as a page",
            response.url, response.status
        ));
    }
    if !response.is_html_like() {
        return Some(format!(
            "{} is {kind}, not an HTML page: only its status, headers and robots.txt were checked",
            response.url
        ));
    }
    None
}

/// The checks of a response that is not a page.
pub fn checks(response: &Fetched, robots: Option<&RobotsTxt>) -> Vec<Finding> {
    let kind = response.header("content-type").unwrap_or("no content type");
    let mut findings = vec![
        STATUS.judge(
            response.is_success(),
            format!("HTTP {}", response.status),
            "Make the URL answer 200, or redirect it (301) to the page that replaced it, and \
             remove links to it.",
        ),
        HTML.judge(
            response.is_html(),
            format!("Content-Type: {kind}"),
            "Audit the HTML page this file belongs to; a page must be served as text/html.",
        ),
    ];
    if let Some(robots) = robots {
        let allowed = robots.allows("Googlebot", &response.url);
        findings.push(ROBOTS.judge(
            allowed,
            format!(
                "{} Googlebot under {}",
                if allowed { "allows" } else { "disallows" },
                robots.url
            ),
            "Remove the Disallow rule that covers this URL if it should be found.",
        ));
    }
    let tag = response.header("x-robots-tag").unwrap_or("");
    let noindex = tag.to_ascii_lowercase().contains("noindex");
    findings.push(NOINDEX.judge(
        !noindex,
        if tag.is_empty() {
            "no X-Robots-Tag header".to_owned()
        } else {
            format!("X-Robots-Tag: {tag}")
        },
        "Drop noindex from the X-Robots-Tag header if the URL should be found.",
    ));
    findings
}
