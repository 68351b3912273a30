//! `list_leads`: the caller's leads, best first, filtered by score, grade, stage or source.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::leads::score::lead_of;
use crate::leads::{Lead, Stage};
use crate::registry::{Tool, ToolContext};
use crate::store::LeadQuery;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// Only leads whose fit is at least this, 0 to 100.
    #[schemars(range(min = 0, max = 100))]
    pub min_fit: Option<u32>,
    /// Only leads whose intent is at least this, 0 to 100.
    #[schemars(range(min = 0, max = 100))]
    pub min_intent: Option<u32>,
    /// A grade (`A1`) or a fit letter (`A`, every intent).
    #[schemars(regex(pattern = r"^[A-D][1-4]?$"))]
    pub grade: Option<String>,
    pub stage: Option<Stage>,
    #[schemars(length(min = 1, max = 100))]
    pub source: Option<String>,
    /// 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
    /// Leads to skip, for the next page.
    #[schemars(range(min = 0, max = 1_000_000))]
    pub offset: Option<u32>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub leads: Vec<Lead>,
}

pub struct ListLeads;

impl Tool for ListLeads {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let records = ctx
            .store
            .leads(
                &ctx.principal.customer.id,
                LeadQuery {
                    min_fit: input.min_fit,
                    min_intent: input.min_intent,
                    grade: input.grade,
                    stage: input.stage.map(|s| s.as_str().to_owned()),
                    source: input.source,
                    limit: input.limit.unwrap_or(50),
                    offset: input.offset.unwrap_or(0),
                },
            )
            .await?;
        Ok(Output {
            leads: records
                .iter()
                .map(|r| lead_of(r, None))
                .collect::<Result<_, _>>()?,
        })
    }

    fn render(&self, output: &Output) -> String {
        if output.leads.is_empty() {
            return "No leads match: import_leads adds some.".into();
        }
        output
            .leads
            .iter()
            .map(Lead::render)
            .collect::<Vec<_>>()
            .join("\n")
    }
}
