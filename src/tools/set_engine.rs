//! `set_engine`: the customer's default writing engine.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::account::Account;
use crate::error::Error;
use crate::llm::EngineChoice;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// `auto` (the client's model when it offers sampling, else the server's, else offline),
    /// `sampling`, `server` or `offline`.
    pub engine: EngineChoice,
}

pub struct SetEngine;

impl Tool for SetEngine {
    type Input = Input;
    type Output = Account;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Account, Error> {
        let id = &ctx.principal.customer.id;
        ctx.store.set_engine(id, input.engine.as_str()).await?;
        let customer = ctx
            .store
            .customer(id)
            .await?
            .ok_or_else(|| Error::NotFound("The customer no longer exists".into()))?;
        Ok(Account::new(&customer, &ctx.public_url))
    }

    fn render(&self, account: &Account) -> String {
        format!(
            "Default writing engine for {}: {}.",
            account.id, account.engine
        )
    }
}
