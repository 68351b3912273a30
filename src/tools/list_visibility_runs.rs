//! `list_visibility_runs`: the caller's AI visibility runs, newest first, without the answers.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::visibility::{RunSummary, summary_of};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// How many, 1 to 50 (default 10).
    #[schemars(range(min = 1, max = 50))]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub runs: Vec<RunSummary>,
}

pub struct ListVisibilityRuns;

impl Tool for ListVisibilityRuns {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let records = ctx
            .store
            .visibility_runs(&ctx.principal.customer.id, None, input.limit.unwrap_or(10))
            .await?;
        Ok(Output {
            runs: records.iter().map(summary_of).collect::<Result<_, _>>()?,
        })
    }

    fn render(&self, output: &Output) -> String {
        if output.runs.is_empty() {
            return "No visibility runs yet: check_ai_visibility measures one.".into();
        }
        output
            .runs
            .iter()
            .map(RunSummary::render)
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}
