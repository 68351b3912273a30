//! `site_stats`: what the collector counted for a site over a period of local days, against
//! the period before.

use chrono::{NaiveDate, TimeZone};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::analytics::site::parse_settings;
use crate::analytics::stats::{self, Comparison, Days, Interval, Period, StatsReport};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    #[schemars(regex(pattern = r"^site_[0-9a-f]{16}$"))]
    pub site_id: String,
    /// `today`, `yesterday`, `7d`, `30d` (default), `90d`, `month` or `last_month`, in the
    /// site's time zone; `from` and `to` instead give the days.
    #[serde(default)]
    pub period: Period,
    /// First day, `YYYY-MM-DD` (with `to`).
    pub from: Option<NaiveDate>,
    /// Last day, `YYYY-MM-DD`, included (with `from`).
    pub to: Option<NaiveDate>,
    /// The series by `day` (default) or `week`.
    #[serde(default)]
    pub interval: Interval,
    /// Compare with the same number of days before (default true).
    pub compare: Option<bool>,
    /// Rows per breakdown (default 10).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
}

pub struct SiteStats;

impl Tool for SiteStats {
    type Input = Input;
    type Output = StatsReport;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<StatsReport, Error> {
        let record = ctx
            .store
            .site(&ctx.principal.customer.id, &input.site_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("No site {}", input.site_id)))?;
        let settings = parse_settings(&record.settings)?;
        let tz = settings.tz();
        let today = tz
            .timestamp_millis_opt(ctx.clock.now_millis())
            .single()
            .map(|now| now.date_naive())
            .ok_or_else(|| Error::Internal("the clock is out of range".into()))?;
        let days = Days::resolve(input.period, input.from, input.to, today)?;
        let top = input.limit.unwrap_or(10) as usize;
        let query = stats::query(&record.id, &settings, days, input.interval, top);
        let facts = ctx.store.site_facts(query).await?;
        let previous = if input.compare.unwrap_or(true) {
            let before = days.previous();
            let totals = ctx
                .store
                .site_totals(stats::query(
                    &record.id,
                    &settings,
                    before,
                    input.interval,
                    top,
                ))
                .await?;
            Some(Comparison::of(before, totals, &facts.totals))
        } else {
            None
        };
        Ok(StatsReport::of(
            &record.id,
            &settings,
            days,
            input.interval,
            facts,
            previous,
        ))
    }

    fn render(&self, output: &StatsReport) -> String {
        output.render()
    }
}
