//! Unsubscribing: each message's link carries a random token, stored only as a hash with the
//! suppression hash of its recipient. The token alone unsubscribes (a mailbox provider's
//! one-click POST carries nothing else), at once and for good: the address goes on the
//! customer's suppression list, which every later send and import checks, and the lead's
//! sequences stop. It keeps working after the lead was erased.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::store::{Millis, NewEvent, Recipient, Stop, Store};

/// The hash an unsubscribe token is stored under.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(format!("heycmo-unsubscribe\0{token}")))
}

/// Whom `token` was issued to, if anyone.
pub async fn recipient(store: &Store, token: &str) -> Result<Option<Recipient>, Error> {
    Ok(store.recipient(&token_hash(token)).await?)
}

/// Unsubscribes the token's recipient; `false` for a token never issued. Repeating it changes
/// nothing and appends no second `lead.unsubscribed`.
pub async fn unsubscribe(store: &Store, token: &str, now: Millis) -> Result<bool, Error> {
    let Some(recipient) = recipient(store, token).await? else {
        return Ok(false);
    };
    let customer = &recipient.customer_id;
    let already = store
        .suppressed(customer, &recipient.suppression_hash)
        .await?;
    let enrollments = match &recipient.lead_id {
        Some(lead) => store
            .active_enrollments(customer, lead)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect(),
        None => Vec::new(),
    };
    let events = if already {
        Vec::new()
    } else {
        vec![NewEvent::new(
            customer.clone(),
            "lead.unsubscribed",
            &json!({ "leadId": recipient.lead_id }),
            now,
        )]
    };
    store
        .stop(
            customer,
            recipient.lead_id.as_deref(),
            Stop {
                enrollments,
                reason: "unsubscribed".into(),
                suppress: Some(recipient.suppression_hash.clone()),
                events,
                ..Stop::default()
            },
            now,
        )
        .await?;
    Ok(true)
}
