//! The answer to a question when no model is there to write one: the question is routed by
//! what it asks about (audience, pricing, offer, competitors, content ideas, search and AI
//! visibility, conversion, post performance, voice, the pipeline) to the stored records that
//! answer it, each quoted with its id. What nothing stored answers is said plainly.

use std::collections::BTreeSet;

use super::{Knowledge, Whose};
use crate::audit::{AuditKind, Finding, Report};

/// What a question can be about, each answered from its own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Topic {
    Audience,
    Pricing,
    Offer,
    Competitors,
    ContentIdeas,
    Search,
    Conversion,
    Performance,
    Voice,
    Pipeline,
}

impl Topic {
    const ALL: [Topic; 10] = [
        Topic::Audience,
        Topic::Pricing,
        Topic::Offer,
        Topic::Competitors,
        Topic::ContentIdeas,
        Topic::Search,
        Topic::Conversion,
        Topic::Performance,
        Topic::Voice,
        Topic::Pipeline,
    ];

    /// Word beginnings that mark a question about this topic, in the languages the brand
    /// extractor reads (English, German, French, Spanish).
    fn cues(self) -> &'static [&'static str] {
        match self {
            Topic::Audience => &[
                "audience",
                "customer",
                "persona",
                "who ",
                "target",
                "buyer",
                "segment",
                "icp",
                "zielgruppe",
                "kunde",
                "client",
                "público",
                "cliente",
            ],
            Topic::Pricing => &[
                "pric",
                "cost",
                "plan",
                "charge",
                "discount",
                "expensive",
                "cheap",
                "fee",
                "preis",
                "kosten",
                "prix",
                "tarif",
                "precio",
            ],
            Topic::Offer => &[
                "offer",
                "product",
                "service",
                "value prop",
                "sell",
                "usp",
                "position",
                "differentiat",
                "tagline",
                "promise",
                "angebot",
                "produkt",
                "offre",
                "oferta",
            ],
            Topic::Competitors => &[
                "competit",
                "rival",
                "alternative",
                "versus",
                " vs",
                "compare",
                "wettbewerb",
                "konkurren",
                "concurren",
            ],
            Topic::ContentIdeas => &[
                "content",
                "blog",
                "idea",
                "topic",
                "article",
                "newsletter",
                "campaign",
                "write",
                "inhalt",
                "thema",
                "contenu",
                "sujet",
                "contenido",
                "tema",
            ],
            Topic::Search => &[
                "seo",
                "search",
                "google",
                "rank",
                "keyword",
                "geo",
                "ai ",
                "llm",
                "chatgpt",
                "perplexity",
                "citation",
                "crawl",
                "sitemap",
                "robots",
                "meta",
                "https",
                "schema",
                "index",
                "fix",
                "suche",
                "recherche",
                "búsqueda",
            ],
            Topic::Conversion => &[
                "conversion",
                "convert",
                "cta",
                "call to action",
                "sign up",
                "signup",
                "landing",
                "form",
                "trust",
                "testimonial",
                "proof",
                "bounce",
                "lead",
                "home page",
                "homepage",
            ],
            Topic::Performance => &[
                "perform",
                "engagement",
                "published",
                "reach",
                "traffic",
                "click",
                "impression",
                "analytics",
                "worked",
                "best post",
                "posts",
            ],
            Topic::Voice => &[
                "voice", "tone", "style", "wording", "sound", "stimme", "ton ",
            ],
            Topic::Pipeline => &[
                "draft", "approv", "pipeline", "pending", "queue", "status", "brief", "schedul",
            ],
        }
    }

    fn title(self) -> &'static str {
        match self {
            Topic::Audience => "Audience",
            Topic::Pricing => "Pricing",
            Topic::Offer => "Offer",
            Topic::Competitors => "Competitors",
            Topic::ContentIdeas => "Content ideas",
            Topic::Search => "Search and AI visibility: what to fix",
            Topic::Conversion => "Conversion: what to fix",
            Topic::Performance => "Performance of posts",
            Topic::Voice => "Voice",
            Topic::Pipeline => "Content pipeline",
        }
    }
}

