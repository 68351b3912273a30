//! `list_jobs`: the caller's background jobs (publishing, deliveries, briefings), dead ones
//! included, so failures are visible and can be retried.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::JobRecord;

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
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: u32,
    pub max_attempts: u32,
    /// When it runs (next).
    pub run_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<JobRecord> for Job {
    fn from(record: JobRecord) -> Self {
        Job {
            id: record.id,
            kind: record.kind,
            state: record.state,
            attempts: record.attempts,
            max_attempts: record.max_attempts,
            run_at: rfc3339(record.run_at),
            last_error: record.last_error,
            created_at: rfc3339(record.created_at),
            updated_at: rfc3339(record.updated_at),
        }
    }
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
            .map(render)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One job as a line, shared with retry_job.
pub(crate) fn render(job: &Job) -> String {
    let mut line = format!(
        "#{} {} {} (attempt {}/{}, next {})",
        job.id, job.kind, job.state, job.attempts, job.max_attempts, job.run_at
    );
    if let Some(error) = &job.last_error {
        line.push_str(&format!(": {error}"));
    }
    line
}
