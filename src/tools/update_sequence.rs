//! `update_sequence`: renames, rewrites, pauses or resumes a sequence. New steps and windows
//! apply to the sends not yet made; resuming queues the held sends again.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::sequences::{Sequence, StepInput, StopRules, Window, definition_of, resolve_steps};

/// Whether a sequence sends.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Active,
    Paused,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^seq_[0-9a-f]{16}$"))]
    pub sequence_id: String,
    #[schemars(length(min = 1, max = 200))]
    pub name: Option<String>,
    /// Replaces every step.
    #[schemars(length(min = 1, max = 10))]
    pub steps: Option<Vec<StepInput>>,
    pub window: Option<Window>,
    pub stop: Option<StopRules>,
    #[schemars(length(min = 3, max = 320))]
    pub from: Option<String>,
    #[schemars(length(min = 3, max = 320))]
    pub reply_to: Option<String>,
    pub tracking: Option<crate::sequences::Tracking>,
    pub state: Option<State>,
}

pub struct UpdateSequence;

impl Tool for UpdateSequence {
    type Input = Input;
    type Output = Sequence;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Sequence, Error> {
        let customer = &ctx.principal.customer.id;
        let missing = || Error::NotFound(format!("No sequence {}", input.sequence_id));
        let record = ctx
            .store
            .sequence(customer, &input.sequence_id)
            .await?
            .ok_or_else(missing)?;
        let mut definition = definition_of(&record)?;
        let changed = input.steps.is_some()
            || input.window.is_some()
            || input.stop.is_some()
            || input.from.is_some()
            || input.reply_to.is_some()
            || input.tracking.is_some();
        if let Some(steps) = input.steps {
            definition.steps = resolve_steps(&ctx.store, customer, steps).await?;
        }
        if let Some(window) = input.window {
            definition.window = window;
        }
        if let Some(stop) = input.stop {
            definition.stop = stop;
        }
        if input.from.is_some() {
            definition.from = input.from;
        }
        if input.reply_to.is_some() {
            definition.reply_to = input.reply_to;
        }
        if let Some(tracking) = input.tracking {
            definition.tracking = tracking;
        }
        definition.check()?;
        let text = changed
            .then(|| serde_json::to_string(&definition))
            .transpose()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let state = input.state.map(|s| match s {
            State::Active => "active",
            State::Paused => "paused",
        });
        let updated = ctx
            .store
            .update_sequence(
                customer,
                &input.sequence_id,
                input.name.map(|n| n.trim().to_owned()),
                text,
                state,
                ctx.clock.now_millis(),
            )
            .await?
            .ok_or_else(missing)?;
        ctx.jobs.wake();
        Sequence::of(&updated, None)
    }

    fn render(&self, sequence: &Sequence) -> String {
        format!("Updated {}", sequence.render())
    }
}
