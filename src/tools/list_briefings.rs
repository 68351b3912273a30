//! `list_briefings`: the caller's briefings, newest first.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::research::Briefing;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// How many, 1 to 30 (default 7).
    #[schemars(range(min = 1, max = 30))]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub briefings: Vec<Briefing>,
}

pub struct ListBriefings;

impl Tool for ListBriefings {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let records = ctx
            .store
            .briefings(&ctx.principal.customer.id, input.limit.unwrap_or(7))
            .await?;
        let briefings = records
            .iter()
            .map(|r| {
                serde_json::from_str(&r.briefing)
                    .map_err(|e| Error::Internal(format!("briefing {} is unreadable: {e}", r.id)))
            })
            .collect::<Result<_, _>>()?;
        Ok(Output { briefings })
    }

    fn render(&self, output: &Output) -> String {
        if output.briefings.is_empty() {
            return "No briefings yet: run_research writes one.".into();
        }
        output
            .briefings
            .iter()
            .map(Briefing::render)
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}
