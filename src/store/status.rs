//! The readiness probes recorded every minute and the incidents they open: what the public
//! status page reports, measured rather than claimed.

use async_trait::async_trait;

use super::{Millis, StoreResult};

/// One component's result in one round of probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    pub component: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRecord {
    pub id: i64,
    pub component: String,
    pub opened_at: Millis,
    pub resolved_at: Option<Millis>,
    /// What the probe said when the incident opened.
    pub detail: String,
}

/// A component's probes in a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uptime {
    pub component: String,
    pub probes: u64,
    pub passed: u64,
}

/// The newest probe of a component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastProbe {
    pub at: Millis,
    pub result: ProbeResult,
}

/// What the status reads, as of one moment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusRecords {
    /// Probes and passes per component in the last day, and the last week.
    pub day: Vec<Uptime>,
    pub week: Vec<Uptime>,
    /// Every component's newest probe.
    pub last: Vec<LastProbe>,
    /// Incidents open now or resolved in the last week, newest first.
    pub incidents: Vec<IncidentRecord>,
}

/// Jobs that are due and not yet taken: how many, and since when the oldest waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backlog {
    pub due: u64,
    pub oldest_run_at: Option<Millis>,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait StatusStore: Send + Sync {
    /// Records a round of probes at `at`, in one transaction: a component whose last
    /// `threshold` probes (this one included) all failed opens an incident unless one is open;
    /// a component that passed closes its open one. Probes before `keep_since` are dropped.
    async fn record_probes(
        &self,
        at: Millis,
        results: Vec<ProbeResult>,
        threshold: u32,
        keep_since: Millis,
    ) -> StoreResult<()>;

    /// The probes and incidents since `week` (and the uptime since `day`), read in one
    /// transaction, so a round recorded meanwhile cannot show as up with no passed probe.
    async fn status_records(&self, day: Millis, week: Millis) -> StoreResult<StatusRecords>;

    /// Due, untaken jobs of `kind`, or of every other kind when `other_kinds`.
    async fn backlog(&self, kind: &str, other_kinds: bool, now: Millis) -> StoreResult<Backlog>;
}
