//! The `schedules` table: one row per customer and workflow (an upsert), and the compare-and-set
//! on `next_run_at` that inserts the workflow's job in the same write transaction.

use super::{Sqlite, jobs, write_transaction};
use crate::store::{
    Millis, NewJob, ScheduleChange, ScheduleDefault, ScheduleRecord, ScheduleStore, StoreError,
    StoreResult,
};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<ScheduleRecord> {
    Ok(ScheduleRecord {
        customer_id: row.get("customer_id")?,
        workflow: row.get("workflow")?,
        cron: row.get("cron")?,
        time_zone: row.get("time_zone")?,
        enabled: row.get("enabled")?,
        next_run_at: row.get("next_run_at")?,
        last_run_at: row.get("last_run_at")?,
    })
}

const SELECT: &str =
    "SELECT s.*, c.time_zone FROM schedules s JOIN customers c ON c.id = s.customer_id";

#[async_trait]
impl ScheduleStore for Sqlite {
    async fn ensure_schedules(
        &self,
        workflow: &str,
        default: ScheduleDefault<'_>,
        customer: Option<&str>,
        now: Millis,
    ) -> StoreResult<usize> {
        let (workflow, cron, enabled, customer) = (
            workflow.to_owned(),
            default.cron.to_owned(),
            default.enabled,
            customer.map(str::to_owned),
        );
        self.run(move |conn| {
            Ok(conn
                .prepare_cached(
                    "INSERT INTO schedules (customer_id, workflow, cron, enabled, updated_at)
                     SELECT id, ?1, ?2, ?5, ?3 FROM customers c
                     WHERE (?4 IS NULL OR c.id = ?4)
                       AND NOT EXISTS (SELECT 1 FROM schedules s WHERE s.customer_id = c.id AND s.workflow = ?1)",
                )?
                .execute(params![workflow, cron, now, customer, enabled])?)
        })
        .await
    }

    async fn pending_schedules(&self, now: Millis, limit: u32) -> StoreResult<Vec<ScheduleRecord>> {
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "{SELECT} WHERE s.enabled = 1 AND (s.next_run_at IS NULL OR s.next_run_at <= ?1)
                 ORDER BY s.next_run_at LIMIT ?2"
            ))?;
            let rows = statement.query_map(params![now, limit], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn next_schedule_at(&self) -> StoreResult<Option<Millis>> {
        self.run(|conn| {
            Ok(conn
                .prepare_cached("SELECT min(next_run_at) FROM schedules WHERE enabled = 1")?
                .query_row([], |row| row.get(0))?)
        })
        .await
    }

    async fn advance_schedule(
        &self,
        customer: &str,
        workflow: &str,
        planned: Option<Millis>,
        next: Millis,
        job: Option<NewJob>,
        now: Millis,
    ) -> StoreResult<bool> {
        let (customer, workflow) = (customer.to_owned(), workflow.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let changed = tx
                .prepare_cached(
                    "UPDATE schedules SET next_run_at = ?4,
                            last_run_at = CASE WHEN ?5 THEN ?3 ELSE last_run_at END, updated_at = ?6
                     WHERE customer_id = ?1 AND workflow = ?2 AND next_run_at IS ?3",
                )?
                .execute(params![
                    customer,
                    workflow,
                    planned,
                    next,
                    job.is_some(),
                    now
                ])?;
            if changed == 0 {
                return Ok(false);
            }
            if let Some(job) = job {
                let existing: Option<i64> = tx
                    .prepare_cached("SELECT id FROM jobs WHERE kind = ?1 AND idempotency_key = ?2")?
                    .query_row(params![job.kind, job.idempotency_key], |row| row.get(0))
                    .optional()?;
                if existing.is_none() {
                    jobs::insert(&tx, &job, now)?;
                }
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn schedules(&self, customer: &str) -> StoreResult<Vec<ScheduleRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(&format!(
                "{SELECT} WHERE s.customer_id = ?1 ORDER BY s.workflow"
            ))?;
            let rows = statement.query_map([customer], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn change_schedule(
        &self,
        customer: &str,
        workflow: &str,
        default: ScheduleDefault<'_>,
        change: ScheduleChange,
        now: Millis,
    ) -> StoreResult<ScheduleRecord> {
        let (customer, workflow, default_cron, default_enabled) = (
            customer.to_owned(),
            workflow.to_owned(),
            default.cron.to_owned(),
            default.enabled,
        );
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            if let Some(zone) = &change.time_zone {
                tx.prepare_cached("UPDATE customers SET time_zone = ?2 WHERE id = ?1")?
                    .execute(params![customer, zone])?;
            }
            tx.prepare_cached(
                "INSERT INTO schedules (customer_id, workflow, cron, enabled, updated_at)
                 VALUES (?1, ?2, coalesce(?3, ?4), coalesce(?5, ?7), ?6)
                 ON CONFLICT (customer_id, workflow) DO UPDATE SET cron = coalesce(?3, cron),
                     enabled = coalesce(?5, enabled), next_run_at = NULL, updated_at = ?6",
            )?
            .execute(params![
                customer,
                workflow,
                change.cron,
                default_cron,
                change.enabled,
                now,
                default_enabled
            ])?;
            // Every schedule of the customer follows a new time zone.
            if change.time_zone.is_some() {
                tx.prepare_cached(
                    "UPDATE schedules SET next_run_at = NULL WHERE customer_id = ?1",
                )?
                .execute([&customer])?;
            }
            let record = tx
                .prepare_cached(&format!(
                    "{SELECT} WHERE s.customer_id = ?1 AND s.workflow = ?2"
                ))?
                .query_row(params![customer, workflow], from_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("No customer {customer}")))?;
            tx.commit()?;
            Ok(record)
        })
        .await
    }
}