/// The topics `question` asks about, in a stable order; empty when none is recognised.
pub fn topics(question: &str) -> Vec<Topic> {
    // Padded so cues with a space at an edge ("who ", " vs") match at the ends too.
    let text = format!(
        " {} ",
        question.to_lowercase().replace(['?', '!', ',', '.'], " ")
    );
    Topic::ALL
        .into_iter()
        .filter(|topic| topic.cues().iter().any(|cue| text.contains(cue)))
        .collect()
}

/// One line quoting a failed finding with the audit it comes from.
fn finding_line(finding: &Finding, audit: &Report) -> String {
    format!(
        "- [{}] Not met: {} ({}) — seen: {}. Fix: {}",
        audit.audit_id.as_deref().unwrap_or(""),
        finding.title,
        audit.final_url,
        finding.evidence,
        finding.fix.as_deref().unwrap_or("")
    )
}

/// Lower-cased words of four letters or more.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}

impl Knowledge {
    /// The failed findings of the brand's own audits of `kind`: most relevant to the question
    /// first, then most severe; each check once.
    fn to_fix(&self, kind: AuditKind, question: &str, take: usize) -> Vec<String> {
        let wanted = words(question);
        let mut ranked: Vec<(usize, u32, &Finding, &Report)> = self
            .own_audits()
            .filter(|a| a.kind == kind)
            .flat_map(|a| a.findings.iter().filter(|f| !f.passed).map(move |f| (f, a)))
            .map(|(f, a)| {
                let text = format!("{} {} {}", f.id, f.title, f.fix.as_deref().unwrap_or(""));
                let overlap = words(&text).intersection(&wanted).count();
                (overlap, f.severity.weight(), f, a)
            })
            .collect();
        ranked.sort_by(|x, y| y.0.cmp(&x.0).then(y.1.cmp(&x.1)));
        let mut seen = BTreeSet::new();
        ranked
            .into_iter()
            .filter(|(_, _, f, _)| seen.insert(f.id.clone()))
            .take(take)
            .map(|(_, _, f, a)| finding_line(f, a))
            .collect()
    }

    fn brand_tag(&self) -> String {
        self.brand
            .as_ref()
            .map(|b| format!("[{}]", Knowledge::brand_id(b)))
            .unwrap_or_default()
    }

