//! Content items and their lifecycle: brief → draft (the caller's `submit_draft`, when no
//! model wrote it); draft → approved | rejected; rejected → draft by editing or submitting;
//! approved → scheduled → published.

pub mod actions;
pub mod brief;
pub mod check;
pub mod lifecycle;
mod render;
pub mod writer;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::Finding;
use crate::brand::Voice;
use crate::llm::Usage;

/// What kind of piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Blog,
    Social,
    Email,
    Landing,
    LeadMagnet,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Blog => "blog",
            Format::Social => "social",
            Format::Email => "email",
            Format::Landing => "landing",
            Format::LeadMagnet => "lead_magnet",
        }
    }

    /// Words to aim for when the caller gives no length.
    pub fn default_words(self) -> u32 {
        match self {
            Format::Blog => 900,
            Format::Social => 45,
            Format::Email => 180,
            Format::Landing => 350,
            Format::LeadMagnet => 600,
        }
    }

    /// Pages that search engines index get the on-page SEO checks.
    pub fn is_page(self) -> bool {
        matches!(self, Format::Blog | Format::Landing | Format::LeadMagnet)
    }
}

/// The kinds of lead magnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LeadMagnetKind {
    Checklist,
    Guide,
    Template,
    Quiz,
}

impl LeadMagnetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadMagnetKind::Checklist => "checklist",
            LeadMagnetKind::Guide => "guide",
            LeadMagnetKind::Template => "template",
            LeadMagnetKind::Quiz => "quiz",
        }
    }
}

/// Where a content item is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// No model wrote it: a writing brief waits for the caller's text (`submit_draft`).
    Brief,
    Draft,
    Approved,
    Rejected,
    Scheduled,
    Published,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Brief => "brief",
            State::Draft => "draft",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Scheduled => "scheduled",
            State::Published => "published",
        }
    }
}

/// The copy of a lead magnet's landing page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LandingCopy {
    pub headline: String,
    pub subheadline: String,
    pub bullets: Vec<String>,
    pub call_to_action: String,
}

/// The on-page checks a draft passed and failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContentSeo {
    /// 0–100, weighted like the audits' scores.
    pub score: u32,
    pub findings: Vec<Finding>,
}

/// A piece of content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ContentItem {
    pub id: String,
    pub format: Format,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_magnet: Option<LeadMagnetKind>,
    pub state: State,
    pub topic: String,
    pub title: String,
    pub slug: String,
    pub meta_description: String,
    /// The section headings, in order.
    pub outline: Vec<String>,
    /// Markdown.
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing_copy: Option<LandingCopy>,
    pub keywords: Vec<String>,
    pub readability: Voice,
    /// The checks the text faced: on-page SEO for pages (blog, landing, lead magnet), the
    /// strictest channel's limit for a social post; `null` for email and for a brief.
    pub seo: Option<ContentSeo>,
    /// What to write, when no model wrote it: the item is in the `brief` state until the
    /// caller's `submit_draft`, and keeps its brief afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brief: Option<brief::WritingBrief>,
    /// Who wrote it: `offline` (a brief, nothing written yet), `client` (the caller, through
    /// `submit_draft`), or the engine and model that wrote it.
    pub engine: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
    /// Increases with every edit and transition.
    pub revision: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// The section headings (`## …`) of a Markdown body, in order.
pub fn outline(body: &str) -> Vec<String> {
    body.lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::to_owned)
        .collect()
}

/// The language a brand's pieces are written and checked in: its pages' primary language.
pub fn language(brand: Option<&crate::brand::BrandProfile>) -> &str {
    brand
        .and_then(|b| b.languages.primary.as_deref())
        .unwrap_or("en")
}

/// Markdown as the plain text a social network shows: paragraphs and lines kept, markup dropped,
/// a link's address after its text when they differ.
pub fn plain_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = String::new();
    let mut links: Vec<String> = Vec::new();
    let mut link_text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push(dest_url.to_string());
                link_text.clear();
            }
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop()
                    && link_text.trim() != url
                {
                    out.push_str(&format!(" {url}"));
                }
            }
            Event::Start(Tag::Item) => out.push_str("• "),
            Event::Text(text) | Event::Code(text) => {
                if !links.is_empty() {
                    link_text.push_str(&text);
                }
                out.push_str(&text);
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Item) => out.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::List(_)) => {
                out.push_str("\n\n")
            }
            _ => {}
        }
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let mut text = lines.join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text.trim().to_owned()
}

/// A URL slug of a title: lower-case ASCII words joined by hyphens, at most 80 characters.
pub fn slug(title: &str) -> String {
    let mut slug = String::new();
    for word in title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word: String = word.chars().filter(char::is_ascii_alphanumeric).collect();
        if word.is_empty() || slug.len() + word.len() + 1 > 80 {
            continue;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word);
    }
    if slug.is_empty() {
        "untitled".into()
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain() {
        assert_eq!(
            slug("Waterproof Boots: a 2026 Guide!"),
            "waterproof-boots-a-2026-guide"
        );
        assert_eq!(slug("Über café"), "ber-caf");
        assert_eq!(slug("!!!"), "untitled");
    }

    #[test]
    fn markdown_becomes_the_text_a_network_shows() {
        let markdown = "# Free resoling\n\nEvery boot, **for life**.\nSee [the details](https://shop.example.com/r) or https://shop.example.com.\n\n- one\n- two\n";
        assert_eq!(
            plain_text(markdown),
            "Free resoling\n\nEvery boot, for life.\nSee the details https://shop.example.com/r or https://shop.example.com.\n\n• one\n• two"
        );
    }
}
