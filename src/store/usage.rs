//! Language-model token usage, summed per customer, day (UTC) and engine.

use async_trait::async_trait;

use super::{Millis, StoreResult};

/// One day's use of one engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    pub day: String,
    pub engine: String,
    pub calls: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait UsageStore: Send + Sync {
    /// Adds the tokens of one call made at `at` to that UTC day's total.
    async fn record_usage(
        &self,
        customer: &str,
        at: Millis,
        engine: &str,
        input: u64,
        output: u64,
    ) -> StoreResult<()>;

    /// The customer's usage, newest day first.
    async fn usage(&self, customer: &str) -> StoreResult<Vec<UsageRecord>>;
}
