//! The SQLite store: a pool of connections, versioned migrations, one module per aggregate.
//!
//! SQL lives only below this module. The rest of the program calls domain methods, which keeps a
//! second backend (PostgreSQL, for several nodes) an addition rather than a rewrite. Every method
//! that writes does so in one transaction, so a crash leaves the old state or the new one.

mod audits;
mod brands;
mod briefings;
mod content;
mod customers;
mod events;
mod jobs;
mod keys;
mod migrations;
mod schedules;
mod settings;
mod social;
mod usage;
mod webhooks;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;

pub use audits::AuditRecord;
pub use brands::BrandRecord;
pub use briefings::{BriefingRecord, PipelineFacts};
pub use content::{ContentChange, ContentRow};
pub use customers::{Customer, NewCustomer};
pub use events::{EventQuery, EventRecord, EventWriter, NewEvent, TOOL_CALLED};
pub use jobs::{JobRecord, NewJob};
pub use keys::{ApiKeyRecord, KeyScope, NewKey};
pub use schedules::{ScheduleChange, ScheduleRecord};
pub use social::{ChannelRecord, NewPost, PUBLISH_JOB, PostRecord, RemotePost};
pub use usage::UsageRecord;
pub use webhooks::{
    Attempt, DELIVERY_JOB, DeliveryRecord, FanOut, NewWebhook, WebhookChange, WebhookRecord,
};

/// Failures of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migrating the database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("the event writer has stopped")]
    WriterGone,
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: Pool<SqliteConnectionManager>,
    path: Arc<PathBuf>,
}

/// How long a connection waits on a lock held by another writer before it gives up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

impl Store {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> StoreResult<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                StoreError::Corrupt(format!("cannot create {}: {e}", parent.display()))
            })?;
        }
        let manager = SqliteConnectionManager::file(path).with_init(configure);
        let pool = Pool::builder()
            .max_size(16)
            .connection_timeout(BUSY_TIMEOUT)
            .build(manager)?;
        let mut conn = pool.get()?;
        migrations::apply(&mut conn)?;
        Ok(Store {
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

    /// True when the database file can be opened and read now; backs `/api/health/ready`.
    ///
    /// A fresh connection is used on purpose: pooled ones keep working on a file that has been
    /// deleted or replaced under them, which would report ready while every restart would fail.
    pub async fn ping(&self) -> bool {
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
/// power loss, which is the trade SQLite recommends for WAL.
fn configure(conn: &mut rusqlite::Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
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

/// Milliseconds since the Unix epoch, the one time representation in the database.
pub type Millis = i64;
