//! `list_webhooks`: the caller's subscriptions, without their secrets.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::webhooks::Webhook;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub webhooks: Vec<Webhook>,
}

pub struct ListWebhooks;

impl Tool for ListWebhooks {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Output, Error> {
        let records = ctx.store.webhooks(&ctx.principal.customer.id).await?;
        Ok(Output {
            webhooks: records
                .into_iter()
                .map(|r| Webhook::from_record(r, None))
                .collect(),
        })
    }

    fn render(&self, output: &Output) -> String {
        if output.webhooks.is_empty() {
            return "No webhooks: create_webhook subscribes one.".into();
        }
        output
            .webhooks
            .iter()
            .map(Webhook::text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}
