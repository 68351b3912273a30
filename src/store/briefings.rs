//! Briefings (what `run_research` wrote) and the facts about a customer's pipeline they report.

use async_trait::async_trait;

use super::{Millis, NewEvent, StoreResult};

/// A stored briefing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BriefingRecord {
    pub id: String,
    pub trigger: String,
    /// The briefing, as JSON.
    pub briefing: String,
    pub created_at: Millis,
}

/// What a customer's pipeline and log hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineFacts {
    /// Content items per state.
    pub content: Vec<(String, u32)>,
    /// Drafts waiting for review: id and title, oldest first.
    pub drafts: Vec<(String, String)>,
    /// Briefs waiting for their text (`submit_draft`): id and topic, oldest first.
    pub briefs: Vec<(String, String)>,
    /// Posts per state.
    pub posts: Vec<(String, u32)>,
    /// Posts published in the period.
    pub published: u32,
    /// Posts that failed: id, platform, error.
    pub failed: Vec<(String, String, String)>,
    /// Events in the period per type, tool calls left out.
    pub events: Vec<(String, u32)>,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait BriefingStore: Send + Sync {
    /// The facts a briefing reports, for events and publications since `since`.
    async fn pipeline_facts(&self, customer: &str, since: Millis) -> StoreResult<PipelineFacts>;

    /// Stores a briefing with its `workflow.completed` event.
    async fn save_briefing(
        &self,
        customer: &str,
        record: BriefingRecord,
        event: NewEvent,
    ) -> StoreResult<()>;

    /// A customer's briefings, newest first.
    async fn briefings(&self, customer: &str, limit: u32) -> StoreResult<Vec<BriefingRecord>>;
}
