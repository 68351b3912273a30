//! `create_webhook`: subscribes a URL to event types (`POST /api/hooks/:customerId`).

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::NewWebhook;
use crate::webhooks::{self, EventType, Webhook, event_names, secret_purpose, sign};

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

pub struct CreateWebhook;

impl Tool for CreateWebhook {
    type Input = Input;
    type Output = Webhook;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Webhook, Error> {
        let url = webhooks::checked_url(&ctx.fetcher, &input.url).await?;
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
        hook.text()
    }
}
