//! `set_icp`: the customer's ideal customer profile, against which every lead's fit is scored.

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::Error;
use crate::leads::fit::Icp;
use crate::leads::score::{self, Rescored};
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub icp: Icp,
    /// Every lead scored again against it.
    pub rescored: Rescored,
}

pub struct SetIcp;

impl Tool for SetIcp {
    type Input = Icp;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, icp: Icp) -> Result<Output, Error> {
        if !icp.has_rules() {
            return Err(Error::invalid(
                "",
                "the profile sets no rule: give industries, employees, titles, seniority or \
                 countries",
            ));
        }
        for (i, range) in icp.employees.iter().enumerate() {
            if let (Some(min), Some(max)) = (range.min, range.max)
                && min > max
            {
                return Err(Error::invalid(
                    &format!("/employees/{i}"),
                    format!("min {min} is above max {max}"),
                ));
            }
        }
        let customer = &ctx.principal.customer.id;
        let now = ctx.clock.now_millis();
        let rescored = score::apply_icp(&ctx.store, customer, &icp, now).await?;
        Ok(Output { icp, rescored })
    }

    fn render(&self, output: &Output) -> String {
        format!(
            "Ideal customer profile saved; {} leads scored again, {} changed, {} regraded.",
            output.rescored.scored,
            output.rescored.changed,
            output.rescored.regraded.len()
        )
    }
}
