//! The on-page checks a draft must face before it is returned: the audits' own SEO and
//! accessibility checks on the page the draft would make, and keyword placement and length.

use super::Format;
use crate::audit::finding::{Category, Check, Finding, Scores, Severity};
use crate::audit::{accessibility, seo};
use crate::brand::voice::{self, Voice};
use crate::web::Fetched;
use crate::web::html::Page;

/// The audit checks that apply to a draft (not the ones about servers, robots or social cards).
const APPLICABLE: &[&str] = &[
    "seo.title",
    "seo.title-length",
    "seo.meta-description",
    "seo.meta-description-length",
    "seo.link-text",
    "seo.crawlable-anchors",
    "seo.h1",
    "a11y.image-alt",
    "a11y.link-name",
    "a11y.heading-order",
];

const KEYWORD_IN_TITLE: Check = Category::Seo.check(
    "content.keyword-in-title",
    Severity::High,
    "The main keyword is in the title",
);
const KEYWORD_EARLY: Check = Category::Seo.check(
    "content.keyword-early",
    Severity::Medium,
    "The main keyword appears in the first 100 words",
);
const LENGTH: Check = Category::Seo.check(
    "content.length",
    Severity::Low,
    "The length is within 30 % of the target",
);
const POST_LENGTH: Check = Category::Seo.check(
    "content.post-length",
    Severity::High,
    "The post fits the strictest channel's limit",
);

/// The page a draft would be: its title and description in the head, its body as HTML.
pub fn render(title: &str, meta_description: &str, body_markdown: &str, language: &str) -> String {
    let mut body = String::new();
    pulldown_cmark::html::push_html(&mut body, pulldown_cmark::Parser::new(body_markdown));
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;")
    };
    let h1 = if body_markdown.trim_start().starts_with("# ") {
        String::new()
    } else {
        format!("<h1>{}</h1>", escape(title))
    };
    format!(
        "<!doctype html><html lang=\"{}\"><head><title>{}</title><meta name=\"description\" content=\"{}\"></head><body>{h1}{body}</body></html>",
        escape(language),
        escape(title),
        escape(meta_description)
    )
}

/// Checks a draft; answers its findings (failures first) and score.
pub fn check(
    format: Format,
    title: &str,
    meta_description: &str,
    body: &str,
    keywords: &[String],
    target_words: u32,
    language: &str,
) -> Option<(Vec<Finding>, u32)> {
    if !format.is_page() {
        return None;
    }
    let html = render(title, meta_description, body, language);
    let page = Page::parse(None, &html);
    let response = Fetched {
        url: url::Url::parse("https://draft.invalid/").expect("valid literal URL"),
        status: 200,
        headers: Default::default(),
        body: bytes::Bytes::from(html),
        wire_bytes: 0,
        encoding: None,
        ttfb: Default::default(),
        elapsed: Default::default(),
        redirects: Vec::new(),
    };
    let mut findings: Vec<Finding> = seo::page(&page, &response, None)
        .into_iter()
        .chain(accessibility::checks(&page))
        .filter(|f| APPLICABLE.contains(&f.id.as_str()))
        .collect();
    if let Some(keyword) = keywords.first() {
        let k = keyword.to_lowercase();
        findings.push(KEYWORD_IN_TITLE.judge(
            title.to_lowercase().contains(&k),
            format!("\"{keyword}\" in \"{title}\""),
            "Put the main keyword in the title, near the start.",
        ));
        let intro: String = page
            .text
            .split_whitespace()
            .take(100)
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        findings.push(KEYWORD_EARLY.judge(
            intro.contains(&k),
            format!(
                "\"{keyword}\" {} the first 100 words",
                if intro.contains(&k) {
                    "is in"
                } else {
                    "is not in"
                }
            ),
            "Use the main keyword in the opening paragraph.",
        ));
    }
    let words = page.word_count() as f64;
    let target = f64::from(target_words.max(1));
    findings.push(LENGTH.judge(
        (words - target).abs() <= target * 0.3,
        format!("{words:.0} words for a target of {target_words}"),
        "Bring the piece within 30 % of the length asked for.",
    ));
    findings.sort_by_key(|f| (f.passed, std::cmp::Reverse(f.severity.weight())));
    let score = Scores::of(&findings).overall;
    Some((findings, score))
}

/// Checks a social post's text against the strictest limit of the channels it may go to.
/// Characters are counted as written; each platform's own count is applied again when the
/// post is queued.
pub fn post(body: &str, max_chars: u32) -> (Vec<Finding>, u32) {
    let text = super::plain_text(body);
    let length = text.chars().count();
    let findings = vec![POST_LENGTH.judge(
        !text.is_empty() && length <= max_chars as usize,
        format!("{length} characters for a limit of {max_chars}"),
        format!("Shorten the post to at most {max_chars} characters, links included."),
    )];
    let score = Scores::of(&findings).overall;
    (findings, score)
}

impl super::ContentItem {
    /// Measures the text and runs the checks its format faces, replacing earlier results: the
    /// on-page checks for pages, the length for a post with a known limit, none for email.
    pub fn run_checks(&mut self, target_words: u32, max_chars: Option<u32>, language: &str) {
        self.readability = readability(&self.body, language);
        let checked = match (self.format, max_chars) {
            (Format::Social, Some(max)) => Some(post(&self.body, max)),
            _ => check(
                self.format,
                &self.title,
                &self.meta_description,
                &self.body,
                &self.keywords,
                target_words,
                language,
            ),
        };
        self.seo = checked.map(|(findings, score)| super::ContentSeo { score, findings });
    }
}

/// Readability of the body's visible text.
pub fn readability(body_markdown: &str, language: &str) -> Voice {
    let page = Page::parse(None, &render("", "", body_markdown, language));
    voice::measure(&page.text, language)
}
