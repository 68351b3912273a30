//! Stripe events as heycmo reads them: the envelope (`id`, `type`, `created`,
//! `data.object`) and, for the types that matter, the change they make.

use serde::Deserialize;
use serde_json::Value;

use crate::store::Millis;

/// A Stripe event's envelope.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Unix seconds.
    pub created: i64,
    pub data: Data,
}

#[derive(Debug, Deserialize)]
pub struct Data {
    pub object: Value,
}

/// What an event says, before heycmo adds the customer it would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    CheckoutCompleted {
        session: String,
        email: String,
        stripe_customer: String,
        subscription: Option<String>,
    },
    Subscription {
        stripe_customer: String,
        subscription: String,
        status: String,
        plan: Option<String>,
        trial_ends_at: Option<Millis>,
    },
    Invoice {
        stripe_customer: String,
        status: &'static str,
    },
    Notice {
        stripe_customer: String,
    },
    /// A type heycmo does not act on: acknowledged and ignored.
    Ignored,
}

fn text(object: &Value, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// An expandable field: the id, or the object's id when Stripe expanded it.
fn id_of(object: &Value, key: &str) -> Option<String> {
    match object.get(key) {
        Some(Value::String(id)) => Some(id.clone()),
        Some(Value::Object(expanded)) => expanded.get("id").and_then(Value::as_str).map(Into::into),
        _ => None,
    }
}

/// The plan a subscription's first item names: the price's lookup key, else its nickname,
/// else its id.
fn plan(subscription: &Value) -> Option<String> {
    let price = subscription.pointer("/items/data/0/price")?;
    ["lookup_key", "nickname", "id"]
        .iter()
        .find_map(|key| text(price, key).filter(|v| !v.is_empty()))
}

/// Reads an event; `Err` names what a type heycmo acts on is missing.
pub fn read(event: &Envelope) -> Result<Reading, String> {
    let object = &event.data.object;
    let need = |key: &str| id_of(object, key).ok_or_else(|| format!("{} has no {key}", event.kind));
    Ok(match event.kind.as_str() {
        "checkout.session.completed" => {
            let email = text(object, "customer_email")
                .or_else(|| {
                    object
                        .pointer("/customer_details/email")
                        .and_then(Value::as_str)
                        .map(Into::into)
                })
                .ok_or("checkout.session.completed has no customer email")?;
            Reading::CheckoutCompleted {
                session: need("id")?,
                email,
                stripe_customer: need("customer")?,
                subscription: id_of(object, "subscription"),
            }
        }
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted"
        | "customer.subscription.paused"
        | "customer.subscription.resumed" => Reading::Subscription {
            stripe_customer: need("customer")?,
            subscription: need("id")?,
            status: text(object, "status").ok_or("the subscription has no status")?,
            plan: plan(object),
            trial_ends_at: object
                .get("trial_end")
                .and_then(Value::as_i64)
                .map(|s| s * 1000),
        },
        "invoice.paid" => Reading::Invoice {
            stripe_customer: need("customer")?,
            status: "active",
        },
        "invoice.payment_failed" => Reading::Invoice {
            stripe_customer: need("customer")?,
            status: "past_due",
        },
        "customer.subscription.trial_will_end" => Reading::Notice {
            stripe_customer: need("customer")?,
        },
        _ => Reading::Ignored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(kind: &str, object: Value) -> Envelope {
        serde_json::from_value(json!({"id": "evt_1", "object": "event", "type": kind,
            "created": 1_700_000_000, "data": {"object": object}}))
        .unwrap()
    }

    #[test]
    fn the_types_heycmo_acts_on_are_read() {
        let checkout = envelope(
            "checkout.session.completed",
            json!({"id": "cs_1", "object": "checkout.session", "customer": "cus_1",
                   "customer_details": {"email": "a@example.com"}, "subscription": {"id": "sub_1"}}),
        );
        assert_eq!(
            read(&checkout).unwrap(),
            Reading::CheckoutCompleted {
                session: "cs_1".into(),
                email: "a@example.com".into(),
                stripe_customer: "cus_1".into(),
                subscription: Some("sub_1".into()),
            }
        );
        let updated = envelope(
            "customer.subscription.updated",
            json!({"id": "sub_1", "customer": "cus_1", "status": "past_due", "trial_end": 1_700_000_000,
                   "items": {"data": [{"price": {"id": "price_1", "lookup_key": null, "nickname": "Pro"}}]}}),
        );
        assert_eq!(
            read(&updated).unwrap(),
            Reading::Subscription {
                stripe_customer: "cus_1".into(),
                subscription: "sub_1".into(),
                status: "past_due".into(),
                plan: Some("Pro".into()),
                trial_ends_at: Some(1_700_000_000_000),
            }
        );
        assert_eq!(
            read(&envelope("charge.refunded", json!({}))).unwrap(),
            Reading::Ignored
        );
        assert!(read(&envelope("invoice.paid", json!({}))).is_err());
    }
}
