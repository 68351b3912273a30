//! `track_revenue`: records an order (or a refund of one) with the touchpoints that led to it.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::analytics::collector::email_hash;
use crate::analytics::revenue::{Currency, DAY, GivenTouchpoint, MAX_LOOKBACK_DAYS, Touchpoint};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::store::{NewEvent, NewOrder, NewRefund, OrderRecord, Recorded, VisitKey};

/// Most touchpoints a call may name.
const MAX_GIVEN: usize = 50;
/// The refund id of a refund that names none: one such refund per order.
const DEFAULT_REFUND: &str = "refund";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    /// Your order id; the same id again is the same order.
    #[schemars(length(min = 1, max = 200))]
    pub order_id: String,
    /// In the currency's minor unit (cents for EUR, yen for JPY, fils for KWD), never a
    /// fraction. Negative, or with `refund`, it refunds that much of the order.
    pub amount: i64,
    /// ISO 4217: `EUR`, `USD`, `JPY`, …
    #[schemars(length(equal = 3))]
    pub currency: String,
    /// When the order was placed (default now).
    pub occurred_at: Option<DateTime<Utc>>,
    /// The visitor id the collector answered for the buyer's browser (`POST /api/collect`);
    /// visitor ids change every day, so `email` finds more.
    #[schemars(regex(pattern = r"^[0-9a-f]{16}$"))]
    pub visitor_id: Option<String>,
    /// The buyer's email, matched to visits that called `heycmo('identify', email)`; stored
    /// only as that hash.
    #[schemars(length(min = 3, max = 320))]
    pub email: Option<String>,
    /// Touchpoints you know of (ad clicks, offline campaigns), added to the collector's.
    #[schemars(length(max = 50))]
    pub touchpoints: Option<Vec<GivenTouchpoint>>,
    /// Refund `amount` of the order `orderId` instead of recording an order.
    #[serde(default)]
    pub refund: bool,
    /// Tells refunds of one order apart (default: `refund`, so one refund per order).
    #[schemars(length(min = 1, max = 200))]
    pub refund_id: Option<String>,
    /// Anything of yours to keep with the order (at most 2 KB of JSON).
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub order_id: String,
    pub currency: String,
    /// Minor units per major unit, as a power of ten.
    pub exponent: u16,
    pub amount: i64,
    pub refunded: i64,
    /// Amount less refunds: what attribution credits.
    pub net: i64,
    /// `net` as a decimal: `12.34`.
    pub net_formatted: String,
    pub occurred_at: String,
    /// `created` (recorded now), `refunded` (a refund recorded now) or `unchanged` (the same
    /// order or refund again).
    pub status: String,
    pub touchpoints: Vec<Touchpoint>,
}

fn answer(record: OrderRecord, currency: &Currency, status: &str) -> Output {
    let net = record.amount - record.refunded;
    Output {
        net_formatted: currency.format(net),
        order_id: record.order_id,
        currency: record.currency,
        exponent: currency.exponent,
        amount: record.amount,
        refunded: record.refunded,
        net,
        occurred_at: crate::clock::rfc3339(record.occurred_at),
        status: status.to_owned(),
        touchpoints: record.touchpoints.iter().map(Touchpoint::from).collect(),
    }
}

pub struct TrackRevenue;

