//! A customer's onboarding: the site read into a brand profile (a durable job), the brand
//! interview's answers, and when it was completed. One row per customer; starting again
//! reads the site again and keeps the answers.

use async_trait::async_trait;

use super::{Millis, NewEvent, NewJob, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnboardingRecord {
    pub customer_id: String,
    /// The site the profile is read from; none when the customer gave none.
    pub url: Option<String>,
    /// `queued`, `running`, `done`, `failed` or `skipped` (no site).
    pub profile_state: String,
    /// The last failed attempt's reason, while the job retries or after it gave up.
    pub profile_error: Option<String>,
    /// The brand profile version the job stored.
    pub profile_version: Option<i64>,
    /// The interview's answers, JSON.
    pub answers: String,
    pub started_at: Millis,
    pub updated_at: Millis,
    pub completed_at: Option<Millis>,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait OnboardingStore: Send + Sync {
    async fn onboarding(&self, customer_id: &str) -> StoreResult<Option<OnboardingRecord>>;

    /// Starts (or starts again) the customer's onboarding: the profile step in `profile_state`
    /// for `url`, with the job that reads the site if any, in one transaction. The answers and
    /// the completion time of an earlier start are kept.
    async fn start_onboarding(
        &self,
        customer_id: &str,
        url: Option<&str>,
        profile_state: &str,
        job: Option<NewJob>,
        at: Millis,
    ) -> StoreResult<OnboardingRecord>;

    /// Records where the profile step stands.
    async fn set_onboarding_profile(
        &self,
        customer_id: &str,
        state: &str,
        error: Option<&str>,
        version: Option<i64>,
        at: Millis,
    ) -> StoreResult<()>;

    /// Saves the interview's answers; with `completed`, marks onboarding completed (once) and
    /// appends that event, in the same transaction.
    async fn save_onboarding_answers(
        &self,
        customer_id: &str,
        answers: &str,
        completed: Option<NewEvent>,
        at: Millis,
    ) -> StoreResult<OnboardingRecord>;
}
