//! The SQLite backend: a pool of connections to one file, versioned migrations, one module per
//! aggregate implementing its trait. SQL and rusqlite live only in this folder.

mod accounts;
mod audits;
mod batch;
mod brands;
mod briefings;
mod content;
mod customers;
mod events;
mod jobs;
mod keys;
mod leads;
mod logins;
mod migrations;
mod onboarding;
mod revenue;
mod schedules;
mod sequences;
mod settings;
mod sites;
mod social;
mod status;
mod usage;
mod visibility;
mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;

use super::{Backend, StoreError, StoreResult};

/// The SQLite backend; cheap to clone.
#[derive(Clone)]
pub struct Sqlite {
    pool: Pool<SqliteConnectionManager>,
    path: Arc<PathBuf>,
}

/// How long a connection waits on a lock held by another writer before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Database(error.to_string())
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(error: r2d2::Error) -> StoreError {
        StoreError::Unavailable(error.to_string())
    }
}

impl From<rusqlite_migration::Error> for StoreError {
    fn from(error: rusqlite_migration::Error) -> StoreError {
        StoreError::Migration(error.to_string())
    }
}

impl Sqlite {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Sqlite> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Corrupt(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        let manager = SqliteConnectionManager::file(path).with_init(configure);
        // Connections open as load needs them (up to 16) rather than all at start: each holds
        // its own page cache and lookaside memory, which an idle server need not pay for.
        let pool = Pool::builder()
            .max_size(16)
            .min_idle(Some(1))
            .connection_timeout(BUSY_TIMEOUT)
            .build(manager)?;
        let mut conn = pool.get()?;
        migrations::apply(&mut conn)?;
        Ok(Sqlite {
            pool,
            path: Arc::new(path.to_owned()),
        })
    }

    /// A connection outside the pool, to the existing file (never creating a new, empty one).
    fn dedicated_connection(&self) -> StoreResult<rusqlite::Connection> {
        use rusqlite::OpenFlags;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = rusqlite::Connection::open_with_flags(self.path.as_path(), flags)?;
        configure(&mut conn)?;
        Ok(conn)
    }

    /// Runs blocking database work off the async runtime.
    async fn run<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut rusqlite::Connection) -> StoreResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await?
    }
}

#[async_trait::async_trait]
impl Backend for Sqlite {
    /// A fresh connection is used on purpose: pooled ones keep working on a file that has been
    /// deleted or replaced under them, which would report ready while every restart would fail.
    async fn ping(&self) -> bool {
        let store = self.clone();
        tokio::task::spawn_blocking(move || -> StoreResult<i64> {
            let conn = store.dedicated_connection()?;
            Ok(conn.query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))?)
        })
        .await
        .is_ok_and(|result| result.is_ok_and(|tables| tables > 0))
    }
}

/// Settings every connection gets. WAL lets readers proceed while one writer commits; NORMAL
/// synchronous is durable against process crashes in WAL mode and only risks the last commits on
/// power loss, which is the trade SQLite recommends for WAL. `secure_delete` overwrites what a
/// delete or an update frees with zeros, so erased personal data (a lead, a site's visits) does
/// not linger in the file's free space.
fn configure(conn: &mut rusqlite::Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(())
}

/// Begins a write transaction that holds SQLite's write lock from its first statement. A
/// deferred transaction that reads and then writes cannot wait for the lock once another
/// connection (the event writer, a job worker, another request) has committed since its read:
/// SQLite answers "database is locked" at once rather than let it write from a stale snapshot.
/// Taking the lock first makes every write wait its turn within the busy timeout instead.
fn write_transaction(
    conn: &mut rusqlite::Connection,
) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
}
