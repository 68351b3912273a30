//! The checks a draft must face before it is returned: for pages, the audits' own SEO and
//! accessibility checks on the page the draft would make, keyword placement and length; for
//! email, the subject line, the preview text, the call to action and length; for posts, the
//! strictest channel's limit.

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

const SUBJECT: Check = Category::Conversion.check(
    "email.subject-length",
    Severity::High,
    "The subject line is 1 to 60 characters",
);
const SUBJECT_TONE: Check = Category::Conversion.check(
    "email.subject-tone",
    Severity::Medium,
    "The subject line does not shout",
);
const PREVIEW: Check = Category::Conversion.check(
    "email.preview-text",
    Severity::Low,
    "A preview line of at most 140 characters",
);
const EMAIL_CTA: Check = Category::Conversion.check(
    "email.call-to-action",
    Severity::High,
    "One call to action, as a link",
);

/// Longest subject line shown whole by common desktop mail clients; phones show about 40.
const SUBJECT_MAX: usize = 60;
/// Preview text past this is cut by every common client.
const PREVIEW_MAX: usize = 140;
/// Distinct link targets an email may have before its call to action competes with itself.
const EMAIL_LINKS_MAX: usize = 2;

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

/// Checks a draft by its format; answers its findings (failures first) and score, or `None`
/// for a post, which [`post`] checks against its channels.
pub fn check(
    format: Format,
    title: &str,
    meta_description: &str,
    body: &str,
    keywords: &[String],
    target_words: u32,
    language: &str,
) -> Option<(Vec<Finding>, u32)> {
    let mut findings = match format {
        Format::Email => email(title, meta_description, body, language),
        Format::Social => return None,
        _ => page(title, meta_description, body, keywords, language),
    };
    let words = Page::parse(None, &render("", "", body, language)).word_count() as f64;
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

/// An email: the title is its subject line and the meta description its preview text.
fn email(subject: &str, preview: &str, body: &str, language: &str) -> Vec<Finding> {
    let length = subject.trim().chars().count();
    let shouted: Vec<&str> = subject
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .filter(|w| w.chars().all(|c| !c.is_lowercase()))
        .collect();
    let marks = subject.matches('!').count();
    let preview_length = preview.trim().chars().count();
    let page = Page::parse(None, &render(subject, preview, body, language));
    let mut targets: Vec<&str> = page
        .links
        .iter()
        .filter_map(|l| l.href.as_deref())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    vec![
        SUBJECT.judge(
            (1..=SUBJECT_MAX).contains(&length),
            format!("{length} characters"),
            format!("Write a subject line of at most {SUBJECT_MAX} characters (about 40 show on a phone)."),
        ),
        SUBJECT_TONE.judge(
            shouted.is_empty() && marks <= 1,
            if shouted.is_empty() && marks <= 1 {
                "no capitalised words, at most one exclamation mark".to_owned()
            } else {
                format!("capitalised: {}; exclamation marks: {marks}", shouted.join(", "))
            },
            "Write the subject in sentence case with at most one exclamation mark; shouting reads as spam to people and filters.",
        ),
        PREVIEW.judge(
            (1..=PREVIEW_MAX).contains(&preview_length),
            format!("{preview_length} characters"),
            format!("Give a metaDescription of at most {PREVIEW_MAX} characters: clients show it next to the subject."),
        ),
        EMAIL_CTA.judge(
            (1..=EMAIL_LINKS_MAX).contains(&targets.len()),
            match targets.len() {
                0 => "no link".to_owned(),
                n => format!("{n} link targets: {}", targets.join(", ")),
            },
            "End with one call to action written as a Markdown link ([what happens](https://…)); link to one page.",
        ),
    ]
}

/// A page: the audits' on-page checks and keyword placement.
fn page(
    title: &str,
    meta_description: &str,
    body: &str,
    keywords: &[String],
    language: &str,
) -> Vec<Finding> {
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
    findings
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
    /// on-page checks for pages, the email checks, the length for a post with a known limit.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn email_findings(subject: &str, preview: &str, body: &str) -> Vec<Finding> {
        check(Format::Email, subject, preview, body, &[], 20, "en")
            .expect("email is checked")
            .0
    }

    fn failed(findings: &[Finding]) -> Vec<&str> {
        findings
            .iter()
            .filter(|f| !f.passed)
            .map(|f| f.id.as_str())
            .collect()
    }

    const BODY: &str = "Hello, the autumn roast is here. It was grown at 1,800 metres and \
                        roasted on Tuesday for brewing in the hut.\n\n\
                        [Order a bag](https://trailbrew.example/shop)";

    #[test]
    fn a_good_email_passes_every_check() {
        let findings = email_findings(
            "The autumn roast is here",
            "Grown at 1,800 metres, roasted this week.",
            BODY,
        );
        assert!(failed(&findings).is_empty(), "{findings:#?}");
        let ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
        for id in [
            "email.subject-length",
            "email.subject-tone",
            "email.preview-text",
            "email.call-to-action",
            "content.length",
        ] {
            assert!(ids.contains(&id), "{ids:?}");
        }
    }

    #[test]
    fn email_faults_are_each_named() {
        let long = "A subject line that goes on and on well past what any phone shows";
        assert_eq!(
            failed(&email_findings(long, "p", BODY)),
            ["email.subject-length"]
        );
        assert_eq!(
            failed(&email_findings("FREE coffee today!!", "p", BODY)),
            ["email.subject-tone"]
        );
        // Acronyms of three letters are not shouting.
        assert!(failed(&email_findings("Our new API for huts", "p", BODY)).is_empty());
        assert_eq!(
            failed(&email_findings("Autumn roast", "", BODY)),
            ["email.preview-text"]
        );
        let no_link = BODY.replace(
            "[Order a bag](https://trailbrew.example/shop)",
            "Order now.",
        );
        assert_eq!(
            failed(&email_findings("Autumn roast", "p", &no_link)),
            ["email.call-to-action"]
        );
        let many = format!("{BODY} [a](https://a.example/) [b](https://b.example/)");
        assert_eq!(
            failed(&email_findings("Autumn roast", "p", &many)),
            ["email.call-to-action"]
        );
    }

    #[test]
    fn a_post_is_not_checked_as_a_page() {
        assert!(check(Format::Social, "t", "", "body", &[], 45, "en").is_none());
    }
}
