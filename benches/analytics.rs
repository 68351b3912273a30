//! Analytics reads on a real SQLite file of realistic size: `site_stats` for 30 days over
//! 1,000,000 pageviews (300,000 visits), and `attribution_report` with all six models over
//! 100,000 orders of 5 touchpoints each. The data is written once through the store's own
//! paths (the collector's batch writer, `record_order`) before the measurements.
//!
//! `cargo bench --bench analytics`; the figures go in BENCHMARKS.md.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use heycmo::analytics::attribution::Model;
use heycmo::analytics::revenue::{self, DAY, GroupBy, Settings};
use heycmo::analytics::site::Settings as SiteSettings;
use heycmo::analytics::stats::{self, Days, Interval};
use heycmo::auth::mint_key;
use heycmo::clock::{Clock, SystemClock};
use heycmo::store::{
    KeyScope, NewCustomer, NewEvent, NewHit, NewOrder, SiteRecord, Store, TouchpointRecord,
    VisitStart,
};

/// The data set: a million pageviews in 300,000 visits and 100,000 orders under `cargo bench`;
/// a hundredth of it when `cargo test --all-targets` runs this file once to check it works
/// (criterion's test mode), which a debug build would otherwise spend minutes filling.
fn scale() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        1
    } else {
        100
    }
}

const PAGEVIEWS: usize = 1_000_000;
const VISITS: usize = 300_000;
const ORDERS: usize = 100_000;
const CHANNELS: [&str; 6] = [
    "Organic Search",
    "Direct",
    "Email",
    "AI Assistants",
    "Organic Social",
    "Referral",
];

/// A deterministic stream of numbers (xorshift), so every run writes the same data.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % below
    }
}

async fn fill(store: &Store, customer: &str, site: &str, now: i64) {
    let (pageviews, visits, orders) = (PAGEVIEWS / scale(), VISITS / scale(), ORDERS / scale());
    let mut n = Numbers(0x2545_f491_4f6c_dd1d);
    let writer = store.hit_writer().unwrap();
    let started = Instant::now();
    let per_visit = pageviews / visits;
    let mut written = 0;
    for visit in 0..visits {
        let start = now - 30 * DAY + (visit as i64 * 30 * DAY) / visits as i64;
        let views = if visit % 3 == 0 {
            per_visit + 1
        } else {
            per_visit
        };
        for view in 0..views.min(pageviews - written) {
            let path = format!("/page/{}", n.next(500));
            writer
                .append(NewHit {
                    site_id: site.into(),
                    visit_id: visit as i64 + 1,
                    start: (view == 0).then(|| VisitStart {
                        visitor: format!("{:016x}", n.next(200_000)),
                        entry_path: path.clone(),
                        channel: CHANNELS[n.next(6) as usize].into(),
                        source: format!("source{}", n.next(40)),
                        referrer_host: None,
                        utm_source: None,
                        utm_medium: None,
                        utm_campaign: (n.next(5) == 0).then(|| format!("campaign{}", n.next(10))),
                        utm_term: None,
                        utm_content: None,
                        click_id: None,
                        screen: Some("laptop".into()),
                    }),
                    at: start + view as i64 * 30_000,
                    path: if n.next(50) == 0 {
                        "/thank-you".into()
                    } else {
                        path
                    },
                    event: None,
                    props: None,
                    email_hash: None,
                })
                .await
                .unwrap();
            written += 1;
        }
    }
    writer.flush().await.unwrap();
    eprintln!(
        "{written} pageviews in {visits} visits written in {:?}",
        started.elapsed()
    );
    let started = Instant::now();
    for order in 0..orders {
        let at = now - 30 * DAY + (order as i64 * 30 * DAY) / orders as i64;
        let touchpoints = (0..5)
            .map(|i| TouchpointRecord {
                at: at - (5 - i) * DAY / 2,
                channel: CHANNELS[n.next(6) as usize].into(),
                source: format!("source{}", n.next(40)),
                medium: None,
                campaign: Some(format!("campaign{}", n.next(10))),
                landing_page: Some(format!("/page/{}", n.next(500))),
            })
            .collect();
        let event = NewEvent::new(customer, "revenue.tracked", &serde_json::json!({}), at);
        store
            .record_order(
                NewOrder {
                    customer_id: customer.into(),
                    order_id: format!("ord-{order}"),
                    amount: 1_000 + n.next(20_000) as i64,
                    currency: if order % 10 == 0 { "USD" } else { "EUR" }.into(),
                    occurred_at: at,
                    metadata: None,
                    touchpoints,
                },
                event,
            )
            .await
            .unwrap();
    }
    eprintln!(
        "{orders} orders of 5 touchpoints written in {:?}",
        started.elapsed()
    );
}

