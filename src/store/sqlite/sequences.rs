//! Sequences, enrollments and sends. Every step that moves an enrollment (a send's outcome, a
//! stop) is one transaction with the next send's job and the events it appends, so a crash
//! leaves a lead either before or after the step, never between.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::{Sqlite, events, jobs, write_transaction};
use crate::store::{
    Claim, EnrollmentCounts, EnrollmentRecord, Millis, NewEnrollment, NewJob, NewSend, Recipient,
    SEND_ATTEMPTS, SEND_JOB, SendContext, SendOutcome, SendRecord, SequenceRecord, SequenceStore,
    Stop, StoreResult,
};

fn sequence_from_row(row: &Row<'_>) -> rusqlite::Result<SequenceRecord> {
    Ok(SequenceRecord {
        id: row.get("id")?,
        name: row.get("name")?,
        definition: row.get("definition")?,
        state: row.get("state")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

fn enrollment_from_row(row: &Row<'_>) -> rusqlite::Result<EnrollmentRecord> {
    Ok(EnrollmentRecord {
        id: row.get("id")?,
        sequence_id: row.get("sequence_id")?,
        lead_id: row.get("lead_id")?,
        state: row.get("state")?,
        stop_reason: row.get("stop_reason")?,
        step: row.get("step")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

fn send_from_row(row: &Row<'_>) -> rusqlite::Result<SendRecord> {
    Ok(SendRecord {
        id: row.get("id")?,
        customer_id: row.get("customer_id")?,
        enrollment_id: row.get("enrollment_id")?,
        step: row.get("step")?,
        message_id: row.get("message_id")?,
        state: row.get("state")?,
        due_at: row.get("due_at")?,
        sent_at: row.get("sent_at")?,
        attempts: row.get("attempts")?,
        detail: row.get("detail")?,
    })
}

/// The job that makes `send` at `due_at`; keyed by both, so a send moved to another time gets
/// a job of its own and a replayed enqueue none.
fn send_job(customer: &str, send: &str, due_at: Millis) -> NewJob {
    NewJob {
        customer_id: Some(customer.to_owned()),
        kind: SEND_JOB.into(),
        payload: serde_json::json!({ "send": send }).to_string(),
        run_at: due_at,
        max_attempts: SEND_ATTEMPTS,
        idempotency_key: Some(format!("{send}@{due_at}")),
    }
}

fn insert_send(
    tx: &Transaction<'_>,
    customer: &str,
    enrollment: &str,
    send: &NewSend,
    now: Millis,
) -> StoreResult<()> {
    tx.prepare_cached(
        "INSERT INTO sends (id, customer_id, enrollment_id, step, message_id, state, due_at, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'scheduled', ?6, ?7, ?7)",
    )?
    .execute(params![send.id, customer, enrollment, send.step, send.message_id, send.due_at, now])?;
    jobs::insert(tx, &send_job(customer, &send.id, send.due_at), now)?;
    Ok(())
}

/// Stops an active enrollment and skips its sends not yet begun.
fn stop_enrollment(
    tx: &Transaction<'_>,
    enrollment: &str,
    reason: &str,
    now: Millis,
) -> StoreResult<()> {
    let stopped = tx
        .prepare_cached(
            "UPDATE enrollments SET state = 'stopped', stop_reason = ?2, updated_at = ?3
             WHERE id = ?1 AND state = 'active'",
        )?
        .execute(params![enrollment, reason, now])?;
    if stopped > 0 {
        tx.prepare_cached(
            "UPDATE sends SET state = 'skipped', detail = ?2, updated_at = ?3
             WHERE enrollment_id = ?1 AND state = 'scheduled'",
        )?
        .execute(params![
            enrollment,
            format!("the sequence stopped: {reason}"),
            now
        ])?;
    }
    Ok(())
}

#[async_trait]
impl SequenceStore for Sqlite {
    async fn create_sequence(&self, customer: &str, record: SequenceRecord) -> StoreResult<()> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO sequences (id, customer_id, name, definition, state, created_at, updated_at)
                 VALUES (?1, ?2, ?3, json(?4), ?5, ?6, ?7)",
            )?
            .execute(params![
                record.id,
                customer,
                record.name,
                record.definition,
                record.state,
                record.created_at,
                record.updated_at
            ])?;
            Ok(())
        })
        .await
    }

    async fn sequences(
        &self,
        customer: &str,
    ) -> StoreResult<Vec<(SequenceRecord, EnrollmentCounts)>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT s.*,
                        (SELECT count(*) FROM enrollments e WHERE e.sequence_id = s.id AND e.state = 'active') AS active,
                        (SELECT count(*) FROM enrollments e WHERE e.sequence_id = s.id AND e.state = 'completed') AS completed,
                        (SELECT count(*) FROM enrollments e WHERE e.sequence_id = s.id AND e.state = 'stopped') AS stopped
                   FROM sequences s WHERE s.customer_id = ?1 ORDER BY s.created_at, s.id",
            )?;
            let rows = statement.query_map([customer], |row| {
                Ok((
                    sequence_from_row(row)?,
                    EnrollmentCounts {
                        active: row.get("active")?,
                        completed: row.get("completed")?,
                        stopped: row.get("stopped")?,
                    },
                ))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn sequence(&self, customer: &str, id: &str) -> StoreResult<Option<SequenceRecord>> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM sequences WHERE customer_id = ?1 AND id = ?2")?
                .query_row(params![customer, id], sequence_from_row)
                .optional()?)
        })
        .await
    }

    async fn update_sequence(
        &self,
        customer: &str,
        id: &str,
        name: Option<String>,
        definition: Option<String>,
        state: Option<&'static str>,
        now: Millis,
    ) -> StoreResult<Option<SequenceRecord>> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let Some(before) = tx
                .prepare_cached("SELECT * FROM sequences WHERE customer_id = ?1 AND id = ?2")?
                .query_row(params![customer, id], sequence_from_row)
                .optional()?
            else {
                return Ok(None);
            };
            let after = tx
                .prepare_cached(
                    "UPDATE sequences SET name = coalesce(?2, name),
                     definition = coalesce(json(?3), definition), state = coalesce(?4, state),
                     updated_at = ?5 WHERE id = ?1 RETURNING *",
                )?
                .query_row(params![id, name, definition, state, now], sequence_from_row)?;
            if before.state == "paused" && after.state == "active" {
                let mut due = tx.prepare_cached(
                    "SELECT s.id, s.due_at FROM sends s JOIN enrollments e ON e.id = s.enrollment_id
                      WHERE e.sequence_id = ?1 AND e.state = 'active' AND s.state IN ('scheduled', 'sending')",
                )?;
                let sends = due
                    .query_map([&id], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?
                    .collect::<Result<Vec<(String, Millis)>, _>>()?;
                drop(due);
                for (send, due_at) in sends {
                    let at = due_at.max(now);
                    let mut job = send_job(&customer, &send, at);
                    job.idempotency_key = Some(format!("{send}@{at}:resumed"));
                    jobs::insert(&tx, &job, now)?;
                }
            }
            tx.commit()?;
            Ok(Some(after))
        })
        .await
    }

    async fn enroll(
        &self,
        customer: &str,
        sequence: &str,
        enrollments: Vec<NewEnrollment>,
        now: Millis,
    ) -> StoreResult<Vec<bool>> {
        let (customer, sequence) = (customer.to_owned(), sequence.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let mut outcomes = Vec::with_capacity(enrollments.len());
            for enrollment in enrollments {
                let inserted = tx
                    .prepare_cached(
                        "INSERT INTO enrollments (id, customer_id, sequence_id, lead_id, state, step, created_at, updated_at)
                         VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6, ?6)
                         ON CONFLICT (sequence_id, lead_id) DO NOTHING",
                    )?
                    .execute(params![
                        enrollment.id,
                        customer,
                        sequence,
                        enrollment.lead_id,
                        enrollment.first.step,
                        now
                    ])?;
                if inserted > 0 {
                    insert_send(&tx, &customer, &enrollment.id, &enrollment.first, now)?;
                }
                outcomes.push(inserted > 0);
            }
            tx.commit()?;
            Ok(outcomes)
        })
        .await
    }

    async fn enrollment(
        &self,
        customer: &str,
        sequence: &str,
        lead: &str,
    ) -> StoreResult<Option<EnrollmentRecord>> {
        let (customer, sequence, lead) =
            (customer.to_owned(), sequence.to_owned(), lead.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT * FROM enrollments WHERE customer_id = ?1 AND sequence_id = ?2 AND lead_id = ?3",
                )?
                .query_row(params![customer, sequence, lead], enrollment_from_row)
                .optional()?)
        })
        .await
    }

    async fn active_enrollments(
        &self,
        customer: &str,
        lead: &str,
    ) -> StoreResult<Vec<EnrollmentRecord>> {
        let (customer, lead) = (customer.to_owned(), lead.to_owned());
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT * FROM enrollments WHERE lead_id = ?2 AND state = 'active' AND customer_id = ?1",
            )?;
            let rows = statement.query_map(params![customer, lead], enrollment_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn send_context(&self, send: &str) -> StoreResult<Option<SendContext>> {
        let send = send.to_owned();
        self.run(move |conn| {
            let Some(record) = conn
                .prepare_cached("SELECT * FROM sends WHERE id = ?1")?
                .query_row([&send], send_from_row)
                .optional()?
            else {
                return Ok(None);
            };
            let enrollment = conn
                .prepare_cached("SELECT * FROM enrollments WHERE id = ?1")?
                .query_row([&record.enrollment_id], enrollment_from_row)?;
            let sequence = conn
                .prepare_cached("SELECT * FROM sequences WHERE id = ?1")?
                .query_row([&enrollment.sequence_id], sequence_from_row)?;
            let Some(lead) = super::leads::one(conn, &record.customer_id, &enrollment.lead_id)?
            else {
                return Ok(None);
            };
            Ok(Some(SendContext {
                send: record,
                enrollment,
                sequence,
                lead,
            }))
        })
        .await
    }

    async fn claim_send(
        &self,
        send: &str,
        token_hash: &str,
        suppression_hash: &str,
        now: Millis,
        stale_before: Millis,
    ) -> StoreResult<Claim> {
        let (send, token, suppression) = (
            send.to_owned(),
            token_hash.to_owned(),
            suppression_hash.to_owned(),
        );
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let Some((state, updated_at)) = tx
                .prepare_cached("SELECT state, updated_at FROM sends WHERE id = ?1")?
                .query_row([&send], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))
                .optional()?
            else {
                return Ok(Claim::Settled);
            };
            match state.as_str() {
                "scheduled" => {}
                "sending" if updated_at < stale_before => {}
                "sending" => return Ok(Claim::InFlight(updated_at)),
                _ => return Ok(Claim::Settled),
            }
            let claimed = tx
                .prepare_cached(
                    "UPDATE sends SET state = 'sending', attempts = attempts + 1, updated_at = ?2
                     WHERE id = ?1 RETURNING *",
                )?
                .query_row(params![send, now], send_from_row)?;
            tx.prepare_cached(
                "INSERT INTO unsubscribe_tokens (hash, customer_id, lead_id, suppression_hash, created_at)
                 SELECT ?1, e.customer_id, e.lead_id, ?3, ?4 FROM enrollments e WHERE e.id = ?2",
            )?
            .execute(params![token, claimed.enrollment_id, suppression, now])?;
            tx.commit()?;
            Ok(Claim::Claimed(claimed))
        })
        .await
    }

    async fn finish_send(&self, send: &str, outcome: SendOutcome, now: Millis) -> StoreResult<()> {
        let send = send.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let record = tx
                .prepare_cached(
                    "UPDATE sends SET state = ?2, detail = ?3,
                     sent_at = CASE WHEN ?2 = 'sent' THEN ?4 ELSE sent_at END, updated_at = ?4
                     WHERE id = ?1 RETURNING *",
                )?
                .query_row(
                    params![send, outcome.state, outcome.detail, now],
                    send_from_row,
                )?;
            if let Some(next) = &outcome.next {
                insert_send(&tx, &record.customer_id, &record.enrollment_id, next, now)?;
                tx.prepare_cached(
                    "UPDATE enrollments SET step = ?2, updated_at = ?3 WHERE id = ?1",
                )?
                .execute(params![record.enrollment_id, next.step, now])?;
            }
            if outcome.completed {
                tx.prepare_cached(
                    "UPDATE enrollments SET state = 'completed', updated_at = ?2
                     WHERE id = ?1 AND state = 'active'",
                )?
                .execute(params![record.enrollment_id, now])?;
            }
            if let Some(reason) = &outcome.stop {
                stop_enrollment(&tx, &record.enrollment_id, reason, now)?;
            }
            if let Some(stage) = outcome.stage_from_new {
                tx.prepare_cached(
                    "UPDATE leads SET stage = ?2, updated_at = ?3
                     WHERE id = (SELECT lead_id FROM enrollments WHERE id = ?1) AND stage = 'new'",
                )?
                .execute(params![record.enrollment_id, stage, now])?;
            }
            for event in &outcome.events {
                events::insert(&tx, event)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn reschedule_send(&self, send: &str, due_at: Millis, now: Millis) -> StoreResult<()> {
        let send = send.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let customer: Option<String> = tx
                .prepare_cached(
                    "UPDATE sends SET due_at = ?2, updated_at = ?3
                     WHERE id = ?1 AND state = 'scheduled' RETURNING customer_id",
                )?
                .query_row(params![send, due_at, now], |row| row.get(0))
                .optional()?;
            if let Some(customer) = customer {
                jobs::insert(&tx, &send_job(&customer, &send, due_at), now)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn send_by_message_id(
        &self,
        customer: &str,
        message_ids: &[String],
    ) -> StoreResult<Option<(SendRecord, EnrollmentRecord)>> {
        let customer = customer.to_owned();
        let ids = serde_json::Value::from(message_ids.to_vec()).to_string();
        self.run(move |conn| {
            let Some(send) = conn
                .prepare_cached(
                    "SELECT * FROM sends WHERE customer_id = ?1
                       AND message_id IN (SELECT value FROM json_each(?2))
                     ORDER BY step DESC LIMIT 1",
                )?
                .query_row(params![customer, ids], send_from_row)
                .optional()?
            else {
                return Ok(None);
            };
            let enrollment = conn
                .prepare_cached("SELECT * FROM enrollments WHERE id = ?1")?
                .query_row([&send.enrollment_id], enrollment_from_row)?;
            Ok(Some((send, enrollment)))
        })
        .await
    }

    async fn stop(
        &self,
        customer: &str,
        lead: Option<&str>,
        stop: Stop,
        now: Millis,
    ) -> StoreResult<bool> {
        let (customer, lead) = (customer.to_owned(), lead.map(str::to_owned));
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            if let Some(key) = &stop.inbound_key {
                let new = tx
                    .prepare_cached(
                        "INSERT INTO inbound_messages (customer_id, key, at) VALUES (?1, ?2, ?3)
                         ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![customer, key, now])?;
                if new == 0 {
                    return Ok(false);
                }
            }
            for enrollment in &stop.enrollments {
                stop_enrollment(&tx, enrollment, &stop.reason, now)?;
            }
            if let Some(action) = &stop.action {
                tx.prepare_cached(
                    "INSERT INTO lead_actions (customer_id, lead_id, action, at, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![customer, action.lead_id, action.action, action.at, action.detail])?;
            }
            if let (Some(stage), Some(lead)) = (stop.stage, &lead) {
                tx.prepare_cached(
                    "UPDATE leads SET stage = ?3, updated_at = ?4 WHERE customer_id = ?1 AND id = ?2",
                )?
                .execute(params![customer, lead, stage, now])?;
            }
            if let Some(hash) = &stop.suppress {
                tx.prepare_cached(
                    "INSERT INTO suppressions (customer_id, hash, reason, created_at)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                )?
                .execute(params![customer, hash, stop.reason, now])?;
            }
            for event in &stop.events {
                events::insert(&tx, event)?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn recipient(&self, token_hash: &str) -> StoreResult<Option<Recipient>> {
        let token = token_hash.to_owned();
        self.run(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT customer_id, lead_id, suppression_hash FROM unsubscribe_tokens WHERE hash = ?1",
                )?
                .query_row([token], |row| {
                    Ok(Recipient {
                        customer_id: row.get(0)?,
                        lead_id: row.get(1)?,
                        suppression_hash: row.get(2)?,
                    })
                })
                .optional()?)
        })
        .await
    }

    async fn suppressed(&self, customer: &str, hash: &str) -> StoreResult<bool> {
        let (customer, hash) = (customer.to_owned(), hash.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT 1 FROM suppressions WHERE customer_id = ?1 AND hash = ?2")?
                .exists(params![customer, hash])?)
        })
        .await
    }

    async fn inbound_secret(&self, customer: &str) -> StoreResult<Option<String>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT sealed FROM inbound_secrets WHERE customer_id = ?1")?
                .query_row([customer], |row| row.get(0))
                .optional()?)
        })
        .await
    }

    async fn set_inbound_secret(
        &self,
        customer: &str,
        sealed: &str,
        now: Millis,
    ) -> StoreResult<()> {
        let (customer, sealed) = (customer.to_owned(), sealed.to_owned());
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO inbound_secrets (customer_id, sealed, created_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (customer_id) DO UPDATE SET sealed = excluded.sealed, created_at = excluded.created_at",
            )?
            .execute(params![customer, sealed, now])?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Imported, LeadStore, NewLead};

    /// A customer with one lead enrolled in one sequence, its first send scheduled.
    async fn enrolled() -> (tempfile::TempDir, Sqlite) {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open(&dir.path().join("sequences.db")).unwrap();
        store
            .dedicated_connection()
            .unwrap()
            .execute_batch(
                "INSERT INTO customers (id, email, plan, status, created_at)
                 VALUES ('cus_a', 'a@x.example', 'p', 'active', 1)",
            )
            .unwrap();
        let lead = NewLead {
            id: "lead_a".into(),
            email: "l@x.example".into(),
            fields: "{}".into(),
            source: None,
            suppression_hash: "h".into(),
        };
        let imported = store.import_leads("cus_a", vec![lead], 1).await.unwrap();
        assert_eq!(imported, vec![Imported::Created("lead_a".into())]);
        let sequence = SequenceRecord {
            id: "seq_a".into(),
            name: "S".into(),
            definition: "{}".into(),
            state: "active".into(),
            created_at: 1,
            updated_at: 1,
        };
        store.create_sequence("cus_a", sequence).await.unwrap();
        let first = NewSend {
            id: "snd_a".into(),
            step: 0,
            message_id: "snd_a.1@x.example".into(),
            due_at: 1,
        };
        let enrollment = NewEnrollment {
            id: "enr_a".into(),
            lead_id: "lead_a".into(),
            first,
        };
        assert_eq!(
            store
                .enroll("cus_a", "seq_a", vec![enrollment], 1)
                .await
                .unwrap(),
            vec![true]
        );
        (dir, store)
    }

    #[tokio::test]
    async fn a_send_in_flight_is_claimed_again_only_once_its_claim_is_stale() {
        let (_dir, store) = enrolled().await;
        let Claim::Claimed(first) = store.claim_send("snd_a", "t1", "h", 1000, 0).await.unwrap()
        else {
            panic!("the scheduled send was not claimed");
        };
        assert_eq!((first.state.as_str(), first.attempts), ("sending", 1));
        // A second job while the first worker is in the exchange: refused.
        assert_eq!(
            store
                .claim_send("snd_a", "t2", "h", 1500, 1000 - 300)
                .await
                .unwrap(),
            Claim::InFlight(1000)
        );
        // The first worker died: past a lease its claim is stale and the send is taken again.
        let Claim::Claimed(again) = store
            .claim_send("snd_a", "t3", "h", 2000, 1001)
            .await
            .unwrap()
        else {
            panic!("a stale claim was not taken over");
        };
        assert_eq!(again.attempts, 2);
        assert_eq!(again.message_id, first.message_id, "the same Message-ID");
        let outcome = SendOutcome {
            state: "sent",
            detail: None,
            next: None,
            completed: true,
            stop: None,
            events: Vec::new(),
            stage_from_new: Some("contacted"),
        };
        store.finish_send("snd_a", outcome, 2100).await.unwrap();
        assert_eq!(
            store
                .claim_send("snd_a", "t4", "h", 9000, 9000)
                .await
                .unwrap(),
            Claim::Settled
        );
        let enrollment = store
            .enrollment("cus_a", "seq_a", "lead_a")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(enrollment.state, "completed");
    }
}
