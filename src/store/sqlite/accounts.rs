//! The `signups`, `billing` and `stripe_events` tables.
//!
//! A Stripe event and its effect commit together: the event id is inserted first and a
//! conflict there means the event was applied before. Subscription state lives on the
//! `billing` row of Stripe's customer id, guarded by `as_of` (Stripe's event time), and is
//! copied onto the customer in the same transaction, so events arriving before the checkout
//! that made the customer are kept and applied when it comes.

use super::{Sqlite, customers, events, keys, write_transaction};
use crate::store::{
    AccountStore, Applied, BillingChange, Millis, NewEvent, NewSignup, SignupClaim, SignupCustomer,
    SignupRecord, StoreError, StoreResult,
};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, Transaction, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<SignupRecord> {
    Ok(SignupRecord {
        id: row.get("id")?,
        email: row.get("email")?,
        provider: row.get("provider")?,
        customer_id: row.get("customer_id")?,
        failure: row.get("failure")?,
        created_at: row.get("created_at")?,
        expires_at: row.get("expires_at")?,
        claimed_at: row.get("claimed_at")?,
    })
}

/// Creates the customer of a sign-up and seals its key onto the row. False when the email is
/// registered already (the sign-up is marked failed instead).
fn make_customer(
    tx: &Transaction<'_>,
    signup_id: &str,
    made: &SignupCustomer,
) -> StoreResult<bool> {
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM customers WHERE email = ?1)",
        [&made.customer.email],
        |row| row.get(0),
    )?;
    if taken {
        tx.execute(
            "UPDATE signups SET failure = ?2 WHERE id = ?1",
            params![
                signup_id,
                "An account with this email exists already: sign in at /login instead"
            ],
        )?;
        return Ok(false);
    }
    customers::insert(tx, &made.customer)?;
    tx.execute(
        "UPDATE customers SET status = ?2, trial_ends_at = ?3 WHERE id = ?1",
        params![made.customer.id, made.status, made.trial_ends_at],
    )?;
    keys::insert(tx, &made.customer.id, &made.key)?;
    tx.execute(
        "UPDATE signups SET customer_id = ?2, sealed_key = ?3 WHERE id = ?1",
        params![signup_id, made.customer.id, made.sealed_key],
    )?;
    Ok(true)
}

/// Copies the billing row's state onto its customer, if it has one yet.
fn sync_customer(tx: &Transaction<'_>, stripe_customer: &str) -> StoreResult<()> {
    tx.execute(
        "UPDATE customers SET
             status = coalesce((SELECT status FROM billing WHERE stripe_customer = ?1), status),
             plan = coalesce((SELECT plan FROM billing WHERE stripe_customer = ?1), plan),
             trial_ends_at = coalesce(
                 (SELECT trial_ends_at FROM billing WHERE stripe_customer = ?1), trial_ends_at)
         WHERE id = (SELECT customer_id FROM billing WHERE stripe_customer = ?1)",
        [stripe_customer],
    )?;
    Ok(())
}

/// The customer behind Stripe's id, once the checkout that made it has arrived.
fn customer_of(tx: &Transaction<'_>, stripe_customer: &str) -> StoreResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT customer_id FROM billing WHERE stripe_customer = ?1",
            [stripe_customer],
            |row| row.get::<_, Option<String>>(0),
        )
        .optional()?
        .flatten())
}

