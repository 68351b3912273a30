//! Content items: the item itself is JSON (its shape is the content module's); state and format
//! are columns to filter on. Every change commits with its `content.*` event.

use async_trait::async_trait;

use super::{Millis, NewEvent, StoreError, StoreResult};

/// A stored content item.
#[derive(Debug, Clone)]
pub struct ContentRow {
    pub id: String,
    pub format: String,
    pub state: String,
    pub item: String,
    pub updated_at: Millis,
}

/// What a change does: the new state and item, and the event recording it.
pub struct ContentChange {
    pub state: String,
    pub item: String,
    pub event: Option<NewEvent>,
}

/// How a write decides a content item's change under the lock: it sees the current row and
/// answers the change, or refuses (a [`StoreError::Conflict`], say).
pub type ContentChanger = Box<dyn FnOnce(&ContentRow) -> Result<ContentChange, StoreError> + Send>;

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait ContentStore: Send + Sync {
    async fn create_content(
        &self,
        customer: &str,
        row: ContentRow,
        event: NewEvent,
    ) -> StoreResult<()>;

    async fn content(&self, customer: &str, id: &str) -> StoreResult<Option<ContentRow>>;

    /// Changes an item under the write lock: `change` sees the current row and decides (or
    /// refuses with [`StoreError::Conflict`]); the update and its event commit together.
    async fn change_content(
        &self,
        customer: &str,
        id: &str,
        at: Millis,
        change: ContentChanger,
    ) -> StoreResult<ContentRow>;

    /// The customer's content, most recently changed first.
    async fn list_content(
        &self,
        customer: &str,
        state: Option<&str>,
        format: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ContentRow>>;
}
