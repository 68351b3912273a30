//! `delete_webhook`: removes a subscription and its delivery log.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^wh_[0-9a-f]{16}$"))]
    pub hook_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub hook_id: String,
    pub deleted: bool,
}

pub struct DeleteWebhook;

impl Tool for DeleteWebhook {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        ctx.store
            .delete_webhook(&ctx.principal.customer.id, &input.hook_id)
            .await?;
        Ok(Output {
            hook_id: input.hook_id,
            deleted: true,
        })
    }

    fn render(&self, output: &Output) -> String {
        format!("Deleted webhook {}.", output.hook_id)
    }
}
