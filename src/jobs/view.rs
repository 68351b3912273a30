//! A job as its owner sees it, in the job tools' answers.

use schemars::JsonSchema;
use serde::Serialize;

use crate::clock::rfc3339;
use crate::store::JobRecord;

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

impl Job {
    /// One job as a line, as the job tools answer.
    pub fn render(&self) -> String {
        let job = self;
        let mut line = format!(
            "#{} {} {} (attempt {}/{}, next {})",
            job.id, job.kind, job.state, job.attempts, job.max_attempts, job.run_at
        );
        if let Some(error) = &job.last_error {
            line.push_str(&format!(": {error}"));
        }
        line
    }
}
