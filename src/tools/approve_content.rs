//! `approve_content`: draft → approved.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::content::ContentItem;
use crate::content::actions;
use crate::content::lifecycle::Action;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: String,
}

pub struct ApproveContent;

impl Tool for ApproveContent {
    type Input = Input;
    type Output = ContentItem;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<ContentItem, Error> {
        actions::change(ctx, &input.content_id, Action::Approve).await
    }

    fn render(&self, item: &ContentItem) -> String {
        item.render()
    }
}
