//! `get_onboarding`: where onboarding stands, step by step.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::onboarding::{self, Onboarding};
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

pub struct GetOnboarding;

impl Tool for GetOnboarding {
    type Input = Input;
    type Output = Onboarding;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Onboarding, Error> {
        let customer = &ctx.principal.customer.id;
        let record = ctx.store.onboarding(customer).await?;
        let connected = onboarding::connected(&ctx.store, customer).await?;
        Ok(onboarding::view(record.as_ref(), &connected))
    }

    fn render(&self, output: &Onboarding) -> String {
        onboarding::render(output)
    }
}
