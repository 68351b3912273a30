//! The `brand_profiles` table: a row per version, the next version numbered inside the write
//! transaction that inserts it; the customer's brand name is kept in step in `customers`.

use super::{Sqlite, write_transaction};
use crate::store::{BrandRecord, BrandStore, Millis, StoreResult};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<BrandRecord> {
    Ok(BrandRecord {
        version: row.get("version")?,
        url: row.get("url")?,
        profile: row.get("profile")?,
        created_at: row.get("created_at")?,
    })
}

#[async_trait]
impl BrandStore for Sqlite {
    async fn save_brand(
        &self,
        customer: &str,
        url: &str,
        brand_name: Option<&str>,
        profile: String,
        created_at: Millis,
    ) -> StoreResult<i64> {
        let (customer, url, name) = (
            customer.to_owned(),
            url.to_owned(),
            brand_name.map(str::to_owned),
        );
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let version: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM brand_profiles WHERE customer_id = ?1",
                [&customer],
                |row| row.get(0),
            )?;
            tx.execute(
                "INSERT INTO brand_profiles (customer_id, version, url, profile, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![customer, version, url, profile, created_at],
            )?;
            if let Some(name) = name {
                tx.execute(
                    "UPDATE customers SET brand_name = ?2 WHERE id = ?1",
                    params![customer, name],
                )?;
            }
            tx.commit()?;
            Ok(version)
        })
        .await
    }

    async fn brand(
        &self,
        customer: &str,
        version: Option<i64>,
    ) -> StoreResult<Option<BrandRecord>> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let record = match version {
                Some(v) => conn
                    .prepare_cached("SELECT * FROM brand_profiles WHERE customer_id = ?1 AND version = ?2")?
                    .query_row(params![customer, v], from_row),
                None => conn
                    .prepare_cached(
                        "SELECT * FROM brand_profiles WHERE customer_id = ?1 ORDER BY version DESC LIMIT 1",
                    )?
                    .query_row(params![customer], from_row),
            };
            Ok(record.optional()?)
        })
        .await
    }
}
