//! `revoke_key`: ends one teammate's access without touching anyone else's.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::NewEvent;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^key_[0-9a-f]{16}$"))]
    pub key_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub key_id: String,
    pub revoked: bool,
}

pub struct RevokeKey;

impl Tool for RevokeKey {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let at = ctx.clock.now_millis();
        let event = NewEvent::new(
            customer.clone(),
            "team.revoked",
            &json!({"keyId": input.key_id}),
            at,
        );
        ctx.store
            .revoke_key(customer, &input.key_id, at, Some(event))
            .await?;
        Ok(Output {
            key_id: input.key_id,
            revoked: true,
        })
    }

    fn render(&self, output: &Output) -> String {
        format!("Revoked key {}.", output.key_id)
    }
}