    /// The lines that answer `topic`; empty when nothing stored does.
    fn section(&self, topic: Topic, question: &str) -> Vec<String> {
        let brand = self.brand.as_ref();
        let tag = self.brand_tag();
        let mut lines = Vec::new();
        match topic {
            Topic::Audience => {
                if let Some(brand) = brand {
                    for audience in &brand.audience {
                        lines.push(format!("- The pages say they serve: {audience} {tag}"));
                    }
                }
            }
            Topic::Pricing => {
                if let Some(brand) = brand {
                    for page in &brand.pricing_pages {
                        lines.push(format!("- Pricing page: {page} {tag}"));
                    }
                }
                for audit in self.own_audits().filter(|a| a.kind == AuditKind::Cro) {
                    if let Some(f) = audit
                        .findings
                        .iter()
                        .find(|f| f.id == "cro.pricing-clarity")
                    {
                        lines.push(format!(
                            "- [{}] {} on {}: {}{}",
                            audit.audit_id.as_deref().unwrap_or(""),
                            if f.passed {
                                "Pricing is clear"
                            } else {
                                "Pricing is unclear"
                            },
                            audit.final_url,
                            f.evidence,
                            f.fix
                                .as_deref()
                                .map(|x| format!(". Fix: {x}"))
                                .unwrap_or_default()
                        ));
                    }
                }
            }
            Topic::Offer => {
                if let Some(brand) = brand {
                    let offer = [
                        ("Value proposition", &brand.value_proposition),
                        ("Tagline", &brand.tagline),
                        ("Description", &brand.description),
                    ];
                    for (what, text) in offer {
                        if let Some(text) = text {
                            lines.push(format!("- {what}: {text} {tag}"));
                        }
                    }
                    for page in &brand.product_pages {
                        lines.push(format!("- Product page: {page} {tag}"));
                    }
                    if !brand.calls_to_action.is_empty() {
                        lines.push(format!(
                            "- Calls to action on the pages: {} {tag}",
                            brand.calls_to_action.join(", ")
                        ));
                    }
                }
            }
            Topic::Competitors => {
                let others: Vec<&Report> = self
                    .audits
                    .iter()
                    .filter(|a| self.whose(a) == Whose::Other)
                    .collect();
                for audit in &others {
                    lines.push(format!(
                        "- [{}] {} audit of {}, another site: {}/100",
                        audit.audit_id.as_deref().unwrap_or(""),
                        audit.kind.as_str().to_uppercase(),
                        audit.final_url,
                        audit.scores.overall
                    ));
                }
                if !others.is_empty() {
                    for audit in self.own_audits() {
                        lines.push(format!(
                            "- [{}] for comparison, the brand's own {} audit of {}: {}/100",
                            audit.audit_id.as_deref().unwrap_or(""),
                            audit.kind.as_str().to_uppercase(),
                            audit.final_url,
                            audit.scores.overall
                        ));
                    }
                }
            }
            Topic::ContentIdeas => {
                if let Some(brand) = brand
                    && !brand.key_phrases.is_empty()
                {
                    let phrases: Vec<&str> = brand
                        .key_phrases
                        .iter()
                        .take(8)
                        .map(|k| k.phrase.as_str())
                        .collect();
                    lines.push(format!(
                        "- Themes the brand's pages already cover, each a candidate topic: {} {tag}",
                        phrases.join(", ")
                    ));
                }
                for item in self.content.iter().take(5) {
                    lines.push(format!(
                        "- [{}] already in the pipeline: \"{}\" ({}, {})",
                        item.id,
                        item.title,
                        item.format.as_str(),
                        item.state.as_str()
                    ));
                }
            }
            Topic::Search => {
                lines.extend(self.to_fix(AuditKind::Seo, question, 5));
            }
            Topic::Conversion => {
                lines.extend(self.to_fix(AuditKind::Cro, question, 5));
            }
            Topic::Performance => {
                let published: Vec<_> = self
                    .content
                    .iter()
                    .filter(|c| c.state.as_str() == "published")
                    .collect();
                if !published.is_empty() {
                    lines.push(format!(
                        "- {} published item(s), newest first: {}. heycmo records where and when \
                         each went out (list_posts), not how it performed: no engagement, traffic \
                         or conversion figures are stored.",
                        published.len(),
                        published
                            .iter()
                            .take(5)
                            .map(|c| format!("[{}] \"{}\"", c.id, c.title))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            Topic::Voice => {
                if let Some(brand) = brand {
                    let v = &brand.voice;
                    lines.push(format!(
                        "- Measured on {} words: {} tone (formality {}/100), reading level \"{}\" \
                         (ease {:.0}), {:.0} words per sentence, {:.0} % of words address the \
                         reader, {:.0} % of sentences end in \"!\" {tag}",
                        v.words_analyzed,
                        v.tone,
                        v.formality,
                        v.reading_level,
                        v.reading_ease,
                        v.avg_sentence_words,
                        v.second_person_ratio * 100.0,
                        v.exclamation_rate * 100.0
                    ));
                }
            }
            Topic::Pipeline => {
                if !self.content.is_empty() {
                    lines.push(format!("- {}", self.pipeline()));
                    for item in self.content.iter().take(5) {
                        lines.push(format!(
                            "- [{}] \"{}\" ({}, {})",
                            item.id,
                            item.title,
                            item.format.as_str(),
                            item.state.as_str()
                        ));
                    }
                }
            }
        }
        lines
    }

    /// What to run so that `topic` can be answered next time.
    fn missing(topic: Topic) -> &'static str {
        match topic {
            Topic::Audience | Topic::Offer | Topic::Voice => {
                "No brand profile says this: run analyze_brand_url on the brand's site."
            }
            Topic::Pricing => {
                "No pricing page or pricing check is stored: run analyze_brand_url, and cro_audit on the pricing page."
            }
            Topic::Competitors => {
                "heycmo stores no competitor research: audit a competitor's page (ai_seo_audit or cro_audit) to compare."
            }
            Topic::ContentIdeas => {
                "No key phrases or content are stored: run analyze_brand_url first."
            }
            Topic::Search => {
                "No failing search check is stored for the brand's own pages: run ai_seo_audit on them."
            }
            Topic::Conversion => {
                "No failing conversion check is stored for the brand's own pages: run cro_audit on them."
            }
            Topic::Performance => {
                "Nothing is published yet, and heycmo stores no engagement or traffic figures."
            }
            Topic::Pipeline => "No content is stored yet.",
        }
    }

    /// An answer from the stored records alone, routed by what the question asks about and
    /// saying so; deterministic.
    pub fn offline_answer(&self, question: &str) -> String {
        let asked = question.trim();
        let mut text = format!(
            "No language model is available for this answer, so it is assembled from the stored \
             records that bear on the question, not written by a model.\nAsked: \"{asked}\"\n"
        );
        if let Some(brand) = &self.brand {
            text.push_str(&format!(
                "Brand: {} ({}) {}\n",
                brand.name.as_deref().unwrap_or("(no name found)"),
                brand.final_url,
                self.brand_tag()
            ));
        }
        let topics = topics(asked);
        if topics.is_empty() {
            text.push_str(
                "\nNothing stored answers this question: heycmo holds the brand profile, audits of \
                 the brand's pages, and the content pipeline, and the question is about none of \
                 them (audience, pricing, offer, competitors, content ideas, search and AI \
                 visibility, conversion, post performance, voice, the pipeline). The `brief` \
                 field holds everything stored, to reason over.\n",
            );
            return text;
        }
        for topic in topics {
            let lines = self.section(topic, asked);
            text.push_str(&format!("\n{}:\n", topic.title()));
            if lines.is_empty() {
                text.push_str(&format!("- {}\n", Knowledge::missing(topic)));
            }
            for line in lines {
                text.push_str(&line);
                text.push('\n');
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_routed_by_what_they_ask_about() {
        assert_eq!(topics("Who is our target audience?"), [Topic::Audience]);
        assert_eq!(
            topics("How should we price the pro plan?"),
            [Topic::Pricing]
        );
        assert_eq!(
            topics("How do we compare with our competitors?"),
            [Topic::Competitors]
        );
        assert_eq!(
            topics("Give me three blog post ideas"),
            [Topic::ContentIdeas]
        );
        assert_eq!(topics("Why don't we show up in ChatGPT?"), [Topic::Search]);
        assert_eq!(topics("Welche Zielgruppe haben wir?"), [Topic::Audience]);
        assert!(topics("What is the weather in Oslo?").is_empty());
    }

    #[test]
    fn an_empty_store_says_what_to_run_per_topic_and_questions_differ() {
        let empty = Knowledge {
            interview: None,
            brand: None,
            audits: Vec::new(),
            content: Vec::new(),
        };
        let audience = empty.offline_answer("Who is our audience?");
        let pricing = empty.offline_answer("What does our pricing look like?");
        assert!(audience.contains("run analyze_brand_url"), "{audience}");
        assert!(pricing.contains("No pricing page"), "{pricing}");
        assert_ne!(audience, pricing);
        let unrelated = empty.offline_answer("What is the capital of Peru?");
        assert!(
            unrelated.contains("Nothing stored answers this question"),
            "{unrelated}"
        );
    }
}
