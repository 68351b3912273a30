//! The accessibility checks that also matter to search and answer engines: alt text, link
//! names, the document language, heading order.

use language_tags::LanguageTag;

use super::finding::{Category, Check, Finding, Severity};
use crate::web::html::Page;

const IMAGE_ALT: Check =
    Category::Accessibility.check("a11y.image-alt", Severity::High, "Images have alt text");
const LINK_NAMES: Check = Category::Accessibility.check(
    "a11y.link-name",
    Severity::Medium,
    "Links have a discernible name",
);
const HTML_LANG: Check = Category::Accessibility.check(
    "a11y.html-lang",
    Severity::Medium,
    "<html> has a valid lang attribute",
);
const HEADING_ORDER: Check = Category::Accessibility.check(
    "a11y.heading-order",
    Severity::Low,
    "Heading levels do not skip",
);

pub fn checks(page: &Page) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !page.images.is_empty() {
        let missing: Vec<&str> = page
            .images
            .iter()
            .filter(|i| i.alt.is_none())
            .map(|i| i.src.as_str())
            .collect();
        findings.push(IMAGE_ALT.judge(
            missing.is_empty(),
            if missing.is_empty() {
                format!("{} images, all with alt", page.images.len())
            } else {
                format!(
                    "{} of {} without alt: {}",
                    missing.len(),
                    page.images.len(),
                    missing.join(", ")
                )
            },
            "Add alt text describing each image (alt=\"\" for purely decorative ones).",
        ));
    }
    let unnamed = page
        .links
        .iter()
        .filter(|l| l.text.is_empty() && l.label.is_empty())
        .count();
    findings.push(LINK_NAMES.judge(
        unnamed == 0,
        format!(
            "{unnamed} of {} links have no text or label",
            page.links.len()
        ),
        "Give icon links an aria-label or an image with alt text.",
    ));
    let lang = page.lang.as_deref().unwrap_or("");
    findings.push(HTML_LANG.judge(
        LanguageTag::parse(lang).is_ok_and(|t| t.is_valid()),
        if lang.is_empty() {
            "no lang attribute".to_owned()
        } else {
            format!("lang=\"{lang}\"")
        },
        "Set <html lang=\"en\"> (or the page's language) so readers and engines know the language.",
    ));
    let skips: Vec<String> = page
        .headings
        .windows(2)
        .filter(|w| w[1].level > w[0].level + 1)
        .map(|w| {
            format!(
                "h{} \"{}\" → h{} \"{}\"",
                w[0].level, w[0].text, w[1].level, w[1].text
            )
        })
        .collect();
    if !page.headings.is_empty() {
        findings.push(HEADING_ORDER.judge(
            skips.is_empty(),
            if skips.is_empty() {
                format!("{} headings in order", page.headings.len())
            } else {
                skips.join(", ")
            },
            "Nest headings one level at a time (h2 under h1, h3 under h2).",
        ));
    }
    findings
}
