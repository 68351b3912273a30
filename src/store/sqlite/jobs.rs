//! The `jobs` table. A claim is one `UPDATE … RETURNING` over queued, failed and lease-expired
//! rows (served by the `(state, run_at)` index); completion is an `UPDATE` guarded by the lease
//! owner.

use super::{Sqlite, write_transaction};
use crate::store::{JobRecord, JobStore, Millis, NewJob, StoreError, StoreResult};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<JobRecord> {
    Ok(JobRecord {
        id: row.get("id")?,
        customer_id: row.get("customer_id")?,
        kind: row.get("kind")?,
        payload: row.get("payload")?,
        state: row.get("state")?,
        run_at: row.get("run_at")?,
        attempts: row.get("attempts")?,
        max_attempts: row.get("max_attempts")?,
        last_error: row.get("last_error")?,
        lease_owner: row.get("lease_owner")?,
        idempotency_key: row.get("idempotency_key")?,
        created_at: row.get("created_at")?,
        updated_at: row.get("updated_at")?,
    })
}

/// Inserts a job inside a caller's transaction, so work and the record that asks for it commit
/// together (a webhook delivery and its job, a post and its publishing job).
pub(super) fn insert(
    tx: &rusqlite::Transaction<'_>,
    job: &NewJob,
    now: Millis,
) -> StoreResult<JobRecord> {
    Ok(tx
        .prepare_cached(
            "INSERT INTO jobs (customer_id, kind, payload, state, run_at, max_attempts, idempotency_key, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'queued', ?4, ?5, ?6, ?7, ?7) RETURNING *",
        )?
        .query_row(
            params![job.customer_id, job.kind, job.payload, job.run_at, job.max_attempts.max(1), job.idempotency_key, now],
            from_row,
        )?)
}

#[async_trait]
impl JobStore for Sqlite {
    async fn enqueue(&self, job: NewJob, now: Millis) -> StoreResult<JobRecord> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            if let Some(key) = &job.idempotency_key
                && let Some(existing) = tx
                    .prepare_cached("SELECT * FROM jobs WHERE kind = ?1 AND idempotency_key = ?2")?
                    .query_row(params![job.kind, key], from_row)
                    .optional()?
            {
                return Ok(existing);
            }
            let record = insert(&tx, &job, now)?;
            tx.commit()?;
            Ok(record)
        })
        .await
    }

    async fn claim_job(
        &self,
        kinds: Vec<String>,
        owner: &str,
        now: Millis,
        lease: Millis,
    ) -> StoreResult<Option<JobRecord>> {
        let owner = owner.to_owned();
        self.run(move |conn| {
            let kinds =
                serde_json::to_string(&kinds).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(conn
                .prepare_cached(
                    "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?1,
                            lease_until = ?2 + ?3, updated_at = ?2
                     WHERE id = (
                         SELECT id FROM jobs
                         WHERE kind IN (SELECT value FROM json_each(?4))
                           AND ((state IN ('queued', 'failed') AND run_at <= ?2)
                                OR (state = 'running' AND lease_until < ?2))
                         ORDER BY run_at, id LIMIT 1)
                     RETURNING *",
                )?
                .query_row(params![owner, now, lease, kinds], from_row)
                .optional()?)
        })
        .await
    }

    async fn complete_job(&self, id: i64, owner: &str, now: Millis) -> StoreResult<bool> {
        let owner = owner.to_owned();
        self.run(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE jobs SET state = 'succeeded', lease_owner = NULL, lease_until = NULL, last_error = NULL, updated_at = ?3
                     WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
                )?
                .execute(params![id, owner, now])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn fail_job(
        &self,
        id: i64,
        owner: &str,
        error: &str,
        retry_at: Millis,
        dead: bool,
        now: Millis,
    ) -> StoreResult<bool> {
        let (owner, error) = (owner.to_owned(), error.to_owned());
        self.run(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE jobs SET state = CASE WHEN ?6 OR attempts >= max_attempts THEN 'dead' ELSE 'failed' END,
                            run_at = ?4, last_error = ?3, lease_owner = NULL, lease_until = NULL, updated_at = ?5
                     WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
                )?
                .execute(params![id, owner, error, retry_at, now, dead])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn retry_job(&self, customer: &str, id: i64, now: Millis) -> StoreResult<JobRecord> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let job = tx
                .prepare_cached("SELECT * FROM jobs WHERE id = ?1 AND customer_id = ?2")?
                .query_row(params![id, customer], from_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("No job {id}")))?;
            if !matches!(job.state.as_str(), "failed" | "dead") {
                return Err(StoreError::Conflict(format!("Job {id} is {}; only failed or dead jobs are retried", job.state)));
            }
            let job = tx
                .prepare_cached("UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?2, updated_at = ?2 WHERE id = ?1 RETURNING *")?
                .query_row(params![id, now], from_row)?;
            tx.commit()?;
            Ok(job)
        })
        .await
    }

    async fn job(&self, id: i64) -> StoreResult<Option<JobRecord>> {
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM jobs WHERE id = ?1")?
                .query_row([id], from_row)
                .optional()?)
        })
        .await
    }

    async fn jobs(
        &self,
        customer: &str,
        state: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<JobRecord>> {
        let (customer, state) = (customer.to_owned(), state.map(str::to_owned));
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT * FROM jobs WHERE customer_id = ?1 AND (?2 IS NULL OR state = ?2)
                 ORDER BY updated_at DESC, id DESC LIMIT ?3",
            )?;
            let rows = statement.query_map(params![customer, state, limit], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn prune(&self, jobs_before: Millis, deliveries_before: Millis) -> StoreResult<usize> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let jobs = tx
                .prepare_cached("DELETE FROM jobs WHERE state = 'succeeded' AND updated_at < ?1")?
                .execute([jobs_before])?;
            let deliveries = tx
                .prepare_cached(
                    "DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'failed') AND updated_at < ?1",
                )?
                .execute([deliveries_before])?;
            tx.commit()?;
            Ok(jobs + deliveries)
        })
        .await
    }
}
