//! `publish_to_social`: publishes now, an approved item or a text.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::changes::Record;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::social::Platform;
use crate::social::posts::{Post, Posts};
use crate::social::queue::{Plan, queue};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// An approved content item to announce.
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: Option<String>,
    /// The text to post (instead of the item's own, or on its own).
    #[schemars(length(min = 1, max = 10000))]
    pub text: Option<String>,
    #[schemars(length(min = 1, max = 5))]
    pub channels: Vec<Platform>,
}

pub struct PublishToSocial;

impl Tool for PublishToSocial {
    type Input = Input;
    type Output = Posts;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Posts, Error> {
        let now = ctx.clock.now_millis();
        let posts = queue(
            &ctx.store,
            Plan {
                customer: &ctx.principal.customer.id,
                content_id: input.content_id.as_deref(),
                text: input.text,
                channels: input.channels,
                run_at: now,
                now,
            },
        )
        .await?;
        ctx.jobs.wake();
        if let Some(id) = &input.content_id {
            ctx.record_changed(Record::Content(id.clone()));
        }
        Ok(Posts {
            posts: posts.into_iter().map(Post::from_record).collect(),
        })
    }

    fn render(&self, posts: &Posts) -> String {
        posts.render()
    }
}
