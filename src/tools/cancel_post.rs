//! `cancel_post`: takes back a post that has not gone out yet.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::changes::Record;
use crate::content::lifecycle;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::social::posts::Post;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^post_[0-9a-f]{16}$"))]
    pub post_id: String,
}

pub struct CancelPost;

impl Tool for CancelPost {
    type Input = Input;
    type Output = Post;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Post, Error> {
        let customer = &ctx.principal.customer.id;
        let now = ctx.clock.now_millis();
        let post = ctx
            .store
            .cancel_post(
                customer,
                &input.post_id,
                lifecycle::unscheduled(customer, now),
                now,
            )
            .await?;
        if let Some(content) = &post.content_id {
            ctx.record_changed(Record::Content(content.clone()));
        }
        Ok(Post::from_record(post))
    }

    fn render(&self, post: &Post) -> String {
        format!("Cancelled {} on {}.", post.id, post.channel.as_str())
    }
}
