//! A site's statistics for a period of local days: the period resolved in the site's time
//! zone, the store's counts turned into rates, and the comparison with the period before.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::site::{Goal, Settings, parse_settings};
use crate::error::Error;
use crate::store::{Breakdown, GoalFilter, Millis, SiteFacts, StatsQuery, Store, Totals};

/// Longest period one answer covers.
pub const MAX_DAYS: i64 = 366;

/// Named periods, each ending today (local) unless said otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
pub enum Period {
    #[serde(rename = "today")]
    Today,
    #[serde(rename = "yesterday")]
    Yesterday,
    #[serde(rename = "7d")]
    Days7,
    #[default]
    #[serde(rename = "30d")]
    Days30,
    #[serde(rename = "90d")]
    Days90,
    /// This calendar month so far.
    #[serde(rename = "month")]
    Month,
    /// The previous calendar month.
    #[serde(rename = "last_month")]
    LastMonth,
}

/// The series' granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    #[default]
    Day,
    /// Weeks beginning on Monday.
    Week,
}

/// Local days `[first, last]` in `tz`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Days {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Days {
    /// The days of `period`, or of `from`..=`to` when given, around `today`.
    pub fn resolve(
        period: Period,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Days, Error> {
        let days = match (from, to) {
            (Some(first), Some(last)) => Days { first, last },
            (Some(_), None) | (None, Some(_)) => {
                return Err(Error::BadRequest(
                    "give both from and to (YYYY-MM-DD), or neither and a period".into(),
                ));
            }
            (None, None) => {
                let back = |n: i64| Days {
                    first: today - Duration::days(n - 1),
                    last: today,
                };
                match period {
                    Period::Today => back(1),
                    Period::Yesterday => Days {
                        first: today - Duration::days(1),
                        last: today - Duration::days(1),
                    },
                    Period::Days7 => back(7),
                    Period::Days30 => back(30),
                    Period::Days90 => back(90),
                    Period::Month => Days {
                        first: today.with_day(1).unwrap_or(today),
                        last: today,
                    },
                    Period::LastMonth => {
                        let this = today.with_day(1).unwrap_or(today);
                        let last = this - Duration::days(1);
                        Days {
                            first: last.with_day(1).unwrap_or(last),
                            last,
                        }
                    }
                }
            }
        };
        if days.last < days.first {
            return Err(Error::BadRequest(format!(
                "the period ends ({}) before it begins ({})",
                days.last, days.first
            )));
        }
        if days.count() > MAX_DAYS {
            return Err(Error::BadRequest(format!(
                "a period covers at most {MAX_DAYS} days; this one has {}",
                days.count()
            )));
        }
        Ok(days)
    }

    /// How many days the period has.
    pub fn count(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The same number of days just before.
    pub fn previous(&self) -> Days {
        let length = Duration::days(self.count());
        Days {
            first: self.first - length,
            last: self.last - length,
        }
    }
}

/// What a stats answer is asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub period: Period,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub interval: Interval,
    pub compare: bool,
    pub top: usize,
}

impl Default for Request {
    /// The last 30 days by day, against the 30 before, ten rows per breakdown.
    fn default() -> Request {
        Request {
            period: Period::Days30,
            from: None,
            to: None,
            interval: Interval::Day,
            compare: true,
            top: 10,
        }
    }
}

