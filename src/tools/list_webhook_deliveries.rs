//! `list_webhook_deliveries`: one subscription's delivery log.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::DeliveryRecord;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not yet accepted by the receiver; retried with backoff.
    Pending,
    Delivered,
    /// Given up (24 hours of failures, or the subscription was disabled).
    Failed,
}

impl DeliveryState {
    fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^wh_[0-9a-f]{16}$"))]
    pub hook_id: String,
    pub state: Option<DeliveryState>,
    /// How many, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// The `webhook-id` header, the same on every attempt.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub state: String,
    pub attempts: u32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

impl From<DeliveryRecord> for Delivery {
    fn from(record: DeliveryRecord) -> Self {
        Delivery {
            id: record.id,
            kind: record.kind,
            state: record.state,
            attempts: record.attempts,
            last_status: record.last_status,
            last_error: record.last_error,
            created_at: rfc3339(record.created_at),
            delivered_at: record.delivered_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub deliveries: Vec<Delivery>,
}

pub struct ListWebhookDeliveries;

impl Tool for ListWebhookDeliveries {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let records = ctx
            .store
            .deliveries(
                &ctx.principal.customer.id,
                &input.hook_id,
                input.state.map(DeliveryState::as_str),
                input.limit.unwrap_or(50),
            )
            .await?;
        Ok(Output {
            deliveries: records.into_iter().map(Delivery::from).collect(),
        })
    }

    fn render(&self, output: &Output) -> String {
        if output.deliveries.is_empty() {
            return "No deliveries yet.".into();
        }
        output
            .deliveries
            .iter()
            .map(|d| {
                let mut line = format!(
                    "{} {} {} after {} attempt(s)",
                    d.id, d.kind, d.state, d.attempts
                );
                if let Some(error) = &d.last_error {
                    line.push_str(&format!(": {error}"));
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
