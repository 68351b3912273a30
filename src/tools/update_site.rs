//! `update_site`: changes a site's name, domains, time zone, goals or opt-out rule.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::analytics::site::{Goal, Site, parse_settings};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^site_[0-9a-f]{16}$"))]
    pub site_id: String,
    #[schemars(length(min = 1, max = 100))]
    pub name: Option<String>,
    /// Replaces the domain list.
    #[schemars(
        length(min = 1, max = crate::analytics::site::MAX_DOMAINS),
        inner(
            length(max = 254),
            regex(
                pattern = crate::analytics::site::DOMAIN_PATTERN
            )
        )
    )]
    pub domains: Option<Vec<String>>,
    #[schemars(length(min = 1, max = 64))]
    pub time_zone: Option<String>,
    /// Replaces the goals.
    #[schemars(length(max = 50))]
    pub goals: Option<Vec<Goal>>,
    pub respect_do_not_track: Option<bool>,
}

pub struct UpdateSite;

impl Tool for UpdateSite {
    type Input = Input;
    type Output = Site;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Site, Error> {
        let customer = &ctx.principal.customer.id;
        let mut record = ctx
            .store
            .site(customer, &input.site_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("No site {}", input.site_id)))?;
        let mut settings = parse_settings(&record.settings)?;
        if let Some(domains) = input.domains {
            settings.domains = domains;
        }
        if let Some(zone) = input.time_zone {
            settings.time_zone = zone;
        }
        if let Some(goals) = input.goals {
            settings.goals = goals;
        }
        if let Some(respect) = input.respect_do_not_track {
            settings.respect_do_not_track = respect;
        }
        let settings = settings.validated()?;
        if let Some(name) = input
            .name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
        {
            record.name = name;
        }
        record.settings =
            serde_json::to_string(&settings).map_err(|e| Error::Internal(e.to_string()))?;
        record.updated_at = ctx.clock.now_millis();
        ctx.store
            .update_site(
                customer,
                &record.id,
                &record.name,
                &record.settings,
                record.updated_at,
            )
            .await?;
        Site::of(&record, &ctx.public_url)
    }

    fn render(&self, site: &Site) -> String {
        format!(
            "Updated site {} ({}): {}; days in {}; {} goal(s).",
            site.name,
            site.id,
            site.settings.domains.join(", "),
            site.settings.time_zone,
            site.settings.goals.len()
        )
    }
}