/// The stats of the customer's site `site_id` at `now`; `NotFound` when it is not theirs.
pub async fn compute(
    store: &Store,
    customer: &str,
    site_id: &str,
    now: Millis,
    request: &Request,
) -> Result<StatsReport, Error> {
    let record = store
        .site(customer, site_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No site {site_id}")))?;
    let settings = parse_settings(&record.settings)?;
    let today = settings
        .tz()
        .timestamp_millis_opt(now)
        .single()
        .map(|now| now.date_naive())
        .ok_or_else(|| Error::Internal("the clock is out of range".into()))?;
    let days = Days::resolve(request.period, request.from, request.to, today)?;
    let facts = store
        .site_facts(query(
            &record.id,
            &settings,
            days,
            request.interval,
            request.top,
        ))
        .await?;
    let previous = if request.compare {
        let before = days.previous();
        let totals = store
            .site_totals(query(
                &record.id,
                &settings,
                before,
                request.interval,
                request.top,
            ))
            .await?;
        Some(Comparison::of(before, totals, &facts.totals))
    } else {
        None
    };
    Ok(StatsReport::of(
        &record.id,
        &settings,
        days,
        request.interval,
        facts,
        previous,
    ))
}

/// The instant local midnight begins `day` in `tz` (a zone whose clocks skip midnight begins
/// the day at the first instant that exists).
pub fn midnight(tz: Tz, day: NaiveDate) -> Millis {
    let local = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    (0..24)
        .find_map(|hour| {
            tz.from_local_datetime(&(local + Duration::hours(hour)))
                .earliest()
        })
        .map_or(0, |t: DateTime<Tz>| t.timestamp_millis())
}

/// The store's query for `days` of a site.
pub fn query(
    site_id: &str,
    settings: &Settings,
    days: Days,
    interval: Interval,
    top: usize,
) -> StatsQuery {
    let tz = settings.tz();
    let mut buckets = Vec::new();
    let mut start = days.first;
    while start <= days.last {
        let end = match interval {
            Interval::Day => start + Duration::days(1),
            Interval::Week => {
                let monday = start - Duration::days(start.weekday().num_days_from_monday().into());
                (monday + Duration::days(7)).min(days.last + Duration::days(1))
            }
        };
        buckets.push((start.to_string(), midnight(tz, start), midnight(tz, end)));
        start = end;
    }
    StatsQuery {
        site_id: site_id.to_owned(),
        from: midnight(tz, days.first),
        to: midnight(tz, days.last + Duration::days(1)),
        buckets,
        goals: filters(settings),
        top,
    }
}

/// The site's goals as the store matches them.
pub fn filters(settings: &Settings) -> Vec<GoalFilter> {
    settings.goals.iter().map(filter).collect()
}

fn filter(goal: &Goal) -> GoalFilter {
    match goal {
        Goal::Path { path } => match path.strip_suffix('*') {
            Some(prefix) => GoalFilter::PathPrefix(prefix.to_owned()),
            None => GoalFilter::Path(path.clone()),
        },
        Goal::Event { event } => GoalFilter::Event(event.clone()),
    }
}

/// A share in percent with one decimal; `None` when nothing was counted.
fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

/// The headline figures of a period.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub visitors: u64,
    pub visits: u64,
    pub pageviews: u64,
    /// Visits of at most one pageview and no custom event, in percent of visits.
    pub bounce_rate: Option<f64>,
    /// Average seconds from a visit's first hit to its last.
    pub visit_duration: Option<f64>,
    pub views_per_visit: Option<f64>,
    /// Visits that reached any goal.
    pub conversions: u64,
    /// Conversions in percent of visits.
    pub conversion_rate: Option<f64>,
}

impl From<Totals> for Summary {
    fn from(t: Totals) -> Summary {
        let per_visit =
            |n: f64| (t.visits > 0).then(|| (n / t.visits as f64 * 10.0).round() / 10.0);
        Summary {
            visitors: t.visitors,
            visits: t.visits,
            pageviews: t.pageviews,
            bounce_rate: percent(t.bounces, t.visits),
            visit_duration: per_visit(t.duration_ms as f64 / 1000.0),
            views_per_visit: per_visit(t.pageviews as f64),
            conversions: t.conversions,
            conversion_rate: percent(t.conversions, t.visits),
        }
    }
}

/// Change against the previous period, in percent; `None` where the previous one had none.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub visitors: Option<f64>,
    pub visits: Option<f64>,
    pub pageviews: Option<f64>,
    pub conversions: Option<f64>,
}

fn change(now: u64, before: u64) -> Option<f64> {
    (before > 0).then(|| ((now as f64 - before as f64) * 1000.0 / before as f64).round() / 10.0)
}

/// The period before, and how this one compares.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub from: String,
    pub to: String,
    pub summary: Summary,
    pub change: Change,
}

