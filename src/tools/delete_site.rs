//! `delete_site`: removes a site with every visit and hit recorded for it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^site_[0-9a-f]{16}$"))]
    pub site_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub site_id: String,
    pub deleted: bool,
}

pub struct DeleteSite;

impl Tool for DeleteSite {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        ctx.store
            .delete_site(&ctx.principal.customer.id, &input.site_id)
            .await?;
        Ok(Output {
            site_id: input.site_id,
            deleted: true,
        })
    }

    fn render(&self, output: &Output) -> String {
        format!(
            "Deleted site {} with its visits; hits sent for it from now on answer 404.",
            output.site_id
        )
    }
}
