//! Posts as their owner sees them: what the publishing tools answer with.

use schemars::JsonSchema;
use serde::Serialize;

use super::Platform;
use crate::clock::rfc3339;
use crate::store::PostRecord;

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
#[schemars(rename = "Output")]
pub struct Posts {
    pub posts: Vec<Post>,
}

impl Posts {
    /// Posts as lines, as the publishing tools answer.
    pub fn render(&self) -> String {
        let output = self;
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
}
