//! Customers: the tenants every other record belongs to.

use async_trait::async_trait;

use super::{Millis, StoreResult};

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: String,
    pub email: String,
    pub plan: String,
    pub status: String,
    pub brand_name: Option<String>,
    /// The default writing engine (`auto`, `sampling`, `server`, `offline`); `None` is auto.
    pub engine: Option<String>,
    /// When a trial ends (a local trial, or Stripe's `trial_end`), if the customer is on one.
    pub trial_ends_at: Option<Millis>,
    pub created_at: Millis,
}

/// What it takes to create a customer.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub id: String,
    pub email: String,
    pub plan: String,
    pub created_at: Millis,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// Sets the customer's default writing engine.
    async fn set_engine(&self, id: &str, engine: &str) -> StoreResult<()>;

    /// Every customer, oldest first.
    async fn customers(&self) -> StoreResult<Vec<Customer>>;

    /// The customer with this id, if any.
    async fn customer(&self, id: &str) -> StoreResult<Option<Customer>>;

    /// The customer registered under this email (case-insensitive), if any.
    async fn customer_by_email(&self, email: &str) -> StoreResult<Option<Customer>>;
}
