//! `retry_job`: queues a failed or dead job again with a fresh set of attempts.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::jobs::Job;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(range(min = 1))]
    pub job_id: i64,
}

pub struct RetryJob;

impl Tool for RetryJob {
    type Input = Input;
    type Output = Job;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Job, Error> {
        let record = ctx
            .store
            .retry_job(
                &ctx.principal.customer.id,
                input.job_id,
                ctx.clock.now_millis(),
            )
            .await?;
        ctx.jobs.wake();
        Ok(record.into())
    }

    fn render(&self, job: &Job) -> String {
        job.render()
    }
}
