//! What the daily briefing says of analytics: each site's traffic in the period against the
//! period before (channels, the pages that moved most, goals), and the revenue of the period
//! with its last-non-direct attribution by channel.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attribution::Model;
use super::revenue::{self, GroupBy, Settings as ReportSettings};
use super::site::parse_settings;
use super::stats;
use crate::error::Error;
use crate::store::{Millis, StatsQuery, Store};

/// Pages compared between the two periods to find the movers.
const COMPARED: usize = 20;
/// Movers a briefing lists.
const MOVERS: usize = 5;

/// A page whose pageviews changed most.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Mover {
    pub path: String,
    pub pageviews: u64,
    pub previous: u64,
}

/// A channel's visits in the period.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelVisits {
    pub channel: String,
    pub visits: u64,
}

/// A goal's conversions in the period.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GoalConversions {
    pub goal: String,
    pub conversions: u64,
}

/// One site's traffic in the period.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Traffic {
    pub site_id: String,
    pub name: String,
    pub visitors: u64,
    pub visits: u64,
    pub pageviews: u64,
    pub conversions: u64,
    /// Visits in the period of the same length before.
    pub previous_visits: u64,
    pub channels: Vec<ChannelVisits>,
    pub movers: Vec<Mover>,
    pub goals: Vec<GoalConversions>,
}

/// One currency's revenue in the period.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Revenue {
    pub currency: String,
    pub orders: u64,
    /// Net of refunds, in the minor unit.
    pub net: i64,
    pub net_formatted: String,
    /// Last-non-direct credit by channel, most first.
    pub by_channel: Vec<ChannelRevenue>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelRevenue {
    pub channel: String,
    pub revenue: i64,
    pub formatted: String,
}

fn span(
    site_id: &str,
    goals: Vec<crate::store::GoalFilter>,
    from: Millis,
    to: Millis,
) -> StatsQuery {
    StatsQuery {
        site_id: site_id.to_owned(),
        from,
        to,
        buckets: Vec::new(),
        goals,
        top: COMPARED,
    }
}

/// Each site's traffic over `[from, to)` against the same length before.
pub async fn traffic(
    store: &Store,
    customer: &str,
    from: Millis,
    to: Millis,
) -> Result<Vec<Traffic>, Error> {
    let mut all = Vec::new();
    for record in store.sites(customer).await? {
        let settings = parse_settings(&record.settings)?;
        let goals = stats::filters(&settings);
        let now = store
            .site_facts(span(&record.id, goals.clone(), from, to))
            .await?;
        let before = store
            .site_facts(span(&record.id, goals, from - (to - from), from))
            .await?;
        let earlier: BTreeMap<&str, u64> = before
            .pages
            .iter()
            .filter_map(|p| Some((p.key.first()?.as_deref()?, p.second)))
            .collect();
        let mut paths: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for page in &now.pages {
            if let Some(Some(path)) = page.key.first() {
                paths.insert(
                    path.clone(),
                    (
                        page.second,
                        earlier.get(path.as_str()).copied().unwrap_or(0),
                    ),
                );
            }
        }
        for (path, views) in &earlier {
            paths.entry((*path).to_owned()).or_insert((0, *views));
        }
        let mut movers: Vec<Mover> = paths
            .into_iter()
            .filter(|(_, (a, b))| a != b)
            .map(|(path, (pageviews, previous))| Mover {
                path,
                pageviews,
                previous,
            })
            .collect();
        movers.sort_by_key(|m| std::cmp::Reverse(m.pageviews.abs_diff(m.previous)));
        movers.truncate(MOVERS);
        all.push(Traffic {
            site_id: record.id.clone(),
            name: record.name.clone(),
            visitors: now.totals.visitors,
            visits: now.totals.visits,
            pageviews: now.totals.pageviews,
            conversions: now.totals.conversions,
            previous_visits: before.totals.visits,
            channels: now
                .channels
                .iter()
                .map(|c| ChannelVisits {
                    channel: c.key.first().cloned().flatten().unwrap_or_default(),
                    visits: c.visits,
                })
                .collect(),
            movers,
            goals: settings
                .goals
                .iter()
                .zip(&now.goals)
                .map(|(goal, conversions)| GoalConversions {
                    goal: goal.label(),
                    conversions: *conversions,
                })
                .collect(),
        });
    }
    Ok(all)
}

/// The revenue of orders in `[from, to)` per currency, credited last-non-direct by channel.
pub async fn revenue(
    store: &Store,
    customer: &str,
    from: Millis,
    to: Millis,
) -> Result<Vec<Revenue>, Error> {
    let orders = store.orders(customer, from, to).await?;
    let settings = ReportSettings {
        models: vec![Model::LastNonDirect],
        group_by: GroupBy::Channel,
        lookback: 30 * revenue::DAY,
        half_life: 7 * revenue::DAY,
    };
    Ok(revenue::report(&orders, &settings)
        .into_iter()
        .map(|report| Revenue {
            by_channel: report.models[0]
                .groups
                .iter()
                .map(|g| ChannelRevenue {
                    channel: g.key.clone(),
                    revenue: g.revenue,
                    formatted: g.formatted.clone(),
                })
                .collect(),
            currency: report.currency,
            orders: report.orders,
            net: report.net,
            net_formatted: report.net_formatted,
        })
        .collect())
}

/// The briefing's lines about traffic and revenue.
pub fn highlights(traffic: &[Traffic], revenue: &[Revenue]) -> Vec<String> {
    let mut lines = Vec::new();
    for site in traffic {
        if site.visits == 0 && site.previous_visits == 0 {
            continue;
        }
        let change = if site.previous_visits > 0 {
            let pct = (site.visits as f64 - site.previous_visits as f64) * 100.0
                / site.previous_visits as f64;
            format!(" ({pct:+.0} % on the period before)")
        } else {
            String::new()
        };
        let top = site
            .channels
            .first()
            .map(|c| format!("; most from {} ({})", c.channel, c.visits))
            .unwrap_or_default();
        lines.push(format!(
            "Traffic on {}: {} visits by {} visitors{change}{top}.",
            site.name, site.visits, site.visitors
        ));
        if let Some(mover) = site.movers.first() {
            lines.push(format!(
                "{} moved most: {} pageviews, {} the period before.",
                mover.path, mover.pageviews, mover.previous
            ));
        }
        for goal in site.goals.iter().filter(|g| g.conversions > 0) {
            lines.push(format!(
                "Goal {}: {} conversion(s).",
                goal.goal, goal.conversions
            ));
        }
    }
    for money in revenue {
        let top = money
            .by_channel
            .first()
            .map(|c| {
                format!(
                    "; most credited (last non-direct) to {} ({})",
                    c.channel, c.formatted
                )
            })
            .unwrap_or_default();
        lines.push(format!(
            "Revenue: {} {} net from {} order(s){top}.",
            money.net_formatted, money.currency, money.orders
        ));
    }
    lines
}
