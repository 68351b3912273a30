//! `get_visibility_run`: one AI visibility run, with every answer as read.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::visibility::{Run, run_of};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// The run's id (`vis_…`), from check_ai_visibility or list_visibility_runs.
    #[schemars(regex(pattern = r"^vis_[0-9a-f]{16}$"))]
    pub run_id: String,
}

pub struct GetVisibilityRun;

impl Tool for GetVisibilityRun {
    type Input = Input;
    type Output = Run;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Run, Error> {
        let record = ctx
            .store
            .visibility_run(&ctx.principal.customer.id, &input.run_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("No visibility run {}", input.run_id)))?;
        run_of(&record)
    }

    fn render(&self, run: &Run) -> String {
        let mut text = run.summary.render();
        for answer in &run.answers {
            let what = match (&answer.error, &answer.excerpt) {
                (Some(error), _) => format!("failed: {error}"),
                (None, Some(excerpt)) => format!(
                    "named (rank {}): {excerpt}",
                    answer.first_mention_rank.unwrap_or(0)
                ),
                (None, None) => "not named".into(),
            };
            text.push_str(&format!(
                "\n[{} #{}] {}: {what}",
                answer.engine, answer.repeat, answer.query
            ));
        }
        text
    }
}
