//! `approve_content`: draft → approved.

use schemars::JsonSchema;
use serde::Deserialize;

use super::run_content_creation::render;
use crate::changes::Record;
use crate::content::ContentItem;
use crate::content::lifecycle::{self, Action};
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
        change(ctx, &input.content_id, Action::Approve).await
    }

    fn render(&self, item: &ContentItem) -> String {
        render(item)
    }
}

/// Applies a lifecycle action for the caller; shared by the content tools that change state.
pub(crate) async fn change(
    ctx: &ToolContext,
    id: &str,
    action: Action,
) -> Result<ContentItem, Error> {
    let customer = &ctx.principal.customer.id;
    let brand = match action {
        Action::Edit(_) => crate::brand::latest(&ctx.store, customer).await?,
        _ => None,
    };
    let item = lifecycle::apply(
        &ctx.store,
        customer,
        id,
        action,
        brand,
        ctx.clock.now_millis(),
    )
    .await?;
    ctx.record_changed(Record::Content(item.id.clone()));
    Ok(item)
}
