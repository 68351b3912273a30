//! `check_ai_visibility`: asks the configured answer engines the brand's queries and measures
//! how often, how early and with which citations they name it.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::registry::{Capability, Tool, ToolContext};
use crate::visibility::{Answered, ClientModel, Request, Run};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// The brand's name as people write it (default: the brand profile's name).
    #[schemars(length(min = 1, max = 100))]
    pub brand: Option<String>,
    /// Other names that count as the brand (a product name, a short form).
    #[schemars(length(max = 10), inner(length(min = 1, max = 100)))]
    pub aliases: Option<Vec<String>>,
    /// The brand's domain, for citations (default: the brand profile's site).
    #[schemars(length(min = 3, max = 253))]
    pub domain: Option<String>,
    /// Competitors to compare with, by name.
    #[schemars(length(max = 10), inner(length(min = 1, max = 100)))]
    pub competitors: Option<Vec<String>>,
    /// What to ask (default: up to 20 built from the profile's key phrases and audience).
    #[schemars(length(max = 20), inner(length(min = 3, max = 300)))]
    pub queries: Option<Vec<String>>,
    /// Answer engines by the names the operator gave them (default: every one that can be
    /// asked from here).
    #[schemars(length(max = 10), inner(length(min = 1, max = 32)))]
    pub engines: Option<Vec<String>>,
    /// Times each query is put to each engine, 1 to 5 (default 1): answers vary.
    #[schemars(range(min = 1, max = 5))]
    pub repeats: Option<u32>,
}

pub struct CheckAiVisibility;

impl Tool for CheckAiVisibility {
    type Input = Input;
    type Output = Run;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Run, Error> {
        let customer = &ctx.principal.customer.id;
        let client = if ctx.client_supports(Capability::Sampling) {
            ClientModel::Available
        } else {
            ClientModel::Missing
        };
        let request = Request {
            brand: input.brand,
            aliases: input.aliases.unwrap_or_default(),
            domain: input.domain,
            competitors: input.competitors.unwrap_or_default(),
            queries: input.queries.unwrap_or_default(),
            engines: input.engines.unwrap_or_default(),
            repeats: input.repeats,
        };
        let visibility = &ctx.visibility;
        let plan = visibility.plan(customer, request, client).await?;
        // The client's model first: on the 2026-07-28 generation the call stops here for the
        // replies and runs again, and nothing has been asked of the other engines yet.
        let prompts = plan.sampling_prompts(&visibility.engines);
        let sampled: Vec<Answered> = if prompts.is_empty() {
            Vec::new()
        } else {
            crate::llm::sampling::complete_all(ctx, "visibility", &prompts, 1024)
                .await?
                .into_iter()
                .map(|completed| Answered {
                    text: completed.text,
                    citations: Vec::new(),
                    usage: completed.usage,
                    model: completed.engine,
                })
                .collect()
        };
        visibility
            .measure(customer, plan, sampled.into_iter(), ctx, &ctx.cancel)
            .await
    }

    fn render(&self, run: &Run) -> String {
        run.summary.render()
    }
}
