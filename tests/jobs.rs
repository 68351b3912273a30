//! The job engine on a real SQLite file: success, retries with backoff, dead jobs and their
//! retry, idempotency keys, a crashed worker's job taken over when its lease runs out, and a
//! clean stop.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use heycmo::clock::{Clock, SystemClock};
use heycmo::jobs::{Failure, Handler, JobConfig, Jobs, Retry};
use heycmo::store::{JobRecord, NewJob, Store};
use tokio_util::sync::CancellationToken;

/// Fails the first `failures` attempts of every job, then succeeds; records what it ran.
struct Flaky {
    failures: u32,
    /// When a failed attempt asks to run again.
    retry: Retry,
    ran: Mutex<Vec<(i64, u32)>>,
}

impl Handler for Flaky {
    fn run<'a>(&'a self, job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            self.ran.lock().unwrap().push((job.id, job.attempts));
            if job.attempts <= self.failures {
                Err(Failure {
                    message: format!("attempt {} failed on purpose", job.attempts),
                    retry: self.retry,
                })
            } else {
                Ok(())
            }
        })
    }
}

fn config() -> JobConfig {
    JobConfig {
        workers: 2,
        lease: Duration::from_millis(400),
        poll: Duration::from_millis(20),
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
    }
}

fn setup(failures: u32) -> (tempfile::TempDir, Store, Jobs, Arc<Flaky>) {
    setup_with(failures, Retry::Backoff)
}

fn setup_with(failures: u32, retry: Retry) -> (tempfile::TempDir, Store, Jobs, Arc<Flaky>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("heycmo.db")).unwrap();
    let flaky = Arc::new(Flaky {
        failures,
        retry,
        ran: Mutex::default(),
    });
    let mut handlers: HashMap<String, Arc<dyn Handler>> = HashMap::new();
    handlers.insert("flaky".into(), flaky.clone());
    let jobs = Jobs::new(store.clone(), Arc::new(SystemClock), config(), handlers);
    (dir, store, jobs, flaky)
}

fn job(key: Option<&str>, max_attempts: u32) -> NewJob {
    NewJob {
        customer_id: None,
        kind: "flaky".into(),
        payload: "{}".into(),
        run_at: SystemClock.now_millis(),
        max_attempts,
        idempotency_key: key.map(str::to_owned),
    }
}

