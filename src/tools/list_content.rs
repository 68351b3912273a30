//! `list_content`: the caller's content items, most recently changed first.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::content::{ContentItem, Format, State};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub state: Option<State>,
    pub format: Option<Format>,
    /// How many, 1 to 100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
}

/// An item without its body.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub id: String,
    pub format: Format,
    pub state: State,
    pub title: String,
    pub revision: u32,
    pub engine: String,
    /// The on-page check score, for pages.
    pub seo_score: Option<u32>,
    pub updated_at: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub content: Vec<Summary>,
}

pub struct ListContent;

impl Tool for ListContent {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let rows = ctx
            .store
            .list_content(
                &ctx.principal.customer.id,
                input.state.map(State::as_str),
                input.format.map(Format::as_str),
                input.limit.unwrap_or(20),
            )
            .await?;
        let mut content = Vec::with_capacity(rows.len());
        for row in rows {
            let item: ContentItem = serde_json::from_str(&row.item)
                .map_err(|e| Error::Internal(format!("content {} is unreadable: {e}", row.id)))?;
            content.push(Summary {
                id: item.id,
                format: item.format,
                state: item.state,
                title: item.title,
                revision: item.revision,
                engine: item.engine,
                seo_score: item.seo.map(|s| s.score),
                updated_at: item.updated_at,
            });
        }
        Ok(Output { content })
    }

    fn render(&self, output: &Output) -> String {
        if output.content.is_empty() {
            return "No content yet: run_content_creation or generate_lead_magnet writes a draft."
                .into();
        }
        output
            .content
            .iter()
            .map(|c| {
                format!(
                    "{} [{}] {} \"{}\" (revision {}, {})",
                    c.id,
                    c.state.as_str(),
                    c.format.as_str(),
                    c.title,
                    c.revision,
                    c.updated_at
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
