//! Brand profiles: versioned per customer; the latest is the brand context every tool uses.

use async_trait::async_trait;

use super::{Millis, StoreResult};

/// A stored profile; `profile` is the JSON the brand extractor produced.
#[derive(Debug, Clone)]
pub struct BrandRecord {
    pub version: i64,
    pub url: String,
    pub profile: String,
    pub created_at: Millis,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait BrandStore: Send + Sync {
    /// Stores a new version and sets the customer's brand name, in one transaction; answers the
    /// version number.
    async fn save_brand(
        &self,
        customer: &str,
        url: &str,
        brand_name: Option<&str>,
        profile: String,
        created_at: Millis,
    ) -> StoreResult<i64>;

    /// A given version, or the latest when `version` is `None`.
    async fn brand(&self, customer: &str, version: Option<i64>)
    -> StoreResult<Option<BrandRecord>>;
}
