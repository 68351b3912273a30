//! The `content` table: the item as JSON, with its state and format as indexed columns; a change
//! and its event row are written in one write transaction.

use super::{Sqlite, events, write_transaction};
use crate::store::{
    ContentChange, ContentChanger, ContentRow, ContentStore, Millis, NewEvent, StoreError,
    StoreResult,
};
use async_trait::async_trait;

use rusqlite::{OptionalExtension, Row, params};

fn from_row(row: &Row<'_>) -> rusqlite::Result<ContentRow> {
    Ok(ContentRow {
        id: row.get("id")?,
        format: row.get("format")?,
        state: row.get("state")?,
        item: row.get("item")?,
        updated_at: row.get("updated_at")?,
    })
}

#[async_trait]
impl ContentStore for Sqlite {
    async fn create_content(
        &self,
        customer: &str,
        row: ContentRow,
        event: NewEvent,
    ) -> StoreResult<()> {
        let customer = customer.to_owned();
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            tx.prepare_cached(
                "INSERT INTO content (id, customer_id, format, state, item, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )?
            .execute(params![
                row.id,
                customer,
                row.format,
                row.state,
                row.item,
                row.updated_at
            ])?;
            events::insert(&tx, &event)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn content(&self, customer: &str, id: &str) -> StoreResult<Option<ContentRow>> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            Ok(conn
                .prepare_cached("SELECT * FROM content WHERE customer_id = ?1 AND id = ?2")?
                .query_row(params![customer, id], from_row)
                .optional()?)
        })
        .await
    }

    async fn change_content(
        &self,
        customer: &str,
        id: &str,
        at: Millis,
        change: ContentChanger,
    ) -> StoreResult<ContentRow> {
        let (customer, id) = (customer.to_owned(), id.to_owned());
        self.run(move |conn| {
            let tx = write_transaction(conn)?;
            let row = change_in(&tx, &customer, &id, at, change)?;
            tx.commit()?;
            Ok(row)
        })
        .await
    }

    async fn list_content(
        &self,
        customer: &str,
        state: Option<&str>,
        format: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ContentRow>> {
        let (customer, state, format) = (
            customer.to_owned(),
            state.map(str::to_owned),
            format.map(str::to_owned),
        );
        self.run(move |conn| {
            // One statement per filter, not `(?2 IS NULL OR state = ?2)`: a prepared statement
            // with that condition cannot use the state index, and a state with few items (the
            // briefs) then reads every item of a large account.
            let sql = match (state.is_some(), format.is_some()) {
                (true, true) => {
                    "SELECT * FROM content WHERE customer_id = ?1 AND state = ?2 AND format = ?3
                     ORDER BY updated_at DESC, rowid DESC LIMIT ?4"
                }
                (true, false) => {
                    "SELECT * FROM content WHERE customer_id = ?1 AND state = ?2 AND ?3 IS NULL
                     ORDER BY updated_at DESC, rowid DESC LIMIT ?4"
                }
                (false, true) => {
                    "SELECT * FROM content WHERE customer_id = ?1 AND ?2 IS NULL AND format = ?3
                     ORDER BY updated_at DESC, rowid DESC LIMIT ?4"
                }
                (false, false) => {
                    "SELECT * FROM content WHERE customer_id = ?1 AND ?2 IS NULL AND ?3 IS NULL
                     ORDER BY updated_at DESC, rowid DESC LIMIT ?4"
                }
            };
            let mut statement = conn.prepare_cached(sql)?;
            let rows = statement.query_map(params![customer, state, format, limit], from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}

/// [`Store::change_content`] inside a caller's transaction, so a content transition can commit
/// together with the records it goes with (the posts of a schedule, a published post).
pub(super) fn change_in<F>(
    tx: &rusqlite::Transaction<'_>,
    customer: &str,
    id: &str,
    at: Millis,
    change: F,
) -> StoreResult<ContentRow>
where
    F: FnOnce(&ContentRow) -> Result<ContentChange, StoreError>,
{
    let current = tx
        .prepare_cached("SELECT * FROM content WHERE customer_id = ?1 AND id = ?2")?
        .query_row(params![customer, id], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("No content {id}")))?;
    let changed = change(&current)?;
    tx.prepare_cached(
        "UPDATE content SET state = ?3, item = ?4, updated_at = ?5 WHERE customer_id = ?1 AND id = ?2",
    )?
    .execute(params![customer, id, changed.state, changed.item, at])?;
    if let Some(event) = &changed.event {
        events::insert(tx, event)?;
    }
    Ok(ContentRow {
        state: changed.state,
        item: changed.item,
        updated_at: at,
        ..current
    })
}
