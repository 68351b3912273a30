//! The `logins` and `login_links` tables, keyed by the SHA-256 of the secret the browser or
//! the link holds.

use super::{Sqlite, keys, write_transaction};
use crate::store::{ApiKeyRecord, Customer, LoginStore, Millis, StoreResult};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, params};

#[async_trait]
impl LoginStore for Sqlite {
    async fn create_login(
        &self,
        hash: [u8; 32],
        key_id: &str,
        created_at: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        let key_id = key_id.to_owned();
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO logins (hash, key_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
                params![hash.as_slice(), key_id, created_at, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn login(
        &self,
        hash: [u8; 32],
        now: Millis,
    ) -> StoreResult<Option<(ApiKeyRecord, Customer)>> {
        self.run(move |conn| {
            let key_id: Option<String> = conn
                .query_row(
                    "SELECT l.key_id FROM logins l JOIN api_keys k ON k.id = l.key_id
                     WHERE l.hash = ?1 AND l.ended_at IS NULL AND l.expires_at > ?2
                       AND k.revoked_at IS NULL",
                    params![hash.as_slice(), now],
                    |row| row.get(0),
                )
                .optional()?;
            match key_id {
                None => Ok(None),
                Some(id) => keys::live_key(conn, &id),
            }
        })
        .await
    }

    async fn end_login(&self, hash: [u8; 32], at: Millis) -> StoreResult<()> {
        self.run(move |conn| {
            conn.execute(
                "UPDATE logins SET ended_at = ?2 WHERE hash = ?1 AND ended_at IS NULL",
                params![hash.as_slice(), at],
            )?;
            Ok(())
        })
        .await
    }

    async fn create_login_link(
        &self,
        hash: [u8; 32],
        key_id: &str,
        created_at: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        let key_id = key_id.to_owned();
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO login_links (hash, key_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![hash.as_slice(), key_id, created_at, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn use_login_link(&self, hash: [u8; 32], now: Millis) -> StoreResult<Option<String>> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let key: Option<String> = tx
                .query_row(
                    "UPDATE login_links SET used_at = ?2
                     WHERE hash = ?1 AND used_at IS NULL AND expires_at > ?2
                     RETURNING key_id",
                    params![hash.as_slice(), now],
                    |row| row.get(0),
                )
                .optional()?;
            tx.commit()?;
            Ok(key)
        })
        .await
    }

    async fn key_for_email(&self, email: &str) -> StoreResult<Option<ApiKeyRecord>> {
        let email = email.trim().to_owned();
        self.run(move |conn| {
            let id: Option<String> = conn
                .query_row(
                    "SELECT id FROM (
                         SELECT k.id, 0 AS rank, k.created_at FROM api_keys k
                         JOIN customers c ON c.id = k.customer_id
                         WHERE c.email = ?1 AND k.scope = 'owner' AND k.revoked_at IS NULL
                         UNION ALL
                         SELECT id, 1, created_at FROM api_keys
                         WHERE label = ?1 COLLATE NOCASE AND revoked_at IS NULL
                     ) ORDER BY rank, created_at DESC LIMIT 1",
                    [email],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(match id {
                None => None,
                Some(id) => keys::live_key(conn, &id)?.map(|(key, _)| key),
            })
        })
        .await
    }
}
