//! `run_content_creation`: a draft in the brand's voice, checked before it is returned; or, with
//! no model to write it, the writing brief the caller writes from.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::content::actions;
use crate::content::brief::PlatformLimit;
use crate::content::writer::{Brief, clean_keywords};
use crate::content::{ContentItem, Format};
use crate::error::Error;
use crate::knowledge::Knowledge;
use crate::llm::EngineChoice;
use crate::registry::{Tool, ToolContext};
use crate::social::{Platform, length};

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
    /// For a social post: the networks it is for, whose limits the brief and checks apply.
    /// Default: the customer's connected networks, else all four.
    #[schemars(length(min = 1, max = 5))]
    pub platforms: Option<Vec<Platform>>,
    /// Target length in words (default by format: blog 900, social 45, email 180, landing 350).
    #[schemars(range(min = 20, max = 5000))]
    pub length: Option<u32>,
    /// Who writes: `auto` (the client's model, else the server's, else a writing brief for
    /// you), `sampling`, `server` or `offline` (the brief).
    #[serde(default)]
    pub engine: EngineChoice,
}

/// The networks a post without named platforms is for: those the customer connected, else all
/// four, so the brief never narrows to a network nobody chose.
async fn connected(ctx: &ToolContext) -> Result<Vec<Platform>, Error> {
    let channels = ctx.store.channels(&ctx.principal.customer.id).await?;
    let mut platforms: Vec<Platform> = channels
        .iter()
        .filter_map(|c| Platform::parse(&c.platform))
        .filter(|p| *p != Platform::Webhook)
        .collect();
    if platforms.is_empty() {
        platforms = Platform::NETWORKS.to_vec();
    }
    Ok(platforms)
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
        let platform_limits = match format {
            Format::Social => {
                let mut platforms = match input.platforms {
                    Some(platforms) => platforms,
                    None => connected(ctx).await?,
                };
                platforms.sort_unstable();
                platforms.dedup();
                platforms
                    .into_iter()
                    .map(|platform| {
                        let (max, unit) = length::limit(platform);
                        PlatformLimit {
                            platform: platform.as_str().to_owned(),
                            max: max as u32,
                            unit: unit.to_owned(),
                        }
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        let brief = Brief {
            format,
            lead_magnet: None,
            topic: input.topic.trim().to_owned(),
            keywords: clean_keywords(input.keywords.unwrap_or_default()),
            words: input.length.unwrap_or_else(|| format.default_words()),
            platform_limits,
        };
        let site = Knowledge::load_site(&ctx.store, &ctx.principal.customer.id).await?;
        let grounding = site.grounding();
        actions::draft(ctx, &brief, input.engine, site.brand.as_ref(), &grounding).await
    }

    fn render(&self, item: &ContentItem) -> String {
        item.render()
    }
}
