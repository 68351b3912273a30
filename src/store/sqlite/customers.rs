//! The `customers` table; provisioning the local customer is an insert that does nothing when it
//! exists (`ON CONFLICT DO NOTHING`), so two processes starting on one file create it once.

use super::Sqlite;
use crate::store::{Customer, CustomerStore, NewCustomer, StoreError, StoreResult};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<Customer> {
    Ok(Customer {
        id: row.get("id")?,
        email: row.get("email")?,
        plan: row.get("plan")?,
        status: row.get("status")?,
        brand_name: row.get("brand_name")?,
        engine: row.get("engine")?,
        trial_ends_at: row.get("trial_ends_at")?,
        created_at: row.get("created_at")?,
    })
}

pub(super) fn insert(tx: &rusqlite::Transaction<'_>, new: &NewCustomer) -> StoreResult<()> {
    let inserted = tx.execute(
        "INSERT INTO customers (id, email, plan, status, created_at)
         VALUES (?1, ?2, ?3, 'active', ?4) ON CONFLICT DO NOTHING",
        params![new.id, new.email, new.plan, new.created_at],
    )?;
    if inserted == 0 {
        return Err(StoreError::Conflict(format!(
            "a customer with email {} already exists",
            new.email
        )));
    }
    Ok(())
}

#[async_trait]
impl CustomerStore for Sqlite {
    async fn set_engine(&self, id: &str, engine: &str) -> StoreResult<()> {
        let (id, engine) = (id.to_owned(), engine.to_owned());
        self.run(move |conn| {
            let changed = conn.execute(
                "UPDATE customers SET engine = ?2 WHERE id = ?1",
                params![id, engine],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("No customer {id}")));
            }
            Ok(())
        })
        .await
    }

    async fn customers(&self) -> StoreResult<Vec<Customer>> {
        self.run(|conn| {
            let mut statement =
                conn.prepare_cached("SELECT * FROM customers ORDER BY created_at, rowid")?;
            let rows = statement.query_map([], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn customer(&self, id: &str) -> StoreResult<Option<Customer>> {
        let id = id.to_owned();
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM customers WHERE id = ?1")?
                .query_row([id], from_row)
                .optional()?)
        })
        .await
    }

    async fn customer_by_email(&self, email: &str) -> StoreResult<Option<Customer>> {
        let email = email.to_owned();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT * FROM customers WHERE email = ?1",
                    [email],
                    from_row,
                )
                .optional()?)
        })
        .await
    }
}
