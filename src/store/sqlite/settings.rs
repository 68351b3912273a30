//! The `settings` table: a key-value row per setting, written with an upsert.

use super::{Sqlite, write_transaction};
use crate::store::{SettingStore, StoreResult};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, params};

/// The settings key naming the customer that `stdio` and a fresh `serve` act as.
pub(super) const LOCAL_CUSTOMER: &str = "local_customer_id";

/// The settings key holding the public URL the server last started with.
const PUBLIC_URL: &str = "public_url";

pub(super) fn get(conn: &rusqlite::Connection, key: &str) -> StoreResult<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

pub(super) fn put(tx: &rusqlite::Transaction<'_>, key: &str, value: &str) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

#[async_trait]
impl SettingStore for Sqlite {
    async fn local_customer_id(&self) -> StoreResult<Option<String>> {
        self.run(|conn| get(conn, LOCAL_CUSTOMER)).await
    }

    async fn public_url(&self) -> StoreResult<Option<String>> {
        self.run(|conn| get(conn, PUBLIC_URL)).await
    }

    async fn set_public_url(&self, url: &str) -> StoreResult<()> {
        let url = url.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            put(&tx, PUBLIC_URL, &url)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
