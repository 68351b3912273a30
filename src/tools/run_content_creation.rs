//! `run_content_creation`: a draft in the brand's voice, checked before it is returned.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::changes::Record;
use crate::content::lifecycle;
use crate::content::writer::Brief;
use crate::content::{ContentItem, Format};
use crate::error::Error;
use crate::llm::{self, EngineChoice};
use crate::registry::{Tool, ToolContext};

/// The formats this tool writes (lead magnets have their own tool).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Blog,
    Social,
    Email,
    Landing,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// What the piece is about.
    #[schemars(length(min = 2, max = 300))]
    pub topic: String,
    pub format: Kind,
    /// Keywords to target; the first is the main one. Derived from the topic when left out.
    #[schemars(length(max = 10))]
    pub keywords: Option<Vec<String>>,
    /// Target length in words (default by format: blog 900, social 45, email 180, landing 350).
    #[schemars(range(min = 20, max = 5000))]
    pub length: Option<u32>,
    /// Who writes: `auto` (the client's model, else the server's, else offline), `sampling`,
    /// `server` or `offline`.
    #[serde(default)]
    pub engine: EngineChoice,
}

pub struct RunContentCreation;

impl Tool for RunContentCreation {
    type Input = Input;
    type Output = ContentItem;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<ContentItem, Error> {
        let format = match input.format {
            Kind::Blog => Format::Blog,
            Kind::Social => Format::Social,
            Kind::Email => Format::Email,
            Kind::Landing => Format::Landing,
        };
        let brief = Brief {
            format,
            lead_magnet: None,
            topic: input.topic.trim().to_owned(),
            keywords: clean(input.keywords.unwrap_or_default()),
            words: input.length.unwrap_or_else(|| format.default_words()),
        };
        create(ctx, &brief, input.engine).await
    }

    fn render(&self, item: &ContentItem) -> String {
        render(item)
    }
}

/// Trimmed, non-empty keywords.
pub(crate) fn clean(keywords: Vec<String>) -> Vec<String> {
    keywords
        .into_iter()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect()
}

/// Drafts `brief` for the caller with the engine it chose; shared with `generate_lead_magnet`.
pub(crate) async fn create(
    ctx: &ToolContext,
    brief: &Brief,
    choice: EngineChoice,
) -> Result<ContentItem, Error> {
    let customer = &ctx.principal.customer.id;
    let brand = crate::brand::latest(&ctx.store, customer).await?;
    let engine = llm::choose(choice, ctx, "draft").await?;
    let item = lifecycle::draft(
        &ctx.store,
        customer,
        engine.as_deref(),
        brief,
        brand.as_ref(),
        ctx.clock.now_millis(),
    )
    .await?;
    ctx.record_changed(Record::Content(item.id.clone()));
    Ok(item)
}

/// The readable form of an item, shared by every content tool.
pub(crate) fn render(item: &ContentItem) -> String {
    let seo = item
        .seo
        .as_ref()
        .map(|s| {
            let failed: Vec<&str> = s
                .findings
                .iter()
                .filter(|f| !f.passed)
                .map(|f| f.title.as_str())
                .collect();
            format!(
                "\nOn-page checks: {}/100{}",
                s.score,
                if failed.is_empty() {
                    String::new()
                } else {
                    format!("; to fix: {}", failed.join("; "))
                }
            )
        })
        .unwrap_or_default();
    format!(
        "{} {} ({}, {}, revision {}, engine {})\nTitle: {}\nMeta description: {}\nKeywords: {}\nReadability: {} ({}){seo}\n\n{}",
        item.id,
        item.state.as_str(),
        item.format.as_str(),
        item.slug,
        item.revision,
        item.engine,
        item.title,
        item.meta_description,
        item.keywords.join(", "),
        item.readability.reading_ease,
        item.readability.reading_level,
        item.body
    )
}
