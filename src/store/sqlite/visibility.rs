//! AI visibility runs: one row per run, the measurement and its summary as JSON.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};

use super::{Sqlite, events, write_transaction};
use crate::store::{Millis, NewEvent, StoreResult, VisibilityRecord, VisibilityStore};

#[async_trait]
impl VisibilityStore for Sqlite {
    async fn save_visibility_run(
        &self,
        customer: &str,
        record: VisibilityRecord,
        event: NewEvent,
    ) -> StoreResult<()> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            tx.prepare_cached(
                "INSERT INTO visibility_runs (id, customer_id, trigger, run, summary, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                record.id,
                customer,
                record.trigger,
                record.run,
                record.summary,
                record.created_at
            ])?;
            events::insert(&tx, &event)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn visibility_runs(
        &self,
        customer: &str,
        since: Option<Millis>,
        limit: u32,
    ) -> StoreResult<Vec<VisibilityRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, trigger, summary, created_at FROM visibility_runs
                 WHERE customer_id = ?1 AND (?2 IS NULL OR created_at >= ?2)
                 ORDER BY created_at DESC, rowid DESC LIMIT ?3",
            )?;
            let rows = statement.query_map(params![customer, since, limit], |row| {
                Ok(VisibilityRecord {
                    id: row.get(0)?,
                    trigger: row.get(1)?,
                    run: String::new(),
                    summary: row.get(2)?,
                    created_at: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn visibility_run(
        &self,
        customer: &str,
        id: &str,
    ) -> StoreResult<Option<VisibilityRecord>> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT id, trigger, run, summary, created_at FROM visibility_runs
                     WHERE customer_id = ?1 AND id = ?2",
                )?
                .query_row(params![customer, id], |row| {
                    Ok(VisibilityRecord {
                        id: row.get(0)?,
                        trigger: row.get(1)?,
                        run: row.get(2)?,
                        summary: row.get(3)?,
                        created_at: row.get(4)?,
                    })
                })
                .optional()?)
        })
        .await
    }
}
