//! `get_content`: one content item, whole.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::content::{ContentItem, lifecycle};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: String,
}

pub struct GetContent;

impl Tool for GetContent {
    type Input = Input;
    type Output = ContentItem;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<ContentItem, Error> {
        lifecycle::get(&ctx.store, &ctx.principal.customer.id, &input.content_id).await
    }

    fn render(&self, item: &ContentItem) -> String {
        item.render()
    }
}
