//! `reject_content`: draft or approved → rejected, with the reason.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::content::lifecycle::Action;
use crate::content::{ContentItem, actions};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: String,
    /// Why, for the writer (person or model) of the next revision.
    #[schemars(length(min = 1, max = 2000))]
    pub reason: String,
}

pub struct RejectContent;

impl Tool for RejectContent {
    type Input = Input;
    type Output = ContentItem;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<ContentItem, Error> {
        actions::change(
            ctx,
            &input.content_id,
            Action::Reject {
                reason: input.reason.trim().to_owned(),
            },
        )
        .await
    }

    fn render(&self, item: &ContentItem) -> String {
        item.render()
    }
}
