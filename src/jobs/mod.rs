//! The durable job engine: jobs are rows in the store, claimed by tokio workers under a lease.
//!
//! A worker that dies mid-job (a crash, a SIGKILL) simply stops renewing nothing: its lease runs
//! out and another worker takes the job again, so work is done at least once and never lost.
//! Failed attempts wait an exponentially growing, jittered delay; a job whose attempts are
//! spent is `dead`, visible in `list_jobs` and queued again by `retry_job`.

pub mod cron;
pub mod retention;
mod schedule;
mod view;

pub use schedule::Schedule;
pub use view::Job;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use rand::Rng;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::clock::Clock;
use crate::store::{JobRecord, Millis, NewJob, Store, StoreError};

/// Runs jobs of one kind. An `Err` is a failed attempt; the [`Failure`] says when to try again.
pub trait Handler: Send + Sync {
    fn run<'a>(&'a self, job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>>;
}

/// A failed attempt: what went wrong and when the job should run again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub retry: Retry,
}

/// When a failed job runs again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// After the engine's jittered exponential backoff.
    Backoff,
    /// Not before this time (a peer's `Retry-After` or rate-limit reset), as Unix milliseconds.
    NotBefore(Millis),
    /// Never: the job is dead at once (the peer refused it for good; retrying cannot help).
    Never,
}

impl Failure {
    pub fn permanent(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            retry: Retry::Never,
        }
    }
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure {
            message,
            retry: Retry::Backoff,
        }
    }
}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct JobConfig {
    pub workers: usize,
    /// How long a claimed job belongs to its worker before others may take it.
    pub lease: Duration,
    /// How often idle workers look for due jobs (enqueueing wakes them sooner).
    pub poll: Duration,
    /// The first retry delay, doubled per attempt.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            workers: 2,
            lease: Duration::from_secs(300),
            poll: Duration::from_millis(500),
            backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(3600),
        }
    }
}

/// The engine: enqueue here; workers run until shutdown.
#[derive(Clone)]
pub struct Jobs {
    store: Store,
    clock: Arc<dyn Clock>,
    config: JobConfig,
    handlers: Arc<HashMap<String, Arc<dyn Handler>>>,
    wake: Arc<Notify>,
}

impl Jobs {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: JobConfig,
        handlers: HashMap<String, Arc<dyn Handler>>,
    ) -> Jobs {
        Jobs {
            store,
            clock,
            config,
            handlers: Arc::new(handlers),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Enqueues a job and wakes a worker.
    pub async fn enqueue(&self, job: NewJob) -> Result<JobRecord, StoreError> {
        let record = self.store.enqueue(job, self.clock.now_millis()).await?;
        self.wake();
        Ok(record)
    }

    /// Wakes a worker for jobs enqueued directly in the store (with the record that asked for
    /// them, in one transaction).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The delay before attempt `attempts + 1`: backoff × 2^(attempts − 1), ±20 %, capped.
    pub fn retry_delay(&self, attempts: u32) -> Duration {
        let base = self
            .config
            .backoff
            .saturating_mul(1u32 << attempts.saturating_sub(1).min(16));
        base.mul_f64(rand::rng().random_range(0.8..1.2))
            .min(self.config.max_backoff)
    }

    /// Starts the workers; they stop claiming when `shutdown` is cancelled and the returned set
    /// finishes once their current jobs are done.
    pub fn start(&self, shutdown: CancellationToken) -> JoinSet<()> {
        let mut workers = JoinSet::new();
        for n in 0..self.config.workers.max(1) {
            let jobs = self.clone();
            let shutdown = shutdown.clone();
            workers.spawn(async move { jobs.work(n, shutdown).await });
        }
        workers
    }

    async fn work(&self, n: usize, shutdown: CancellationToken) {
        let owner = format!("worker-{n}-{}", crate::auth::random_hex(6));
        let kinds: Vec<String> = self.handlers.keys().cloned().collect();
        while !shutdown.is_cancelled() {
            let now = self.clock.now_millis();
            let claimed = self
                .store
                .claim_job(
                    kinds.clone(),
                    &owner,
                    now,
                    self.config.lease.as_millis() as Millis,
                )
                .await;
            let job = match claimed {
                Ok(Some(job)) => job,
                Ok(None) => {
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = self.wake.notified() => {}
                        _ = tokio::time::sleep(self.config.poll) => {}
                    }
                    continue;
                }
                Err(error) => {
                    tracing::error!(%error, "claiming a job failed");
                    tokio::time::sleep(self.config.poll).await;
                    continue;
                }
            };
            self.run(&owner, job).await;
        }
    }

    async fn run(&self, owner: &str, job: JobRecord) {
        let Some(handler) = self.handlers.get(&job.kind) else {
            return;
        };
        let span =
            tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        // A job may not outlive its lease: past it, another worker may already be running it.
        let outcome =
            match tokio::time::timeout(self.config.lease, handler.run(&job).instrument(span)).await
            {
                Ok(result) => result,
                Err(_) => Err(Failure::from(format!(
                    "did not finish within the {} s lease",
                    self.config.lease.as_secs()
                ))),
            };
        let now = self.clock.now_millis();
        let recorded = match &outcome {
            Ok(()) => self.store.complete_job(job.id, owner, now).await,
            Err(failure) => {
                let backoff = now + self.retry_delay(job.attempts).as_millis() as Millis;
                let (retry_at, dead) = match failure.retry {
                    Retry::Backoff => (backoff, false),
                    Retry::NotBefore(at) => (at.max(now), false),
                    Retry::Never => (now, true),
                };
                tracing::warn!(id = job.id, kind = %job.kind, attempt = job.attempts, error = %failure.message, "job attempt failed");
                self.store
                    .fail_job(job.id, owner, &failure.message, retry_at, dead, now)
                    .await
            }
        };
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                id = job.id,
                "the job's lease was lost before it finished; its new owner decides"
            ),
            Err(error) => {
                tracing::error!(id = job.id, %error, "recording the job's outcome failed; it will run again")
            }
        }
    }
}
