//! `list_sites`: the customer's sites with their snippets.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analytics::site::Site;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub sites: Vec<Site>,
}

pub struct ListSites;

impl Tool for ListSites {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Output, Error> {
        let records = ctx.store.sites(&ctx.principal.customer.id).await?;
        let sites = records
            .iter()
            .map(|record| Site::of(record, &ctx.public_url))
            .collect::<Result<_, _>>()?;
        Ok(Output { sites })
    }

    fn render(&self, output: &Output) -> String {
        if output.sites.is_empty() {
            return "No sites yet; create_site adds one.".into();
        }
        output
            .sites
            .iter()
            .map(|s| format!("- {} ({}): {}", s.name, s.id, s.settings.domains.join(", ")))
            .collect::<Vec<_>>()
            .join("\n")
    }
}
