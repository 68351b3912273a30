//! The `events` table and its batch writer ([`super::batch`]), which inserts 16 rows a
//! statement.

use super::{Sqlite, batch, write_transaction};
use crate::store::{
    EventQuery, EventRecord, EventStore, EventWriter, NewEvent, StoreResult, TOOL_CALLED,
};
use async_trait::async_trait;

use std::sync::LazyLock;

use rusqlite::{Connection, Row};

use serde_json::Value;

/// Rows per multi-row `INSERT` of a batch: one statement step per chunk instead of per event.
/// SQLite allows 32,766 parameters; four per row.
const ROWS_PER_INSERT: usize = 16;

/// The `INSERT` of `rows` events.
fn insert_sql(rows: usize) -> String {
    let values = vec!["(?, ?, ?, ?)"; rows].join(", ");
    format!("INSERT INTO events (customer_id, type, data, created_at) VALUES {values}")
}

static INSERT_ONE: LazyLock<String> = LazyLock::new(|| insert_sql(1));

static INSERT_CHUNK: LazyLock<String> = LazyLock::new(|| insert_sql(ROWS_PER_INSERT));

fn write_batch(conn: &mut Connection, events: &[NewEvent]) -> rusqlite::Result<()> {
    let tx = write_transaction(conn)?;
    let mut chunks = events.chunks_exact(ROWS_PER_INSERT);
    for chunk in chunks.by_ref() {
        execute(&tx, &INSERT_CHUNK, chunk)?;
    }
    for event in chunks.remainder() {
        insert(&tx, event)?;
    }
    tx.commit()
}

/// Appends one event on `conn`: in a domain transaction, the event commits with the change it
/// records (a content transition and its `content.*` event are one write).
pub(super) fn insert(conn: &Connection, event: &NewEvent) -> Result<(), rusqlite::Error> {
    execute(conn, &INSERT_ONE, std::slice::from_ref(event))
}

