//! `update_webhook`: changes a subscription, enables it again, or rotates its secret.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::WebhookChange;
use crate::webhooks::{self, EventType, Webhook, event_names, secret_purpose, sign};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^wh_[0-9a-f]{16}$"))]
    pub hook_id: String,
    #[schemars(length(min = 1, max = 2048))]
    pub url: Option<String>,
    #[schemars(length(min = 1))]
    pub events: Option<Vec<EventType>>,
    /// true enables a disabled subscription (clearing its failure count); false pauses it.
    pub enabled: Option<bool>,
    /// Issue a new signing secret, shown once in the answer; the old one stops signing at once.
    #[serde(default)]
    pub rotate_secret: bool,
}

pub struct UpdateWebhook;

impl Tool for UpdateWebhook {
    type Input = Input;
    type Output = Webhook;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Webhook, Error> {
        let url = match input.url.as_deref() {
            Some(url) => Some(webhooks::checked_url(&ctx.fetcher, url).await?),
            None => None,
        };
        let secret = input.rotate_secret.then(sign::new_secret);
        let change = WebhookChange {
            url,
            events: input.events.as_deref().map(event_names),
            enabled: input.enabled,
            sealed_secret: secret.as_ref().map(|s| {
                ctx.vault
                    .seal(&secret_purpose(&input.hook_id), s.as_bytes())
            }),
        };
        let record = ctx
            .store
            .change_webhook(
                &ctx.principal.customer.id,
                &input.hook_id,
                change,
                ctx.clock.now_millis(),
            )
            .await?;
        Ok(Webhook::from_record(record, secret))
    }

    fn render(&self, hook: &Webhook) -> String {
        hook.text()
    }
}
