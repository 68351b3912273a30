//! Conversion (CRO) heuristics: is there a clear next step, and reasons to take it?

use std::sync::LazyLock;

use regex::Regex;

use super::finding::{Category, Check, Finding, Severity};
use super::wording::{self, is_action_led, starts_with_action};
use crate::web::Fetched;
use crate::web::html::Page;

const PRIMARY_CTA: Check = Category::Conversion.check(
    "cro.primary-cta",
    Severity::Critical,
    "A call to action early in the page",
);
const CTA_WORDING: Check = Category::Conversion.check(
    "cro.cta-wording",
    Severity::Medium,
    "Calls to action say what happens next",
);
const COMPETING: Check = Category::Conversion.check(
    "cro.competing-ctas",
    Severity::Medium,
    "Few competing calls to action",
);
const FORM_LENGTH: Check = Category::Conversion.check(
    "cro.form-length",
    Severity::High,
    "Forms ask for five fields or fewer",
);
const HEADLINE: Check = Category::Conversion.check(
    "cro.headline",
    Severity::High,
    "The <h1> states a clear value proposition",
);
const VALUE_PROP: Check = Category::Conversion.check(
    "cro.value-proposition",
    Severity::Medium,
    "A supporting line explains the offer",
);
const TESTIMONIALS: Check = Category::Conversion.check(
    "cro.testimonials",
    Severity::Medium,
    "Testimonials or customer quotes",
);
const LOGOS: Check = Category::Conversion.check(
    "cro.customer-logos",
    Severity::Low,
    "Customer or press logos",
);
const REVIEWS: Check = Category::Conversion.check(
    "cro.review-markup",
    Severity::Low,
    "Review or rating markup",
);
const PRIVACY: Check = Category::Conversion.check(
    "cro.privacy-link",
    Severity::Medium,
    "A privacy policy is linked",
);
const CONTACT: Check = Category::Conversion.check(
    "cro.contact-details",
    Severity::Medium,
    "Contact details are reachable",
);
const PRICING: Check = Category::Conversion.check(
    "cro.pricing-clarity",
    Severity::Medium,
    "Prices or a pricing page are easy to find",
);
const SOCIAL_PROOF: Check = Category::Conversion.check(
    "cro.social-proof",
    Severity::Medium,
    "Numbers that prove traction",
);
const MOBILE: Check = Category::Conversion.check(
    "cro.mobile-viewport",
    Severity::High,
    "Works on mobile (viewport set)",
);
const WEIGHT: Check = Category::Conversion.check(
    "cro.page-weight",
    Severity::Medium,
    "Page is light enough to load fast",
);

/// How far down (characters of visible text) the first call to action may sit.
const EARLY_CHARS: usize = 1500;
const MAX_FIELDS: usize = 5;
const MAX_CTAS: usize = 4;
/// Words a line under the headline needs to count as the value proposition.
pub const SUPPORT_WORDS: usize = 8;
const GENERIC_HEADLINES: &[&str] = &[
    "welcome",
    "home",
    "homepage",
    "untitled",
    "hello",
    "hello world",
    "index",
];

static PRICE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([$€£¥]\s?\d+)|(\d+([.,]\d+)?\s?(USD|EUR|GBP|€))|(/\s?(mo|month|year|yr)\b)")
        .expect("valid regex")
});

/// A call to action: its text and how far down it sits.
struct Cta {
    text: String,
    offset: usize,
}

fn ctas(page: &Page) -> Vec<Cta> {
    let links = page
        .links
        .iter()
        .filter(|l| !l.in_nav || l.button_like)
        .filter(|l| l.button_like || starts_with_action(&l.text))
        .map(|l| Cta {
            text: if l.text.is_empty() {
                l.label.clone()
            } else {
                l.text.clone()
            },
            offset: l.offset,
        });
    let buttons = page.buttons.iter().map(|b| Cta {
        text: b.text.clone(),
        offset: b.offset,
    });
    let mut all: Vec<Cta> = links
        .chain(buttons)
        .filter(|c| !c.text.is_empty())
        .collect();
    all.sort_by_key(|c| c.offset);
    all
}

