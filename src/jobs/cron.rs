//! Cron: each customer's workflow schedules, in the customer's time zone, turned into jobs.
//!
//! A schedule's next run is planned with croner in the customer's IANA time zone (so 08:00
//! stays 08:00 across daylight-saving changes), stored, and fired by queueing the workflow's job
//! with a key naming the planned time. A server that was down fires a missed run once when it
//! comes back, then plans the next one after now.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds};
use tokio_util::sync::CancellationToken;

use super::Jobs;
use crate::clock::Clock;
use crate::store::{Millis, NewJob, ScheduleDefault, ScheduleRecord, Store};

/// A workflow that runs on a schedule.
#[derive(Debug, Clone, Copy)]
pub struct Workflow {
    pub name: &'static str,
    /// The job it queues, with `{"customer": …}` as payload.
    pub job: &'static str,
    /// The schedule every customer starts with.
    pub default: ScheduleDefault<'static>,
}

/// Why a schedule's settings are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    #[error(
        "{0:?} is not a cron expression (five fields: minute hour day-of-month month day-of-week): {1}"
    )]
    Expression(String, String),
    #[error("{0:?} is not an IANA time zone (such as Europe/Paris or America/New_York)")]
    TimeZone(String),
    #[error("{0:?} never fires")]
    Never(String),
    #[error("{0:?} runs more than once an hour; workflows may run at most hourly")]
    TooOften(String),
}

/// The IANA time zone named `name`.
pub fn time_zone(name: &str) -> Result<Tz, CronError> {
    Tz::from_str(name).map_err(|_| CronError::TimeZone(name.to_owned()))
}

/// The first time after `after` that `expression` matches in `zone`.
pub fn next_run(expression: &str, zone: &str, after: Millis) -> Result<Millis, CronError> {
    // Five fields only: a seconds field would let a schedule run a workflow every second.
    let cron = CronParser::builder()
        .seconds(Seconds::Disallowed)
        .build()
        .parse(expression)
        .map_err(|e| CronError::Expression(expression.to_owned(), e.to_string()))?;
    let zone = time_zone(zone)?;
    let start = zone.from_utc_datetime(
        &DateTime::<Utc>::from_timestamp_millis(after)
            .unwrap_or_default()
            .naive_utc(),
    );
    cron.find_next_occurrence(&start, false)
        .map(|next| next.timestamp_millis())
        .map_err(|_| CronError::Never(expression.to_owned()))
}

/// The form of a schedule [`check`] can accept, for the published schema: five fields, the
/// minute one value (a workflow runs at most hourly), the others lists of values, ranges and
/// steps (after `*` or a numeric range) within each field's bounds, months and weekdays also by
/// name. What a pattern cannot
/// say (a range given backwards, a date that never comes) is still refused by `check`.
pub const PATTERN: &str = concat!(
    r"^([0-5]?[0-9])",
    r" (\*(/([1-9]|1[0-9]|2[0-3]))?|([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3])(/([1-9]|1[0-9]|2[0-3]))?)?)(,(\*(/([1-9]|1[0-9]|2[0-3]))?|([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3])(/([1-9]|1[0-9]|2[0-3]))?)?))*",
    r" (\*(/([1-9]|[12][0-9]|3[01]))?|(0?[1-9]|[12][0-9]|3[01])(-(0?[1-9]|[12][0-9]|3[01])(/([1-9]|[12][0-9]|3[01]))?)?)(,(\*(/([1-9]|[12][0-9]|3[01]))?|(0?[1-9]|[12][0-9]|3[01])(-(0?[1-9]|[12][0-9]|3[01])(/([1-9]|[12][0-9]|3[01]))?)?))*",
    r" (\*(/([1-9]|1[0-2]))?|(0?[1-9]|1[0-2])(-(0?[1-9]|1[0-2])(/([1-9]|1[0-2]))?)?|(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(-(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC))?)(,(\*(/([1-9]|1[0-2]))?|(0?[1-9]|1[0-2])(-(0?[1-9]|1[0-2])(/([1-9]|1[0-2]))?)?|(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(-(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC))?))*",
    r" (\*(/[1-7])?|[0-7](-[0-7](/[1-7])?)?|(SUN|MON|TUE|WED|THU|FRI|SAT)(-(SUN|MON|TUE|WED|THU|FRI|SAT))?)(,(\*(/[1-7])?|[0-7](-[0-7](/[1-7])?)?|(SUN|MON|TUE|WED|THU|FRI|SAT)(-(SUN|MON|TUE|WED|THU|FRI|SAT))?))*$",
);

/// The shortest time between two runs a schedule may ask for: workflows audit sites and write
/// with models, which a schedule must not do every minute.
pub const MIN_INTERVAL: Millis = 3600 * 1000;

/// Checks a schedule a customer asks for: a valid expression that runs at most once per
/// [`MIN_INTERVAL`].
pub fn check(expression: &str, now: Millis) -> Result<(), CronError> {
    let first = next_run(expression, "UTC", now)?;
    let second = next_run(expression, "UTC", first)?;
    if second - first < MIN_INTERVAL {
        return Err(CronError::TooOften(expression.to_owned()));
    }
    Ok(())
}

