//! `run_research`: the daily marketing briefing, now.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::llm::{self, EngineChoice};
use crate::registry::{Tool, ToolContext};
use crate::research::{Briefing, Research, Trigger};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Who writes the summary: `auto` (the client's model when it offers sampling, else the
    /// server's, else offline), `sampling`, `server` or `offline`.
    #[serde(default)]
    pub engine: EngineChoice,
}

pub struct RunResearch;

impl Tool for RunResearch {
    type Input = Input;
    type Output = Briefing;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Briefing, Error> {
        let engine = llm::choose(input.engine, ctx, "briefing").await?;
        let research = Research {
            store: ctx.store.clone(),
            fetcher: ctx.fetcher.clone(),
            clock: ctx.clock.clone(),
            google: ctx.google.clone(),
            vault: ctx.vault.clone(),
        };
        research
            .run(&ctx.principal.customer.id, Trigger::Tool, engine.as_deref())
            .await
    }

    fn render(&self, briefing: &Briefing) -> String {
        briefing.render()
    }
}
