//! `list_keys`: the team's keys, as the owner manages them from `/team`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::account::TeamKey;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub keys: Vec<TeamKey>,
}

pub struct ListKeys;

impl Tool for ListKeys {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Output, Error> {
        let records = ctx.store.keys(&ctx.principal.customer.id).await?;
        Ok(Output {
            keys: records.iter().map(TeamKey::new).collect(),
        })
    }

    fn render(&self, output: &Output) -> String {
        output
            .keys
            .iter()
            .map(|k| {
                let state = match &k.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "live".to_owned(),
                };
                format!("{} {} {} ({}) — {state}", k.id, k.prefix, k.role, k.label)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
