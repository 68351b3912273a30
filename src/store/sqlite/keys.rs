//! The `api_keys` table: the SHA-256 hash as the unique look-up column (`key_hash`), the prefix
//! for display, the role and `revoked_at`; a customer and its first key go in one write
//! transaction.

use super::{Sqlite, customers, settings, write_transaction};
use crate::store::{
    ApiKeyRecord, Customer, KeyScope, KeyStore, Millis, NewCustomer, NewKey, StoreError,
    StoreResult,
};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<ApiKeyRecord> {
    let scope: String = row.get("scope")?;
    Ok(ApiKeyRecord {
        id: row.get("id")?,
        customer_id: row.get("customer_id")?,
        prefix: row.get("prefix")?,
        scope: scope.parse().map_err(|e: String| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
        })?,
        label: row.get("label")?,
        created_at: row.get("created_at")?,
        revoked_at: row.get("revoked_at")?,
    })
}

pub(super) fn insert(
    tx: &rusqlite::Transaction<'_>,
    customer_id: &str,
    key: &NewKey,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO api_keys (id, customer_id, key_hash, prefix, scope, label, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            key.id,
            customer_id,
            key.hash.as_slice(),
            key.prefix,
            key.scope.as_str(),
            key.label,
            key.created_at
        ],
    )?;
    Ok(())
}

/// The key and the customer it belongs to.
fn with_customer(
    conn: &rusqlite::Connection,
    key: Option<ApiKeyRecord>,
) -> StoreResult<Option<(ApiKeyRecord, Customer)>> {
    let Some(key) = key else { return Ok(None) };
    let customer = conn
        .prepare_cached("SELECT * FROM customers WHERE id = ?1")?
        .query_row([&key.customer_id], customers::from_row)
        .optional()?
        .ok_or_else(|| StoreError::Corrupt(format!("key {} has no customer", key.id)))?;
    Ok(Some((key, customer)))
}

/// The key with this id, unless revoked, and its customer.
pub(super) fn live_key(
    conn: &rusqlite::Connection,
    id: &str,
) -> StoreResult<Option<(ApiKeyRecord, Customer)>> {
    let key = conn
        .prepare_cached("SELECT * FROM api_keys WHERE id = ?1 AND revoked_at IS NULL")?
        .query_row([id], from_row)
        .optional()?;
    with_customer(conn, key)
}

#[async_trait]
impl KeyStore for Sqlite {
    async fn create_customer(&self, customer: NewCustomer, key: NewKey) -> StoreResult<()> {
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            customers::insert(&tx, &customer)?;
            insert(&tx, &customer.id, &key)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn ensure_local_customer(&self, customer: NewCustomer, key: NewKey) -> StoreResult<bool> {
        self.run(move |conn| {
            // IMMEDIATE takes the write lock up front, so two processes starting on a fresh
            // file cannot both decide to create the local customer.
            let tx = write_transaction(conn)?;
            if settings::get(&tx, settings::LOCAL_CUSTOMER)?.is_some() {
                return Ok(false);
            }
            customers::insert(&tx, &customer)?;
            insert(&tx, &customer.id, &key)?;
            settings::put(&tx, settings::LOCAL_CUSTOMER, &customer.id)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn add_key(
        &self,
        customer_id: &str,
        key: NewKey,
        event: Option<crate::store::NewEvent>,
    ) -> StoreResult<()> {
        let customer_id = customer_id.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM customers WHERE id = ?1",
                    [&customer_id],
                    |r| r.get(0),
                )
                .optional()?;
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("no customer {customer_id}")));
            }
            insert(&tx, &customer_id, &key)?;
            if let Some(event) = &event {
                super::events::insert(&tx, event)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn key_by_hash(&self, hash: [u8; 32]) -> StoreResult<Option<(ApiKeyRecord, Customer)>> {
        self.run(move |conn| {
            let key = conn
                .prepare_cached(
                    "SELECT * FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL",
                )?
                .query_row([hash.as_slice()], from_row)
                .optional()?;
            with_customer(conn, key)
        })
        .await
    }

    async fn keys(&self, customer_id: &str) -> StoreResult<Vec<ApiKeyRecord>> {
        let customer_id = customer_id.to_owned();
        self.run(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT * FROM api_keys WHERE customer_id = ?1 ORDER BY created_at DESC, id",
            )?;
            let keys = stmt
                .query_map([customer_id], from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(keys)
        })
        .await
    }

    async fn revoke_key(
        &self,
        customer_id: &str,
        key_id: &str,
        at: Millis,
        event: Option<crate::store::NewEvent>,
    ) -> StoreResult<()> {
        let (customer_id, key_id) = (customer_id.to_owned(), key_id.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let target: Option<(String, Option<Millis>)> = tx
                .query_row(
                    "SELECT scope, revoked_at FROM api_keys WHERE id = ?1 AND customer_id = ?2",
                    params![key_id, customer_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((scope, revoked_at)) = target else {
                return Err(StoreError::NotFound(format!("no key {key_id}")));
            };
            if revoked_at.is_some() {
                return Ok(());
            }
            if scope == KeyScope::Owner.as_str() {
                let owners: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM api_keys
                     WHERE customer_id = ?1 AND scope = 'owner' AND revoked_at IS NULL",
                    [&customer_id],
                    |r| r.get(0),
                )?;
                if owners <= 1 {
                    return Err(StoreError::Conflict(format!(
                        "{key_id} is the last owner key: issue another owner key before revoking it"
                    )));
                }
            }
            tx.execute(
                "UPDATE api_keys SET revoked_at = ?3 WHERE id = ?1 AND customer_id = ?2",
                params![key_id, customer_id, at],
            )?;
            if let Some(event) = &event {
                super::events::insert(&tx, event)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
