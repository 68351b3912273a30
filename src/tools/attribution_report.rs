//! `attribution_report`: which channels, sources, campaigns or landing pages the revenue of a
//! period is credited to, under several attribution models side by side.

use chrono::{Duration, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::analytics::attribution::Model;
use crate::analytics::revenue::{
    self, Currency, CurrencyReport, DAY, GroupBy, MAX_LOOKBACK_DAYS, Settings,
};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// Default: all six, in this order.
    #[schemars(length(min = 1, max = 6))]
    pub models: Option<Vec<Model>>,
    /// First day of orders, `YYYY-MM-DD` in UTC (default 30 days before `to`).
    pub from: Option<NaiveDate>,
    /// Last day of orders, included (default today).
    pub to: Option<NaiveDate>,
    #[serde(default)]
    pub group_by: GroupBy,
    /// Touchpoints up to this many days before an order count (default 30).
    #[schemars(range(min = 1, max = 90))]
    pub lookback_days: Option<u32>,
    /// Time decay's half-life in days (default 7).
    #[schemars(range(min = 0.01, max = 90.0))]
    pub half_life_days: Option<f64>,
    /// Only orders in this currency.
    #[schemars(length(equal = 3))]
    pub currency: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub from: String,
    pub to: String,
    pub group_by: GroupBy,
    pub lookback_days: u32,
    pub half_life_days: f64,
    pub models: Vec<Model>,
    /// One report per currency, never mixed.
    pub currencies: Vec<CurrencyReport>,
}

pub struct AttributionReport;

impl Tool for AttributionReport {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let today = chrono::DateTime::from_timestamp_millis(ctx.clock.now_millis())
            .ok_or_else(|| Error::Internal("the clock is out of range".into()))?
            .date_naive();
        let to = input.to.unwrap_or(today);
        let from = input.from.unwrap_or(to - Duration::days(29));
        if to < from {
            return Err(Error::BadRequest(format!(
                "the period ends ({to}) before it begins ({from})"
            )));
        }
        if (to - from).num_days() >= 366 {
            return Err(Error::BadRequest("a report covers at most 366 days".into()));
        }
        let currency = input.currency.as_deref().map(Currency::parse).transpose()?;
        let mut models = input.models.unwrap_or_else(|| Model::ALL.to_vec());
        let mut seen = Vec::new();
        models.retain(|m| {
            let new = !seen.contains(m);
            seen.push(*m);
            new
        });
        let lookback_days = input
            .lookback_days
            .unwrap_or(30)
            .min(MAX_LOOKBACK_DAYS as u32);
        let half_life_days = input.half_life_days.unwrap_or(7.0);
        let midnight = |day: NaiveDate| {
            day.and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
                .timestamp_millis()
        };
        let mut orders = ctx
            .store
            .orders(
                &ctx.principal.customer.id,
                midnight(from),
                midnight(to + Duration::days(1)),
            )
            .await?;
        if let Some(currency) = &currency {
            orders.retain(|o| o.currency == currency.code);
        }
        let settings = Settings {
            models: models.clone(),
            group_by: input.group_by,
            lookback: i64::from(lookback_days) * DAY,
            half_life: (half_life_days * DAY as f64).round() as i64,
        };
        Ok(Output {
            from: from.to_string(),
            to: to.to_string(),
            group_by: input.group_by,
            lookback_days,
            half_life_days,
            currencies: revenue::report(&orders, &settings),
            models,
        })
    }

    fn render(&self, o: &Output) -> String {
        if o.currencies.is_empty() {
            return format!(
                "No orders from {} to {}: track_revenue records them.",
                o.from, o.to
            );
        }
        let mut text = format!("Revenue from {} to {} by {:?}:", o.from, o.to, o.group_by);
        for c in &o.currencies {
            text.push_str(&format!(
                "\n{}: {} orders, {} net ({} without touchpoints).",
                c.currency, c.orders, c.net_formatted, c.orders_without_touchpoints
            ));
            for m in &c.models {
                let top: Vec<String> = m
                    .groups
                    .iter()
                    .take(3)
                    .map(|g| format!("{} {}", g.key, g.formatted))
                    .collect();
                text.push_str(&format!(
                    "\n  {}: {}",
                    serde_json::to_value(m.model)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    top.join(", ")
                ));
            }
        }
        text
    }
}
