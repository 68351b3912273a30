//! Sites and what the collector records of their visits: visits (sessions) and hits
//! (pageviews and custom events), written through a [`BatchWriter`] so ingest never waits on
//! the disk, and the daily salts of visitor hashes, kept apart from what they hash.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

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
    pub started_at: Millis,
}

/// The `event` of a [`NewHit`] that only ties its visit to an email hash (`heycmo('identify',
/// email)`): it records no hit of its own.
pub const IDENTIFY: &str = "identify";

/// Appends hits in the background with group commit.
pub type HitWriter = BatchWriter<NewHit>;

/// A goal as the stats query matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoalFilter {
    Path(String),
    PathPrefix(String),
    Event(String),
}

/// What to count for a site over `[from, to)`.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    pub site_id: String,
    pub from: Millis,
    pub to: Millis,
    /// The series' buckets: a label and its `[start, end)` (local days or weeks, in UTC).
    pub buckets: Vec<(String, Millis, Millis)>,
    pub goals: Vec<GoalFilter>,
    /// Rows per breakdown.
    pub top: usize,
}

/// The headline counts of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Visits that began in the period.
    pub visits: u64,
    /// Distinct visitor hashes among them.
    pub visitors: u64,
    /// Pageviews in the period.
    pub pageviews: u64,
    /// Visits of at most one pageview and no custom event.
    pub bounces: u64,
    /// The visits' durations added up, first hit to last.
    pub duration_ms: u64,
    /// Visits that reached any goal in the period.
    pub conversions: u64,
}

/// One row of a breakdown: what it is keyed by and its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    pub key: Vec<Option<String>>,
    pub visits: u64,
    /// Distinct visitors for visit breakdowns; pageviews for the pages breakdown.
    pub second: u64,
    /// Bounces (entry pages), conversions (channels), 0 elsewhere.
    pub third: u64,
}

/// Everything a stats answer is made from; kept as JSON for closed days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFacts {
    pub totals: Totals,
    /// Per bucket: visits, visitors, pageviews.
    pub series: Vec<(String, u64, u64, u64)>,
    /// By path: visits that viewed it, pageviews.
    pub pages: Vec<Breakdown>,
    /// By entry path: visits, visitors, bounces.
    pub entries: Vec<Breakdown>,
    /// By source: visits, visitors.
    pub sources: Vec<Breakdown>,
    /// By channel: visits, visitors, conversions.
    pub channels: Vec<Breakdown>,
    /// By campaign, source and medium: visits, visitors.
    pub campaigns: Vec<Breakdown>,
    /// Per goal of the query, in its order: converted visits.
    pub goals: Vec<u64>,
}

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

    /// Visits with a hit at or after `since` that began at or after `began`: the caller bounds
    /// how long a visit may have lasted, so the read need not walk every visit ever stored.
    async fn active_visits(&self, since: Millis, began: Millis) -> StoreResult<Vec<ActiveVisit>>;

    /// Counts the visits and hits of a site over the query's period.
    async fn site_facts(&self, query: StatsQuery) -> StoreResult<SiteFacts>;

    /// The counts kept for the site's days `from..=to` (`YYYY-MM-DD`) under `variant`, as
    /// `(day, facts as JSON)`.
    async fn kept_days(
        &self,
        site: &str,
        variant: &str,
        from: &str,
        to: &str,
    ) -> StoreResult<Vec<(String, String)>>;

    /// Keeps a closed day's counts (JSON) under `variant`; a site that is gone keeps nothing.
    async fn keep_day(&self, site: &str, variant: &str, day: &str, facts: &str) -> StoreResult<()>;

    /// The salt of `day` (days since the Unix epoch, UTC), made on first use; salts of days
    /// before `day - 1` are deleted, so yesterday's visitors cannot be re-identified.
    async fn salt(&self, day: i64) -> StoreResult<Vec<u8>>;
}
