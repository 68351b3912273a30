//! Server-wide settings that must survive restarts, such as which customer is the local one.

use async_trait::async_trait;

use super::StoreResult;

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait SettingStore: Send + Sync {
    /// The id of the local customer, once one has been created.
    async fn local_customer_id(&self) -> StoreResult<Option<String>>;
}
