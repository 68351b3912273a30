//! Orders and refunds that `track_revenue` records, each order with the touchpoints that led
//! to it (from the collector's visits and the caller), kept for the longest lookback a report
//! may ask for. Amounts are integers in the currency's minor unit.

use async_trait::async_trait;

use super::{Millis, NewEvent, StoreResult};

/// A touchpoint as stored with its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchpointRecord {
    pub at: Millis,
    pub channel: String,
    pub source: String,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub landing_page: Option<String>,
}

/// An order to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub customer_id: String,
    pub order_id: String,
    pub amount: i64,
    pub currency: String,
    pub occurred_at: Millis,
    pub metadata: Option<String>,
    /// In time order.
    pub touchpoints: Vec<TouchpointRecord>,
}

/// An order as stored, with what was refunded of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub order_id: String,
    pub amount: i64,
    pub currency: String,
    pub occurred_at: Millis,
    pub refunded: i64,
    pub metadata: Option<String>,
    pub touchpoints: Vec<TouchpointRecord>,
}

/// A refund to record against an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRefund {
    pub customer_id: String,
    pub order_id: String,
    pub refund_id: String,
    /// Positive: what is given back.
    pub amount: i64,
    pub currency: String,
    pub occurred_at: Millis,
}

/// What recording did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// New; its event was appended in the same transaction.
    Created(OrderRecord),
    /// The same order (or refund) again: nothing changed.
    Again(OrderRecord),
    /// The id is taken by an order (or refund) with another amount or currency.
    Conflict(OrderRecord),
    /// A refund for more than is left of the order.
    TooMuch(OrderRecord),
}

/// Which visits are an order's: the visitor hash on a site, or the email hash `identify` set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitKey {
    pub site_id: String,
    pub visitor: Option<String>,
    pub email_hash: Option<String>,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait RevenueStore: Send + Sync {
    /// Records an order, idempotently by (customer, order id), with `event`.
    async fn record_order(&self, order: NewOrder, event: NewEvent) -> StoreResult<Recorded>;

    /// Records a refund, idempotently by (customer, order id, refund id), with `event`;
    /// `NotFound` when there is no such order.
    async fn record_refund(&self, refund: NewRefund, event: NewEvent) -> StoreResult<Recorded>;

    /// Visits of the keys that began in `[from, to]`, as touchpoints in time order.
    async fn visit_touchpoints(
        &self,
        keys: Vec<VisitKey>,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<TouchpointRecord>>;

    /// The customer's orders that occurred in `[from, to)`, oldest first, with touchpoints.
    async fn orders(
        &self,
        customer: &str,
        from: Millis,
        to: Millis,
    ) -> StoreResult<Vec<OrderRecord>>;
}
