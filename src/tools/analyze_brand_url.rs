//! `analyze_brand_url`: onboard a brand from its website.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::brand::{self, BrandProfile};
use crate::changes::Record;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// The brand's website, usually its home page: an http(s) URL or a bare domain.
    #[schemars(length(min = 1, max = 2048))]
    pub url: String,
    /// Same-site pages to read besides the home page (navigation first, then the sitemap),
    /// 0 to 20; default 5.
    #[schemars(range(min = 0, max = 20))]
    pub max_pages: Option<usize>,
}

pub struct AnalyzeBrandUrl;

impl Tool for AnalyzeBrandUrl {
    type Input = Input;
    type Output = BrandProfile;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<BrandProfile, Error> {
        let url = ctx.fetcher.parse(&input.url)?;
        let extra = input
            .max_pages
            .unwrap_or(brand::DEFAULT_PAGES)
            .min(brand::MAX_PAGES);
        ctx.progress(
            0.0,
            None,
            format!("reading {url} and up to {extra} more pages"),
        )
        .await;
        let profile = brand::read_and_store(
            &ctx.store,
            &ctx.fetcher,
            &ctx.principal.customer.id,
            &url,
            extra,
            ctx.clock.now_millis(),
        )
        .await?;
        ctx.record_changed(Record::Brand);
        Ok(profile)
    }

    fn render(&self, profile: &BrandProfile) -> String {
        profile.render()
    }
}
