//! `set_schedule`: when a workflow runs for the caller, and in which time zone.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::jobs::Schedule;
use crate::jobs::cron;
use crate::registry::{Tool, ToolContext};
use crate::store::ScheduleChange;

/// A workflow that runs on a schedule.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkflowName {
    /// The daily marketing briefing (run_research).
    Research,
    /// The weekly AI visibility run (check_ai_visibility); off until enabled, since it spends
    /// the answer engines' tokens.
    AiVisibility,
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

pub struct SetSchedule;

impl Tool for SetSchedule {
    type Input = Input;
    type Output = Schedule;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Schedule, Error> {
        let now = ctx.clock.now_millis();
        if let Some(zone) = &input.time_zone {
            cron::time_zone(zone).map_err(|e| Error::invalid("/timeZone", e))?;
        }
        if let Some(expression) = &input.cron {
            cron::check(expression, now).map_err(|e| Error::invalid("/cron", e))?;
        }
        let name = match input.workflow {
            WorkflowName::Research => crate::research::WORKFLOW,
            WorkflowName::AiVisibility => crate::visibility::WORKFLOW,
        };
        let workflow = crate::app::WORKFLOWS
            .iter()
            .find(|w| w.name == name)
            .ok_or_else(|| Error::Internal(format!("the workflow {name} is not registered")))?;
        if name == crate::visibility::WORKFLOW
            && input.enabled == Some(true)
            && ctx.visibility.engines.list.is_empty()
        {
            return Err(Error::Unsupported(
                "No answer engine is configured, so a visibility schedule would measure nothing: \
                 start the server with --answer-engine first"
                    .into(),
            ));
        }
        let record = ctx
            .store
            .change_schedule(
                &ctx.principal.customer.id,
                workflow.name,
                workflow.default,
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
        schedule.render()
    }
}
