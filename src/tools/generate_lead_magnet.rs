//! `generate_lead_magnet`: a checklist, guide, template or quiz with its landing copy.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    /// One of the caller's analytics sites: the answer then carries the landing page's capture
    /// form, posting to `/api/capture/{siteId}`.
    #[serde(rename = "siteId")]
    #[schemars(regex(pattern = r"^site_[0-9a-f]{16}$"))]
    pub site_id: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    #[serde(flatten)]
    pub item: ContentItem,
    /// With `siteId`: the form to paste on the landing page (HTML, values escaped), with the
    /// honeypot field; captured leads have source `capture`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_form: Option<String>,
}

pub struct GenerateLeadMagnet;

impl Tool for GenerateLeadMagnet {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        if let Some(site) = &input.site_id {
            ctx.store
                .site(customer, site)
                .await?
                .ok_or_else(|| Error::NotFound(format!("No site {site}")))?;
        }
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
        let item =
            actions::draft(ctx, &brief, input.engine, site.brand.as_ref(), &grounding).await?;
        let capture_form = input.site_id.map(|site| {
            let button = item
                .landing_copy
                .as_ref()
                .map_or("Send it to me", |copy| copy.call_to_action.as_str());
            crate::pages::capture_form::html(&ctx.public_url, &site, &item.title, button)
        });
        Ok(Output { item, capture_form })
    }

    fn render(&self, output: &Output) -> String {
        let mut text = output.item.render();
        if let Some(form) = &output.capture_form {
            text.push_str(
                "

Capture form for the landing page:
",
            );
            text.push_str(form);
        }
        text
    }
}
