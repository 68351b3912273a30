//! `unenroll_lead`: takes a lead out of a sequence; its steps not yet sent are skipped.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::Stop;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^seq_[0-9a-f]{16}$"))]
    pub sequence_id: String,
    #[schemars(regex(pattern = r"^lead_[0-9a-f]{16}$"))]
    pub lead_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub sequence_id: String,
    pub lead_id: String,
    /// `stopped`, or `completed` when every step had already gone.
    pub state: String,
    pub stop_reason: Option<String>,
}

pub struct UnenrollLead;

impl Tool for UnenrollLead {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let enrollment = ctx
            .store
            .enrollment(customer, &input.sequence_id, &input.lead_id)
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "Lead {} is not in sequence {}",
                    input.lead_id, input.sequence_id
                ))
            })?;
        ctx.store
            .stop(
                customer,
                Some(&input.lead_id),
                Stop {
                    enrollments: vec![enrollment.id],
                    reason: "unenrolled".into(),
                    ..Stop::default()
                },
                ctx.clock.now_millis(),
            )
            .await?;
        let after = ctx
            .store
            .enrollment(customer, &input.sequence_id, &input.lead_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("No lead {}", input.lead_id)))?;
        Ok(Output {
            sequence_id: input.sequence_id,
            lead_id: input.lead_id,
            state: after.state,
            stop_reason: after.stop_reason,
        })
    }

    fn render(&self, output: &Output) -> String {
        format!(
            "{} in {}: {}{}",
            output.lead_id,
            output.sequence_id,
            output.state,
            output
                .stop_reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        )
    }
}