impl Comparison {
    pub fn of(days: Days, before: Totals, now: &Totals) -> Comparison {
        Comparison {
            from: days.first.to_string(),
            to: days.last.to_string(),
            change: Change {
                visitors: change(now.visitors, before.visitors),
                visits: change(now.visits, before.visits),
                pageviews: change(now.pageviews, before.pageviews),
                conversions: change(now.conversions, before.conversions),
            },
            summary: before.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Point {
    /// The bucket's first local day.
    pub date: String,
    pub visitors: u64,
    pub visits: u64,
    pub pageviews: u64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageRow {
    pub path: String,
    pub pageviews: u64,
    /// Visits that viewed it.
    pub visits: u64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryRow {
    pub path: String,
    pub visits: u64,
    pub visitors: u64,
    pub bounce_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SourceRow {
    /// `utm_source`, else the referrer's host, else `(direct)`.
    pub source: String,
    pub visits: u64,
    pub visitors: u64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelRow {
    /// One of the channels of the grouping (README, "Channels").
    pub channel: String,
    pub visits: u64,
    pub visitors: u64,
    pub conversions: u64,
    pub conversion_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignRow {
    pub campaign: String,
    pub source: Option<String>,
    pub medium: Option<String>,
    pub visits: u64,
    pub visitors: u64,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GoalRow {
    pub goal: Goal,
    /// `/thank-you` or `event: signup`.
    pub label: String,
    /// Visits that reached it.
    pub conversions: u64,
    pub conversion_rate: Option<f64>,
}

/// Everything `site_stats` answers.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsReport {
    pub site_id: String,
    pub time_zone: String,
    /// First and last local day of the period (`YYYY-MM-DD`).
    pub from: String,
    pub to: String,
    pub interval: Interval,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<Comparison>,
    pub series: Vec<Point>,
    pub top_pages: Vec<PageRow>,
    pub entry_pages: Vec<EntryRow>,
    pub sources: Vec<SourceRow>,
    pub channels: Vec<ChannelRow>,
    pub campaigns: Vec<CampaignRow>,
    pub goals: Vec<GoalRow>,
}

fn key(row: &Breakdown, i: usize) -> Option<String> {
    row.key.get(i).cloned().flatten()
}

impl StatsReport {
    /// The answer for `days` from the store's facts.
    pub fn of(
        site_id: &str,
        settings: &Settings,
        days: Days,
        interval: Interval,
        facts: SiteFacts,
        previous: Option<Comparison>,
    ) -> StatsReport {
        let visits = facts.totals.visits;
        StatsReport {
            site_id: site_id.to_owned(),
            time_zone: settings.time_zone.clone(),
            from: days.first.to_string(),
            to: days.last.to_string(),
            interval,
            summary: facts.totals.into(),
            previous,
            series: facts
                .series
                .into_iter()
                .map(|(date, visits, visitors, pageviews)| Point {
                    date,
                    visitors,
                    visits,
                    pageviews,
                })
                .collect(),
            top_pages: facts
                .pages
                .iter()
                .map(|r| PageRow {
                    path: key(r, 0).unwrap_or_default(),
                    visits: r.visits,
                    pageviews: r.second,
                })
                .collect(),
            entry_pages: facts
                .entries
                .iter()
                .map(|r| EntryRow {
                    path: key(r, 0).unwrap_or_default(),
                    visits: r.visits,
                    visitors: r.second,
                    bounce_rate: percent(r.third, r.visits),
                })
                .collect(),
            sources: facts
                .sources
                .iter()
                .map(|r| SourceRow {
                    source: key(r, 0).unwrap_or_default(),
                    visits: r.visits,
                    visitors: r.second,
                })
                .collect(),
            channels: facts
                .channels
                .iter()
                .map(|r| ChannelRow {
                    channel: key(r, 0).unwrap_or_default(),
                    visits: r.visits,
                    visitors: r.second,
                    conversions: r.third,
                    conversion_rate: percent(r.third, r.visits),
                })
                .collect(),
            campaigns: facts
                .campaigns
                .iter()
                .map(|r| CampaignRow {
                    campaign: key(r, 0).unwrap_or_default(),
                    source: key(r, 1),
                    medium: key(r, 2),
                    visits: r.visits,
                    visitors: r.second,
                })
                .collect(),
            goals: settings
                .goals
                .iter()
                .zip(facts.goals)
                .map(|(goal, conversions)| GoalRow {
                    label: goal.label(),
                    goal: goal.clone(),
                    conversions,
                    conversion_rate: percent(conversions, visits),
                })
                .collect(),
        }
    }

    /// The readable summary.
    pub fn render(&self) -> String {
        let s = &self.summary;
        let rate = |r: Option<f64>| r.map_or("n/a".to_owned(), |r| format!("{r} %"));
        let mut text = format!(
            "{} to {} ({}): {} visitors, {} visits, {} pageviews; bounce rate {}; {} conversions ({}).",
            self.from,
            self.to,
            self.time_zone,
            s.visitors,
            s.visits,
            s.pageviews,
            rate(s.bounce_rate),
            s.conversions,
            rate(s.conversion_rate)
        );
        if let Some(previous) = &self.previous {
            let delta = |d: Option<f64>| d.map_or("n/a".to_owned(), |d| format!("{d:+} %"));
            text.push_str(&format!(
                "\nAgainst {} to {}: visitors {}, visits {}, pageviews {}, conversions {}.",
                previous.from,
                previous.to,
                delta(previous.change.visitors),
                delta(previous.change.visits),
                delta(previous.change.pageviews),
                delta(previous.change.conversions)
            ));
        }
        if !self.channels.is_empty() {
            let channels: Vec<String> = self
                .channels
                .iter()
                .map(|c| format!("{} {}", c.channel, c.visits))
                .collect();
            text.push_str(&format!("\nChannels (visits): {}.", channels.join(", ")));
        }
        if !self.top_pages.is_empty() {
            let pages: Vec<String> = self
                .top_pages
                .iter()
                .take(5)
                .map(|p| format!("{} {}", p.path, p.pageviews))
                .collect();
            text.push_str(&format!("\nTop pages (pageviews): {}.", pages.join(", ")));
        }
        if s.visits == 0 {
            text.push_str("\nNo visits counted in this period: is the snippet from create_site on every page?");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_local_days_ending_today() {
        let today = date("2026-03-31");
        let days = |p| Days::resolve(p, None, None, today).unwrap();
        assert_eq!(
            days(Period::Days7),
            Days {
                first: date("2026-03-25"),
                last: today
            }
        );
        assert_eq!(days(Period::Days30).count(), 30);
        assert_eq!(days(Period::Month).first, date("2026-03-01"));
        assert_eq!(
            days(Period::LastMonth),
            Days {
                first: date("2026-02-01"),
                last: date("2026-02-28")
            }
        );
        assert_eq!(days(Period::Yesterday).count(), 1);
        assert_eq!(
            days(Period::Days7).previous(),
            Days {
                first: date("2026-03-18"),
                last: date("2026-03-24")
            }
        );
        let custom = Days::resolve(
            Period::Days30,
            Some(date("2026-01-01")),
            Some(date("2026-01-10")),
            today,
        );
        assert_eq!(custom.unwrap().count(), 10);
        assert!(
            Days::resolve(
                Period::Days30,
                Some(date("2026-01-10")),
                Some(date("2026-01-01")),
                today
            )
            .is_err()
        );
        assert!(
            Days::resolve(
                Period::Days30,
                Some(date("2024-01-01")),
                Some(date("2026-01-01")),
                today
            )
            .is_err()
        );
        assert!(Days::resolve(Period::Days30, Some(date("2026-01-01")), None, today).is_err());
    }

    #[test]
    fn days_begin_at_local_midnight_across_daylight_saving() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // 29 March 2026: clocks go from 02:00 to 03:00; the day has 23 hours.
        let start = midnight(berlin, date("2026-03-29"));
        let end = midnight(berlin, date("2026-03-30"));
        assert_eq!(end - start, 23 * 3_600_000);
        assert_eq!(
            start,
            DateTime::parse_from_rfc3339("2026-03-28T23:00:00Z")
                .unwrap()
                .timestamp_millis()
        );
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            midnight(kolkata, date("2026-01-01")),
            DateTime::parse_from_rfc3339("2025-12-31T18:30:00Z")
                .unwrap()
                .timestamp_millis()
        );
    }

    #[test]
    fn weeks_begin_on_monday_and_end_with_the_period() {
        let settings = Settings {
            domains: vec!["a.example".into()],
            time_zone: "UTC".into(),
            goals: vec![Goal::Path {
                path: "/docs/*".into(),
            }],
            respect_do_not_track: false,
        };
        // Wednesday 2026-03-04 to Sunday 2026-03-15.
        let days = Days {
            first: date("2026-03-04"),
            last: date("2026-03-15"),
        };
        let q = query("site_a", &settings, days, Interval::Week, 10);
        let labels: Vec<&str> = q.buckets.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(labels, ["2026-03-04", "2026-03-09"]);
        assert_eq!(q.buckets[0].2, q.buckets[1].1);
        assert_eq!(q.buckets[1].2, q.to);
        assert_eq!(q.goals, [GoalFilter::PathPrefix("/docs/".into())]);
    }

    #[test]
    fn rates_and_changes_are_rounded_and_absent_without_a_base() {
        let summary = Summary::from(Totals {
            visits: 3,
            visitors: 2,
            pageviews: 7,
            bounces: 1,
            duration_ms: 100_000,
            conversions: 2,
        });
        assert_eq!(summary.bounce_rate, Some(33.3));
        assert_eq!(summary.conversion_rate, Some(66.7));
        assert_eq!(summary.views_per_visit, Some(2.3));
        assert_eq!(summary.visit_duration, Some(33.3));
        assert_eq!(Summary::from(Totals::default()).bounce_rate, None);
        assert_eq!(change(15, 10), Some(50.0));
        assert_eq!(change(5, 0), None);
        assert_eq!(change(0, 4), Some(-100.0));
    }
}
