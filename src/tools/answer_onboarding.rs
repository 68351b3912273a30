//! `answer_onboarding`: the brand interview's answers, which ground writing, visibility and
//! lead scoring.

use crate::error::Error;
use crate::onboarding::{self, Answers, Onboarding};
use crate::registry::{Tool, ToolContext};

pub struct AnswerOnboarding;

impl Tool for AnswerOnboarding {
    type Input = Answers;
    type Output = Onboarding;

    async fn call(&self, ctx: &ToolContext, answers: Answers) -> Result<Onboarding, Error> {
        let customer = &ctx.principal.customer.id;
        let record = onboarding::answer(&ctx.store, ctx.clock.as_ref(), customer, answers).await?;
        let connected = onboarding::connected(&ctx.store, customer).await?;
        Ok(onboarding::view(Some(&record), &connected))
    }

    fn render(&self, output: &Onboarding) -> String {
        onboarding::render(output)
    }
}
