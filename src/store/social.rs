//! Social channels (a customer's connected accounts) and the posts sent through them.
//!
//! Scheduling writes the posts, their publishing jobs and the content's transition in one
//! transaction; a published post, the content's transition and its `content.published` event
//! commit together too, so the pipeline's state and the event log never disagree.

use async_trait::async_trait;

use super::{ContentChanger, Millis, NewEvent, StoreResult};

/// The job kind that publishes one post.
pub const PUBLISH_JOB: &str = "social.publish";

/// A connected account as stored (the credentials still sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRecord {
    pub customer_id: String,
    pub platform: String,
    /// Who posts: `@brand@mastodon.social`, `brand.bsky.social`, …
    pub account: String,
    /// Settings that are not secret (base URL, author), as JSON.
    pub config: String,
    pub sealed_secret: String,
    pub connected_at: Millis,
}

/// A post as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRecord {
    pub id: String,
    pub customer_id: String,
    pub content_id: Option<String>,
    pub platform: String,
    pub text: String,
    pub state: String,
    pub run_at: Millis,
    pub remote_id: Option<String>,
    pub url: Option<String>,
    pub error: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub published_at: Option<Millis>,
}

/// A post to queue.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub id: String,
    pub platform: String,
    pub text: String,
    pub run_at: Millis,
}

/// What a publish call returned.
#[derive(Debug, Clone)]
pub struct RemotePost {
    pub remote_id: String,
    pub url: Option<String>,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait SocialStore: Send + Sync {
    /// Connects (or reconnects, replacing the credentials) a customer's account.
    async fn connect_channel(&self, channel: ChannelRecord) -> StoreResult<ChannelRecord>;

    async fn channels(&self, customer: &str) -> StoreResult<Vec<ChannelRecord>>;

    async fn channel(&self, customer: &str, platform: &str) -> StoreResult<Option<ChannelRecord>>;

    /// Forgets an account and its credentials; `false` when it was not connected.
    async fn disconnect_channel(&self, customer: &str, platform: &str) -> StoreResult<bool>;

    /// Queues posts and their publishing jobs; with a content item, `change` moves it (to
    /// scheduled, say) in the same transaction and may refuse with a conflict.
    async fn queue_posts(
        &self,
        customer: &str,
        content: Option<(String, ContentChanger)>,
        posts: Vec<NewPost>,
        now: Millis,
    ) -> StoreResult<Vec<PostRecord>>;

    async fn post(&self, id: &str) -> StoreResult<Option<PostRecord>>;

    /// A customer's posts, newest first, optionally of one content item or state.
    async fn posts(
        &self,
        customer: &str,
        content: Option<&str>,
        state: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<PostRecord>>;

    /// Records a post as published with its `content.published` event; with a content item,
    /// `change` moves it to published in the same transaction. A post already published is
    /// left as it is (answers `false`); one cancelled while its attempt was in flight is
    /// recorded as published, because it is.
    async fn post_published(
        &self,
        id: &str,
        remote: RemotePost,
        event: NewEvent,
        change: Option<ContentChanger>,
        now: Millis,
    ) -> StoreResult<bool>;

    /// Records a failed attempt on a post: its error, and `failed` once nothing will retry it.
    async fn post_failed(&self, id: &str, error: &str, last: bool, now: Millis) -> StoreResult<()>;

    /// Cancels a queued post; with a content item that has nothing else queued or published,
    /// `change` moves it back (to approved) in the same transaction. A post in any other state
    /// is a conflict naming it.
    async fn cancel_post(
        &self,
        customer: &str,
        id: &str,
        change: ContentChanger,
        now: Millis,
    ) -> StoreResult<PostRecord>;
}
