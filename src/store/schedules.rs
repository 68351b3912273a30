//! Cron schedules of workflows, per customer, and the customer's time zone they run in.
//!
//! Firing a schedule is a compare-and-set on its planned time that also queues the workflow's
//! job (with an idempotency key naming that time), so two processes on one database, or a
//! restart in the middle, fire each planned run once.

use async_trait::async_trait;

use super::{Millis, NewJob, StoreResult};

/// A schedule as stored, with its customer's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRecord {
    pub customer_id: String,
    pub workflow: String,
    pub cron: String,
    pub time_zone: String,
    pub enabled: bool,
    /// When it fires next; `None` until planned.
    pub next_run_at: Option<Millis>,
    pub last_run_at: Option<Millis>,
}

/// A change to a schedule; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct ScheduleChange {
    pub cron: Option<String>,
    pub enabled: Option<bool>,
    pub time_zone: Option<String>,
}

/// What a workflow's schedule is before its customer changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScheduleDefault<'a> {
    pub cron: &'a str,
    /// Off for workflows that spend the operator's money (answer engines' tokens) until the
    /// customer turns them on.
    pub enabled: bool,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait ScheduleStore: Send + Sync {
    /// Gives `customer` (or every customer, with `None`) the default `workflow` schedule if they
    /// have none; answers how many were added.
    async fn ensure_schedules(
        &self,
        workflow: &str,
        default: ScheduleDefault<'_>,
        customer: Option<&str>,
        now: Millis,
    ) -> StoreResult<usize>;

    /// Enabled schedules that are due or not yet planned.
    async fn pending_schedules(&self, now: Millis, limit: u32) -> StoreResult<Vec<ScheduleRecord>>;

    /// The earliest planned run of any enabled schedule.
    async fn next_schedule_at(&self) -> StoreResult<Option<Millis>>;

    /// Moves a schedule from `planned` to `next`; with a job, queues it as the run of `planned`.
    /// `false` when another process got there first.
    async fn advance_schedule(
        &self,
        customer: &str,
        workflow: &str,
        planned: Option<Millis>,
        next: Millis,
        job: Option<NewJob>,
        now: Millis,
    ) -> StoreResult<bool>;

    /// A customer's schedules.
    async fn schedules(&self, customer: &str) -> StoreResult<Vec<ScheduleRecord>>;

    /// Changes a customer's schedule (creating it from `default` when missing) and time zone;
    /// the next run is planned again. Answers the schedule.
    async fn change_schedule(
        &self,
        customer: &str,
        workflow: &str,
        default: ScheduleDefault<'_>,
        change: ScheduleChange,
        now: Millis,
    ) -> StoreResult<ScheduleRecord>;
}
