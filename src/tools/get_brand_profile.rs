//! `get_brand_profile`: the stored brand profile, latest or a given version.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::brand::BrandProfile;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// A version number from an earlier analysis; the latest when left out.
    #[schemars(range(min = 1))]
    pub version: Option<i64>,
}

pub struct GetBrandProfile;

impl Tool for GetBrandProfile {
    type Input = Input;
    type Output = BrandProfile;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<BrandProfile, Error> {
        crate::brand::stored(&ctx.store, &ctx.principal.customer.id, input.version)
            .await?
            .ok_or_else(|| match input.version {
                Some(v) => Error::NotFound(format!("There is no brand profile version {v}")),
                None => Error::NotFound(
                    "No brand profile yet: run analyze_brand_url on the brand's website first"
                        .into(),
                ),
            })
    }

    fn render(&self, profile: &BrandProfile) -> String {
        profile.render()
    }
}
