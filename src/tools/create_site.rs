//! `create_site`: a site whose visits the collector counts, with the snippet to install.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::analytics::site::{self, Goal, Settings, Site};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::SiteRecord;

/// Most sites one customer may have.
const MAX_SITES: usize = 100;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// How reports name the site (default: its first domain).
    #[schemars(length(min = 1, max = 100))]
    pub name: Option<String>,
    /// Host names the script may report from: `example.com`, `*.example.com` for subdomains.
    #[schemars(
        length(min = 1, max = crate::analytics::site::MAX_DOMAINS),
        inner(
            length(max = 254),
            regex(
                pattern = crate::analytics::site::DOMAIN_PATTERN
            )
        )
    )]
    pub domains: Vec<String>,
    /// IANA time zone days are counted in (default UTC).
    #[schemars(length(min = 1, max = 64))]
    pub time_zone: Option<String>,
    /// Paths (`/thank-you`, `/docs/*`) or custom event names that count as conversions.
    #[schemars(length(max = 50))]
    #[serde(default)]
    pub goals: Vec<Goal>,
    /// Leave out browsers that send Do-Not-Track or Global Privacy Control (default false).
    #[serde(default)]
    pub respect_do_not_track: bool,
}

pub struct CreateSite;

impl Tool for CreateSite {
    type Input = Input;
    type Output = Site;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Site, Error> {
        let customer = &ctx.principal.customer.id;
        let settings = Settings {
            domains: input.domains,
            time_zone: input.time_zone.unwrap_or_else(|| "UTC".into()),
            goals: input.goals,
            respect_do_not_track: input.respect_do_not_track,
        }
        .validated()?;
        if ctx.store.sites(customer).await?.len() >= MAX_SITES {
            return Err(Error::Conflict(format!(
                "A customer may have at most {MAX_SITES} sites; delete_site one first"
            )));
        }
        let now = ctx.clock.now_millis();
        let record = SiteRecord {
            id: site::new_id(),
            customer_id: customer.clone(),
            name: input
                .name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| settings.domains[0].clone()),
            settings: serde_json::to_string(&settings)
                .map_err(|e| Error::Internal(e.to_string()))?,
            created_at: now,
            updated_at: now,
        };
        ctx.store.create_site(record.clone()).await?;
        Site::of(&record, &ctx.public_url)
    }

    fn render(&self, site: &Site) -> String {
        format!(
            "Created site {} ({}) for {}. Put this in every page's <head>:\n{}",
            site.name,
            site.id,
            site.settings.domains.join(", "),
            site.snippet
        )
    }
}