pub fn checks(page: &Page, response: &Fetched) -> Vec<Finding> {
    let ctas = ctas(page);
    let mut findings = Vec::new();
    // The primary call to action is the first that says what happens; "Submit" does not.
    let first = ctas.iter().find(|c| is_action_led(&c.text));
    findings.push(PRIMARY_CTA.judge(
        first.is_some_and(|c| c.offset <= EARLY_CHARS),
        match (first, ctas.first()) {
            (Some(c), _) => format!("first call to action \"{}\" after {} characters of text", c.text, c.offset),
            (None, Some(c)) => format!("only vague calls to action, the first \"{}\"", c.text),
            (None, None) => "no call to action found".to_owned(),
        },
        "Put one clear call to action (\"Start free trial\") in the first screen, next to the headline.",
    ));
    if !ctas.is_empty() {
        let generic: Vec<&str> = ctas
            .iter()
            .map(|c| c.text.as_str())
            .filter(|t| !is_action_led(t))
            .collect();
        findings.push(CTA_WORDING.judge(
            generic.is_empty(),
            if generic.is_empty() { format!("{} calls to action, all action-led", ctas.len()) } else { format!("vague: {}", generic.join(", ")) },
            "Start each call to action with a verb and the outcome: \"Get my free audit\", not \"Submit\".",
        ));
        let mut distinct: Vec<String> = ctas.iter().map(|c| c.text.to_lowercase()).collect();
        distinct.sort();
        distinct.dedup();
        findings.push(COMPETING.judge(
            distinct.len() <= MAX_CTAS,
            format!(
                "{} different calls to action: {}",
                distinct.len(),
                distinct.join(", ")
            ),
            "Pick one primary action per page and demote the rest to secondary links.",
        ));
    }
    if let Some(longest) = page.forms.iter().max_by_key(|f| f.fields) {
        findings.push(FORM_LENGTH.judge(
            longest.fields <= MAX_FIELDS,
            format!(
                "longest form has {} fields ({})",
                longest.fields,
                longest.action.as_deref().unwrap_or("no action")
            ),
            "Ask only for what you need now (email first); every extra field loses sign-ups.",
        ));
    }
    findings.extend(headline(page));
    let text = &page.text;
    let testimonial = wording::testimonial(text)
        .or_else(|| (page.blockquotes > 0).then(|| "a <blockquote>".to_owned()));
    findings.push(TESTIMONIALS.judge(
        testimonial.is_some(),
        testimonial.map_or("no testimonials or quotes".to_owned(), |t| {
            format!("found \"{t}\"")
        }),
        "Quote two or three named customers with their role and result.",
    ));
    let images: Vec<(Option<&str>, &str)> = page
        .images
        .iter()
        .map(|i| (i.alt.as_deref(), i.src.as_str()))
        .collect();
    let logos = wording::logos(text, &images);
    findings.push(LOGOS.judge(
        logos.is_some(),
        logos.map_or("no \"trusted by\" or press section".to_owned(), |t| {
            format!("found \"{t}\"")
        }),
        "Show the logos of well-known customers or press under a \"Trusted by\" line.",
    ));
    let types = page.json_ld_types();
    let rated = types
        .iter()
        .any(|t| t == "AggregateRating" || t == "Review")
        || page
            .json_ld_nodes()
            .iter()
            .any(|n| n.get("aggregateRating").is_some() || n.get("review").is_some())
        || page
            .item_types
            .iter()
            .any(|t| t.ends_with("/AggregateRating") || t.ends_with("/Review"));
    findings.push(REVIEWS.judge(
        rated,
        if rated {
            "review or rating markup present"
        } else {
            "no Review or AggregateRating markup"
        },
        "Mark up ratings with AggregateRating (JSON-LD) so they can show as stars.",
    ));
    let has_link = |needle: &str| {
        page.links.iter().any(|l| {
            l.text.to_lowercase().contains(needle)
                || l.href
                    .as_deref()
                    .is_some_and(|h| h.to_lowercase().contains(needle))
        })
    };
    findings.push(PRIVACY.judge(
        has_link("privacy"),
        if has_link("privacy") {
            "privacy policy linked"
        } else {
            "no link to a privacy policy"
        },
        "Link the privacy policy, especially next to forms.",
    ));
    let contact: Vec<&str> = [
        ("mailto:", "an email link"),
        ("tel:", "a phone link"),
        ("contact", "a contact page"),
    ]
    .into_iter()
    .filter(|(needle, _)| has_link(needle))
    .map(|(_, what)| what)
    .collect();
    findings.push(CONTACT.judge(
        !contact.is_empty(),
        if contact.is_empty() {
            "no email, phone or contact link".to_owned()
        } else {
            contact.join(", ")
        },
        "Make it easy to reach a person: a contact page, an email address or a phone number.",
    ));
    let price = PRICE_RE.find(text).map(|m| m.as_str().to_owned());
    let pricing = has_link("pricing") || has_link("plans") || price.is_some();
    findings.push(PRICING.judge(
        pricing,
        match (&price, has_link("pricing") || has_link("plans")) {
            (Some(p), _) => format!("price shown: \"{p}\""),
            (None, true) => "pricing page linked".to_owned(),
            _ => "no price and no pricing page link".to_owned(),
        },
        "Show prices or link a pricing page from the main navigation; hidden pricing drives visitors away.",
    ));
    let proof = wording::traction(text);
    findings.push(SOCIAL_PROOF.judge(
        proof.is_some(),
        proof.map_or("no customer counts or ratings".to_owned(), |p| {
            format!("found \"{p}\"")
        }),
        "Quantify traction: \"Used by 2,400 teams\", \"Rated 4.8/5 from 310 reviews\".",
    ));
    let viewport = page
        .meta("viewport")
        .is_some_and(|v| v.replace(' ', "").contains("width=device-width"));
    findings.push(MOBILE.judge(
        viewport,
        page.meta("viewport").map_or("no meta viewport".to_owned(), |v| format!("viewport = {v}")),
        "Add <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">; most visitors are on phones.",
    ));
    let scripts = page
        .subresources
        .iter()
        .filter(|r| r.tag == "script")
        .count();
    findings.push(WEIGHT.judge(
        response.body.len() <= 500 * 1024 && scripts <= 25,
        format!("{} KB of HTML, {scripts} scripts", response.body.len() / 1024),
        "Cut third-party scripts and heavy markup; every extra second of load time costs conversions.",
    ));
    findings
}

