//! Webhook subscriptions, the fan-out of committed events into deliveries, and the delivery log.
//!
//! Fan-out reads the event log past a cursor and, in the same transaction, inserts each matching
//! delivery, its job and the new cursor: a crash before the commit redoes the batch, one after it
//! has every delivery queued, so no event is skipped and none is queued twice.

use async_trait::async_trait;

use super::{Millis, StoreResult};

/// The job kind that sends one delivery.
pub const DELIVERY_JOB: &str = "webhook.deliver";

/// A subscription as stored (the secret still sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRecord {
    pub id: String,
    pub customer_id: String,
    pub url: String,
    pub events: Vec<String>,
    pub sealed_secret: String,
    pub enabled: bool,
    /// Failed attempts in a row, across deliveries; a success resets it.
    pub failures: u32,
    pub disabled_reason: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A new subscription.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub id: String,
    pub customer_id: String,
    pub url: String,
    pub events: Vec<String>,
    pub sealed_secret: String,
}

/// Changes to a subscription; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
    pub sealed_secret: Option<String>,
}

/// One delivery of one event to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Also the `webhook-id` header: the same on every attempt.
    pub id: String,
    pub webhook_id: String,
    pub event_id: i64,
    pub kind: String,
    pub body: String,
    pub state: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub delivered_at: Option<Millis>,
}

/// What one fan-out pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FanOut {
    /// Events read past the cursor.
    pub events: usize,
    /// Deliveries queued for them.
    pub deliveries: usize,
}

/// How an attempt went, for [`Store::record_attempt`].
#[derive(Debug, Clone)]
pub enum Attempt {
    Delivered {
        status: u16,
    },
    Failed {
        status: Option<u16>,
        error: String,
    },
    /// The delivery is over without success (too old, subscription disabled).
    GaveUp {
        error: String,
    },
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores a subscription; it receives events committed from now on.
    async fn create_webhook(&self, hook: NewWebhook, now: Millis) -> StoreResult<WebhookRecord>;

    async fn webhooks(&self, customer: &str) -> StoreResult<Vec<WebhookRecord>>;

    /// One of a customer's subscriptions.
    async fn webhook(&self, customer: &str, id: &str) -> StoreResult<WebhookRecord>;

    /// Changes a subscription. Enabling it clears its failure count and reason.
    async fn change_webhook(
        &self,
        customer: &str,
        id: &str,
        change: WebhookChange,
        now: Millis,
    ) -> StoreResult<WebhookRecord>;

    /// Deletes a subscription and its delivery log; queued deliveries find it gone and stop.
    async fn delete_webhook(&self, customer: &str, id: &str) -> StoreResult<()>;

    /// Queues a delivery for every enabled subscription to each event committed past the cursor,
    /// at most `batch` events at a time.
    async fn fan_out_events(&self, batch: u32, now: Millis) -> StoreResult<FanOut>;

    /// A delivery and its subscription; `None` once the subscription was deleted.
    async fn delivery(&self, id: &str) -> StoreResult<Option<(DeliveryRecord, WebhookRecord)>>;

    /// Records an attempt on the delivery and on its subscription's failure count; the
    /// subscription is disabled when that count reaches `disable_after`.
    async fn record_attempt(
        &self,
        id: &str,
        attempt: Attempt,
        disable_after: u32,
        now: Millis,
    ) -> StoreResult<()>;

    /// A subscription's deliveries, newest first.
    async fn deliveries(
        &self,
        customer: &str,
        webhook: &str,
        state: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>>;
}
