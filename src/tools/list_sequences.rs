//! `list_sequences`: the customer's sequences, with how many leads are in each state.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::sequences::Sequence;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub sequences: Vec<Sequence>,
}

pub struct ListSequences;

impl Tool for ListSequences {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Output, Error> {
        let sequences = ctx
            .store
            .sequences(&ctx.principal.customer.id)
            .await?
            .iter()
            .map(|(record, counts)| Sequence::of(record, Some(*counts)))
            .collect::<Result<_, _>>()?;
        Ok(Output { sequences })
    }

    fn render(&self, output: &Output) -> String {
        if output.sequences.is_empty() {
            return "No sequences yet (create_sequence).".into();
        }
        output
            .sequences
            .iter()
            .map(Sequence::render)
            .collect::<Vec<_>>()
            .join("\n")
    }
}
