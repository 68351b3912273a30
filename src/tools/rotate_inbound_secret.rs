//! `rotate_inbound_secret`: the secret that signs the mail a relay posts to
//! `/api/inbound/{customerId}` (replies and bounces), made anew and shown once.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    /// Where the relay posts each inbound message, raw (`message/rfc822`).
    pub url: String,
    /// `whsec_…`, shown once; the previous secret stops working now.
    pub secret: String,
    /// How the relay signs: Standard Webhooks headers over the raw message.
    pub signing: String,
}

pub struct RotateInboundSecret;

impl Tool for RotateInboundSecret {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let secret = crate::webhooks::sign::new_secret();
        let sealed = ctx.vault.seal(
            &crate::sequences::inbound::secret_purpose(customer),
            secret.as_bytes(),
        );
        ctx.store
            .set_inbound_secret(customer, &sealed, ctx.clock.now_millis())
            .await?;
        Ok(Output {
            url: format!(
                "{}/api/inbound/{customer}",
                ctx.public_url.trim_end_matches('/')
            ),
            secret,
            signing: "webhook-id (unique per message), webhook-timestamp (Unix seconds) and \
                      webhook-signature: v1,base64(HMAC-SHA256(base64-decoded secret after \
                      whsec_, \"{id}.{timestamp}.{raw message}\"))"
                .into(),
        })
    }

    fn render(&self, output: &Output) -> String {
        format!(
            "Post inbound mail to {} signed with {} (shown once). {}",
            output.url, output.secret, output.signing
        )
    }
}
