//! `list_jobs`: the caller's background jobs (publishing, deliveries, briefings), dead ones
//! included, so failures are visible and can be retried.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::jobs::Job;
use crate::registry::{Tool, ToolContext};

/// Where a job stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Succeeded,
    /// An attempt failed; it runs again at `runAt`.
    Failed,
    /// Every attempt failed; retry_job queues it again.
    Dead,
}

impl JobState {
    fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Dead => "dead",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub state: Option<JobState>,
    /// How many, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub jobs: Vec<Job>,
}

pub struct ListJobs;

impl Tool for ListJobs {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let records = ctx
            .store
            .jobs(
                &ctx.principal.customer.id,
                input.state.map(JobState::as_str),
                input.limit.unwrap_or(50),
            )
            .await?;
        Ok(Output {
            jobs: records.into_iter().map(Job::from).collect(),
        })
    }

    fn render(&self, output: &Output) -> String {
        if output.jobs.is_empty() {
            return "No jobs.".into();
        }
        output
            .jobs
            .iter()
            .map(Job::render)
            .collect::<Vec<_>>()
            .join("\n")
    }
}
