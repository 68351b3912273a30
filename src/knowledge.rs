//! What heycmo knows about a customer, gathered for a question: the latest brand profile, the
//! latest audits and the content pipeline, each citable by id.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::{AuditKind, Finding, Report};
use crate::brand::BrandProfile;
use crate::content::ContentItem;
use crate::content::brief::{Fact, Grounding};
use crate::error::Error;
use crate::store::Store;

/// Audits read for context.
const AUDITS: u32 = 4;
/// Failed findings quoted per audit.
const FINDINGS: usize = 6;
/// Content items read for the pipeline.
const CONTENT: u32 = 50;
/// Content items named one by one.
const NAMED: usize = 5;

/// A stored record an answer drew on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// `brand`, `audit` or `content`.
    pub kind: String,
    /// `brand-v3`, or the audit's id.
    pub id: String,
    pub title: String,
}

pub struct Knowledge {
    pub brand: Option<BrandProfile>,
    pub audits: Vec<Report>,
    /// The newest content items first.
    pub content: Vec<ContentItem>,
}

impl Knowledge {
    pub async fn load(store: &Store, customer: &str) -> Result<Knowledge, Error> {
        let brand = crate::brand::latest(store, customer).await?;
        let audits = store
            .audits(customer, None, None, AUDITS)
            .await?
            .into_iter()
            .filter_map(|r| serde_json::from_str::<Report>(&r.report).ok())
            .collect();
        let content = store
            .list_content(customer, None, None, CONTENT)
            .await?
            .into_iter()
            .filter_map(|r| serde_json::from_str::<ContentItem>(&r.item).ok())
            .collect();
        Ok(Knowledge {
            brand,
            audits,
            content,
        })
    }

    /// "3 draft, 1 approved": items per state, in lifecycle order.
    fn pipeline(&self) -> String {
        let states = [
            "brief",
            "draft",
            "approved",
            "rejected",
            "scheduled",
            "published",
        ];
        let counts: Vec<String> = states
            .iter()
            .filter_map(|s| {
                let n = self
                    .content
                    .iter()
                    .filter(|c| c.state.as_str() == *s)
                    .count();
                (n > 0).then(|| format!("{n} {s}"))
            })
            .collect();
        counts.join(", ")
    }

    fn brand_id(brand: &BrandProfile) -> String {
        format!("brand-v{}", brand.version.unwrap_or(0))
    }

    pub fn sources(&self) -> Vec<Source> {
        let mut sources = Vec::new();
        if let Some(brand) = &self.brand {
            sources.push(Source {
                kind: "brand".into(),
                id: Knowledge::brand_id(brand),
                title: format!(
                    "Brand profile of {}",
                    brand.name.as_deref().unwrap_or(&brand.final_url)
                ),
            });
        }
        for audit in &self.audits {
            sources.push(Source {
                kind: "audit".into(),
                id: audit.audit_id.clone().unwrap_or_default(),
                title: format!(
                    "{} audit of {}: {}/100",
                    audit.kind.as_str().to_uppercase(),
                    audit.url,
                    audit.scores.overall
                ),
            });
        }
        for item in self.content.iter().take(NAMED) {
            sources.push(Source {
                kind: "content".into(),
                id: item.id.clone(),
                title: format!(
                    "{} ({}, {})",
                    item.title,
                    item.format.as_str(),
                    item.state.as_str()
                ),
            });
        }
        sources
    }

