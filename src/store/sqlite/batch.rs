//! The thread behind a [`BatchWriter`]: one connection that commits what has queued up, in one
//! transaction every few milliseconds, at a lower thread priority.

use std::thread;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use tokio::sync::mpsc;

use crate::store::batch::Op;
use crate::store::{BatchWriter, StoreError, StoreResult};

/// Most records committed in one transaction.
const MAX_BATCH: usize = 1024;

/// How long the writer lets records gather after the first one of a batch. Nobody waits on it
/// (a flush ends it, see [`BatchWriter::flush`]), so this trades nothing but a few milliseconds
/// of visibility for far fewer, larger commits.
const LINGER: Duration = Duration::from_millis(5);

/// Records waiting in memory before `append` makes callers wait (backpressure).
const QUEUE: usize = 16 * 1024;

/// Writes one batch in one transaction.
pub(super) type Write<T> = fn(&mut Connection, &[T]) -> rusqlite::Result<()>;

/// Starts a writer thread named `name` on `conn`, committing with `write`.
pub(super) fn spawn<T: Send + 'static>(
    conn: Connection,
    name: &'static str,
    write: Write<T>,
) -> StoreResult<BatchWriter<T>> {
    spawn_lingering(conn, name, write, LINGER).map(|(writer, _)| writer)
}

/// [`spawn`] with a chosen pause, answering the thread too (for tests that join it).
pub(super) fn spawn_lingering<T: Send + 'static>(
    conn: Connection,
    name: &'static str,
    write: Write<T>,
    linger: Duration,
) -> StoreResult<(BatchWriter<T>, thread::JoinHandle<()>)> {
    let (queue, receiver) = mpsc::channel(QUEUE);
    let committer = thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            yield_to_requests();
            writer_loop(conn, receiver, linger, write, name)
        })
        .map_err(|e| StoreError::Corrupt(format!("cannot start {name}: {e}")))?;
    let writer = BatchWriter {
        queue,
        committer: committer.thread().clone(),
    };
    Ok((writer, committer))
}

/// Commits what `queue` brings, in batches that gather for up to `linger` unless a flush is
/// waiting. The pause is a park that [`BatchWriter::flush`] cuts short; a wake-up with nothing
/// to do (a stale unpark, a spurious one) just parks again until the deadline.
fn writer_loop<T>(
    mut conn: Connection,
    mut queue: mpsc::Receiver<Op<T>>,
    linger: Duration,
    write: Write<T>,
    name: &str,
) {
    let mut records = Vec::with_capacity(MAX_BATCH);
    let mut waiting = Vec::new();
    while let Some(first) = queue.blocking_recv() {
        let mut next = Some(first);
        let mut deadline = None;
        loop {
            match next.take() {
                Some(Op::Append(record)) => records.push(record),
                Some(Op::Flush(done)) => waiting.push(done),
                None => {}
            }
            if records.len() >= MAX_BATCH {
                break;
            }
            match queue.try_recv() {
                Ok(op) => next = Some(op),
                // Let a burst gather, unless someone is waiting for the commit.
                Err(_) if waiting.is_empty() => {
                    let deadline = *deadline.get_or_insert_with(|| Instant::now() + linger);
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    thread::park_timeout(left);
                }
                Err(_) => break,
            }
        }
        let result = if records.is_empty() {
            Ok(())
        } else {
            write(&mut conn, &records)
        };
        match &result {
            Ok(()) => tracing::trace!(records = records.len(), writer = name, "batch committed"),
            Err(error) => {
                tracing::error!(%error, records = records.len(), writer = name, "a batch failed; its records are lost")
            }
        }
        records.clear();
        for done in waiting.drain(..) {
            let _ = done.send(
                result
                    .as_ref()
                    .map(|_| ())
                    .map_err(|e| StoreError::Corrupt(e.to_string())),
            );
        }
    }
}

/// Lowers the calling thread's scheduling priority (nice 10), so that on a busy core request
/// handling preempts a batch commit instead of waiting out its time slice. The writer still gets
/// the CPU it needs: it runs whenever the workers wait, and CFS gives it a share under load.
#[cfg(target_os = "linux")]
fn yield_to_requests() {
    let thread = rustix::thread::gettid();
    if let Err(error) = rustix::process::setpriority_process(Some(thread), WRITER_NICE) {
        tracing::debug!(%error, "could not lower a batch writer's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn yield_to_requests() {}

/// A batch writer's niceness on Linux (0 is normal, 19 the lowest).
#[cfg(target_os = "linux")]
const WRITER_NICE: i32 = 10;
