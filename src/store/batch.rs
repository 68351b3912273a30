//! Group commit for append-heavy records (the event log, the collector's hits): one thread
//! owns a connection and commits whatever has queued up in a single transaction, so the request
//! path never waits on the disk and a burst costs one commit rather than one per record.
//! Records queued but not yet committed (at most a few milliseconds' worth) are lost if the
//! process is killed; shutdown flushes, and readers flush first so they see their own writes.

use tokio::sync::{mpsc, oneshot};

use super::{StoreError, StoreResult};

/// What the writer thread is asked to do.
pub enum Op<T> {
    Append(T),
    /// Answer once everything queued before this is committed.
    Flush(oneshot::Sender<StoreResult<()>>),
}

/// Appends records of type `T` in the background. Cheap to clone; the thread commits what is
/// queued and stops when the last clone drops.
pub struct BatchWriter<T> {
    pub(super) queue: mpsc::Sender<Op<T>>,
    /// The thread that commits: a flush wakes it from the few milliseconds it lets a batch
    /// gather, so a reader never waits out that pause (it did: every `list_events` took 5 ms).
    pub(super) committer: std::thread::Thread,
}

impl<T> Clone for BatchWriter<T> {
    fn clone(&self) -> Self {
        BatchWriter {
            queue: self.queue.clone(),
            committer: self.committer.clone(),
        }
    }
}

impl<T> BatchWriter<T> {
    /// Queues one record. It is committed within a few milliseconds, with whatever else is
    /// queued, in one transaction; [`BatchWriter::flush`] waits for that.
    pub async fn append(&self, record: T) -> StoreResult<()> {
        self.queue
            .send(Op::Append(record))
            .await
            .map_err(|_| StoreError::WriterGone)
    }

    /// Waits for room in the queue and holds it: a caller that must queue records in the
    /// order it decides them, under a lock it cannot hold across a wait, takes its place first
    /// and then queues at once.
    pub async fn reserve(&self) -> StoreResult<Slot<'_, T>> {
        self.queue
            .reserve()
            .await
            .map(Slot)
            .map_err(|_| StoreError::WriterGone)
    }

    /// Waits until every record appended before this call is committed: readers call it first
    /// so they see their own writes, and shutdown calls it so nothing queued is lost.
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

/// Room for one record in a writer's queue ([`BatchWriter::reserve`]).
pub struct Slot<'a, T>(mpsc::Permit<'a, Op<T>>);

impl<T> Slot<'_, T> {
    /// Queues the record in the room held, without waiting.
    pub fn append(self, record: T) {
        self.0.send(Op::Append(record));
    }
}
