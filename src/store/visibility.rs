//! AI visibility runs (what `check_ai_visibility` measured), per customer.

use async_trait::async_trait;

use super::{Millis, NewEvent, StoreResult};

/// A stored run; `run` is the whole measurement as JSON, `summary` the same without the
/// answers (what lists and trends read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibilityRecord {
    pub id: String,
    pub trigger: String,
    pub run: String,
    pub summary: String,
    pub created_at: Millis,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait VisibilityStore: Send + Sync {
    /// Stores a run with its `visibility.completed` event, in one transaction.
    async fn save_visibility_run(
        &self,
        customer: &str,
        record: VisibilityRecord,
        event: NewEvent,
    ) -> StoreResult<()>;

    /// A customer's runs, newest first (those made at `since` or later, when given), their `run`
    /// left empty.
    async fn visibility_runs(
        &self,
        customer: &str,
        since: Option<Millis>,
        limit: u32,
    ) -> StoreResult<Vec<VisibilityRecord>>;

    /// One of the customer's runs, whole.
    async fn visibility_run(
        &self,
        customer: &str,
        id: &str,
    ) -> StoreResult<Option<VisibilityRecord>>;
}
