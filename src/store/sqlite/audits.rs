//! The `audits` table: one row per stored report, its JSON in a column, read back newest first
//! per customer, kind and URL.

use super::Sqlite;
use crate::store::{AuditRecord, AuditStore, StoreResult};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        id: row.get("id")?,
        kind: row.get("kind")?,
        url: row.get("url")?,
        score: row.get("score")?,
        report: row.get("report")?,
        created_at: row.get("created_at")?,
    })
}

#[async_trait]
impl AuditStore for Sqlite {
    async fn save_audit(&self, customer: &str, record: AuditRecord) -> StoreResult<()> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO audits (id, customer_id, kind, url, score, report, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                record.id,
                customer,
                record.kind,
                record.url,
                record.score,
                record.report,
                record.created_at
            ])?;
            Ok(())
        })
        .await
    }

    async fn latest_audit(
        &self,
        customer: &str,
        kind: &str,
        url: &str,
    ) -> StoreResult<Option<AuditRecord>> {
        let (customer, kind, url) = (customer.to_owned(), kind.to_owned(), url.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT * FROM audits WHERE customer_id = ?1 AND kind = ?2 AND url = ?3
                     ORDER BY created_at DESC, rowid DESC LIMIT 1",
                )?
                .query_row(params![customer, kind, url], from_row)
                .optional()?)
        })
        .await
    }

    async fn audits(
        &self,
        customer: &str,
        kind: Option<&str>,
        url: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>> {
        let (customer, kind, url) = (
            customer.to_owned(),
            kind.map(str::to_owned),
            url.map(str::to_owned),
        );
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT * FROM audits WHERE customer_id = ?1
                   AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR url = ?3)
                 ORDER BY created_at DESC, rowid DESC LIMIT ?4",
            )?;
            let rows = statement.query_map(params![customer, kind, url, limit], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn audit(&self, customer: &str, id: &str) -> StoreResult<Option<AuditRecord>> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM audits WHERE customer_id = ?1 AND id = ?2")?
                .query_row(params![customer, id], from_row)
                .optional()?)
        })
        .await
    }
}
