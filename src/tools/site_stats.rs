//! `site_stats`: what the collector counted for a site over a period of local days, against
//! the period before.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::analytics::stats::{self, Interval, Period, Request, StatsReport};
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
        let request = Request {
            period: input.period,
            from: input.from,
            to: input.to,
            interval: input.interval,
            compare: input.compare.unwrap_or(true),
            top: input.limit.unwrap_or(10) as usize,
        };
        stats::compute(
            &ctx.store,
            &ctx.principal.customer.id,
            &input.site_id,
            ctx.clock.now_millis(),
            &request,
        )
        .await
    }

    fn render(&self, output: &StatsReport) -> String {
        output.render()
    }
}