fn apply(
    tx: &Transaction<'_>,
    event_type: &str,
    created: Millis,
    change: &BillingChange,
    at: Millis,
) -> StoreResult<Applied> {
    // Each arm upserts the billing row only when this event is not older than the one that
    // set it; `changed` counts whether it did.
    let (stripe_customer, changed) = match change {
        BillingChange::CheckoutCompleted {
            signup_id,
            email,
            stripe_customer,
            subscription,
            customer,
        } => {
            // A webhook for a checkout this server did not start (a Payment Link, say) still
            // makes its customer: the row is created here.
            tx.execute(
                "INSERT INTO signups (id, email, provider, created_at, expires_at)
                 VALUES (?1, ?2, 'stripe', ?3, ?3) ON CONFLICT DO NOTHING",
                params![signup_id, email, at],
            )?;
            let done: Option<String> = tx.query_row(
                "SELECT customer_id FROM signups WHERE id = ?1",
                [signup_id],
                |row| row.get(0),
            )?;
            if done.is_some() {
                return Ok(Applied::Recorded { changed: false });
            }
            if !make_customer(tx, signup_id, customer)? {
                return Ok(Applied::EmailTaken);
            }
            tx.execute(
                "INSERT INTO billing (stripe_customer, customer_id, subscription, status, trial_ends_at, as_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (stripe_customer) DO UPDATE SET
                     customer_id = excluded.customer_id,
                     subscription = coalesce(billing.subscription, excluded.subscription)",
                params![
                    stripe_customer,
                    customer.customer.id,
                    subscription,
                    customer.status,
                    customer.trial_ends_at,
                    created
                ],
            )?;
            (stripe_customer, true)
        }
        BillingChange::Subscription {
            stripe_customer,
            subscription,
            status,
            plan,
            trial_ends_at,
        } => {
            let changed = tx.execute(
                "INSERT INTO billing (stripe_customer, subscription, status, plan, trial_ends_at, as_of)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (stripe_customer) DO UPDATE SET
                     subscription = excluded.subscription, status = excluded.status,
                     plan = coalesce(excluded.plan, billing.plan),
                     trial_ends_at = excluded.trial_ends_at, as_of = excluded.as_of
                 WHERE excluded.as_of >= billing.as_of",
                params![stripe_customer, subscription, status, plan, trial_ends_at, created],
            )?;
            (stripe_customer, changed > 0)
        }
        BillingChange::Invoice {
            stripe_customer,
            status,
        } => {
            let changed = tx.execute(
                "INSERT INTO billing (stripe_customer, status, as_of) VALUES (?1, ?2, ?3)
                 ON CONFLICT (stripe_customer) DO UPDATE SET
                     status = excluded.status, as_of = excluded.as_of
                 WHERE excluded.as_of >= billing.as_of
                   AND coalesce(billing.status, '') NOT IN ('canceled', 'incomplete_expired')",
                params![stripe_customer, status, created],
            )?;
            (stripe_customer, changed > 0)
        }
        BillingChange::Notice {
            stripe_customer, ..
        } => (stripe_customer, false),
    };
    sync_customer(tx, stripe_customer)?;
    if let Some(customer) = customer_of(tx, stripe_customer)? {
        let state: (String, String) = tx.query_row(
            "SELECT status, plan FROM customers WHERE id = ?1",
            [&customer],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let event = NewEvent::new(
            customer,
            "billing.updated",
            &serde_json::json!({"stripeEvent": event_type, "status": state.0, "plan": state.1}),
            at,
        );
        events::insert(tx, &event)?;
    }
    Ok(Applied::Recorded { changed })
}

#[async_trait]
impl AccountStore for Sqlite {
    async fn create_signup(&self, signup: NewSignup) -> StoreResult<()> {
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO signups (id, email, provider, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    signup.id,
                    signup.email,
                    signup.provider,
                    signup.created_at,
                    signup.expires_at
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn signup(&self, id: &str) -> StoreResult<Option<SignupRecord>> {
        let id = id.to_owned();
        self.run(move |conn| {
            Ok(conn
                .query_row("SELECT * FROM signups WHERE id = ?1", [id], from_row)
                .optional()?)
        })
        .await
    }

    async fn finish_local_signup(
        &self,
        signup_id: &str,
        customer: SignupCustomer,
        at: Millis,
    ) -> StoreResult<()> {
        let signup_id = signup_id.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let found = tx
                .query_row(
                    "SELECT * FROM signups WHERE id = ?1 AND provider = 'local'",
                    [&signup_id],
                    from_row,
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("No trial sign-up {signup_id}")))?;
            if found.customer_id.is_some() || found.failure.is_some() {
                return Err(StoreError::Conflict(
                    "This sign-up is finished already".into(),
                ));
            }
            if found.expires_at < at {
                return Err(StoreError::Conflict(
                    "This sign-up link has expired: start again with POST /api/checkout".into(),
                ));
            }
            let made = make_customer(&tx, &signup_id, &customer)?;
            tx.commit()?;
            if made {
                Ok(())
            } else {
                Err(StoreError::Conflict(
                    "An account with this email exists already: sign in at /login instead".into(),
                ))
            }
        })
        .await
    }

    async fn claim_signup(&self, id: &str, at: Millis) -> StoreResult<SignupClaim> {
        let id = id.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let row: Option<(Option<String>, Option<String>, Option<String>, String)> = tx
                .query_row(
                    "SELECT customer_id, sealed_key, failure, email FROM signups WHERE id = ?1",
                    [&id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let claim = match row {
                None => SignupClaim::Unknown,
                Some((_, _, Some(failure), _)) => SignupClaim::Failed(failure),
                Some((None, _, None, _)) => SignupClaim::Pending,
                Some((Some(_), None, None, _)) => SignupClaim::Claimed,
                Some((Some(customer_id), Some(sealed_key), None, email)) => {
                    tx.execute(
                        "UPDATE signups SET sealed_key = NULL, claimed_at = ?2 WHERE id = ?1",
                        params![id, at],
                    )?;
                    SignupClaim::Ready {
                        customer_id,
                        email,
                        sealed_key,
                    }
                }
            };
            tx.commit()?;
            Ok(claim)
        })
        .await
    }

    async fn apply_stripe_event(
        &self,
        event_id: &str,
        event_type: &str,
        created: Millis,
        change: BillingChange,
        at: Millis,
    ) -> StoreResult<Applied> {
        let (event_id, event_type) = (event_id.to_owned(), event_type.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let new = tx.execute(
                "INSERT INTO stripe_events (id, type, received_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                params![event_id, event_type, at],
            )?;
            if new == 0 {
                return Ok(Applied::Duplicate);
            }
            let applied = apply(&tx, &event_type, created, &change, at)?;
            tx.commit()?;
            Ok(applied)
        })
        .await
    }
}
