//! The job queue's rows. Claiming is one atomic statement that also takes back jobs whose
//! worker's lease ran out; finishing a job checks the lease owner, so a worker that lost its
//! lease cannot overwrite what the new owner did.

use async_trait::async_trait;

use super::{Millis, StoreResult};

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: i64,
    pub customer_id: Option<String>,
    pub kind: String,
    pub payload: String,
    pub state: String,
    pub run_at: Millis,
    pub attempts: u32,
    pub max_attempts: u32,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
    pub idempotency_key: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub customer_id: Option<String>,
    pub kind: String,
    pub payload: String,
    pub run_at: Millis,
    pub max_attempts: u32,
    /// Enqueueing the same (kind, key) twice yields the first job.
    pub idempotency_key: Option<String>,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Enqueues a job, or answers the existing one with the same idempotency key.
    async fn enqueue(&self, job: NewJob, now: Millis) -> StoreResult<JobRecord>;

    /// Takes the next due job (or one whose lease ran out) for `owner` until `now + lease`.
    async fn claim_job(
        &self,
        kinds: Vec<String>,
        owner: &str,
        now: Millis,
        lease: Millis,
    ) -> StoreResult<Option<JobRecord>>;

    /// Marks a job done; `false` when `owner` no longer holds it.
    async fn complete_job(&self, id: i64, owner: &str, now: Millis) -> StoreResult<bool>;

    /// Records a failed attempt: retried at `retry_at`, or dead when `dead` or once the attempts
    /// are spent.
    async fn fail_job(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        retry_at: Millis,
        dead: bool,
        now: Millis,
    ) -> StoreResult<bool>;

    /// Queues a failed or dead job again, with a fresh set of attempts.
    async fn retry_job(&self, customer: &str, id: i64, now: Millis) -> StoreResult<JobRecord>;

    async fn job(&self, id: i64) -> StoreResult<Option<JobRecord>>;

    /// A customer's jobs, most recently changed first.
    async fn jobs(
        &self,
        customer: &str,
        state: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<JobRecord>>;

    /// Deletes finished records older than their retention: jobs that succeeded before
    /// `jobs_before`, and webhook deliveries settled (delivered or given up) before
    /// `deliveries_before`. Failed and dead jobs are kept for people to see. Answers the rows
    /// deleted.
    async fn prune(&self, jobs_before: Millis, deliveries_before: Millis) -> StoreResult<usize>;
}
