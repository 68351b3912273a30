//! Leads, the customer's ideal customer profile, and the suppression list.

use async_trait::async_trait;

use super::{Millis, NewEvent, StoreResult};

/// A lead as stored; `fields` is JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadRecord {
    pub id: String,
    pub email: String,
    pub fields: String,
    pub source: Option<String>,
    pub stage: String,
    pub fit: Option<u32>,
    pub intent: u32,
    pub grade: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A lead to import: new, or merged into the lead with the same email.
#[derive(Debug, Clone)]
pub struct NewLead {
    /// Used when the email is new.
    pub id: String,
    pub email: String,
    /// JSON of the fields set; merged over a known lead's (RFC 7396), so the fields a row leaves
    /// out keep their value.
    pub fields: String,
    pub source: Option<String>,
    /// The suppression hash of the email: a lead on the list is not imported.
    pub suppression_hash: String,
}

/// What became of one [`NewLead`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Imported {
    Created(String),
    Updated(String),
    Suppressed,
}

/// Which leads to list, best first (fit plus intent).
#[derive(Debug, Clone, Default)]
pub struct LeadQuery {
    pub min_fit: Option<u32>,
    pub min_intent: Option<u32>,
    /// `A1` exactly, or a fit letter (`A`) for all its intents.
    pub grade: Option<String>,
    pub stage: Option<String>,
    pub source: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// New scores for a lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreUpdate {
    pub id: String,
    pub fit: Option<u32>,
    pub intent: u32,
    pub grade: Option<String>,
}

/// A behaviour the collector saw of an identified visitor: a visit (`path` is `None`) or a
/// pageview of `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenSignal {
    pub site_id: String,
    pub email_hash: String,
    pub at: Millis,
    pub path: Option<String>,
}

/// Something a lead did that heycmo saw directly (a form capture; later an email opened or
/// answered), by its action's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadAction {
    pub lead_id: String,
    pub action: String,
    pub at: Millis,
    pub detail: Option<String>,
}

/// A capture's tie to the collector: the visitor who sent the form, whose visits of today are
/// then known by the lead's email hash.
#[derive(Debug, Clone)]
pub struct Identify {
    pub site_id: String,
    pub visitor: String,
    pub email_hash: String,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait LeadStore: Send + Sync {
    /// Imports every lead in one transaction.
    async fn import_leads(
        &self,
        customer: &str,
        leads: Vec<NewLead>,
        now: Millis,
    ) -> StoreResult<Vec<Imported>>;

    async fn leads(&self, customer: &str, query: LeadQuery) -> StoreResult<Vec<LeadRecord>>;

    /// The customer's leads with one of `ids`, or all of them, in no order (rescoring).
    async fn leads_to_score(
        &self,
        customer: &str,
        ids: Option<&[String]>,
    ) -> StoreResult<Vec<LeadRecord>>;

    async fn lead(&self, customer: &str, id: &str) -> StoreResult<Option<LeadRecord>>;

    /// Merges `fields` (JSON, RFC 7396: `null` clears a field) into the lead and sets its stage.
    async fn update_lead(
        &self,
        customer: &str,
        id: &str,
        fields: Option<String>,
        stage: Option<String>,
        now: Millis,
    ) -> StoreResult<Option<LeadRecord>>;

    /// Erases the lead and puts `suppression_hash` on the list, in one transaction; `false`
    /// when there was no such lead.
    async fn delete_lead(
        &self,
        customer: &str,
        id: &str,
        suppression_hash: &str,
        now: Millis,
    ) -> StoreResult<bool>;

    async fn icp(&self, customer: &str) -> StoreResult<Option<String>>;

    async fn set_icp(&self, customer: &str, icp: &str, now: Millis) -> StoreResult<()>;

    /// Writes new scores and their `lead.scored` events in one transaction.
    async fn save_scores(
        &self,
        customer: &str,
        scores: Vec<ScoreUpdate>,
        events: Vec<NewEvent>,
        now: Millis,
    ) -> StoreResult<()>;

    /// Imports one lead as [`LeadStore::import_leads`] does, records `action` for it, and ties
    /// the visitor's visits to it, in one transaction.
    async fn capture_lead(
        &self,
        customer: &str,
        lead: NewLead,
        action: &str,
        detail: Option<String>,
        identify: Option<Identify>,
        now: Millis,
    ) -> StoreResult<Imported>;

    /// Records `action` unless the lead already has one with the same name and detail (a
    /// message's second open); `false` then.
    async fn add_lead_action_once(&self, customer: &str, action: LeadAction) -> StoreResult<bool>;

    /// The actions recorded for the customer's leads with one of `ids`, or for all of them.
    async fn lead_actions(
        &self,
        customer: &str,
        ids: Option<&[String]>,
    ) -> StoreResult<Vec<LeadAction>>;

    /// The visits of identified visitors on the customer's sites, and their pageviews whose
    /// path contains one of `path_words` (any case): a coarse filter the caller refines. With
    /// `hashes`, only the visits identified by one of them.
    async fn lead_signals(
        &self,
        customer: &str,
        path_words: &[&str],
        hashes: Option<&[String]>,
    ) -> StoreResult<Vec<SeenSignal>>;
}
