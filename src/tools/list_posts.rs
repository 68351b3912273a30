//! `list_posts`: the caller's posts and where each stands.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::social::posts::{Post, Posts};

/// Where a post stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostState {
    Queued,
    Published,
    Failed,
    Cancelled,
}

impl PostState {
    fn as_str(self) -> &'static str {
        match self {
            PostState::Queued => "queued",
            PostState::Published => "published",
            PostState::Failed => "failed",
            PostState::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: Option<String>,
    pub state: Option<PostState>,
    /// How many, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
}

pub struct ListPosts;

impl Tool for ListPosts {
    type Input = Input;
    type Output = Posts;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Posts, Error> {
        let records = ctx
            .store
            .posts(
                &ctx.principal.customer.id,
                input.content_id.as_deref(),
                input.state.map(PostState::as_str),
                input.limit.unwrap_or(50),
            )
            .await?;
        Ok(Posts {
            posts: records.into_iter().map(Post::from_record).collect(),
        })
    }

    fn render(&self, posts: &Posts) -> String {
        posts.render()
    }
}
