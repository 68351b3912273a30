//! What heycmo knows about a customer, gathered for a question: the latest brand profile, the
//! latest audits and the content pipeline, each citable by id.

mod answer;

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::{AuditKind, Report};
use crate::brand::BrandProfile;
use crate::content::ContentItem;
use crate::content::brief::{Fact, Grounding};
use crate::error::Error;
use crate::store::Store;

/// Stored audits read, newest first, before each page keeps only its latest of a kind.
const AUDITS_READ: u32 = 60;
/// Audits kept for context: the latest of each page and kind.
const AUDITS: usize = 12;
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

/// See [`Knowledge::whose`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    Own,
    Other,
    NotAPage,
}

pub struct Knowledge {
    pub brand: Option<BrandProfile>,
    /// What the brand said of itself in onboarding's interview.
    pub interview: Option<crate::onboarding::Answers>,
    pub audits: Vec<Report>,
    /// The newest content items first.
    pub content: Vec<ContentItem>,
}

impl Knowledge {
    /// Everything: the site's records and the content pipeline.
    pub async fn load(store: &Store, customer: &str) -> Result<Knowledge, Error> {
        let mut knowledge = Knowledge::load_site(store, customer).await?;
        knowledge.content = store
            .list_content(customer, None, None, CONTENT)
            .await?
            .into_iter()
            .filter_map(|r| serde_json::from_str::<ContentItem>(&r.item).ok())
            .collect();
        Ok(knowledge)
    }

    /// The site's records only (brand profile and audits): what a writing brief is grounded
    /// in, without reading the pipeline.
    pub async fn load_site(store: &Store, customer: &str) -> Result<Knowledge, Error> {
        let brand = crate::brand::latest(store, customer).await?;
        let mut seen = BTreeSet::new();
        let audits = store
            .audits(customer, None, None, AUDITS_READ)
            .await?
            .into_iter()
            .filter_map(|r| serde_json::from_str::<Report>(&r.report).ok())
            .filter(|r| seen.insert((r.final_url.clone(), r.kind.as_str())))
            .take(AUDITS)
            .collect();
        let interview = crate::onboarding::stated(store, customer).await?;
        Ok(Knowledge {
            brand,
            interview,
            audits,
            content: Vec::new(),
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

    /// Whose page an audit judged: the brand's own site (its host with or without `www.`, and
    /// port), another site, or no page at all (an error status, or a file such as a sitemap or a
    /// feed). Without a brand profile every page counts as the brand's.
    pub fn whose(&self, audit: &Report) -> Whose {
        let site = |url: &str| {
            url::Url::parse(url).ok().and_then(|u| {
                let host = u.host_str()?.trim_start_matches("www.").to_owned();
                Some((host, u.port_or_known_default()))
            })
        };
        let file = url::Url::parse(&audit.final_url).is_ok_and(|u| {
            let path = u.path().to_ascii_lowercase();
            [".xml", ".txt", ".json", ".pdf", ".rss", ".atom", ".csv"]
                .iter()
                .any(|ext| path.ends_with(ext))
        });
        if !(200..300).contains(&audit.status) || file || audit.not_audited.is_some() {
            return Whose::NotAPage;
        }
        match &self.brand {
            Some(brand) if site(&brand.final_url) != site(&audit.final_url) => Whose::Other,
            _ => Whose::Own,
        }
    }

    /// The audits of the brand's own pages: the only ones that are its problems or its proof.
    pub fn own_audits(&self) -> impl Iterator<Item = &Report> {
        self.audits
            .iter()
            .filter(|audit| self.whose(audit) == Whose::Own)
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
        if let Some(interview) = &self.interview {
            let said = |field: &str| format!("interview: {field}");
            if let Some(audience) = &interview.audience {
                grounding
                    .audience
                    .insert(0, Fact::new(audience, said("audience")));
            }
            if let Some(offers) = &interview.offers {
                grounding.offer.insert(0, Fact::new(offers, said("offers")));
            }
            if !interview.competitors.is_empty() {
                grounding.facts.push(Fact::new(
                    format!(
                        "Buyers compare the brand with {}: never disparage them, and name them only with facts",
                        interview.competitors.join(", ")
                    ),
                    said("competitors"),
                ));
            }
            grounding.stated_voice = interview.voice.clone();
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
            let id = audit.audit_id.as_deref().unwrap_or("");
            if self.whose(audit) != Whose::Own {
                // Another site, an error page or a file: not the brand's problems.
                text.push_str(&format!(
                    "[{id}] {} audit of {} (status {}), not one of the brand's own pages: {}/100.\n",
                    audit.kind.as_str().to_uppercase(),
                    audit.final_url,
                    audit.status,
                    audit.scores.overall
                ));
                continue;
            }
            text.push_str(&format!(
                "[{id}] {} audit of {} on {}: {}/100.\n",
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
}
