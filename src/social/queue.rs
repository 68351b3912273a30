//! Queueing posts: the checks every path to publishing shares (channels connected, text within
//! each platform's limit, content approved), then the posts, their jobs and the content's move
//! in one transaction.

use crate::content::lifecycle;
use crate::error::Error;
use crate::store::{Millis, NewPost, PostRecord, Store};

use super::{Platform, length, text_of};

/// What to publish, where and when.
pub struct Plan<'a> {
    pub customer: &'a str,
    /// The content item the posts announce; it must be approved.
    pub content_id: Option<&'a str>,
    /// The text, or `None` for the content's own.
    pub text: Option<String>,
    pub channels: Vec<Platform>,
    pub run_at: Millis,
    pub now: Millis,
}

/// Checks the plan and queues one post per channel.
pub async fn queue(store: &Store, plan: Plan<'_>) -> Result<Vec<PostRecord>, Error> {
    let mut channels = plan.channels.clone();
    channels.sort();
    channels.dedup();
    if channels.is_empty() {
        return Err(Error::InvalidInput {
            message: "/channels: name at least one channel".into(),
            pointer: "/channels".into(),
        });
    }
    let text = match (&plan.text, plan.content_id) {
        (Some(text), _) => text.trim().to_owned(),
        (None, Some(id)) => {
            text_of(&crate::content::lifecycle::get(store, plan.customer, id).await?)
        }
        (None, None) => {
            return Err(Error::InvalidInput {
                message: "/: give contentId, text, or both".into(),
                pointer: String::new(),
            });
        }
    };
    if text.is_empty() {
        return Err(Error::InvalidInput {
            message: "/text: the post would be empty".into(),
            pointer: "/text".into(),
        });
    }
    let connected = store.channels(plan.customer).await?;
    for platform in &channels {
        if !connected.iter().any(|c| c.platform == platform.as_str()) {
            return Err(Error::Conflict(format!(
                "{} is not connected; connect_channel first",
                platform.title()
            )));
        }
        let (max, unit) = length::limit(*platform);
        let used = length::length(*platform, &text);
        if used > max {
            return Err(Error::InvalidInput {
                message: format!(
                    "/text: {} takes at most {max} {unit}; this post has {used}",
                    platform.title()
                ),
                pointer: "/text".into(),
            });
        }
    }
    let posts: Vec<NewPost> = channels
        .iter()
        .map(|platform| NewPost {
            id: format!("post_{}", crate::auth::random_hex(8)),
            platform: platform.as_str().to_owned(),
            text: text.clone(),
            run_at: plan.run_at.max(plan.now),
        })
        .collect();
    let names = channels.iter().map(|p| p.as_str().to_owned()).collect();
    let content = plan.content_id.map(|id| {
        (
            id.to_owned(),
            lifecycle::scheduling(plan.customer, names, plan.now),
        )
    });
    Ok(store
        .queue_posts(plan.customer, content, posts, plan.now)
        .await?)
}
