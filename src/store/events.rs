//! The per-customer event log: append-only, read newest first with a cursor.
//!
//! Appends go through one [`EventWriter`] thread that owns a connection and commits whatever has
//! queued up in a single transaction (group commit). Every caller still waits until its own event
//! is committed, so nothing acknowledged is lost on a crash, but a burst of concurrent tool calls
//! costs one commit rather than one each.

use std::thread;

use rusqlite::{Connection, Row, params};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::{Millis, Store, StoreError, StoreResult};

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub customer_id: String,
    pub kind: String,
    pub data: Value,
    pub at: Millis,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub id: i64,
    pub kind: String,
    pub data: Value,
    pub at: Millis,
}

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Exact event type, or a prefix ending in `.*` (for example `tool.*`).
    pub kind: Option<String>,
    pub since: Option<Millis>,
    pub until: Option<Millis>,
    /// Only events older than this id (the previous page's `nextCursor`).
    pub before_id: Option<i64>,
    pub limit: usize,
}

type Pending = (NewEvent, oneshot::Sender<StoreResult<i64>>);

/// Most events committed in one transaction; bounds the latency of the last one in a batch.
const MAX_BATCH: usize = 512;

/// Appends events with group commit. Cheap to clone; the thread stops when the last clone drops.
#[derive(Clone)]
pub struct EventWriter {
    queue: mpsc::Sender<Pending>,
}

impl EventWriter {
    /// Appends one event and waits until it is committed; answers its id.
    pub async fn append(&self, event: NewEvent) -> StoreResult<i64> {
        let (done, committed) = oneshot::channel();
        self.queue
            .send((event, done))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        committed.await.map_err(|_| StoreError::WriterGone)?
    }
}

fn write_batch(conn: &mut Connection, batch: &[Pending]) -> Result<Vec<i64>, rusqlite::Error> {
    let tx = conn.transaction()?;
    let mut ids = Vec::with_capacity(batch.len());
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO events (customer_id, type, data, created_at) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for (event, _) in batch {
            stmt.execute(params![
                event.customer_id,
                event.kind,
                event.data.to_string(),
                event.at
            ])?;
            ids.push(tx.last_insert_rowid());
        }
    }
    tx.commit()?;
    Ok(ids)
}

fn writer_loop(mut conn: Connection, mut queue: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        match write_batch(&mut conn, &batch) {
            Ok(ids) => {
                for ((_, done), id) in batch.drain(..).zip(ids) {
                    let _ = done.send(Ok(id));
                }
            }
            Err(error) => {
                tracing::error!(%error, events = batch.len(), "appending events failed");
                let message = error.to_string();
                for (_, done) in batch.drain(..) {
                    let _ = done.send(Err(StoreError::Corrupt(message.clone())));
                }
            }
        }
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<EventRecord> {
    let data: String = row.get("data")?;
    Ok(EventRecord {
        id: row.get("id")?,
        kind: row.get("type")?,
        data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
        at: row.get("created_at")?,
    })
}

impl Store {
    /// Starts the writer thread on a connection of its own.
    pub fn event_writer(&self) -> StoreResult<EventWriter> {
        let conn = self.dedicated_connection()?;
        let (queue, receiver) = mpsc::channel(4 * MAX_BATCH);
        thread::Builder::new()
            .name("heycmo-events".into())
            .spawn(move || writer_loop(conn, receiver))
            .map_err(|e| StoreError::Corrupt(format!("cannot start the event writer: {e}")))?;
        Ok(EventWriter { queue })
    }

    /// One page of a customer's events, newest first.
    pub async fn events(
        &self,
        customer_id: &str,
        query: EventQuery,
    ) -> StoreResult<Vec<EventRecord>> {
        let customer_id = customer_id.to_owned();
        self.run(move |conn| {
            let mut sql = String::from("SELECT * FROM events WHERE customer_id = ?1");
            let mut args: Vec<rusqlite::types::Value> = vec![customer_id.into()];
            if let Some(kind) = query.kind {
                match kind.strip_suffix(".*") {
                    Some(prefix) => {
                        sql.push_str(&format!(
                            " AND type >= ?{a} AND type < ?{b}",
                            a = args.len() + 1,
                            b = args.len() + 2
                        ));
                        args.push(format!("{prefix}.").into());
                        args.push(format!("{prefix}/").into());
                    }
                    None => {
                        sql.push_str(&format!(" AND type = ?{}", args.len() + 1));
                        args.push(kind.into());
                    }
                }
            }
            for (clause, value) in [
                (" AND created_at >= ?", query.since),
                (" AND created_at < ?", query.until),
                (" AND id < ?", query.before_id),
            ] {
                if let Some(value) = value {
                    sql.push_str(&format!("{clause}{}", args.len() + 1));
                    args.push(value.into());
                }
            }
            sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", query.limit));
            let mut stmt = conn.prepare_cached(&sql)?;
            let events = stmt
                .query_map(rusqlite::params_from_iter(args), from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(events)
        })
        .await
    }
}
