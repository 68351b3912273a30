//! `schedule_content`: queues an approved item's posts on channels at a time.

use chrono::DateTime;
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
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: String,
    #[schemars(length(min = 1, max = 5))]
    pub channels: Vec<Platform>,
    /// When to publish, RFC 3339 with an offset (`2026-12-01T09:00:00+01:00`); a past time
    /// publishes now.
    pub at: String,
    /// The post's text, instead of the item's own (a social item's text, else its title and
    /// description).
    #[schemars(length(min = 1, max = 10000))]
    pub text: Option<String>,
}

pub struct ScheduleContent;

impl Tool for ScheduleContent {
    type Input = Input;
    type Output = Posts;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Posts, Error> {
        let at = DateTime::parse_from_rfc3339(&input.at).map_err(|e| Error::InvalidInput {
            message: format!(
                "/at: {:?} is not an RFC 3339 time with an offset: {e}",
                input.at
            ),
            pointer: "/at".into(),
        })?;
        let posts = queue(
            &ctx.store,
            Plan {
                customer: &ctx.principal.customer.id,
                content_id: Some(&input.content_id),
                text: input.text,
                channels: input.channels,
                run_at: at.timestamp_millis(),
                now: ctx.clock.now_millis(),
            },
        )
        .await?;
        ctx.jobs.wake();
        ctx.record_changed(Record::Content(input.content_id.clone()));
        Ok(Posts {
            posts: posts.into_iter().map(Post::from_record).collect(),
        })
    }

    fn render(&self, posts: &Posts) -> String {
        posts.render()
    }
}