impl Tool for TrackRevenue {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = ctx.principal.customer.id.clone();
        let currency = Currency::parse(&input.currency)?;
        let order_id = input.order_id.trim().to_owned();
        if order_id.is_empty() {
            return Err(Error::InvalidInput {
                message: "/orderId: must not be blank".into(),
                pointer: "/orderId".into(),
            });
        }
        if input.amount == 0 {
            return Err(Error::InvalidInput {
                message: "/amount: an order or a refund of nothing; give the amount in the currency's minor unit".into(),
                pointer: "/amount".into(),
            });
        }
        let now = ctx.clock.now_millis();
        let occurred_at = input.occurred_at.map_or(now, |t| t.timestamp_millis());
        if input.refund || input.amount < 0 {
            let refund = NewRefund {
                customer_id: customer.clone(),
                order_id: order_id.clone(),
                refund_id: input.refund_id.unwrap_or_else(|| DEFAULT_REFUND.to_owned()),
                amount: input
                    .amount
                    .checked_abs()
                    .ok_or_else(|| Error::BadRequest("amount out of range".into()))?,
                currency: currency.code.clone(),
                occurred_at,
            };
            let event = NewEvent::new(
                customer,
                "revenue.tracked",
                &json!({"orderId": order_id, "refund": true, "refundId": refund.refund_id, "amount": -refund.amount, "currency": currency.code}),
                now,
            );
            return match ctx.store.record_refund(refund, event).await? {
                Recorded::Created(record) => Ok(answer(record, &currency, "refunded")),
                Recorded::Again(record) => Ok(answer(record, &currency, "unchanged")),
                Recorded::Conflict(record) => Err(Error::Conflict(format!(
                    "Order {} is in {}, or its refund id is taken by another amount: give each refund its own refundId",
                    record.order_id, record.currency
                ))),
                Recorded::TooMuch(record) => Err(Error::Conflict(format!(
                    "Order {} has {} of {} {} left to refund",
                    record.order_id,
                    currency.format(record.amount - record.refunded),
                    currency.format(record.amount),
                    record.currency
                ))),
            };
        }
        if input.refund_id.is_some() {
            return Err(Error::BadRequest("refundId goes with a refund only".into()));
        }
        let metadata = match input.metadata {
            Some(map) => {
                let text = serde_json::Value::Object(map).to_string();
                if text.len() > 2048 {
                    return Err(Error::InvalidInput {
                        message: "/metadata: at most 2 KB of JSON".into(),
                        pointer: "/metadata".into(),
                    });
                }
                Some(text)
            }
            None => None,
        };
        let given = input.touchpoints.unwrap_or_default();
        if given.len() > MAX_GIVEN {
            return Err(Error::BadRequest(format!(
                "at most {MAX_GIVEN} touchpoints"
            )));
        }
        let mut touchpoints: Vec<_> = given.iter().map(GivenTouchpoint::record).collect();
        if let Some(late) = touchpoints.iter().position(|t| t.at > occurred_at) {
            return Err(Error::InvalidInput {
                message: format!(
                    "/touchpoints/{late}/at: a touchpoint cannot come after its order"
                ),
                pointer: format!("/touchpoints/{late}/at"),
            });
        }
        if input.visitor_id.is_some() || input.email.is_some() {
            let keys = ctx
                .store
                .sites(&customer)
                .await?
                .into_iter()
                .map(|site| VisitKey {
                    email_hash: input.email.as_deref().map(|e| email_hash(&site.id, e)),
                    visitor: input.visitor_id.clone(),
                    site_id: site.id,
                })
                .collect();
            let from = occurred_at - MAX_LOOKBACK_DAYS * DAY;
            touchpoints.extend(ctx.store.visit_touchpoints(keys, from, occurred_at).await?);
        }
        touchpoints.sort_by_key(|t| t.at);
        let event = NewEvent::new(
            customer.clone(),
            "revenue.tracked",
            &json!({"orderId": order_id, "refund": false, "amount": input.amount, "currency": currency.code, "touchpoints": touchpoints.len()}),
            now,
        );
        let order = NewOrder {
            customer_id: customer,
            order_id,
            amount: input.amount,
            currency: currency.code.clone(),
            occurred_at,
            metadata,
            touchpoints,
        };
        match ctx.store.record_order(order, event).await? {
            Recorded::Created(record) => Ok(answer(record, &currency, "created")),
            Recorded::Again(record) => Ok(answer(record, &currency, "unchanged")),
            Recorded::Conflict(record) | Recorded::TooMuch(record) => {
                Err(Error::Conflict(format!(
                    "Order {} was tracked as {} {}; an order id names one order (refund with refund: true)",
                    record.order_id,
                    Currency::parse(&record.currency)
                        .map_or_else(|_| record.amount.to_string(), |c| c.format(record.amount)),
                    record.currency
                )))
            }
        }
    }

    fn render(&self, o: &Output) -> String {
        format!(
            "Order {} ({}): {} {} net of refunds, credited to {} touchpoint(s).",
            o.order_id,
            o.status,
            o.net_formatted,
            o.currency,
            o.touchpoints.len()
        )
    }
}
