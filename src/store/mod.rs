//! The store: what the program keeps, behind a backend-neutral API.
//!
//! Each aggregate (audits, content, jobs, …) has a module here holding its record types and a
//! trait of the operations on it; [`Backend`] is all of them. [`Store`] is a cheap handle on one
//! backend, and the rest of the program calls the traits' methods through it, never SQL.
//!
//! Why traits behind `dyn` rather than an enum of backends: a backend is added as a folder of
//! its own that implements the traits (the PostgreSQL backend will), without an arm in every one
//! of some sixty methods and without touching a caller; the price is one boxed future per call,
//! which is noise next to a database round trip. SQLite, the only backend so far, lives in
//! [`sqlite`]: no rusqlite type appears outside that folder.
//!
//! Every method that writes does so in one transaction, so a crash leaves the old state or the
//! new one.

mod accounts;
mod audits;
mod batch;
mod brands;
mod briefings;
mod content;
mod customers;
mod events;
mod jobs;
mod keys;
mod leads;
mod logins;
mod onboarding;
mod revenue;
mod schedules;
mod sequences;
mod settings;
mod sites;
mod social;
pub mod sqlite;
mod status;
mod usage;
mod visibility;
mod webhooks;

use std::path::Path;
use std::sync::Arc;

pub use accounts::{
    AccountStore, Applied, BillingChange, NewSignup, SignupClaim, SignupCustomer, SignupRecord,
};
pub use audits::{AuditRecord, AuditStore};
pub use batch::{BatchWriter, Slot};
pub use brands::{BrandRecord, BrandStore};
pub use briefings::{BriefingRecord, BriefingStore, PipelineFacts};
pub use content::{ContentChange, ContentChanger, ContentRow, ContentStore};
pub use customers::{Customer, CustomerStore, NewCustomer};
pub use events::{EventQuery, EventRecord, EventStore, EventWriter, NewEvent, TOOL_CALLED};
pub use jobs::{JobRecord, JobStore, NewJob};
pub use keys::{ApiKeyRecord, KeyScope, KeyStore, NewKey};
pub use leads::{
    Identify, Imported, LeadAction, LeadQuery, LeadRecord, LeadStore, NewLead, ScoreUpdate,
    SeenSignal,
};
pub use logins::LoginStore;
pub use onboarding::{OnboardingRecord, OnboardingStore};
pub use revenue::{
    NewOrder, NewRefund, OrderRecord, Recorded, RevenueStore, TouchpointRecord, VisitKey,
};
pub use schedules::{ScheduleChange, ScheduleDefault, ScheduleRecord, ScheduleStore};
pub use sequences::{
    Claim, EnrollmentCounts, EnrollmentRecord, NewEnrollment, NewSend, Recipient, SEND_ATTEMPTS,
    SEND_JOB, SendContext, SendOutcome, SendRecord, SequenceRecord, SequenceStore, Stop,
};
pub use settings::SettingStore;
pub use sites::{
    ActiveVisit, Breakdown, GoalFilter, HitWriter, IDENTIFY, NewHit, SiteFacts, SiteRecord,
    SiteStore, StatsQuery, Totals, VisitStart,
};
pub use social::{ChannelRecord, NewPost, PUBLISH_JOB, PostRecord, RemotePost, SocialStore};
pub use status::{
    Backlog, IncidentRecord, LastProbe, ProbeResult, StatusRecords, StatusStore, Uptime,
};
pub use usage::{UsageRecord, UsageStore};
pub use visibility::{VisibilityRecord, VisibilityStore};
pub use webhooks::{
    Attempt, DELIVERY_JOB, DeliveryRecord, FanOut, NewWebhook, WebhookChange, WebhookRecord,
    WebhookStore,
};

/// Failures of the storage layer, whatever the backend.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No connection could be had in time (the pool is exhausted, the server is down).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The backend refused or failed a statement.
    #[error("database: {0}")]
    Database(String),
    #[error("migrating the database: {0}")]
    Migration(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("the event writer has stopped")]
    WriterGone,
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Milliseconds since the Unix epoch, the one time representation in the database.
pub type Millis = i64;

/// Everything a backend stores, plus its health.
#[async_trait::async_trait]
pub trait Backend:
    AccountStore
    + AuditStore
    + BrandStore
    + BriefingStore
    + ContentStore
    + CustomerStore
    + EventStore
    + JobStore
    + KeyStore
    + LeadStore
    + LoginStore
    + OnboardingStore
    + StatusStore
    + RevenueStore
    + ScheduleStore
    + SequenceStore
    + SettingStore
    + SiteStore
    + SocialStore
    + UsageStore
    + VisibilityStore
    + WebhookStore
    + Send
    + Sync
{
    /// True when the database can be reached and read now; backs `/api/health/ready`.
    async fn ping(&self) -> bool;
}

/// A handle on the backend; cheap to clone. The aggregates' methods are called through it
/// (`store.content(..)`), as methods of [`Backend`].
#[derive(Clone)]
pub struct Store(Arc<dyn Backend>);

impl Store {
    /// Opens (creating if needed) the SQLite database file and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Store> {
        Ok(Store::on(sqlite::Sqlite::open(path)?))
    }

    /// A store on `backend`.
    pub fn on(backend: impl Backend + 'static) -> Store {
        Store(Arc::new(backend))
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &(dyn Backend + 'static) {
        &*self.0
    }
}
