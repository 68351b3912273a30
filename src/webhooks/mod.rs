//! Webhooks: customers subscribe a URL to event types and receive each matching event as a
//! signed POST (Standard Webhooks), delivered at least once.
//!
//! Events are committed to the event log first; [`fan_out`] turns them into deliveries, each a
//! job of the engine ([`deliver::Deliverer`]), retried with backoff for up to 24 hours under the
//! same `webhook-id`, so receivers can drop duplicates. A subscription that keeps failing is
//! disabled until its owner enables it again.

pub mod deliver;
pub mod sign;

use std::sync::Arc;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, rfc3339};
use crate::error::Error;
use crate::jobs::Jobs;
use crate::store::{Store, WebhookRecord};
use crate::web::Fetcher;

/// An event type a subscription may ask for: the hosted HeyCMO API's list, and those of the
/// capabilities heycmo adds (revenue, leads, sequences, visibility).
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventType {
    #[serde(rename = "content.created")]
    ContentCreated,
    #[serde(rename = "content.approved")]
    ContentApproved,
    #[serde(rename = "content.published")]
    ContentPublished,
    #[serde(rename = "content.rejected")]
    ContentRejected,
    #[serde(rename = "workflow.completed")]
    WorkflowCompleted,
    #[serde(rename = "team.invited")]
    TeamInvited,
    /// Onboarding finished: the site was read and the brand interview answered.
    #[serde(rename = "onboarding.completed")]
    OnboardingCompleted,
    /// A teammate's key was revoked (`revoke_key`).
    #[serde(rename = "team.revoked")]
    TeamRevoked,
    /// An order or a refund was recorded (`track_revenue`).
    #[serde(rename = "revenue.tracked")]
    RevenueTracked,
    /// A lead's grade changed (an import, `set_icp`, `update_lead`, the daily rescoring).
    #[serde(rename = "lead.scored")]
    LeadScored,
    /// A lead answered a sequence's message (`POST /api/inbound/{customerId}`).
    #[serde(rename = "lead.replied")]
    LeadReplied,
    /// A lead unsubscribed through a message's link.
    #[serde(rename = "lead.unsubscribed")]
    LeadUnsubscribed,
    /// A sequence's message bounced (refused by the mail server, or a delivery status
    /// notification).
    #[serde(rename = "email.bounced")]
    EmailBounced,
    /// A lead received every step of a sequence.
    #[serde(rename = "sequence.completed")]
    SequenceCompleted,
    /// An AI visibility run finished (`check_ai_visibility` or its schedule).
    #[serde(rename = "visibility.completed")]
    VisibilityCompleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ContentCreated => "content.created",
            EventType::ContentApproved => "content.approved",
            EventType::ContentPublished => "content.published",
            EventType::ContentRejected => "content.rejected",
            EventType::WorkflowCompleted => "workflow.completed",
            EventType::TeamInvited => "team.invited",
            EventType::TeamRevoked => "team.revoked",
            EventType::OnboardingCompleted => "onboarding.completed",
            EventType::RevenueTracked => "revenue.tracked",
            EventType::LeadScored => "lead.scored",
            EventType::LeadReplied => "lead.replied",
            EventType::LeadUnsubscribed => "lead.unsubscribed",
            EventType::EmailBounced => "email.bounced",
            EventType::SequenceCompleted => "sequence.completed",
            EventType::VisibilityCompleted => "visibility.completed",
        }
    }
}

/// The names of `events`, deduplicated in a stable order.
pub fn event_names(events: &[EventType]) -> Vec<String> {
    let mut events = events.to_vec();
    events.sort();
    events.dedup();
    events.iter().map(|e| e.as_str().to_owned()).collect()
}

/// What the vault binds a subscription's secret to.
pub fn secret_purpose(id: &str) -> String {
    format!("webhook:{id}")
}

/// A subscription as its owner sees it; the secret only in the answer that created or rotated it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// `wh_` and 16 hex digits.
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// False once disabled by its owner or after repeated failures; nothing is delivered then.
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    /// Failed delivery attempts in a row.
    pub failures: u32,
    pub created_at: String,
    pub updated_at: String,
    /// The signing secret (`whsec_…`), shown once: store it now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Checks a subscriber URL with the fetcher's SSRF guard, its name resolved now, so a webhook
/// cannot be aimed at the server's own network.
pub async fn checked_url(fetcher: &Fetcher, raw: &str) -> Result<String, Error> {
    Ok(fetcher.vet(raw).await?.to_string())
}

impl Webhook {
    /// The subscription as text, with its secret when this answer shows it.
    pub fn text(&self) -> String {
        let mut text = format!(
            "{} → {} [{}]{}",
            self.id,
            self.url,
            self.events.join(", "),
            if self.enabled { "" } else { " (disabled)" }
        );
        if let Some(reason) = &self.disabled_reason {
            text.push_str(&format!(": {reason}"));
        }
        if let Some(secret) = &self.secret {
            text.push_str(&format!(
                "\nSigning secret (shown once, store it now): {secret}"
            ));
        }
        text
    }

    pub fn from_record(record: WebhookRecord, secret: Option<String>) -> Webhook {
        Webhook {
            id: record.id,
            url: record.url,
            events: record.events,
            enabled: record.enabled,
            disabled_reason: record.disabled_reason,
            failures: record.failures,
            created_at: rfc3339(record.created_at),
            updated_at: rfc3339(record.updated_at),
            secret,
        }
    }
}

/// Events read per fan-out pass.
const BATCH: u32 = 1000;
/// How often fan-out looks for new events when it has caught up.
const POLL: Duration = Duration::from_millis(200);

/// Turns committed events into deliveries until `shutdown`: a full batch is followed at once by
/// the next, an empty one waits [`POLL`].
pub async fn fan_out(store: Store, jobs: Jobs, clock: Arc<dyn Clock>, shutdown: CancellationToken) {
    while !shutdown.is_cancelled() {
        let caught_up = match store.fan_out_events(BATCH, clock.now_millis()).await {
            Ok(pass) => {
                if pass.deliveries > 0 {
                    jobs.wake();
                }
                pass.events < BATCH as usize
            }
            Err(error) => {
                tracing::error!(%error, "fanning events out to webhooks failed");
                true
            }
        };
        if caught_up {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}