fn analytics(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bench.db")).unwrap();
    let clock = SystemClock;
    let now = clock.now_millis();
    let customer = "cust_bench".to_owned();
    let settings = SiteSettings {
        domains: vec!["bench.example".into()],
        time_zone: "Europe/Berlin".into(),
        goals: serde_json::from_value(
            serde_json::json!([{"path": "/thank-you"}, {"path": "/page/1*"}]),
        )
        .unwrap(),
        respect_do_not_track: false,
    };
    let site = "site_00000000000bench".to_owned();
    runtime.block_on(async {
        let key = mint_key(KeyScope::Owner, "bench", &clock);
        store
            .create_customer(
                NewCustomer {
                    id: customer.clone(),
                    email: "bench@example.com".into(),
                    plan: "bench".into(),
                    created_at: now,
                },
                key.record,
            )
            .await
            .unwrap();
        store
            .create_site(SiteRecord {
                id: site.clone(),
                customer_id: customer.clone(),
                name: "bench".into(),
                settings: serde_json::to_string(&settings).unwrap(),
                created_at: now,
                updated_at: now,
            })
            .await
            .unwrap();
        fill(&store, &customer, &site, now).await;
    });
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap()
        .date_naive();
    let days = Days::resolve(stats::Period::Days30, None, None, today).unwrap();
    let mut group = c.benchmark_group("analytics");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    // The baseline: every figure counted from the hits, as site_stats did before closed days
    // were kept.
    group.bench_function(
        "site_stats counted from the hits, 30 days of 1M pageviews (baseline)",
        |b| {
            b.to_async(&runtime).iter(|| async {
                let query = stats::query(&site, &settings, days, Interval::Day, 10);
                let facts = store.site_facts(query).await.unwrap();
                assert!(
                    facts.totals.pageviews as usize > PAGEVIEWS / scale() * 9 / 10,
                    "{:?}",
                    facts.totals
                );
                facts
            })
        },
    );
    let request = stats::Request::default();
    let started = Instant::now();
    let cold = runtime
        .block_on(stats::compute(&store, &customer, &site, now, &request))
        .unwrap();
    eprintln!(
        "site_stats, first call (28 closed days counted and kept): {:?}",
        started.elapsed()
    );
    group.bench_function(
        "site_stats, 30 days of 1M pageviews with the previous period, closed days kept",
        |b| {
            b.to_async(&runtime).iter(|| async {
                let report = stats::compute(&store, &customer, &site, now, &request)
                    .await
                    .unwrap();
                assert_eq!(report.summary.pageviews, cold.summary.pageviews);
                report
            })
        },
    );
    let report = Settings {
        models: Model::ALL.to_vec(),
        group_by: GroupBy::Channel,
        lookback: 30 * DAY,
        half_life: 7 * DAY,
    };
    group.bench_function(
        "attribution_report, six models over 100k orders x 5 touchpoints",
        |b| {
            b.to_async(&runtime).iter(|| async {
                let orders = store
                    .orders(&customer, now - 31 * DAY, now + DAY)
                    .await
                    .unwrap();
                assert_eq!(orders.len(), ORDERS / scale());
                revenue::report(&orders, &report)
            })
        },
    );
    group.finish();
}

criterion_group!(benches, analytics);
criterion_main!(benches);
