//! A schedule as its owner sees it, in the schedule tools' answers.

use schemars::JsonSchema;
use serde::Serialize;

use super::cron;
use crate::clock::rfc3339;
use crate::store::ScheduleRecord;

/// A schedule as its owner sees it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    pub workflow: String,
    pub cron: String,
    pub time_zone: String,
    pub enabled: bool,
    /// When it runs next (UTC); planned within seconds of a change.
    pub next_run_at: Option<String>,
    pub last_run_at: Option<String>,
}

impl Schedule {
    /// The schedule, with its next run computed when the store has not planned it yet.
    pub fn from_record(record: ScheduleRecord, now: i64) -> Schedule {
        let next = record
            .next_run_at
            .or_else(|| cron::next_run(&record.cron, &record.time_zone, now).ok());
        Schedule {
            workflow: record.workflow,
            cron: record.cron,
            time_zone: record.time_zone,
            enabled: record.enabled,
            next_run_at: next.filter(|_| record.enabled).map(rfc3339),
            last_run_at: record.last_run_at.map(rfc3339),
        }
    }

    /// A schedule as a line, as the schedule tools answer.
    pub fn render(&self) -> String {
        let schedule = self;
        match (&schedule.next_run_at, schedule.enabled) {
            (Some(next), true) => format!(
                "{}: \"{}\" in {}, next {next}",
                schedule.workflow, schedule.cron, schedule.time_zone
            ),
            _ => format!("{}: disabled (\"{}\")", schedule.workflow, schedule.cron),
        }
    }
}
