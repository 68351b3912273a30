//! `update_content`: edit a draft or a rejected item; it becomes a draft again, checked anew.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::content::lifecycle::{Action, Edits};
use crate::content::writer::clean_keywords;
use crate::content::{ContentItem, actions};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: String,
    #[schemars(length(min = 1, max = 300))]
    pub title: Option<String>,
    #[schemars(length(max = 400))]
    pub meta_description: Option<String>,
    /// The whole body, Markdown.
    #[schemars(length(min = 1, max = 200000))]
    pub body: Option<String>,
    #[schemars(length(max = 10))]
    pub keywords: Option<Vec<String>>,
}

pub struct UpdateContent;

impl Tool for UpdateContent {
    type Input = Input;
    type Output = ContentItem;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<ContentItem, Error> {
        let edits = Edits {
            title: input.title.map(|t| t.trim().to_owned()),
            meta_description: input.meta_description.map(|m| m.trim().to_owned()),
            body: input.body,
            keywords: input.keywords.map(clean_keywords),
        };
        actions::change(ctx, &input.content_id, Action::Edit(edits)).await
    }

    fn render(&self, item: &ContentItem) -> String {
        item.render()
    }
}
