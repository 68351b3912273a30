//! `set_schedule`: when a workflow runs for the caller, and in which time zone.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::error::Error;
use crate::jobs::cron::{self, CronError};
use crate::registry::{Tool, ToolContext};
use crate::store::{ScheduleChange, ScheduleRecord};

/// A workflow that runs on a schedule.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowName {
    /// The daily marketing briefing (run_research).
    Research,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    pub workflow: WorkflowName,
    /// Five-field cron (`minute hour day-of-month month day-of-week`), such as `0 8 * * MON-FRI`:
    /// the minute is one number, since a schedule that runs more than once an hour is refused;
    /// months and weekdays by number or as JAN-DEC and SUN-SAT.
    #[schemars(length(min = 9, max = 100), regex(pattern = cron::PATTERN))]
    pub cron: Option<String>,
    /// The customer's IANA time zone (such as `Europe/Paris`); every schedule of the customer
    /// runs in it.
    #[schemars(length(min = 1, max = 64))]
    pub time_zone: Option<String>,
    pub enabled: Option<bool>,
}

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
}

fn invalid(pointer: &str, error: CronError) -> Error {
    Error::InvalidInput {
        message: format!("/{pointer}: {error}"),
        pointer: format!("/{pointer}"),
    }
}

pub struct SetSchedule;

impl Tool for SetSchedule {
    type Input = Input;
    type Output = Schedule;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Schedule, Error> {
        let now = ctx.clock.now_millis();
        if let Some(zone) = &input.time_zone {
            cron::time_zone(zone).map_err(|e| invalid("timeZone", e))?;
        }
        if let Some(expression) = &input.cron {
            cron::check(expression, now).map_err(|e| invalid("cron", e))?;
        }
        let workflow = match input.workflow {
            WorkflowName::Research => crate::research::WORKFLOW,
        };
        let record = ctx
            .store
            .change_schedule(
                &ctx.principal.customer.id,
                workflow,
                crate::research::DEFAULT_CRON,
                ScheduleChange {
                    cron: input.cron,
                    enabled: input.enabled,
                    time_zone: input.time_zone,
                },
                now,
            )
            .await?;
        Ok(Schedule::from_record(record, now))
    }

    fn render(&self, schedule: &Schedule) -> String {
        render(schedule)
    }
}

/// A schedule as a line, shared with list_schedules.
pub(crate) fn render(schedule: &Schedule) -> String {
    match (&schedule.next_run_at, schedule.enabled) {
        (Some(next), true) => format!(
            "{}: \"{}\" in {}, next {next}",
            schedule.workflow, schedule.cron, schedule.time_zone
        ),
        _ => format!("{}: disabled (\"{}\")", schedule.workflow, schedule.cron),
    }
}
