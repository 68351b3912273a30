//! `generate_lead_magnet`: a checklist, guide, template or quiz with its landing copy.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::content::actions;
use crate::content::writer::{Brief, clean_keywords};
use crate::content::{ContentItem, Format, LeadMagnetKind};
use crate::error::Error;
use crate::knowledge::Knowledge;
use crate::llm::EngineChoice;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[schemars(length(min = 2, max = 300))]
    pub topic: String,
    pub kind: LeadMagnetKind,
    #[schemars(length(max = 10))]
    pub keywords: Option<Vec<String>>,
    /// Who writes: `auto` (the client's model, else the server's, else a writing brief for
    /// you), `sampling`, `server` or `offline` (the brief).
    #[serde(default)]
    pub engine: EngineChoice,
}

pub struct GenerateLeadMagnet;

impl Tool for GenerateLeadMagnet {
    type Input = Input;
    type Output = ContentItem;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<ContentItem, Error> {
        let brief = Brief {
            format: Format::LeadMagnet,
            lead_magnet: Some(input.kind),
            topic: input.topic.trim().to_owned(),
            keywords: clean_keywords(input.keywords.unwrap_or_default()),
            words: Format::LeadMagnet.default_words(),
            platform_limits: Vec::new(),
        };
        let site = Knowledge::load_site(&ctx.store, &ctx.principal.customer.id).await?;
        let grounding = site.grounding();
        actions::draft(ctx, &brief, input.engine, site.brand.as_ref(), &grounding).await
    }

    fn render(&self, item: &ContentItem) -> String {
        item.render()
    }
}
