//! Revenue in the currency's minor unit, the touchpoints an order is credited to, and the
//! attribution report over stored orders.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::attribution::{self, Model, Touch};
use super::channel::{self, Arrival, Channel};
use crate::error::Error;
use crate::store::{Millis, OrderRecord, TouchpointRecord};

/// Touchpoints are kept for this long before their order: the longest lookback a report may use.
pub const MAX_LOOKBACK_DAYS: i64 = 90;

/// A day in milliseconds.
pub const DAY: Millis = 86_400_000;

/// An ISO 4217 currency and its minor unit's exponent (JPY 0, EUR 2, KWD 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    pub code: String,
    pub exponent: u16,
}

impl Currency {
    pub fn parse(code: &str) -> Result<Currency, Error> {
        let upper = code.trim().to_ascii_uppercase();
        let known =
            iso_currency::Currency::from_code(&upper).ok_or_else(|| Error::InvalidInput {
                message: format!(
                    "/currency: {code:?} is not an ISO 4217 currency code (EUR, USD, JPY, …)"
                ),
                pointer: "/currency".into(),
            })?;
        let exponent = known.exponent().ok_or_else(|| Error::InvalidInput {
            message: format!("/currency: {upper} has no minor unit (a precious metal or a fund), so no amount can be counted in it"),
            pointer: "/currency".into(),
        })?;
        Ok(Currency {
            code: upper,
            exponent,
        })
    }

    /// `amount` minor units as a decimal string: 1234 EUR is `12.34`, 1234 JPY `1234`.
    pub fn format(&self, amount: i64) -> String {
        if self.exponent == 0 {
            return amount.to_string();
        }
        let scale = 10i64.pow(u32::from(self.exponent));
        let sign = if amount < 0 { "-" } else { "" };
        let magnitude = amount.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            magnitude / scale as u64,
            magnitude % scale as u64,
            width = usize::from(self.exponent)
        )
    }
}

/// A touchpoint the caller names.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GivenTouchpoint {
    pub at: chrono::DateTime<chrono::Utc>,
    /// `google`, `newsletter`, `chatgpt.com`, `(direct)`, …
    #[schemars(length(min = 1, max = 200))]
    pub source: String,
    #[schemars(length(max = 200))]
    pub medium: Option<String>,
    #[schemars(length(max = 200))]
    pub campaign: Option<String>,
    /// Derived from source and medium by the channel table when left out.
    pub channel: Option<Channel>,
    #[schemars(length(max = 500))]
    pub landing_page: Option<String>,
}

impl GivenTouchpoint {
    pub fn record(&self) -> TouchpointRecord {
        let source = self.source.trim().to_owned();
        let direct = matches!(source.to_ascii_lowercase().as_str(), "(direct)" | "direct");
        let channel = self.channel.unwrap_or_else(|| {
            if direct {
                Channel::Direct
            } else {
                channel::classify(&Arrival {
                    utm_source: Some(&source),
                    utm_medium: self.medium.as_deref(),
                    ..Arrival::default()
                })
            }
        });
        TouchpointRecord {
            at: self.at.timestamp_millis(),
            channel: channel.as_str().to_owned(),
            source,
            medium: self.medium.clone().filter(|m| !m.trim().is_empty()),
            campaign: self.campaign.clone().filter(|c| !c.trim().is_empty()),
            landing_page: self.landing_page.clone().filter(|p| !p.trim().is_empty()),
        }
    }
}

/// A touchpoint as answers show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Touchpoint {
    pub at: String,
    pub channel: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landing_page: Option<String>,
}

impl From<&TouchpointRecord> for Touchpoint {
    fn from(t: &TouchpointRecord) -> Touchpoint {
        Touchpoint {
            at: crate::clock::rfc3339(t.at),
            channel: t.channel.clone(),
            source: t.source.clone(),
            medium: t.medium.clone(),
            campaign: t.campaign.clone(),
            landing_page: t.landing_page.clone(),
        }
    }
}

/// What a report groups credit by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum GroupBy {
    #[default]
    Channel,
    Source,
    Campaign,
    LandingPage,
}

impl GroupBy {
    fn key(self, t: &TouchpointRecord) -> String {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".to_owned());
        match self {
            GroupBy::Channel => t.channel.clone(),
            GroupBy::Source => t.source.clone(),
            GroupBy::Campaign => or_none(&t.campaign),
            GroupBy::LandingPage => or_none(&t.landing_page),
        }
    }
}

/// The key of orders with no touchpoint in the lookback.
pub const NO_TOUCHPOINT: &str = "(none)";

