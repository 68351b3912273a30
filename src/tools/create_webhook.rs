//! `create_webhook`: subscribes a URL to event types (`POST /api/hooks/:customerId`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::NewWebhook;
use crate::webhooks::{EventType, Webhook, event_names, secret_purpose, sign};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Where to POST the events: http(s), reachable from the server; private and loopback
    /// addresses are refused.
    #[schemars(length(min = 1, max = 2048))]
    pub url: String,
    #[schemars(length(min = 1))]
    pub events: Vec<EventType>,
}

/// Checks a subscriber URL with the fetcher's SSRF guard, so a webhook cannot be aimed at the
/// server's own network.
pub(crate) fn checked_url(ctx: &ToolContext, raw: &str) -> Result<String, Error> {
    Ok(ctx.fetcher.parse(raw)?.to_string())
}

pub struct CreateWebhook;

impl Tool for CreateWebhook {
    type Input = Input;
    type Output = Webhook;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Webhook, Error> {
        let url = checked_url(ctx, &input.url)?;
        let id = format!("wh_{}", crate::auth::random_hex(8));
        let secret = sign::new_secret();
        let record = ctx
            .store
            .create_webhook(
                NewWebhook {
                    sealed_secret: ctx.vault.seal(&secret_purpose(&id), secret.as_bytes()),
                    id,
                    customer_id: ctx.principal.customer.id.clone(),
                    url,
                    events: event_names(&input.events),
                },
                ctx.clock.now_millis(),
            )
            .await?;
        Ok(Webhook::from_record(record, Some(secret)))
    }

    fn render(&self, hook: &Webhook) -> String {
        render(hook)
    }
}

/// One subscription as text, shared by the webhook tools.
pub(crate) fn render(hook: &Webhook) -> String {
    let mut text = format!(
        "{} → {} [{}]{}",
        hook.id,
        hook.url,
        hook.events.join(", "),
        if hook.enabled { "" } else { " (disabled)" }
    );
    if let Some(reason) = &hook.disabled_reason {
        text.push_str(&format!(": {reason}"));
    }
    if let Some(secret) = &hook.secret {
        text.push_str(&format!(
            "\nSigning secret (shown once, store it now): {secret}"
        ));
    }
    text
}
