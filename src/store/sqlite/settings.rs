//! Server-wide settings that must survive restarts, such as which customer is the local one.

use super::Sqlite;
use crate::store::{SettingStore, StoreResult};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, params};

/// The settings key naming the customer that `stdio` and a fresh `serve` act as.
pub(super) const LOCAL_CUSTOMER: &str = "local_customer_id";

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
    /// The id of the local customer, once one has been created.
    async fn local_customer_id(&self) -> StoreResult<Option<String>> {
        self.run(|conn| get(conn, LOCAL_CUSTOMER)).await
    }
}
