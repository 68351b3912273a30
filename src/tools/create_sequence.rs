//! `create_sequence`: an email sequence, its steps checked (personalisation, window, sender)
//! before anything is stored.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::sequences::{Definition, Sequence, StepInput, StopRules, Window, resolve_steps};
use crate::store::SequenceRecord;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(length(min = 1, max = 200))]
    pub name: String,
    #[schemars(length(min = 1, max = 10))]
    pub steps: Vec<StepInput>,
    pub window: Option<Window>,
    pub stop: Option<StopRules>,
    /// The sender, `Name <address>`; default the server's `--mail-from`.
    #[schemars(length(min = 3, max = 320))]
    pub from: Option<String>,
    #[schemars(length(min = 3, max = 320))]
    pub reply_to: Option<String>,
    /// Click redirects and open pixels; both off unless set.
    pub tracking: Option<crate::sequences::Tracking>,
    /// Create it paused: nothing is sent until update_sequence sets it active.
    #[serde(default)]
    pub paused: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    #[serde(flatten)]
    pub sequence: Sequence,
    /// What will keep it from sending, said now rather than at the first step.
    pub warnings: Vec<String>,
}

pub struct CreateSequence;

impl Tool for CreateSequence {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let definition = Definition {
            steps: resolve_steps(&ctx.store, customer, input.steps).await?,
            window: input.window.unwrap_or_default(),
            stop: input.stop.unwrap_or_default(),
            from: input.from,
            reply_to: input.reply_to,
            tracking: input.tracking.unwrap_or_default(),
        };
        definition.check()?;
        let now = ctx.clock.now_millis();
        let record = SequenceRecord {
            id: format!("seq_{}", crate::auth::random_hex(8)),
            name: input.name.trim().to_owned(),
            definition: serde_json::to_string(&definition)
                .map_err(|e| Error::Internal(e.to_string()))?,
            state: if input.paused { "paused" } else { "active" }.into(),
            created_at: now,
            updated_at: now,
        };
        ctx.store.create_sequence(customer, record.clone()).await?;
        let mut warnings = Vec::new();
        if ctx.mailer.is_none() {
            warnings.push(
                "No mail server is configured: enroll_leads is refused until the server runs \
                 with --smtp-url and --mail-from."
                    .to_owned(),
            );
        }
        if !ctx.public_url.starts_with("https://") {
            warnings.push(format!(
                "The server's public URL {} is not https: mailbox providers expect one-click \
                 unsubscribe links on https (set --public-url).",
                ctx.public_url
            ));
        }
        Ok(Output {
            sequence: Sequence::of(&record, None)?,
            warnings,
        })
    }

    fn render(&self, output: &Output) -> String {
        let mut text = format!("Created {}", output.sequence.render());
        for warning in &output.warnings {
            text.push_str(&format!("\nWarning: {warning}"));
        }
        text
    }
}
