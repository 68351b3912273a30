//! Retention: finished jobs and settled webhook deliveries are deleted once old, so a server
//! that runs for years keeps a database the size of its recent work.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::store::{Millis, Store};

/// How long a succeeded job stays listed.
pub const JOBS: Millis = 14 * 24 * 3600 * 1000;
/// How long the delivery log keeps a settled delivery.
pub const DELIVERIES: Millis = 30 * 24 * 3600 * 1000;
/// How often old records are looked for.
const EVERY: Duration = Duration::from_secs(3600);

/// Prunes now and every hour until `shutdown`.
pub async fn run(store: Store, clock: Arc<dyn Clock>, shutdown: CancellationToken) {
    loop {
        let now = clock.now_millis();
        match store.prune(now - JOBS, now - DELIVERIES).await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "pruned old jobs and deliveries"),
            Err(error) => tracing::error!(%error, "pruning old jobs and deliveries failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}
