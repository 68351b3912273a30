//! The public status: a readiness probe of each component every minute (the database, the
//! job queue, webhook delivery, the configured model engine), recorded in the store, with
//! uptime over 24 hours and 7 days and the incidents that opened when a component stayed
//! down for more than two probes in a row.

use std::sync::Arc;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, rfc3339};
use crate::llm::Llm;
use crate::store::{Backlog, DELIVERY_JOB, Millis, ProbeResult, StatusRecords, Store};

/// Failed probes in a row that open an incident: more than two.
const INCIDENT_AFTER: u32 = 3;
/// How long probes are kept: the 7-day figure and a day to spare.
const KEEP_MS: Millis = 8 * 24 * 3600 * 1000;
/// A due job waiting longer than this means the workers are not keeping up.
const BACKLOG_LIMIT_MS: Millis = 10 * 60 * 1000;
/// Longest a probe of the model engine may take.
const MODEL_TIMEOUT: Duration = Duration::from_secs(10);

const DAY_MS: Millis = 24 * 3600 * 1000;

/// The components, in the order the page lists them.
pub const DATABASE: &str = "database";
pub const JOBS: &str = "job_queue";
pub const WEBHOOKS: &str = "webhook_delivery";
pub const MODEL: &str = "model_engine";

/// What the probes read.
#[derive(Clone)]
pub struct Prober {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// The server's model engine; none when the server writes through clients or offline.
    pub llm: Option<Arc<dyn Llm>>,
}

fn backlog_result(component: &str, backlog: Backlog, now: Millis) -> ProbeResult {
    let waited = backlog.oldest_run_at.map_or(0, |at| now - at);
    ProbeResult {
        component: component.into(),
        ok: waited <= BACKLOG_LIMIT_MS,
        detail: match backlog.due {
            0 => "nothing waiting".into(),
            due => format!("{due} due, the oldest waiting {} s", waited / 1000),
        },
    }
}

impl Prober {
    /// One round: each component's result now.
    pub async fn probe(&self) -> Vec<ProbeResult> {
        let now = self.clock.now_millis();
        let database = self.store.ping().await;
        let mut results = vec![ProbeResult {
            component: DATABASE.into(),
            ok: database,
            detail: if database {
                "reads and answers".into()
            } else {
                "does not answer".into()
            },
        }];
        for (component, other_kinds) in [(JOBS, true), (WEBHOOKS, false)] {
            results.push(
                match self.store.backlog(DELIVERY_JOB, other_kinds, now).await {
                    Ok(backlog) => backlog_result(component, backlog, now),
                    Err(error) => ProbeResult {
                        component: component.into(),
                        ok: false,
                        detail: format!("the queue cannot be read: {error}"),
                    },
                },
            );
        }
        if let Some(llm) = &self.llm {
            let outcome = tokio::time::timeout(MODEL_TIMEOUT, llm.probe()).await;
            results.push(ProbeResult {
                component: MODEL.into(),
                ok: matches!(outcome, Ok(Ok(()))),
                detail: match outcome {
                    Ok(Ok(())) => "answers".into(),
                    Ok(Err(error)) => error.to_string(),
                    Err(_) => format!("no answer within {} s", MODEL_TIMEOUT.as_secs()),
                },
            });
        }
        results
    }

    /// Probes and records one round.
    pub async fn record(&self) {
        let results = self.probe().await;
        let now = self.clock.now_millis();
        if let Err(error) = self
            .store
            .record_probes(now, results, INCIDENT_AFTER, now - KEEP_MS)
            .await
        {
            // The database being down is itself what the next page view reports, live.
            tracing::warn!(%error, "the status probes could not be recorded");
        }
    }
}

/// Probes every `interval` until `shutdown`, the first round at once.
pub async fn run(prober: Prober, interval: Duration, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = ticks.tick() => prober.record().await,
        }
    }
}

/// A component as the status reports it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    pub name: String,
    /// `up`, `down` or `not_configured`.
    pub status: String,
    pub detail: String,
    /// Share of passed probes, in percent; none without probes in the window.
    pub uptime24h: Option<f64>,
    pub uptime7d: Option<f64>,
    pub checked_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    pub component: String,
    pub opened_at: String,
    /// None while it lasts.
    pub resolved_at: Option<String>,
    pub detail: String,
}