/// Runs `sql`, an `INSERT` of `events.len()` rows, with their values.
fn execute(conn: &Connection, sql: &str, events: &[NewEvent]) -> Result<(), rusqlite::Error> {
    let values = events.iter().flat_map(|event| {
        [
            &event.customer_id as &dyn rusqlite::ToSql,
            &event.kind,
            &event.data,
            &event.at,
        ]
    });
    conn.prepare_cached(sql)?
        .execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

/// The SQL and arguments of one page of a customer's events.
fn select(customer_id: &str, query: EventQuery) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = String::from("SELECT * FROM events WHERE customer_id = ?1");
    let mut args: Vec<rusqlite::types::Value> = vec![customer_id.to_owned().into()];
    if let Some(kind) = query.kind {
        let prefix = kind.strip_suffix(".*");
        // Only a filter that cannot match `tool.called` may use the type index, which
        // leaves those events out; SQLite needs the exclusion spelled out to see that.
        let tool_called = match prefix {
            Some(prefix) => TOOL_CALLED
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.')),
            None => kind == TOOL_CALLED,
        };
        if !tool_called {
            sql.push_str(&format!(" AND type <> '{TOOL_CALLED}'"));
        }
        match prefix {
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
    (sql, args)
}

/// One page of a customer's events, newest first, read on `conn`.
fn page(
    conn: &Connection,
    customer_id: &str,
    query: EventQuery,
) -> Result<Vec<EventRecord>, rusqlite::Error> {
    let (sql, args) = select(customer_id, query);
    conn.prepare_cached(&sql)?
        .query_map(rusqlite::params_from_iter(args), from_row)?
        .collect()
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

#[async_trait]
impl EventStore for Sqlite {
    fn event_writer(&self) -> StoreResult<EventWriter> {
        batch::spawn(self.dedicated_connection()?, "heycmo-events", write_batch)
    }

    async fn events(&self, customer_id: &str, query: EventQuery) -> StoreResult<Vec<EventRecord>> {
        let customer_id = customer_id.to_owned();
        self.run(move |conn| Ok(page(conn, &customer_id, query)?))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The store's own schema on a real file, with two customers' events of mixed types.
    fn log() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let store = Sqlite::open(&dir.path().join("events.db")).unwrap();
        let conn = store.dedicated_connection().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        for n in 0..40 {
            let kind = match n % 4 {
                0 => "content.created",
                1 => "content.approved",
                _ => TOOL_CALLED,
            };
            for customer in ["cus_a", "cus_b"] {
                insert(&conn, &NewEvent::new(customer, kind, &json_n(n), n)).unwrap();
            }
        }
        (dir, conn)
    }

    fn json_n(n: i64) -> Value {
        serde_json::json!({ "n": n })
    }

    /// `cus_a`'s events of `kind`, and SQLite's plan for reading them.
    fn of_kind(conn: &Connection, kind: &str) -> (Vec<EventRecord>, String) {
        let query = EventQuery {
            kind: Some(kind.to_owned()),
            limit: 100,
            ..EventQuery::default()
        };
        let (sql, args) = select("cus_a", query.clone());
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(rusqlite::params_from_iter(args), |row| row.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        (page(conn, "cus_a", query).unwrap(), plan.join("; "))
    }

    #[test]
    fn type_filters_find_their_events_through_the_right_index() {
        let (_dir, conn) = log();
        for (kind, expected, index) in [
            ("content.approved", 10, "events_customer_type"),
            ("content.*", 20, "events_customer_type"),
            (TOOL_CALLED, 20, "events_customer "),
            ("tool.*", 20, "events_customer "),
        ] {
            let (events, plan) = of_kind(&conn, kind);
            assert_eq!(events.len(), expected, "{kind}");
            let prefix = kind.trim_end_matches('*');
            assert!(
                events.iter().all(|e| e.kind.starts_with(prefix)),
                "{kind}: {events:?}"
            );
            assert!(events.windows(2).all(|w| w[0].id > w[1].id), "newest first");
            assert!(
                format!("{plan} ").contains(index),
                "{kind} should use {index}: {plan}"
            );
            // A prefix is a range of types, whose matches are sorted (top-N); an exact type
            // reads its index in order.
            if !kind.ends_with(".*") {
                assert!(!plan.contains("TEMP B-TREE"), "{kind} sorts: {plan}");
            }
        }
    }

    #[test]
    fn a_batch_is_written_whole_and_in_order_across_multi_row_inserts() {
        let (_dir, mut conn) = log();
        let before: i64 = conn
            .query_row("SELECT max(id) FROM events", [], |row| row.get(0))
            .unwrap();
        // Two full multi-row chunks and a remainder written row by row.
        let count = 2 * ROWS_PER_INSERT + 5;
        let batch: Vec<NewEvent> = (0..count as i64)
            .map(|n| NewEvent::new("cus_c", format!("batch.{n}"), &json_n(n), 1000 + n))
            .collect();
        write_batch(&mut conn, &batch).unwrap();
        let query = EventQuery {
            limit: 1000,
            ..EventQuery::default()
        };
        let mut written = page(&conn, "cus_c", query).unwrap();
        written.reverse();
        assert_eq!(written.len(), count);
        for (n, event) in written.iter().enumerate() {
            let n = n as i64;
            assert_eq!(event.id, before + 1 + n);
            assert_eq!(event.kind, format!("batch.{n}"));
            assert_eq!(event.data, json_n(n));
            assert_eq!(event.at, 1000 + n);
        }
    }

    #[test]
    fn payloads_are_stored_as_the_json_they_serialize_to() {
        let (_dir, conn) = log();
        let (events, _) = of_kind(&conn, "content.created");
        assert_eq!(events[0].data, serde_json::json!({"n": 36}));
    }

    /// A batch left to gather for an hour still commits at once when a reader flushes: the
    /// flush wakes the writer. (Without the wake-up this test would wait out the hour; the
    /// minute allowed it is only there to fail rather than hang.)
    #[tokio::test]
    async fn a_flush_ends_the_pause_in_which_a_batch_gathers() {
        let (dir, conn) = log();
        let store = Sqlite::open(&dir.path().join("events.db")).unwrap();
        let writer_conn = store.dedicated_connection().unwrap();
        writer_conn
            .execute_batch("PRAGMA foreign_keys = OFF")
            .unwrap();
        let (writer, committer) = batch::spawn_lingering(
            writer_conn,
            "test-events",
            write_batch,
            Duration::from_secs(3600),
        )
        .unwrap();
        let event = NewEvent::new("cus_d", "content.created", &json_n(1), 5000);
        writer.append(event).await.unwrap();
        // Give the writer time to take the event and start its pause, so the flush does not
        // simply arrive with the event (which would pass with or without the wake-up).
        tokio::time::sleep(Duration::from_millis(200)).await;
        tokio::time::timeout(Duration::from_secs(60), writer.flush())
            .await
            .expect("the flush woke the writer")
            .unwrap();
        let written = page(
            &conn,
            "cus_d",
            EventQuery {
                limit: 10,
                ..EventQuery::default()
            },
        );
        assert_eq!(written.unwrap().len(), 1);
        drop(writer);
        committer.join().unwrap();
    }
}