/// One group's credit under one model.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Credit {
    pub key: String,
    /// Net revenue credited, in the minor unit.
    pub revenue: i64,
    /// The same as a decimal: `12.34`.
    pub formatted: String,
    /// The share of orders credited (a fraction per order, summed; three decimals).
    pub orders: f64,
}

/// One model's credit, by group, most revenue first.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelCredit {
    pub model: Model,
    pub groups: Vec<Credit>,
}

/// The report of one currency: currencies are never added together.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyReport {
    pub currency: String,
    pub exponent: u16,
    pub orders: u64,
    /// Before refunds, in the minor unit.
    pub gross: i64,
    pub refunded: i64,
    /// What is credited: gross less refunds.
    pub net: i64,
    pub net_formatted: String,
    /// Orders with no touchpoint in the lookback: credited to `(none)`.
    pub orders_without_touchpoints: u64,
    pub models: Vec<ModelCredit>,
}

/// How a report is made.
#[derive(Debug, Clone)]
pub struct Settings {
    pub models: Vec<Model>,
    pub group_by: GroupBy,
    pub lookback: Millis,
    pub half_life: Millis,
}

/// Credits each order's net revenue to its touchpoints under each model, per currency.
pub fn report(orders: &[OrderRecord], settings: &Settings) -> Vec<CurrencyReport> {
    struct Sums {
        currency: Option<Currency>,
        orders: u64,
        gross: i64,
        refunded: i64,
        untouched: u64,
        credit: Vec<HashMap<String, (i64, f64)>>,
    }
    let mut by_currency: BTreeMap<String, Sums> = BTreeMap::new();
    for order in orders {
        let sums = by_currency
            .entry(order.currency.clone())
            .or_insert_with(|| Sums {
                currency: Currency::parse(&order.currency).ok(),
                orders: 0,
                gross: 0,
                refunded: 0,
                untouched: 0,
                credit: vec![HashMap::new(); settings.models.len()],
            });
        sums.orders += 1;
        sums.gross += order.amount;
        sums.refunded += order.refunded;
        let net = order.amount - order.refunded;
        let touches: Vec<&TouchpointRecord> = order
            .touchpoints
            .iter()
            .filter(|t| t.at <= order.occurred_at && t.at >= order.occurred_at - settings.lookback)
            .collect();
        if touches.is_empty() {
            sums.untouched += 1;
            for credit in &mut sums.credit {
                let entry = credit.entry(NO_TOUCHPOINT.to_owned()).or_default();
                entry.0 += net;
                entry.1 += 1.0;
            }
            continue;
        }
        let plain: Vec<Touch> = touches
            .iter()
            .map(|t| Touch {
                at: t.at,
                direct: t.channel == Channel::Direct.as_str(),
            })
            .collect();
        for (m, model) in settings.models.iter().enumerate() {
            let weights =
                attribution::weights(*model, &plain, order.occurred_at, settings.half_life);
            let total: u64 = weights.iter().sum();
            let parts = attribution::split(net, &weights);
            for ((touch, part), weight) in touches.iter().zip(parts).zip(&weights) {
                if *weight == 0 {
                    continue;
                }
                let entry = sums.credit[m]
                    .entry(settings.group_by.key(touch))
                    .or_default();
                entry.0 += part;
                entry.1 += *weight as f64 / total.max(1) as f64;
            }
        }
    }
    by_currency
        .into_iter()
        .map(|(code, sums)| {
            let currency = sums.currency.unwrap_or(Currency {
                code: code.clone(),
                exponent: 2,
            });
            let models = settings
                .models
                .iter()
                .zip(sums.credit)
                .map(|(model, credit)| {
                    let mut groups: Vec<Credit> = credit
                        .into_iter()
                        .map(|(key, (revenue, orders))| Credit {
                            key,
                            formatted: currency.format(revenue),
                            revenue,
                            orders: (orders * 1000.0).round() / 1000.0,
                        })
                        .collect();
                    groups.sort_by(|a, b| b.revenue.cmp(&a.revenue).then(a.key.cmp(&b.key)));
                    ModelCredit {
                        model: *model,
                        groups,
                    }
                })
                .collect();
            let net = sums.gross - sums.refunded;
            CurrencyReport {
                net_formatted: currency.format(net),
                exponent: currency.exponent,
                currency: code,
                orders: sums.orders,
                gross: sums.gross,
                refunded: sums.refunded,
                net,
                orders_without_touchpoints: sums.untouched,
                models,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(Currency::parse("eur").unwrap().exponent, 2);
        assert_eq!(Currency::parse("JPY").unwrap().exponent, 0);
        assert_eq!(Currency::parse("KWD").unwrap().exponent, 3);
        assert!(Currency::parse("XAU").is_err(), "gold has no minor unit");
        assert!(Currency::parse("EURO").is_err());
        let eur = Currency::parse("EUR").unwrap();
        assert_eq!(eur.format(1234), "12.34");
        assert_eq!(eur.format(-5), "-0.05");
        assert_eq!(Currency::parse("KWD").unwrap().format(1234), "1.234");
        assert_eq!(Currency::parse("JPY").unwrap().format(1234), "1234");
    }

    fn touch(at: Millis, channel: &str, source: &str) -> TouchpointRecord {
        TouchpointRecord {
            at,
            channel: channel.into(),
            source: source.into(),
            medium: None,
            campaign: None,
            landing_page: None,
        }
    }

    fn order(
        id: &str,
        amount: i64,
        refunded: i64,
        currency: &str,
        touchpoints: Vec<TouchpointRecord>,
    ) -> OrderRecord {
        OrderRecord {
            order_id: id.into(),
            amount,
            currency: currency.into(),
            occurred_at: 40 * DAY,
            refunded,
            metadata: None,
            touchpoints,
        }
    }

    #[test]
    fn the_report_credits_net_revenue_per_currency_and_loses_nothing() {
        let orders = vec![
            order(
                "a",
                10_000,
                0,
                "EUR",
                vec![
                    touch(30 * DAY, "Organic Search", "google"),
                    touch(40 * DAY, "Direct", "(direct)"),
                ],
            ),
            order(
                "b",
                3_001,
                1_000,
                "EUR",
                vec![touch(39 * DAY, "Email", "newsletter")],
            ),
            order(
                "c",
                500,
                0,
                "EUR",
                vec![touch(DAY, "Referral", "blog.example")],
            ),
            order("d", 700, 0, "JPY", vec![]),
        ];
        let settings = Settings {
            models: Model::ALL.to_vec(),
            group_by: GroupBy::Channel,
            lookback: 30 * DAY,
            half_life: 7 * DAY,
        };
        let reports = report(&orders, &settings);
        assert_eq!(reports.len(), 2, "EUR and JPY apart");
        let eur = &reports[0];
        assert_eq!(
            (
                eur.currency.as_str(),
                eur.orders,
                eur.gross,
                eur.refunded,
                eur.net
            ),
            ("EUR", 3, 13_501, 1_000, 12_501)
        );
        assert_eq!(
            eur.orders_without_touchpoints, 1,
            "order c's only touch is 39 days old"
        );
        for model in &eur.models {
            let total: i64 = model.groups.iter().map(|g| g.revenue).sum();
            assert_eq!(total, 12_501, "{:?}", model.model);
            let orders: f64 = model.groups.iter().map(|g| g.orders).sum();
            assert!((orders - 3.0).abs() < 0.01, "{:?}: {orders}", model.model);
        }
        let by = |model: Model| -> Vec<(String, i64)> {
            eur.models
                .iter()
                .find(|m| m.model == model)
                .unwrap()
                .groups
                .iter()
                .map(|g| (g.key.clone(), g.revenue))
                .collect()
        };
        assert_eq!(
            by(Model::LastNonDirect),
            [
                ("Organic Search".into(), 10_000),
                ("Email".into(), 2_001),
                ("(none)".into(), 500)
            ]
        );
        assert_eq!(
            by(Model::Linear),
            [
                ("Direct".into(), 5_000),
                ("Organic Search".into(), 5_000),
                ("Email".into(), 2_001),
                ("(none)".into(), 500)
            ]
        );
        let jpy = &reports[1];
        assert_eq!((jpy.net, jpy.net_formatted.as_str()), (700, "700"));
        assert_eq!(jpy.models[0].groups[0].key, NO_TOUCHPOINT);
    }

    #[test]
    fn given_touchpoints_get_their_channel_from_the_table() {
        let given = |source: &str, medium: Option<&str>| {
            GivenTouchpoint {
                at: chrono::Utc::now(),
                source: source.into(),
                medium: medium.map(str::to_owned),
                campaign: None,
                channel: None,
                landing_page: None,
            }
            .record()
            .channel
        };
        assert_eq!(given("google", Some("cpc")), "Paid Search");
        assert_eq!(given("chatgpt.com", None), "AI Assistants");
        assert_eq!(given("(direct)", None), "Direct");
        assert_eq!(given("newsletter", Some("email")), "Email");
    }
}