/// `GET /api/public/status`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// `operational` (every component up), `degraded` (some down) or `down` (the database).
    pub status: String,
    pub timestamp: String,
    /// Passed probes over all probes of every component, in percent.
    pub uptime24h: Option<f64>,
    pub uptime7d: Option<f64>,
    pub components: Vec<Component>,
    /// Open incidents, and those resolved in the last 7 days.
    pub incidents: Vec<Incident>,
}

fn percent(passed: u64, probes: u64) -> Option<f64> {
    (probes > 0).then(|| (passed as f64 * 10_000.0 / probes as f64).round() / 100.0)
}

/// The status from the recorded probes, with the database checked live: when it does not
/// answer, nothing recorded can be read, and that is the status.
pub async fn status(prober: &Prober) -> Status {
    let now = prober.clock.now_millis();
    let timestamp = rfc3339(now);
    if !prober.store.ping().await {
        return Status {
            status: "down".into(),
            timestamp: timestamp.clone(),
            uptime24h: None,
            uptime7d: None,
            components: vec![Component {
                name: DATABASE.into(),
                status: "down".into(),
                detail: "does not answer".into(),
                uptime24h: None,
                uptime7d: None,
                checked_at: Some(timestamp),
            }],
            incidents: Vec::new(),
        };
    }
    let records = prober
        .store
        .status_records(now - DAY_MS, now - 7 * DAY_MS)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "the status could not be read");
            Default::default()
        });
    let StatusRecords {
        day,
        week,
        last,
        incidents,
    } = records;
    let mut components: Vec<Component> = [DATABASE, JOBS, WEBHOOKS, MODEL]
        .iter()
        .filter(|name| **name != MODEL || prober.llm.is_some())
        .map(|name| {
            let window = |rows: &[crate::store::Uptime]| {
                rows.iter()
                    .find(|u| u.component == *name)
                    .and_then(|u| percent(u.passed, u.probes))
            };
            let newest = last.iter().find(|p| p.result.component == *name);
            Component {
                name: (*name).into(),
                status: match newest {
                    Some(p) if p.result.ok => "up",
                    Some(_) => "down",
                    None => "unknown",
                }
                .into(),
                detail: newest
                    .map_or_else(|| "not probed yet".to_owned(), |p| p.result.detail.clone()),
                uptime24h: window(&day),
                uptime7d: window(&week),
                checked_at: newest.map(|p| rfc3339(p.at)),
            }
        })
        .collect();
    if prober.llm.is_none() {
        components.push(Component {
            name: MODEL.into(),
            status: "not_configured".into(),
            detail:
                "no server-side model (--llm): tools write through the client's model or offline"
                    .into(),
            uptime24h: None,
            uptime7d: None,
            checked_at: None,
        });
    }
    let total = |rows: &[crate::store::Uptime]| {
        percent(
            rows.iter().map(|u| u.passed).sum(),
            rows.iter().map(|u| u.probes).sum(),
        )
    };
    let down: Vec<&Component> = components.iter().filter(|c| c.status == "down").collect();
    Status {
        status: if down.iter().any(|c| c.name == DATABASE) {
            "down"
        } else if down.is_empty() {
            "operational"
        } else {
            "degraded"
        }
        .into(),
        timestamp,
        uptime24h: total(&day),
        uptime7d: total(&week),
        components,
        incidents: incidents
            .into_iter()
            .map(|i| Incident {
                component: i.component,
                opened_at: rfc3339(i.opened_at),
                resolved_at: i.resolved_at.map(rfc3339),
                detail: i.detail,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_is_measured_or_absent() {
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(2, 3), Some(66.67));
        assert_eq!(percent(5, 5), Some(100.0));
    }

    #[test]
    fn a_backlog_is_down_only_when_its_oldest_job_waits_too_long() {
        let now = 1_000_000_000;
        let fresh = Backlog {
            due: 3,
            oldest_run_at: Some(now - 1000),
        };
        assert!(backlog_result(JOBS, fresh, now).ok);
        let stuck = Backlog {
            due: 1,
            oldest_run_at: Some(now - BACKLOG_LIMIT_MS - 1),
        };
        let result = backlog_result(JOBS, stuck, now);
        assert!(!result.ok && result.detail.contains("1 due"), "{result:?}");
        assert!(backlog_result(JOBS, Backlog::default(), now).ok);
    }
}
