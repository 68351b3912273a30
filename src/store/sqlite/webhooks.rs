//! The `webhooks` and `webhook_deliveries` tables. Fan-out selects the events past the stored
//! cursor and inserts their deliveries (`ON CONFLICT (webhook_id, event_id) DO NOTHING`), jobs
//! and the new cursor in one write transaction.

use super::{Sqlite, events, jobs, settings, write_transaction};
use crate::store::{
    Attempt, DELIVERY_JOB, DeliveryRecord, FanOut, Millis, NewEvent, NewJob, NewWebhook,
    StoreError, StoreResult, WebhookChange, WebhookRecord, WebhookStore,
};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

/// The settings key of the last event id fanned out.
const CURSOR: &str = "webhooks_cursor";

/// Attempts a delivery job may make; the delivery itself gives up after 24 hours, which the
/// default backoff reaches in about 31 attempts.
const DELIVERY_ATTEMPTS: u32 = 40;

fn webhook_from_row(row: &Row<'_>) -> rusqlite::Result<WebhookRecord> {
    let events: String = row.get("events")?;
    Ok(WebhookRecord {
        id: row.get("id")?,
        customer_id: row.get("customer_id")?,
        url: row.get("url")?,
        events: serde_json::from_str(&events).unwrap_or_default(),
        sealed_secret: row.get("secret")?,
        enabled: row.get("enabled")?,
        failures: row.get("failures")?,
        disabled_reason: row.get("disabled_reason")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

fn delivery_from_row(row: &Row<'_>) -> rusqlite::Result<DeliveryRecord> {
    Ok(DeliveryRecord {
        id: row.get("id")?,
        webhook_id: row.get("webhook_id")?,
        event_id: row.get("event_id")?,
        kind: row.get("type")?,
        body: row.get("body")?,
        state: row.get("state")?,
        attempts: row.get("attempts")?,
        last_status: row.get("last_status")?,
        last_error: row.get("last_error")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
        delivered_at: row.get("delivered_at")?,
    })
}

fn json(events: &[String]) -> StoreResult<String> {
    serde_json::to_string(events).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound(format!("No webhook {id}"))
}

#[async_trait]
impl WebhookStore for Sqlite {
    async fn create_webhook(&self, hook: NewWebhook, now: Millis) -> StoreResult<WebhookRecord> {
        self.run(move |conn| {
            let events = json(&hook.events)?;
            Ok(conn
                .prepare_cached(
                    "INSERT INTO webhooks (id, customer_id, url, events, secret, after_event, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce(max(id), 0) FROM events), ?6, ?6) RETURNING *",
                )?
                .query_row(
                    params![hook.id, hook.customer_id, hook.url, events, hook.sealed_secret, now],
                    webhook_from_row,
                )?)
        })
        .await
    }

    async fn webhooks(&self, customer: &str) -> StoreResult<Vec<WebhookRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT * FROM webhooks WHERE customer_id = ?1 ORDER BY created_at, id",
            )?;
            let rows = statement.query_map([customer], webhook_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn webhook(&self, customer: &str, id: &str) -> StoreResult<WebhookRecord> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            conn.prepare_cached("SELECT * FROM webhooks WHERE id = ?1 AND customer_id = ?2")?
                .query_row(params![id, customer], webhook_from_row)
                .optional()?
                .ok_or_else(|| not_found(&id))
        })
        .await
    }

    async fn change_webhook(
        &self,
        customer: &str,
        id: &str,
        change: WebhookChange,
        now: Millis,
    ) -> StoreResult<WebhookRecord> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            let events = change.events.as_deref().map(json).transpose()?;
            conn.prepare_cached(
                "UPDATE webhooks SET url = coalesce(?3, url), events = coalesce(?4, events),
                        secret = coalesce(?5, secret),
                        enabled = coalesce(?6, enabled),
                        failures = CASE WHEN ?6 = 1 THEN 0 ELSE failures END,
                        disabled_reason = CASE WHEN ?6 IS NULL THEN disabled_reason
                                               WHEN ?6 = 1 THEN NULL ELSE 'disabled by the customer' END,
                        updated_at = ?7
                 WHERE id = ?1 AND customer_id = ?2 RETURNING *",
            )?
            .query_row(
                params![id, customer, change.url, events, change.sealed_secret, change.enabled, now],
                webhook_from_row,
            )
            .optional()?
            .ok_or_else(|| not_found(&id))
        })
        .await
    }

    async fn delete_webhook(&self, customer: &str, id: &str) -> StoreResult<()> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            let deleted = conn
                .prepare_cached("DELETE FROM webhooks WHERE id = ?1 AND customer_id = ?2")?
                .execute(params![id, customer])?;
            if deleted == 0 {
                return Err(not_found(&id));
            }
            Ok(())
        })
        .await
    }

    async fn fan_out_events(&self, batch: u32, now: Millis) -> StoreResult<FanOut> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let cursor: i64 = settings::get(&tx, CURSOR)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let (last, events): (Option<i64>, usize) = tx
                .prepare_cached("SELECT max(id), count(*) FROM (SELECT id FROM events WHERE id > ?1 ORDER BY id LIMIT ?2)")?
                .query_row(params![cursor, batch], |row| Ok((row.get(0)?, row.get(1)?)))?;
            let Some(last) = last else {
                return Ok(FanOut::default());
            };
            let queued: Vec<(String, String)> = tx
                .prepare_cached(
                    "INSERT INTO webhook_deliveries (id, webhook_id, event_id, type, body, state, created_at, updated_at)
                     SELECT 'msg_' || lower(hex(randomblob(12))), w.id, e.id, e.type,
                            json_object('type', e.type,
                                        'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', e.created_at / 1000.0, 'unixepoch'),
                                        'data', json(e.data)),
                            'pending', ?3, ?3
                     FROM events e
                     JOIN webhooks w ON w.customer_id = e.customer_id AND w.enabled = 1 AND e.id > w.after_event
                     WHERE e.id > ?1 AND e.id <= ?2
                       AND EXISTS (SELECT 1 FROM json_each(w.events) WHERE value = e.type)
                     ORDER BY e.id
                     ON CONFLICT (webhook_id, event_id) DO NOTHING
                     RETURNING id, (SELECT customer_id FROM webhooks WHERE id = webhook_id)",
                )?
                .query_map(params![cursor, last, now], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (delivery, customer) in &queued {
                let job = NewJob {
                    customer_id: Some(customer.clone()),
                    kind: DELIVERY_JOB.into(),
                    payload: serde_json::json!({ "delivery": delivery }).to_string(),
                    run_at: now,
                    max_attempts: DELIVERY_ATTEMPTS,
                    idempotency_key: Some(delivery.clone()),
                };
                jobs::insert(&tx, &job, now)?;
            }
            settings::put(&tx, CURSOR, &last.to_string())?;
            tx.commit()?;
            Ok(FanOut {
                events,
                deliveries: queued.len(),
            })
        })
        .await
    }

    async fn delivery(&self, id: &str) -> StoreResult<Option<(DeliveryRecord, WebhookRecord)>> {
        let id = id.to_owned();
        self.run(move |conn| {
            let Some(delivery) = conn
                .prepare_cached("SELECT * FROM webhook_deliveries WHERE id = ?1")?
                .query_row([&id], delivery_from_row)
                .optional()?
            else {
                return Ok(None);
            };
            let hook = conn
                .prepare_cached("SELECT * FROM webhooks WHERE id = ?1")?
                .query_row([&delivery.webhook_id], webhook_from_row)?;
            Ok(Some((delivery, hook)))
        })
        .await
    }

    async fn record_attempt(
        &self,
        id: &str,
        attempt: Attempt,
        disable_after: u32,
        now: Millis,
    ) -> StoreResult<()> {
        let id = id.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let (state, status, error, tried) = match &attempt {
                Attempt::Delivered { status } => ("delivered", Some(*status), None, 1),
                Attempt::Failed { status, error } => ("pending", *status, Some(error.as_str()), 1),
                Attempt::GaveUp { error } => ("failed", None, Some(error.as_str()), 0),
            };
            let hook: Option<String> = tx
                .prepare_cached(
                    "UPDATE webhook_deliveries SET state = ?2, attempts = attempts + ?3,
                            last_status = coalesce(?4, last_status), last_error = ?5, updated_at = ?6,
                            delivered_at = CASE WHEN ?2 = 'delivered' THEN ?6 END
                     WHERE id = ?1 RETURNING webhook_id",
                )?
                .query_row(params![id, state, tried, status, error, now], |row| row.get(0))
                .optional()?;
            if let Some(hook) = hook {
                match attempt {
                    Attempt::Delivered { .. } => {
                        tx.prepare_cached("UPDATE webhooks SET failures = 0 WHERE id = ?1")?
                            .execute([&hook])?;
                    }
                    Attempt::Failed { .. } => {
                        let was_enabled: bool = tx
                            .prepare_cached("SELECT enabled FROM webhooks WHERE id = ?1")?
                            .query_row([&hook], |row| row.get(0))?;
                        let (customer, url, enabled, reason): (String, String, bool, Option<String>) = tx
                            .prepare_cached(
                                "UPDATE webhooks SET failures = failures + 1,
                                        enabled = CASE WHEN failures + 1 >= ?2 THEN 0 ELSE enabled END,
                                        disabled_reason = CASE WHEN failures + 1 >= ?2 AND enabled = 1
                                            THEN 'disabled after ' || (failures + 1) || ' failed attempts in a row'
                                            ELSE disabled_reason END,
                                        updated_at = ?3
                                 WHERE id = ?1 RETURNING customer_id, url, enabled, disabled_reason",
                            )?
                            .query_row(params![hook, disable_after, now], |row| {
                                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                            })?;
                        if was_enabled && !enabled {
                            let event = NewEvent::new(customer, "webhook.disabled", &serde_json::json!({"hookId": hook, "url": url, "reason": reason}), now);
                            events::insert(&tx, &event)?;
                        }
                    }
                    Attempt::GaveUp { .. } => {}
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn deliveries(
        &self,
        customer: &str,
        webhook: &str,
        state: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<DeliveryRecord>> {
        let (customer, webhook, state) = (
            customer.to_owned(),
            webhook.to_owned(),
            state.map(str::to_owned),
        );
        self.run(move |conn| {
            let owned: bool = conn
                .prepare_cached("SELECT count(*) FROM webhooks WHERE id = ?1 AND customer_id = ?2")?
                .query_row(params![webhook, customer], |row| row.get(0))?;
            if !owned {
                return Err(not_found(&webhook));
            }
            let mut statement = conn.prepare_cached(
                "SELECT * FROM webhook_deliveries WHERE webhook_id = ?1 AND (?2 IS NULL OR state = ?2)
                 ORDER BY created_at DESC, event_id DESC LIMIT ?3",
            )?;
            let rows = statement.query_map(params![webhook, state, limit], delivery_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
