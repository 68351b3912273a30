//! Rescoring leads: 100,000 leads against an ideal customer profile with 1,000,000 behaviour
//! events from the collector (ten per lead, on two sites, over ninety days), grouped by the
//! email hash they were seen under and scored with decay. The baseline, measured in the same
//! run, is the part no scoring can skip: hashing every lead's email for every site.
//!
//! Then the same end to end on a real SQLite file, as `set_icp` runs it: the profile changed
//! (it alternates between two, so every lead's fit moves and is written back), every lead and
//! every identified visit and pageview read, each lead scored, and the scores and `lead.scored`
//! events written in one transaction.
//!
//! `cargo bench --bench leads`; the figures go in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use heycmo::analytics::collector::email_hash;
use heycmo::leads::Fields;
use heycmo::leads::fit::{Employees, Icp};
use heycmo::leads::score::{Signals, ToScore, score_all};
use heycmo::store::SeenSignal;
use heycmo::store::{NewLead, SiteRecord, Store};

const LEADS: usize = 100_000;
const EVENTS_PER_LEAD: usize = 10;
const SITES: [&str; 2] = ["site_0123456789abcdef", "site_fedcba9876543210"];
const DAY: i64 = 86_400_000;
const NOW: i64 = 1_780_000_000_000;

fn leads() -> Vec<(String, String, Fields)> {
    let industries = ["B2B SaaS", "Retail", "Manufacturing", "Fintech"];
    let titles = [
        "Head of Marketing",
        "Engineer",
        "VP Growth",
        "Founder",
        "Analyst",
    ];
    (0..LEADS)
        .map(|i| {
            (
                format!("lead_{i:016x}"),
                format!("person{i}@company{}.example", i % 5000),
                Fields {
                    name: Some(format!("Person {i}")),
                    company: Some(format!("Company {}", i % 5000)),
                    title: Some(titles[i % titles.len()].into()),
                    country: Some(["FR", "DE", "US"][i % 3].into()),
                    employees: Some((i % 2000) as u32),
                    industry: Some(industries[i % industries.len()].into()),
                    ..Fields::default()
                },
            )
        })
        .collect()
}

fn seen(leads: &[(String, String, Fields)]) -> Vec<SeenSignal> {
    let mut rows = Vec::with_capacity(LEADS * EVENTS_PER_LEAD);
    for (i, (_, email, _)) in leads.iter().enumerate() {
        for e in 0..EVENTS_PER_LEAD {
            let site = SITES[(i + e) % 2];
            rows.push(SeenSignal {
                site_id: site.into(),
                email_hash: email_hash(site, email),
                at: NOW - ((i * 7 + e * 13) as i64 % 90) * DAY,
                path: match e % 3 {
                    0 => None,
                    1 => Some("/pricing".into()),
                    _ => Some("/blog/post".into()),
                },
            });
        }
    }
    rows
}

