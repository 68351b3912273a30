//! Sites and what the collector records of their visits: visits (sessions) and hits
//! (pageviews and custom events), written through a [`BatchWriter`] so ingest never waits on
//! the disk, and the daily salts of visitor hashes, kept apart from what they hash.

use async_trait::async_trait;

use super::{BatchWriter, Millis, StoreResult};

/// A site as stored; `settings` is the JSON of the analytics domain's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRecord {
    pub id: String,
    pub customer_id: String,
    pub name: String,
    pub settings: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// How a visit began: its first hit and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitStart {
    pub visitor: String,
    pub entry_path: String,
    pub channel: String,
    pub source: String,
    pub referrer_host: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub click_id: Option<String>,
    pub screen: Option<String>,
}

/// One hit to record. Its visit is created when `start` is given, else extended; a hit for a
/// site deleted meanwhile is dropped, not an error that would lose its batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHit {
    pub site_id: String,
    pub visit_id: i64,
    pub start: Option<VisitStart>,
    pub at: Millis,
    pub path: String,
    /// `None` for a pageview; a custom event's name otherwise.
    pub event: Option<String>,
    /// A custom event's properties as JSON.
    pub props: Option<String>,
    /// Set by `identify`: ties the visit to a person for revenue attribution.
    pub email_hash: Option<String>,
}

/// A visit that may still go on: the collector resumes it after a restart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveVisit {
    pub site_id: String,
    pub visitor: String,
    pub visit_id: i64,
    pub last_at: Millis,
}

/// The `event` of a [`NewHit`] that only ties its visit to an email hash (`heycmo('identify',
/// email)`): it records no hit of its own.
pub const IDENTIFY: &str = "identify";

/// Appends hits in the background with group commit.
pub type HitWriter = BatchWriter<NewHit>;

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait SiteStore: Send + Sync {
    async fn create_site(&self, site: SiteRecord) -> StoreResult<()>;

    /// The customer's sites, oldest first.
    async fn sites(&self, customer: &str) -> StoreResult<Vec<SiteRecord>>;

    /// One of the customer's sites.
    async fn site(&self, customer: &str, id: &str) -> StoreResult<Option<SiteRecord>>;

    /// A site by its public id, whoever owns it: the collector's lookup.
    async fn collecting_site(&self, id: &str) -> StoreResult<Option<SiteRecord>>;

    /// Replaces a site's name and settings; `NotFound` when the customer has no such site.
    async fn update_site(
        &self,
        customer: &str,
        id: &str,
        name: &str,
        settings: &str,
        at: Millis,
    ) -> StoreResult<()>;

    /// Deletes a site with its visits and hits; `NotFound` when the customer has no such site.
    async fn delete_site(&self, customer: &str, id: &str) -> StoreResult<()>;

    /// Starts the hit writer thread on a connection of its own.
    fn hit_writer(&self) -> StoreResult<HitWriter>;

    /// Visits with a hit at or after `since`.
    async fn active_visits(&self, since: Millis) -> StoreResult<Vec<ActiveVisit>>;

    /// The salt of `day` (days since the Unix epoch, UTC), made on first use; salts of days
    /// before `day - 1` are deleted, so yesterday's visitors cannot be re-identified.
    async fn salt(&self, day: i64) -> StoreResult<Vec<u8>>;
}
