//! Job-engine throughput on a real SQLite file: jobs claimed, run (a handler that does nothing)
//! and completed per second; and webhook deliveries per second to a local receiver, from events
//! committed to the log through fan-out, signing, the POST and the delivery log.
//!
//! `cargo bench --bench jobs`; the figures go in BENCHMARKS.md.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::future::BoxFuture;
use heycmo::app::App;
use heycmo::clock::{Clock, SystemClock};
use heycmo::config::Config;
use heycmo::jobs::{Failure, Handler, JobConfig, Jobs};
use heycmo::store::{JobRecord, NewEvent, NewJob, NewWebhook, Store};
use http_body_util::Full;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

const JOBS: usize = 2000;
const DELIVERIES: usize = 500;

/// Counts the jobs it ran and says when `target` were.
struct Count {
    done: AtomicUsize,
    target: AtomicUsize,
    all: Notify,
}

impl Handler for Count {
    fn run<'a>(&'a self, _job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            if self.done.fetch_add(1, Ordering::SeqCst) + 1 == self.target.load(Ordering::SeqCst) {
                self.all.notify_one();
            }
            Ok(())
        })
    }
}

fn job_throughput(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).unwrap();
    let count = Arc::new(Count {
        done: AtomicUsize::new(0),
        target: AtomicUsize::new(0),
        all: Notify::new(),
    });
    let mut handlers: HashMap<String, Arc<dyn Handler>> = HashMap::new();
    handlers.insert("noop".into(), count.clone());
    let config = JobConfig {
        workers: 2,
        poll: Duration::from_millis(5),
        ..JobConfig::default()
    };
    let jobs = Jobs::new(store.clone(), Arc::new(SystemClock), config, handlers);
    let mut group = c.benchmark_group("jobs");
    group.throughput(Throughput::Elements(JOBS as u64));
    group.sample_size(10);
    group.bench_function(
        format!("claim, run and complete {JOBS} jobs, 2 workers"),
        |b| {
            b.to_async(&runtime).iter_custom(|iterations| {
                let (store, jobs, count) = (store.clone(), jobs.clone(), count.clone());
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        for _ in 0..JOBS {
                            store
                                .enqueue(
                                    NewJob {
                                        customer_id: None,
                                        kind: "noop".into(),
                                        payload: "{}".into(),
                                        run_at: SystemClock.now_millis(),
                                        max_attempts: 1,
                                        idempotency_key: None,
                                    },
                                    SystemClock.now_millis(),
                                )
                                .await
                                .unwrap();
                        }
                        count.done.store(0, Ordering::SeqCst);
                        count.target.store(JOBS, Ordering::SeqCst);
                        let shutdown = CancellationToken::new();
                        let started = Instant::now();
                        let all = count.all.notified();
                        let workers = jobs.start(shutdown.clone());
                        all.await;
                        shutdown.cancel();
                        workers.join_all().await;
                        total += started.elapsed();
                    }
                    total
                }
            });
        },
    );
    group.finish();
}

/// A receiver that answers 204 and counts.
async fn receiver(count: Arc<AtomicUsize>, all: Arc<Notify>, target: Arc<AtomicUsize>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (count, all, target) = (count.clone(), all.clone(), target.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |_request| {
                    let (count, all, target) = (count.clone(), all.clone(), target.clone());
                    async move {
                        if count.fetch_add(1, Ordering::SeqCst) + 1 == target.load(Ordering::SeqCst)
                        {
                            all.notify_one();
                        }
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .status(204)
                                .body(Full::new(Bytes::new()))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    base
}

fn webhook_throughput(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (app, customer, count, all, target) = runtime.block_on(async {
        let count = Arc::new(AtomicUsize::new(0));
        let all = Arc::new(Notify::new());
        let target = Arc::new(AtomicUsize::new(0));
        let base = receiver(count.clone(), all.clone(), target.clone()).await;
        let config = Config {
            db: dir.path().join("bench.db"),
            allowed_fetch_networks: vec!["127.0.0.1/32".parse().unwrap()],
            jobs: JobConfig {
                workers: 4,
                poll: Duration::from_millis(5),
                ..JobConfig::default()
            },
            ..Config::default()
        };
        let app = App::open(config, "http://127.0.0.1:8080".into()).unwrap();
        let customer = app
            .provision("bench@example.com", "pro")
            .await
            .unwrap()
            .customer
            .id;
        let id = "wh_00000000000000b1".to_owned();
        let secret = heycmo::webhooks::sign::new_secret();
        app.store
            .create_webhook(
                NewWebhook {
                    sealed_secret: app
                        .vault
                        .seal(&heycmo::webhooks::secret_purpose(&id), secret.as_bytes()),
                    id,
                    customer_id: customer.clone(),
                    url: format!("{base}/hook"),
                    events: vec!["content.created".into()],
                },
                SystemClock.now_millis(),
            )
            .await
            .unwrap();
        (app, customer, count, all, target)
    });
    let mut group = c.benchmark_group("webhooks");
    group.throughput(Throughput::Elements(DELIVERIES as u64));
    group.sample_size(10);
    group.bench_function(format!("deliver {DELIVERIES} events, 4 workers"), |b| {
        b.to_async(&runtime).iter_custom(|iterations| {
            let (app, customer, count, all, target) = (
                app.clone(),
                customer.clone(),
                count.clone(),
                all.clone(),
                target.clone(),
            );
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    count.store(0, Ordering::SeqCst);
                    target.store(DELIVERIES, Ordering::SeqCst);
                    let shutdown = CancellationToken::new();
                    let started = Instant::now();
                    let delivered = all.notified();
                    let background = app.start_background(shutdown.clone());
                    for n in 0..DELIVERIES {
                        app.events
                            .append(NewEvent::new(
                                customer.clone(),
                                "content.created",
                                &serde_json::json!({"contentId": format!("cnt_{n:016x}")}),
                                SystemClock.now_millis(),
                            ))
                            .await
                            .unwrap();
                    }
                    app.events.flush().await.unwrap();
                    delivered.await;
                    total += started.elapsed();
                    shutdown.cancel();
                    background.join_all().await;
                }
                total
            }
        });
    });
    group.finish();
}

criterion_group!(benches, job_throughput, webhook_throughput);
criterion_main!(benches);