    /// The audits of the brand's own pages: its host (with or without `www.`), answered 2xx,
    /// and a page rather than a file (a sitemap, a feed). Without a brand profile, every audit
    /// that answered 2xx. Others may be stored — a competitor, a 404 — but are not the brand's
    /// problems or proof.
    pub fn own_audits(&self) -> impl Iterator<Item = &Report> {
        let host = |url: &str| {
            url::Url::parse(url).ok().and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_start_matches("www.").to_owned())
            })
        };
        let brand_host = self.brand.as_ref().and_then(|b| host(&b.final_url));
        self.audits.iter().filter(move |audit| {
            let page = url::Url::parse(&audit.final_url).is_ok_and(|u| {
                let path = u.path().to_ascii_lowercase();
                ![".xml", ".txt", ".json", ".pdf", ".rss", ".atom", ".csv"]
                    .iter()
                    .any(|ext| path.ends_with(ext))
            });
            (200..300).contains(&audit.status)
                && page
                && (brand_host.is_none() || host(&audit.final_url) == brand_host)
        })
    }

    /// What the records give a writer, each statement with the record it comes from.
    pub fn grounding(&self) -> Grounding {
        let mut grounding = Grounding::default();
        if let Some(brand) = &self.brand {
            let id = Knowledge::brand_id(brand);
            let from = |field: &str| format!("{id}: {field}");
            grounding.brand_name = brand.name.clone();
            grounding.audience = brand
                .audience
                .iter()
                .map(|a| Fact::new(a, from("audience")))
                .collect();
            let offer = [
                ("value proposition", &brand.value_proposition),
                ("tagline", &brand.tagline),
                ("description", &brand.description),
            ];
            let mut seen = BTreeSet::new();
            for (field, text) in offer {
                if let Some(text) = text
                    && seen.insert(text.to_lowercase())
                {
                    grounding.offer.push(Fact::new(text, from(field)));
                }
            }
            for page in &brand.pricing_pages {
                grounding.offer.push(Fact::new(
                    format!("Pricing page: {page}"),
                    from("pricing pages"),
                ));
            }
            for page in &brand.product_pages {
                grounding.offer.push(Fact::new(
                    format!("Product page: {page}"),
                    from("product pages"),
                ));
            }
            if let Some(name) = &brand.name {
                grounding
                    .facts
                    .push(Fact::new(format!("The brand is {name}"), from("name")));
            }
            grounding.facts.push(Fact::new(
                format!("Website: {}", brand.final_url),
                from("url"),
            ));
            for email in &brand.contact.emails {
                grounding.facts.push(Fact::new(
                    format!("Contact email: {email}"),
                    from("contact"),
                ));
            }
            for phone in &brand.contact.phones {
                grounding
                    .facts
                    .push(Fact::new(format!("Phone: {phone}"), from("contact")));
            }
            let phrases: Vec<&str> = brand
                .key_phrases
                .iter()
                .take(8)
                .map(|k| k.phrase.as_str())
                .collect();
            if !phrases.is_empty() {
                grounding.facts.push(Fact::new(
                    format!("Terms the brand's pages use: {}", phrases.join(", ")),
                    from("key phrases"),
                ));
            }
            grounding.voice = Some((
                brand.voice.clone(),
                format!(
                    "{id}: voice, measured on {} words of {} pages",
                    brand.voice.words_analyzed,
                    brand.pages.len()
                ),
            ));
            grounding.calls_to_action = brand.calls_to_action.clone();
        }
        const PROOF: [&str; 4] = [
            "cro.social-proof",
            "cro.testimonials",
            "cro.customer-logos",
            "cro.review-markup",
        ];
        let mut seen = BTreeSet::new();
        for audit in self.own_audits().filter(|a| a.kind == AuditKind::Cro) {
            for finding in audit.findings.iter().filter(|f| f.passed) {
                if PROOF.contains(&finding.id.as_str()) && seen.insert(finding.evidence.clone()) {
                    grounding.proof.push(Fact::new(
                        format!("{} ({})", finding.evidence, audit.final_url),
                        format!(
                            "audit {}: {}",
                            audit.audit_id.as_deref().unwrap_or(""),
                            finding.id
                        ),
                    ));
                }
            }
        }
        grounding
    }

    /// The context block a model reads, each item under its citable id.
    pub fn context(&self) -> String {
        let mut text = String::new();
        if let Some(brand) = &self.brand {
            text.push_str(&format!(
                "[{}] Brand profile: {} — {}. {}\n",
                Knowledge::brand_id(brand),
                brand.name.as_deref().unwrap_or("(no name)"),
                brand.tagline.as_deref().unwrap_or(""),
                brand.value_proposition.as_deref().unwrap_or("")
            ));
        }
        for audit in &self.audits {
            text.push_str(&format!(
                "[{}] {} audit of {} on {}: {}/100.\n",
                audit.audit_id.as_deref().unwrap_or(""),
                audit.kind.as_str().to_uppercase(),
                audit.url,
                audit.fetched_at,
                audit.scores.overall
            ));
            for f in audit.findings.iter().filter(|f| !f.passed).take(FINDINGS) {
                text.push_str(&format!(
                    "  - failing {} ({:?}): {}. Fix: {}\n",
                    f.id,
                    f.severity,
                    f.evidence,
                    f.fix.as_deref().unwrap_or("")
                ));
            }
        }
        if !self.content.is_empty() {
            text.push_str(&format!("Content pipeline: {}.\n", self.pipeline()));
            for item in self.content.iter().take(NAMED) {
                text.push_str(&format!(
                    "[{}] \"{}\" ({}, {})\n",
                    item.id,
                    item.title,
                    item.format.as_str(),
                    item.state.as_str()
                ));
            }
        }
        if text.is_empty() {
            text.push_str("(Nothing is stored for this customer yet.)\n");
        }
        text
    }

    /// An answer assembled from the stored data alone, deterministic, and saying so.
    pub fn offline_answer(&self, question: &str) -> String {
        if self.brand.is_none() && self.audits.is_empty() && self.content.is_empty() {
            return "No language model is available for this answer, and nothing is stored for this \
                    customer yet. Run analyze_brand_url on the brand's website and ai_seo_audit or \
                    cro_audit on its key pages; answers then draw on what they found."
                .into();
        }
        let mut text = String::from(
            "No language model is available for this answer, so it is assembled from the stored \
             brand profile and audits, not written by a model.\n",
        );
        if let Some(brand) = &self.brand {
            text.push_str(&format!(
                "\nBrand: {}{}. Voice: {} (reading ease {:.0}).\n",
                brand.name.as_deref().unwrap_or("(no name)"),
                brand
                    .tagline
                    .as_deref()
                    .map(|t| format!(" — {t}"))
                    .unwrap_or_default(),
                brand.voice.tone,
                brand.voice.reading_ease
            ));
        }
        if !self.content.is_empty() {
            text.push_str(&format!("\nContent pipeline: {}.\n", self.pipeline()));
        }
        let wanted = words(question);
        let mut ranked: Vec<(usize, u32, &Finding, &Report)> = self
            .audits
            .iter()
            .flat_map(|a| a.findings.iter().filter(|f| !f.passed).map(move |f| (f, a)))
            .map(|(f, a)| {
                let text = format!(
                    "{} {} {} {}",
                    f.id,
                    f.title,
                    f.evidence,
                    f.fix.as_deref().unwrap_or("")
                );
                (
                    words(&text).intersection(&wanted).count(),
                    f.severity.weight(),
                    f,
                    a,
                )
            })
            .collect();
        // Most relevant to the question first, then the most severe; stable for equal ranks.
        ranked.sort_by(|x, y| y.0.cmp(&x.0).then(y.1.cmp(&x.1)));
        let mut seen = BTreeSet::new();
        let top: Vec<_> = ranked
            .into_iter()
            .filter(|(_, _, f, _)| seen.insert(f.id.clone()))
            .take(5)
            .collect();
        if !top.is_empty() {
            text.push_str("\nWhat to fix first, from the latest audits:\n");
            for (_, _, f, audit) in top {
                text.push_str(&format!(
                    "- [{}] {} ({}): {}. Fix: {}\n",
                    audit.audit_id.as_deref().unwrap_or(""),
                    f.title,
                    audit.url,
                    f.evidence,
                    f.fix.as_deref().unwrap_or("")
                ));
            }
        }
        text
    }
}

/// Lower-cased words of four letters or more.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect()
}