/// Waits until the job reaches `state`.
async fn settled(store: &Store, id: i64, state: &str) -> JobRecord {
    for _ in 0..300 {
        let record = store.job(id).await.unwrap().unwrap();
        if record.state == state {
            return record;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!(
        "job {id} never became {state}: {:?}",
        store.job(id).await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_attempts_are_retried_then_succeed() {
    let (_dir, store, jobs, flaky) = setup(2);
    let shutdown = CancellationToken::new();
    let mut workers = jobs.start(shutdown.clone());
    let queued = jobs.enqueue(job(None, 5)).await.unwrap();
    let done = settled(&store, queued.id, "succeeded").await;
    assert_eq!(done.attempts, 3);
    assert_eq!(done.last_error, None);
    assert_eq!(
        *flaky.ran.lock().unwrap(),
        vec![(queued.id, 1), (queued.id, 2), (queued.id, 3)]
    );
    shutdown.cancel();
    while workers.join_next().await.is_some() {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spent_attempts_make_a_dead_job_that_can_be_retried() {
    let (_dir, store, jobs, flaky) = setup(u32::MAX);
    let shutdown = CancellationToken::new();
    let mut workers = jobs.start(shutdown.clone());
    let queued = jobs.enqueue(job(None, 3)).await.unwrap();
    let dead = settled(&store, queued.id, "dead").await;
    assert_eq!(dead.attempts, 3);
    assert_eq!(
        dead.last_error.as_deref(),
        Some("attempt 3 failed on purpose")
    );
    assert_eq!(flaky.ran.lock().unwrap().len(), 3);
    shutdown.cancel();
    while workers.join_next().await.is_some() {}
    // Without a customer a job cannot be retried through the tools; by the store it can.
    let refused = store
        .retry_job("cust_nobody", queued.id, SystemClock.now_millis())
        .await;
    assert!(refused.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_failure_is_dead_at_once() {
    let (_dir, store, jobs, flaky) = setup_with(u32::MAX, Retry::Never);
    let shutdown = CancellationToken::new();
    let mut workers = jobs.start(shutdown.clone());
    let queued = jobs.enqueue(job(None, 5)).await.unwrap();
    let dead = settled(&store, queued.id, "dead").await;
    assert_eq!(dead.attempts, 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(flaky.ran.lock().unwrap().len(), 1);
    shutdown.cancel();
    while workers.join_next().await.is_some() {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peers_retry_time_is_honoured() {
    let wait = 400;
    let not_before = SystemClock.now_millis() + wait;
    let (_dir, store, jobs, flaky) = setup_with(1, Retry::NotBefore(not_before));
    let shutdown = CancellationToken::new();
    let mut workers = jobs.start(shutdown.clone());
    let queued = jobs.enqueue(job(None, 5)).await.unwrap();
    let done = settled(&store, queued.id, "succeeded").await;
    assert_eq!(done.attempts, 2);
    // The backoff alone (20 ms) would have run it long before the peer's time.
    assert!(
        done.updated_at >= not_before,
        "ran again before the time the peer gave"
    );
    assert_eq!(flaky.ran.lock().unwrap().len(), 2);
    shutdown.cancel();
    while workers.join_next().await.is_some() {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_idempotency_key_is_one_job() {
    let (_dir, store, jobs, flaky) = setup(0);
    let first = jobs.enqueue(job(Some("post-42"), 3)).await.unwrap();
    let second = jobs.enqueue(job(Some("post-42"), 3)).await.unwrap();
    assert_eq!(first.id, second.id);
    let shutdown = CancellationToken::new();
    let mut workers = jobs.start(shutdown.clone());
    settled(&store, first.id, "succeeded").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(flaky.ran.lock().unwrap().len(), 1);
    shutdown.cancel();
    while workers.join_next().await.is_some() {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_workers_job_is_taken_over_when_its_lease_runs_out() {
    let (_dir, store, jobs, flaky) = setup(0);
    let queued = jobs.enqueue(job(None, 3)).await.unwrap();
    // A worker claims it and dies without a word.
    let now = SystemClock.now_millis();
    let claimed = store
        .claim_job(vec!["flaky".into()], "dead-worker", now, 300)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, queued.id);
    let shutdown = CancellationToken::new();
    let mut workers = jobs.start(shutdown.clone());
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(
        flaky.ran.lock().unwrap().is_empty(),
        "the lease still holds"
    );
    let done = settled(&store, queued.id, "succeeded").await;
    assert_eq!(done.attempts, 2, "the lost attempt counts");
    // The dead worker, back from the grave, can no longer record anything.
    assert!(
        !store
            .complete_job(queued.id, "dead-worker", SystemClock.now_millis())
            .await
            .unwrap()
    );
    shutdown.cancel();
    while workers.join_next().await.is_some() {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_stop_when_asked() {
    let (_dir, _store, jobs, _flaky) = setup(0);
    let shutdown = CancellationToken::new();
    let mut workers = jobs.start(shutdown.clone());
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(2), async {
        while workers.join_next().await.is_some() {}
    })
    .await;
    assert!(stopped.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_finished_jobs_are_pruned_and_failures_kept() {
    let (_dir, store, _jobs, _flaky) = setup(0);
    let long_ago = SystemClock.now_millis() - 30 * 24 * 3600 * 1000;
    let mut ids = Vec::new();
    for outcome in ["succeeded", "dead", "fresh"] {
        let at = if outcome == "fresh" {
            SystemClock.now_millis()
        } else {
            long_ago
        };
        let queued = store
            .enqueue(
                NewJob {
                    run_at: at,
                    ..job(None, 1)
                },
                at,
            )
            .await
            .unwrap();
        let claimed = store
            .claim_job(vec!["flaky".into()], "w", at, 1000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claimed.id, queued.id);
        match outcome {
            "dead" => assert!(
                store
                    .fail_job(queued.id, "w", "no", at, true, at)
                    .await
                    .unwrap()
            ),
            _ => assert!(store.complete_job(queued.id, "w", at).await.unwrap()),
        }
        ids.push(queued.id);
    }
    let cutoff = SystemClock.now_millis() - heycmo::jobs::retention::JOBS;
    assert_eq!(store.prune(cutoff, cutoff).await.unwrap(), 1);
    assert!(
        store.job(ids[0]).await.unwrap().is_none(),
        "an old success is gone"
    );
    assert_eq!(
        store.job(ids[1]).await.unwrap().unwrap().state,
        "dead",
        "failures stay visible"
    );
    assert_eq!(
        store.job(ids[2]).await.unwrap().unwrap().state,
        "succeeded",
        "recent work stays"
    );
}
