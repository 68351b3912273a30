//! `list_schedules`: the caller's workflow schedules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::jobs::Schedule;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub schedules: Vec<Schedule>,
}

pub struct ListSchedules;

impl Tool for ListSchedules {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let now = ctx.clock.now_millis();
        // A customer the scheduler has not seen yet still has the default schedules.
        for workflow in crate::app::WORKFLOWS {
            ctx.store
                .ensure_schedules(workflow.name, workflow.default, Some(customer), now)
                .await?;
        }
        let schedules = ctx.store.schedules(customer).await?;
        Ok(Output {
            schedules: schedules
                .into_iter()
                .map(|s| Schedule::from_record(s, now))
                .collect(),
        })
    }

    fn render(&self, output: &Output) -> String {
        output
            .schedules
            .iter()
            .map(Schedule::render)
            .collect::<Vec<_>>()
            .join("\n")
    }
}
