//! Stored audit reports, per customer, kind and URL.

use async_trait::async_trait;

use super::{Millis, StoreResult};

/// An audit as stored; the report is the tool's JSON output.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub id: String,
    pub kind: String,
    pub url: String,
    pub score: u32,
    pub report: String,
    pub created_at: Millis,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn save_audit(&self, customer: &str, record: AuditRecord) -> StoreResult<()>;

    /// The latest audit of this kind of this URL.
    async fn latest_audit(
        &self,
        customer: &str,
        kind: &str,
        url: &str,
    ) -> StoreResult<Option<AuditRecord>>;

    /// The customer's audits, newest first, optionally of one kind or one URL.
    async fn audits(
        &self,
        customer: &str,
        kind: Option<&str>,
        url: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>>;

    /// One of the customer's audits by id.
    async fn audit(&self, customer: &str, id: &str) -> StoreResult<Option<AuditRecord>>;
}
