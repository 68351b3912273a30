//! The per-customer event log: append-only, read newest first with a cursor.
//!
//! Appends go through one [`EventWriter`] thread that owns a connection and commits whatever has
//! queued up in a single transaction (group commit), so the request path never waits on the
//! disk and a burst of tool calls costs one commit rather than one each. Events queued but not
//! yet committed (at most a few milliseconds' worth) are lost if the process is killed;
//! shutdown flushes, and readers flush first so they always see their own writes.

use async_trait::async_trait;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use super::{Millis, StoreError, StoreResult};

/// The type of the event every tool call appends: most of the log, and kept out of the type index.
pub const TOOL_CALLED: &str = "tool.called";

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub customer_id: String,
    pub kind: String,
    /// The payload as JSON text: serialized once, where the event is made, straight from its
    /// type (a `tool.called` payload is a struct, not a map of owned strings).
    pub data: String,
    pub at: Millis,
}

impl NewEvent {
    pub fn new(
        customer_id: impl Into<String>,
        kind: impl Into<String>,
        data: &impl Serialize,
        at: Millis,
    ) -> NewEvent {
        let kind = kind.into();
        // Payloads are plain records with string keys, which always serialize; should one ever
        // not, the event still records that something happened.
        let data = serde_json::to_string(data).unwrap_or_else(|error| {
            tracing::error!(%error, kind, "an event payload did not serialize");
            "{}".to_owned()
        });
        NewEvent {
            customer_id: customer_id.into(),
            kind,
            data,
            at,
        }
    }
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

/// What the writer thread is asked to do.
pub(super) enum Op {
    Append(NewEvent),
    /// Answer once everything queued before this is committed.
    Flush(oneshot::Sender<StoreResult<()>>),
}

/// Appends events in the background with group commit. Cheap to clone; the thread commits what
/// is queued and stops when the last clone drops.
#[derive(Clone)]
pub struct EventWriter {
    pub(super) queue: mpsc::Sender<Op>,
    /// The thread that commits: a flush wakes it from the few milliseconds it lets a batch
    /// gather, so a reader never waits out that pause (it did: every `list_events` took 5 ms).
    pub(super) committer: std::thread::Thread,
}

impl EventWriter {
    /// Queues one event. It is committed within a few milliseconds, with whatever else is
    /// queued, in one transaction; [`EventWriter::flush`] waits for that.
    pub async fn append(&self, event: NewEvent) -> StoreResult<()> {
        self.queue
            .send(Op::Append(event))
            .await
            .map_err(|_| StoreError::WriterGone)
    }

    /// Waits until every event appended before this call is committed: readers of the log call
    /// it first so they see their own writes, and shutdown calls it so nothing queued is lost.
    pub async fn flush(&self) -> StoreResult<()> {
        let (done, committed) = oneshot::channel();
        self.queue
            .send(Op::Flush(done))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        self.committer.unpark();
        committed.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Starts the writer thread on a connection of its own.
    fn event_writer(&self) -> StoreResult<EventWriter>;

    /// One page of a customer's events, newest first.
    async fn events(&self, customer_id: &str, query: EventQuery) -> StoreResult<Vec<EventRecord>>;
}
