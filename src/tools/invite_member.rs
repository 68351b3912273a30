//! `invite_member`: gives a teammate their own key, announced by `team.invited`.
//!
//! A self-hosted heycmo sends no email: the key is answered once, for the owner to pass on with
//! the MCP endpoint; a webhook on `team.invited` can deliver the invitation however the team
//! likes. Each person having their own key means each can be revoked alone.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::account::sse_endpoint;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::{KeyScope, NewEvent};

/// What the teammate may do.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Everything but keys, webhooks, channels and schedules.
    #[default]
    Member,
    /// Read only.
    ReadOnly,
    /// Everything.
    Owner,
}

impl Role {
    fn scope(self) -> KeyScope {
        match self {
            Role::Member => KeyScope::Member,
            Role::ReadOnly => KeyScope::ReadOnly,
            Role::Owner => KeyScope::Owner,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The teammate's email, kept as the key's label.
    #[schemars(email, length(max = 254))]
    pub email: String,
    #[serde(default)]
    pub role: Role,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub key_id: String,
    pub email: String,
    pub role: Role,
    /// The teammate's API key, shown once.
    pub api_key: String,
    /// The legacy SSE endpoint with the key, ready for an MCP client.
    pub mcp_endpoint: String,
}

pub struct InviteMember;

impl Tool for InviteMember {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let email = input.email.trim().to_owned();
        let customer = &ctx.principal.customer.id;
        let key = crate::auth::mint_key(input.role.scope(), &email, ctx.clock.as_ref());
        let key_id = key.record.id.clone();
        let event = NewEvent::new(
            customer.clone(),
            "team.invited",
            &json!({"email": email, "role": input.role, "keyId": key_id}),
            ctx.clock.now_millis(),
        );
        ctx.store.add_key(customer, key.record, Some(event)).await?;
        Ok(Output {
            mcp_endpoint: sse_endpoint(&ctx.public_url, Some(&key.secret)),
            key_id,
            email,
            role: input.role,
            api_key: key.secret,
        })
    }

    fn render(&self, output: &Output) -> String {
        format!(
            "Invited {} (key {}). Their API key, shown once: {}\nMCP endpoint: {}",
            output.email, output.key_id, output.api_key, output.mcp_endpoint
        )
    }
}
