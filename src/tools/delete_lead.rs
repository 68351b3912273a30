//! `delete_lead`: erases a lead's personal data, keeping only a hash of the address on the
//! suppression list so it is never imported or mailed again.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::leads::suppression_hash;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^lead_[0-9a-f]{16}$"))]
    pub lead_id: String,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub lead_id: String,
    pub deleted: bool,
    /// The address is on the suppression list, as a hash only.
    pub suppressed: bool,
}

pub struct DeleteLead;

impl Tool for DeleteLead {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let record = ctx
            .store
            .lead(customer, &input.lead_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("No lead {}", input.lead_id)))?;
        let hash = suppression_hash(customer, &record.email);
        let deleted = ctx
            .store
            .delete_lead(customer, &input.lead_id, &hash, ctx.clock.now_millis())
            .await?;
        if !deleted {
            return Err(Error::NotFound(format!("No lead {}", input.lead_id)));
        }
        Ok(Output {
            lead_id: input.lead_id,
            deleted,
            suppressed: true,
        })
    }

    fn render(&self, output: &Output) -> String {
        format!(
            "Lead {} erased; its address is kept only as a hash on the suppression list.",
            output.lead_id
        )
    }
}
