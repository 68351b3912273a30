//! `get_usage`: the customer's language-model token usage, per day and engine.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

/// One day's use of one engine.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    /// UTC date, `YYYY-MM-DD`.
    pub day: String,
    pub engine: String,
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    /// Newest day first.
    pub days: Vec<Day>,
    pub totals: Totals,
}

pub struct GetUsage;

impl Tool for GetUsage {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Output, Error> {
        let records = ctx.store.usage(&ctx.principal.customer.id).await?;
        let mut totals = Totals::default();
        let days = records
            .into_iter()
            .map(|r| {
                totals.calls += r.calls;
                totals.input_tokens += r.input_tokens;
                totals.output_tokens += r.output_tokens;
                Day {
                    day: r.day,
                    engine: r.engine,
                    calls: r.calls,
                    input_tokens: r.input_tokens,
                    output_tokens: r.output_tokens,
                }
            })
            .collect();
        Ok(Output { days, totals })
    }

    fn render(&self, output: &Output) -> String {
        let mut text = format!(
            "{} model calls, {} input and {} output tokens in all (client-side sampling is not counted: the client's model reports no tokens).",
            output.totals.calls, output.totals.input_tokens, output.totals.output_tokens
        );
        for d in &output.days {
            text.push_str(&format!(
                "\n{} {}: {} calls, {} in, {} out",
                d.day, d.engine, d.calls, d.input_tokens, d.output_tokens
            ));
        }
        text
    }
}
