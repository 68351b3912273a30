//! The per-customer event log: append-only, read newest first with a cursor.
//!
//! Appends go through one [`EventWriter`] ([`BatchWriter`]), so the request path never waits on
//! the disk and a burst of tool calls costs one commit rather than one each.

use async_trait::async_trait;

use super::{BatchWriter, Millis, StoreResult};
use serde::Serialize;
use serde_json::Value;

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

/// Appends events in the background with group commit (see [`BatchWriter`]).
pub type EventWriter = BatchWriter<NewEvent>;

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Starts the writer thread on a connection of its own.
    fn event_writer(&self) -> StoreResult<EventWriter>;

    /// One page of a customer's events, newest first.
    async fn events(&self, customer_id: &str, query: EventQuery) -> StoreResult<Vec<EventRecord>>;
}