fn headline(page: &Page) -> Vec<Finding> {
    let Some(h1) = page.headings.iter().find(|h| h.level == 1) else {
        return vec![HEADLINE.fail(
            "no <h1>",
            "Open with an <h1> that says what you offer and for whom.",
        )];
    };
    let words = h1.text.split_whitespace().count();
    let generic =
        GENERIC_HEADLINES.contains(&h1.text.trim().to_lowercase().trim_end_matches(['!', '.']));
    let mut findings = vec![HEADLINE.judge(
        !generic && (2..=12).contains(&words),
        format!("<h1>{}</h1> ({words} words)", h1.text),
        "Make the headline the value proposition in 2–12 words: the outcome, for whom (\"Payroll in 5 minutes for small teams\").",
    )];
    let support = page.line_after(&h1.text, SUPPORT_WORDS);
    findings.push(VALUE_PROP.judge(
        support.is_some(),
        support.map_or(
            "no supporting sentence under the headline".to_owned(),
            |s| format!("\"{s}\""),
        ),
        "Follow the headline with one sentence on how it works and why it is better.",
    ));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(html: &str, id: &str) -> Finding {
        let page = Page::parse(None, html);
        let response = Fetched {
            url: url::Url::parse("https://shop.example/").expect("valid literal URL"),
            status: 200,
            headers: Default::default(),
            body: bytes::Bytes::from(html.to_owned()),
            wire_bytes: 0,
            encoding: None,
            ttfb: Default::default(),
            elapsed: Default::default(),
            redirects: Vec::new(),
        };
        checks(&page, &response)
            .into_iter()
            .find(|f| f.id == id)
            .expect("the check ran")
    }

    #[test]
    fn traction_in_the_business_s_own_words_is_social_proof() {
        for (html, evidence) in [
            (
                "<h1>Ovens for bakers</h1><p>Baking for 850 bakeries since spring.</p>",
                "850 bakeries",
            ),
            (
                "<h1>Paketdienst</h1><p>3 Millionen Pakete versendet</p>",
                "3 Millionen Pakete versendet",
            ),
        ] {
            let found = finding(html, "cro.social-proof");
            assert!(found.passed, "{html}: {found:?}");
            assert!(found.evidence.contains(evidence), "{found:?}");
        }
        let none = finding(
            "<h1>Ovens</h1><p>Set up in 5 minutes.</p>",
            "cro.social-proof",
        );
        assert!(!none.passed);
    }

    #[test]
    fn german_and_french_calls_to_action_count_as_action_led() {
        let found = finding(
            "<h1>Brot</h1><a class=\"button\" href=\"/shop\">Jetzt bestellen</a>",
            "cro.primary-cta",
        );
        assert!(found.passed, "{found:?}");
        let found = finding(
            "<h1>Pain</h1><button>Réservez une table</button><button>Envoyer</button>",
            "cro.cta-wording",
        );
        assert!(
            !found.passed && found.evidence.contains("Envoyer"),
            "{found:?}"
        );
        assert!(!found.evidence.contains("Réservez"), "{found:?}");
    }
}
