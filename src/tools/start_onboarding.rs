//! `start_onboarding`: the durable onboarding workflow, begun (or begun again).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::onboarding::{self, Onboarding};
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The brand's website; without it, the site of the latest brand profile, if any.
    #[schemars(length(min = 1, max = 2048))]
    pub url: Option<String>,
}

pub struct StartOnboarding;

impl Tool for StartOnboarding {
    type Input = Input;
    type Output = Onboarding;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Onboarding, Error> {
        let customer = &ctx.principal.customer.id;
        let record = onboarding::start(
            &ctx.store,
            &ctx.fetcher,
            ctx.clock.as_ref(),
            customer,
            input.url.as_deref(),
        )
        .await?;
        ctx.jobs.wake();
        let connected = onboarding::connected(&ctx.store, customer).await?;
        Ok(onboarding::view(Some(&record), &connected))
    }

    fn render(&self, output: &Onboarding) -> String {
        onboarding::render(output)
    }
}