fn rescoring(c: &mut Criterion) {
    let leads = leads();
    let rows = seen(&leads);
    let icp = Icp {
        industries: vec!["SaaS".into(), "Fintech".into()],
        employees: vec![Employees {
            min: Some(10),
            max: Some(500),
        }],
        titles: vec!["marketing".into(), "growth".into()],
        seniority: vec!["head".into(), "vp".into(), "founder".into()],
        countries: vec!["FR".into(), "DE".into()],
        ..Icp::default()
    };
    let to_score: Vec<ToScore<'_>> = leads
        .iter()
        .map(|(id, email, fields)| ToScore { id, email, fields })
        .collect();
    let mut group = c.benchmark_group("leads");
    group.sample_size(10);
    group.bench_function("baseline: hash 100k emails for 2 sites", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (_, email, _) in &leads {
                for site in SITES {
                    n += email_hash(site, email).len();
                }
            }
            n
        })
    });
    group.bench_function("rescore 100k leads with 1M events", |b| {
        b.iter_batched(
            || rows.clone(),
            |rows| {
                let signals = Signals::from_seen(rows);
                let scored = score_all(&to_score, Some(&icp), &signals, NOW, false);
                assert_eq!(scored.len(), LEADS);
                scored
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// A store with the leads, a site and the collector's rows for them (one visit and nine
/// pageviews per lead: a million signals); answers the store and the customer.
fn filled(dir: &std::path::Path, leads: &[(String, String, Fields)]) -> (Store, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let path = dir.join("leads.db");
    let store = Store::open(&path).unwrap();
    let customer = "cust_0123456789abcdef".to_owned();
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO customers (id, email, plan, status, created_at) VALUES (?1, 'bench@example.com', 'pro', 'active', 0)",
        [&customer],
    )
    .unwrap();
    runtime.block_on(async {
        store
            .create_site(SiteRecord {
                id: SITES[0].into(),
                customer_id: customer.clone(),
                name: "bench".into(),
                settings: r#"{"domains":["company.example"],"timeZone":"UTC","goals":[],"respectDoNotTrack":false}"#.into(),
                created_at: 0,
                updated_at: 0,
            })
            .await
            .unwrap();
        for chunk in leads.chunks(10_000) {
            let rows = chunk
                .iter()
                .map(|(id, email, fields)| NewLead {
                    id: id.clone(),
                    email: email.clone(),
                    fields: serde_json::to_string(fields).unwrap(),
                    source: None,
                    suppression_hash: format!("h{id}"),
                })
                .collect();
            store.import_leads(&customer, rows, NOW).await.unwrap();
        }
    });
    let tx = conn.unchecked_transaction().unwrap();
    {
        let mut visit = tx
            .prepare(
                "INSERT INTO visits (id, site_id, visitor, started_at, last_at, entry_path, exit_path,
                 pageviews, events, channel, source, email_hash)
                 VALUES (?1, ?2, 'v', ?3, ?3, '/', '/', 9, 0, 'Direct', 'Direct', ?4)",
            )
            .unwrap();
        let mut hit = tx
            .prepare("INSERT INTO hits (site_id, visit_id, at, name, path) VALUES (?1, ?2, ?3, NULL, ?4)")
            .unwrap();
        for (i, (_, email, _)) in leads.iter().enumerate() {
            let at = NOW - (i as i64 % 90) * DAY;
            visit
                .execute(rusqlite::params![
                    i as i64 + 1,
                    SITES[0],
                    at,
                    email_hash(SITES[0], email)
                ])
                .unwrap();
            for e in 0..EVENTS_PER_LEAD - 1 {
                let path = if e % 3 == 0 { "/pricing" } else { "/blog/post" };
                hit.execute(rusqlite::params![
                    SITES[0],
                    i as i64 + 1,
                    at + e as i64,
                    path
                ])
                .unwrap();
            }
        }
    }
    tx.commit().unwrap();
    (store, customer)
}

fn rescoring_from_sqlite(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let leads = leads();
    let (store, customer) = filled(dir.path(), &leads);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let profiles = [
        r#"{"industries":["SaaS"],"countries":["FR"]}"#,
        r#"{"industries":["Retail"],"countries":["DE"]}"#,
    ];
    let mut turn = 0usize;
    let mut group = c.benchmark_group("leads");
    group.sample_size(10);
    group.bench_function(
        "set_icp end to end: 100k leads, 1M events, on SQLite",
        |b| {
            b.iter(|| {
                turn += 1;
                runtime.block_on(async {
                    store
                        .set_icp(&customer, profiles[turn % 2], NOW)
                        .await
                        .unwrap();
                    let rescored = heycmo::leads::score::rescore(&store, &customer, NOW, None)
                        .await
                        .unwrap();
                    assert_eq!(rescored.scored as usize, LEADS);
                    assert!(rescored.changed > 0);
                    rescored
                })
            })
        },
    );
    group.finish();
}

criterion_group!(benches, rescoring, rescoring_from_sqlite);
criterion_main!(benches);
