//! Server-wide settings that must survive restarts, such as which customer is the local one.

use async_trait::async_trait;

use super::StoreResult;

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait SettingStore: Send + Sync {
    /// The id of the local customer, once one has been created.
    async fn local_customer_id(&self) -> StoreResult<Option<String>>;

    /// The public URL the HTTP server on this database last started with, which commands
    /// run beside it print in endpoints.
    async fn public_url(&self) -> StoreResult<Option<String>>;

    /// Records the public URL the HTTP server serves at.
    async fn set_public_url(&self, url: &str) -> StoreResult<()>;
}
