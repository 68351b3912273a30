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

    /// Queues one record now, without waiting, unless the queue is full (`false`): a caller that
    /// must queue records in the order it decided them, under a lock, cannot await.
    pub fn try_append(&self, record: T) -> Result<bool, StoreError> {
        match self.queue.try_send(Op::Append(record)) {
            Ok(()) => Ok(true),
            Err(mpsc::error::TrySendError::Full(_)) => Ok(false),
            Err(mpsc::error::TrySendError::Closed(_)) => Err(StoreError::WriterGone),
        }
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
