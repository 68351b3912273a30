//! Rescoring leads: 100,000 leads against an ideal customer profile with 1,000,000 behaviour
//! events from the collector (ten per lead, on two sites, over ninety days), grouped by the
//! email hash they were seen under and scored with decay. The baseline, measured in the same
//! run, is the part no scoring can skip: hashing every lead's email for every site.
//!
//! `cargo bench --bench leads`; the figures go in BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use heycmo::analytics::collector::email_hash;
use heycmo::leads::Fields;
use heycmo::leads::fit::{Employees, Icp};
use heycmo::leads::score::{Signals, ToScore, score_all};
use heycmo::store::SeenSignal;

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
                let scored = score_all(&to_score, Some(&icp), &signals, NOW);
                assert_eq!(scored.len(), LEADS);
                scored
            },
            criterion::BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, rescoring);
criterion_main!(benches);
