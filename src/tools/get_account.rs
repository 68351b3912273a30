//! `get_account`: the caller's own customer record.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::account::Account;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

/// No arguments: the account is always the caller's own.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

pub struct GetAccount;

impl Tool for GetAccount {
    type Input = Input;
    type Output = Account;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Account, Error> {
        // Re-read rather than trusting the copy taken at authentication: the brand name and
        // status change while a long MCP session stays open.
        let customer = ctx
            .store
            .customer(&ctx.principal.customer.id)
            .await?
            .ok_or_else(|| Error::NotFound("The customer no longer exists".into()))?;
        Ok(Account::new(&customer, &ctx.public_url))
    }

    fn render(&self, account: &Account) -> String {
        format!(
            "Customer {} <{}>: plan {}, status {}, brand {}, created {}.\nMCP endpoint: {}",
            account.id,
            account.email,
            account.plan,
            account.status,
            account
                .brand_name
                .as_deref()
                .unwrap_or("(not onboarded yet)"),
            account.created_at,
            account.mcp_endpoint
        )
    }
}