/// The longest the scheduler sleeps, so new customers and changed schedules are planned soon.
const MAX_SLEEP: Duration = Duration::from_secs(30);

/// Plans and fires schedules until `shutdown`.
pub async fn run(
    store: Store,
    jobs: Jobs,
    clock: Arc<dyn Clock>,
    workflows: Vec<Workflow>,
    shutdown: CancellationToken,
) {
    while !shutdown.is_cancelled() {
        if let Err(error) = tick(&store, &jobs, clock.as_ref(), &workflows).await {
            tracing::error!(%error, "running the schedules failed");
        }
        let now = clock.now_millis();
        let sleep = match store.next_schedule_at().await {
            Ok(Some(next)) => {
                Duration::from_millis((next - now).clamp(0, MAX_SLEEP.as_millis() as i64) as u64)
            }
            _ => MAX_SLEEP,
        };
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(sleep.max(Duration::from_millis(50))) => {}
        }
    }
}

/// One pass: new customers get their schedules, unplanned ones a next run, due ones fire.
pub async fn tick(
    store: &Store,
    jobs: &Jobs,
    clock: &dyn Clock,
    workflows: &[Workflow],
) -> Result<(), crate::store::StoreError> {
    let now = clock.now_millis();
    for workflow in workflows {
        store
            .ensure_schedules(workflow.name, workflow.default, None, now)
            .await?;
    }
    let mut fired = false;
    for schedule in store.pending_schedules(now, 500).await? {
        let Some(workflow) = workflows.iter().find(|w| w.name == schedule.workflow) else {
            continue;
        };
        let next = match next_run(&schedule.cron, &schedule.time_zone, now) {
            Ok(next) => next,
            Err(error) => {
                tracing::warn!(customer = %schedule.customer_id, workflow = workflow.name, %error, "a schedule cannot be planned");
                continue;
            }
        };
        let job = schedule
            .next_run_at
            .map(|planned| run_job(&schedule, workflow, planned));
        fired |= job.is_some();
        store
            .advance_schedule(
                &schedule.customer_id,
                &schedule.workflow,
                schedule.next_run_at,
                next,
                job,
                now,
            )
            .await?;
    }
    if fired {
        jobs.wake();
    }
    Ok(())
}

fn run_job(schedule: &ScheduleRecord, workflow: &Workflow, planned: Millis) -> NewJob {
    NewJob {
        customer_id: Some(schedule.customer_id.clone()),
        kind: workflow.job.to_owned(),
        payload: serde_json::json!({ "customer": schedule.customer_id }).to_string(),
        run_at: planned,
        max_attempts: 3,
        idempotency_key: Some(format!(
            "{}:{}:{planned}",
            workflow.name, schedule.customer_id
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_pattern_takes_what_check_takes() {
        let pattern = regex::Regex::new(PATTERN).unwrap();
        for good in [
            "0 8 * * *",
            "30 7 * * MON-FRI",
            "0 */2 * * *",
            "5 9,17 1-15 JAN-MAR,12 0,6",
            "0 1-23/2 */3 1-12/2 MON-FRI",
            "59 23 31 12 7",
        ] {
            assert!(pattern.is_match(good), "{good}");
            assert!(check(good, at("2026-01-01T00:00:00Z")).is_ok(), "{good}");
        }
        for bad in [
            "000000000",
            "* 8 * * *",
            "0,30 8 * * *",
            "60 8 * * *",
            "0 24 * * *",
            "0 8 0 * *",
            "0 8 * 13 *",
            "0 8 * * 8",
            "0 8 * * * *",
            "0 */0 * * *",
            "7 * 30/13 * *",
            "7 * * * WED/5",
        ] {
            assert!(!pattern.is_match(bad), "{bad}");
        }
    }

    fn at(text: &str) -> Millis {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn runs_are_planned_in_the_customers_time_zone() {
        // 08:00 in Paris is 07:00 UTC in winter…
        assert_eq!(
            next_run("0 8 * * *", "Europe/Paris", at("2026-11-26T10:00:00Z")),
            Ok(at("2026-11-27T07:00:00Z"))
        );
        // …and 06:00 UTC in summer: the local time holds across the change.
        assert_eq!(
            next_run("0 8 * * *", "Europe/Paris", at("2026-07-01T10:00:00Z")),
            Ok(at("2026-07-02T06:00:00Z"))
        );
        assert_eq!(
            next_run(
                "30 9 * * MON",
                "America/New_York",
                at("2026-11-26T10:00:00Z")
            ),
            Ok(at("2026-11-30T14:30:00Z"))
        );
        assert!(matches!(
            next_run("every morning", "UTC", 0),
            Err(CronError::Expression(..))
        ));
        assert!(
            matches!(
                next_run("*/5 * * * * *", "UTC", 0),
                Err(CronError::Expression(..))
            ),
            "no seconds field"
        );
        assert_eq!(
            check("*/10 * * * *", 0),
            Err(CronError::TooOften("*/10 * * * *".into()))
        );
        assert_eq!(check("0 */2 * * *", 0), Ok(()));
        assert_eq!(
            next_run("0 8 * * *", "Mars/Olympus", 0),
            Err(CronError::TimeZone("Mars/Olympus".into()))
        );
    }
}
