//! The job that publishes one post ([`crate::store::PUBLISH_JOB`]).
//!
//! A published post, its content item's move to `published` and the `content.published` event
//! commit together. A failure the platform will not take back (a refused token, a text it
//! rejects) fails the post at once with the platform's words; others are retried with backoff,
//! or at the platform's rate-limit reset.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::json;

use super::bluesky::Sessions;
use super::{Outbound, Platform};
use crate::changes::{self, Changes, Record};
use crate::clock::Clock;
use crate::content::lifecycle;
use crate::jobs::{Failure, Handler, Retry};
use crate::store::{JobRecord, NewEvent, RemotePost, Store, StoreError};
use crate::vault::Vault;
use crate::web::Fetcher;

/// Publishes posts.
pub struct Publisher {
    pub store: Store,
    pub fetcher: Fetcher,
    pub vault: Vault,
    pub clock: Arc<dyn Clock>,
    pub sessions: Sessions,
    /// Where MCP resource subscribers hear that a published item changed.
    pub changes: Changes,
}

#[derive(Deserialize)]
struct Payload {
    post: String,
}

fn store_failure(error: StoreError) -> Failure {
    Failure::from(error.to_string())
}

impl Publisher {
    async fn publish(&self, job: &JobRecord) -> Result<(), Failure> {
        let Payload { post } = serde_json::from_str(&job.payload)
            .map_err(|e| Failure::permanent(format!("unreadable publish job: {e}")))?;
        let Some(post) = self.store.post(&post).await.map_err(store_failure)? else {
            return Ok(());
        };
        if matches!(post.state.as_str(), "published" | "cancelled") {
            return Ok(());
        }
        let now = self.clock.now_millis();
        let outcome = self.attempt(job, &post, now).await;
        match outcome {
            Ok(remote) => {
                let event = NewEvent::new(
                    post.customer_id.clone(),
                    "content.published",
                    &json!({
                        "contentId": post.content_id,
                        "postId": post.id,
                        "channel": post.platform,
                        "remoteId": remote.remote_id,
                        "url": remote.url,
                    }),
                    self.clock.now_millis(),
                );
                let change = post
                    .content_id
                    .as_ref()
                    .map(|_| lifecycle::published(self.clock.now_millis()));
                self.store
                    .post_published(&post.id, remote, event, change, self.clock.now_millis())
                    .await
                    .map_err(store_failure)?;
                if let Some(content) = &post.content_id {
                    changes::announce(
                        &self.changes,
                        &post.customer_id,
                        Record::Content(content.clone()),
                    );
                }
                Ok(())
            }
            Err(failure) => {
                let last = failure.retry == Retry::Never || job.attempts >= job.max_attempts;
                self.store
                    .post_failed(&post.id, &failure.message, last, self.clock.now_millis())
                    .await
                    .map_err(store_failure)?;
                Err(failure)
            }
        }
    }

    async fn attempt(
        &self,
        job: &JobRecord,
        post: &crate::store::PostRecord,
        now: i64,
    ) -> Result<RemotePost, Failure> {
        let platform = Platform::parse(&post.platform)
            .ok_or_else(|| Failure::permanent(format!("unknown platform {}", post.platform)))?;
        let channel = self
            .store
            .channel(&post.customer_id, platform.as_str())
            .await
            .map_err(store_failure)?
            .ok_or_else(|| {
                Failure::permanent(format!(
                    "{} is not connected (connect_channel, then retry_job)",
                    platform.title()
                ))
            })?;
        let secret = self
            .vault
            .open(
                &crate::vault::connection_purpose(&post.customer_id, platform.as_str()),
                &channel.sealed_secret,
            )
            .map_err(|e| Failure::permanent(e.to_string()))?;
        let secret = String::from_utf8(secret)
            .map_err(|_| Failure::permanent("the stored credentials are not text"))?;
        let config: serde_json::Value = serde_json::from_str(&channel.config).map_err(|e| {
            Failure::permanent(format!("the channel's settings are unreadable: {e}"))
        })?;
        let outbound = Outbound {
            fetcher: &self.fetcher,
            post,
            config: &config,
            secret: &secret,
            attempt: job.attempts,
            now,
        };
        super::publish(platform, &outbound, &self.sessions)
            .await
            .map_err(|e| e.failure)
    }
}

impl Handler for Publisher {
    fn run<'a>(&'a self, job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(self.publish(job))
    }
}
