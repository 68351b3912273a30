//! `schedule_content`: queues an approved item's posts on channels at a time.

use chrono::DateTime;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::changes::Record;
use crate::clock::rfc3339;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::social::Platform;
use crate::social::queue::{Plan, queue};
use crate::store::PostRecord;

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

/// A post on one channel.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    pub id: String,
    pub channel: Platform,
    pub content_id: Option<String>,
    pub text: String,
    /// queued, published, failed or cancelled.
    pub state: String,
    pub run_at: String,
    /// The platform's id of the post, once published.
    pub remote_id: Option<String>,
    pub url: Option<String>,
    /// The platform's last error.
    pub error: Option<String>,
    pub created_at: String,
    pub published_at: Option<String>,
}

impl Post {
    pub fn from_record(record: PostRecord) -> Post {
        Post {
            channel: Platform::parse(&record.platform).unwrap_or(Platform::Webhook),
            id: record.id,
            content_id: record.content_id,
            text: record.text,
            state: record.state,
            run_at: rfc3339(record.run_at),
            remote_id: record.remote_id,
            url: record.url,
            error: record.error,
            created_at: rfc3339(record.created_at),
            published_at: record.published_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub posts: Vec<Post>,
}

/// Posts as lines, shared by the publishing tools.
pub(crate) fn render(output: &Output) -> String {
    if output.posts.is_empty() {
        return "No posts.".into();
    }
    output
        .posts
        .iter()
        .map(|p| {
            let mut line = format!("{} on {}: {}", p.id, p.channel.as_str(), p.state);
            match (&p.url, &p.error) {
                (Some(url), _) => line.push_str(&format!(" {url}")),
                (None, Some(error)) => line.push_str(&format!(" ({error})")),
                _ if p.state == "queued" => line.push_str(&format!(" for {}", p.run_at)),
                _ => {}
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub struct ScheduleContent;

impl Tool for ScheduleContent {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
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
        Ok(Output {
            posts: posts.into_iter().map(Post::from_record).collect(),
        })
    }

    fn render(&self, output: &Output) -> String {
        render(output)
    }
}
