//! `submit_draft`: the caller's own text for an item — written from its brief, or revised after
//! the checks — checked and stored as a draft by `client`.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::content::lifecycle::{Action, Submission};
use crate::content::writer::clean_keywords;
use crate::content::{ContentItem, LandingCopy, actions};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// The item whose brief was written (from run_content_creation or generate_lead_magnet).
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: String,
    /// The title, not blank (for an email, its subject line).
    #[schemars(length(min = 1, max = 300), regex(pattern = r"\S"))]
    pub title: String,
    /// The whole piece, not blank: Markdown (plain text for a social post).
    #[schemars(length(min = 1, max = 200000), regex(pattern = r"\S"))]
    pub body: String,
    #[schemars(length(max = 400))]
    pub meta_description: Option<String>,
    /// A lead magnet's landing page copy.
    pub landing_copy: Option<LandingCopy>,
    /// Replaces the brief's keywords; the first is the main one.
    #[schemars(length(max = 10))]
    pub keywords: Option<Vec<String>>,
}

pub struct SubmitDraft;

impl Tool for SubmitDraft {
    type Input = Input;
    type Output = ContentItem;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<ContentItem, Error> {
        let title = input.title.trim().to_owned();
        if title.is_empty() || input.body.trim().is_empty() {
            return Err(Error::BadRequest(
                "A draft needs a title and a body that are not blank".into(),
            ));
        }
        let submission = Submission {
            title,
            body: input.body.trim().to_owned(),
            meta_description: input.meta_description.map(|m| m.trim().to_owned()),
            landing_copy: input.landing_copy,
            keywords: input.keywords.map(clean_keywords),
        };
        actions::change(ctx, &input.content_id, Action::Submit(submission)).await
    }

    fn render(&self, item: &ContentItem) -> String {
        item.render()
    }
}
