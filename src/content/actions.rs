//! What the content tools do on behalf of a caller: draft a piece and move it through its
//! lifecycle, each announcing the changed item to whoever watches it.

use super::ContentItem;
use super::brief::Grounding;
use super::lifecycle::{self, Action};
use super::writer::Brief;
use crate::brand::BrandProfile;
use crate::changes::Record;
use crate::error::Error;
use crate::llm::{self, EngineChoice};
use crate::registry::ToolContext;

/// Drafts `brief` for the caller with the engine it chose (or, with none, stores its writing
/// brief), in `brand`'s voice and grounded in what the records say, and announces the new item.
pub async fn draft(
    ctx: &ToolContext,
    brief: &Brief,
    choice: EngineChoice,
    brand: Option<&BrandProfile>,
    grounding: &Grounding,
) -> Result<ContentItem, Error> {
    let customer = &ctx.principal.customer.id;
    let engine = llm::choose(choice, ctx, "draft").await?;
    let item = lifecycle::draft(
        &ctx.store,
        customer,
        engine.as_deref(),
        brief,
        brand,
        grounding,
        ctx.clock.now_millis(),
    )
    .await?;
    ctx.record_changed(Record::Content(item.id.clone()));
    Ok(item)
}

/// Applies a lifecycle action for the caller, and announces the change.
pub async fn change(ctx: &ToolContext, id: &str, action: Action) -> Result<ContentItem, Error> {
    let customer = &ctx.principal.customer.id;
    let brand = match action {
        Action::Edit(_) | Action::Submit(_) => crate::brand::latest(&ctx.store, customer).await?,
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
