//! A site's statistics for a period of local days: the period resolved in the site's time
//! zone, the store's counts turned into rates, and the comparison with the period before.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::collector::LONGEST_VISIT;
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
    let facts = period_facts(
        store,
        &record.id,
        &settings,
        days,
        request.interval,
        request.top,
        now,
    )
    .await?;
    let previous = if request.compare {
        let before = days.previous();
        let totals = period_facts(
            store,
            &record.id,
            &settings,
            before,
            request.interval,
            0,
            now,
        )
        .await?
        .totals;
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

/// Rows a kept day holds per breakdown: a period's top rows are exact as long as no row
/// outside a day's first 5,000 would rank among them.
const KEPT_ROWS: usize = 5_000;

/// After a day's end, how long until no hit can change its counts: a visit begun on the day
/// may go on for [`LONGEST_VISIT`], and a hit is committed within moments.
const SETTLED: Millis = LONGEST_VISIT + 60_000;

/// What a day's counts depend on besides the hits: the time zone that bounds it and the goals.
fn variant(settings: &Settings) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    hash.update(settings.time_zone.as_bytes());
    hash.update(serde_json::to_vec(&settings.goals).unwrap_or_default());
    hex::encode(&hash.finalize()[..8])
}

/// The facts of `days`, as the sum of their days: a closed day (one no hit can change any
/// more) is counted once and kept, the days still open are counted from the hits. A visit
/// that spans a local midnight counts on each day it touched, as a day's series point always
/// counted it; a period's distinct visitors are the sum of its days' (the visitor hash changes
/// every day anyway). `top` rows per breakdown.
pub async fn period_facts(
    store: &Store,
    site_id: &str,
    settings: &Settings,
    days: Days,
    interval: Interval,
    top: usize,
    now: Millis,
) -> Result<SiteFacts, Error> {
    let tz = settings.tz();
    let variant = variant(settings);
    let mut open = days.first;
    while open <= days.last && midnight(tz, open + Duration::days(1)) + SETTLED <= now {
        open += Duration::days(1);
    }
    let mut parts = Vec::new();
    if open > days.first {
        let last_closed = open - Duration::days(1);
        let kept: std::collections::HashMap<String, String> = store
            .kept_days(
                site_id,
                &variant,
                &days.first.to_string(),
                &last_closed.to_string(),
            )
            .await?
            .into_iter()
            .collect();
        let mut day = days.first;
        while day < open {
            let label = day.to_string();
            let facts = match kept
                .get(&label)
                .and_then(|json| serde_json::from_str(json).ok())
            {
                Some(facts) => facts,
                None => {
                    let one = Days {
                        first: day,
                        last: day,
                    };
                    let facts = store
                        .site_facts(query(site_id, settings, one, Interval::Day, KEPT_ROWS))
                        .await?;
                    let json = serde_json::to_string(&facts)
                        .map_err(|e| Error::Internal(format!("keeping a day's counts: {e}")))?;
                    store.keep_day(site_id, &variant, &label, &json).await?;
                    facts
                }
            };
            parts.push(facts);
            day += Duration::days(1);
        }
    }
    if open <= days.last {
        let rest = Days {
            first: open,
            last: days.last,
        };
        parts.push(
            store
                .site_facts(query(site_id, settings, rest, Interval::Day, KEPT_ROWS))
                .await?,
        );
    }
    Ok(merge(parts, &query(site_id, settings, days, interval, top)))
}

/// Rows of several parts under one key, summed, ordered by `rank` (descending) and key, the
/// first `top` kept: the order the store's own breakdowns have.
fn merge_rows(
    parts: Vec<Vec<Breakdown>>,
    rank: fn(&Breakdown) -> u64,
    top: usize,
) -> Vec<Breakdown> {
    let mut rows: std::collections::HashMap<Vec<Option<String>>, Breakdown> =
        std::collections::HashMap::new();
    for row in parts.into_iter().flatten() {
        match rows.get_mut(&row.key) {
            Some(sum) => {
                sum.visits += row.visits;
                sum.second += row.second;
                sum.third += row.third;
            }
            None => {
                rows.insert(row.key.clone(), row);
            }
        }
    }
    let mut rows: Vec<Breakdown> = rows.into_values().collect();
    rows.sort_by(|a, b| rank(b).cmp(&rank(a)).then_with(|| a.key.cmp(&b.key)));
    rows.truncate(top);
    rows
}

/// Days' facts as one period's: totals and goals summed, each day's point added to the bucket
/// of `whole` it falls in, breakdowns merged.
fn merge(parts: Vec<SiteFacts>, whole: &StatsQuery) -> SiteFacts {
    let mut series: Vec<(String, u64, u64, u64)> = whole
        .buckets
        .iter()
        .map(|(label, _, _)| (label.clone(), 0, 0, 0))
        .collect();
    let mut totals = Totals::default();
    let mut goals = vec![0; whole.goals.len()];
    let (mut pages, mut entries, mut sources, mut channels, mut campaigns) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for part in parts {
        let t = part.totals;
        totals.visits += t.visits;
        totals.visitors += t.visitors;
        totals.pageviews += t.pageviews;
        totals.bounces += t.bounces;
        totals.duration_ms += t.duration_ms;
        totals.conversions += t.conversions;
        for (sum, n) in goals.iter_mut().zip(&part.goals) {
            *sum += n;
        }
        for (day, visits, visitors, pageviews) in part.series {
            // Labels are `YYYY-MM-DD`: the bucket is the last one beginning on or before it.
            if let Some(bucket) = series.iter_mut().rev().find(|(label, ..)| *label <= day) {
                bucket.1 += visits;
                bucket.2 += visitors;
                bucket.3 += pageviews;
            }
        }
        pages.push(part.pages);
        entries.push(part.entries);
        sources.push(part.sources);
        channels.push(part.channels);
        campaigns.push(part.campaigns);
    }
    let top = whole.top;
    SiteFacts {
        totals,
        series,
        pages: merge_rows(pages, |r| r.second, top),
        entries: merge_rows(entries, |r| r.visits, top),
        sources: merge_rows(sources, |r| r.visits, top),
        channels: merge_rows(channels, |r| r.visits, top),
        campaigns: merge_rows(campaigns, |r| r.visits, top),
        goals,
    }
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

    /// A store with one site whose goals are `goals`, and a writer for its hits.
    async fn site_with(
        dir: &tempfile::TempDir,
        goals: serde_json::Value,
    ) -> (Store, Settings, crate::store::HitWriter) {
        use crate::store::{KeyScope, NewCustomer, SiteRecord};
        let store = Store::open(&dir.path().join("stats.db")).unwrap();
        let clock = crate::clock::SystemClock;
        let key = crate::auth::mint_key(KeyScope::Owner, "t", &clock);
        store
            .create_customer(
                NewCustomer {
                    id: "cust_t".into(),
                    email: "t@example.com".into(),
                    plan: "t".into(),
                    created_at: 0,
                },
                key.record,
            )
            .await
            .unwrap();
        let settings = Settings {
            domains: vec!["t.example".into()],
            time_zone: "America/New_York".into(),
            goals: serde_json::from_value(goals).unwrap(),
            respect_do_not_track: false,
        };
        store
            .create_site(SiteRecord {
                id: "site_000000000000test".into(),
                customer_id: "cust_t".into(),
                name: "t".into(),
                settings: serde_json::to_string(&settings).unwrap(),
                created_at: 0,
                updated_at: 0,
            })
            .await
            .unwrap();
        let writer = store.hit_writer().unwrap();
        (store, settings, writer)
    }

    #[tokio::test]
    async fn kept_days_answer_what_the_hits_say_and_settings_changes_recount_them() {
        use crate::store::{NewHit, VisitStart};
        let dir = tempfile::tempdir().unwrap();
        let (store, settings, writer) =
            site_with(&dir, serde_json::json!([{"path": "/thank-you"}])).await;
        let site = "site_000000000000test";
        // 2026-11-20 12:00 in New York; visits on the ten days before, none across midnight.
        let now = midnight(settings.tz(), date("2026-11-20")) + 12 * 3_600_000;
        let mut id = 0;
        for day in 1..=10i64 {
            for visit in 0..day {
                id += 1;
                let start = now - day * 86_400_000 + visit * 600_000;
                let pages = ["/", "/pricing", "/thank-you"];
                for (n, path) in pages.iter().take(1 + (visit as usize % 3)).enumerate() {
                    writer
                        .append(NewHit {
                            site_id: site.into(),
                            visit_id: id,
                            start: (n == 0).then(|| VisitStart {
                                visitor: format!("d{day}v{}", visit % 3),
                                entry_path: (*path).into(),
                                channel: ["Direct", "Email"][visit as usize % 2].into(),
                                source: "(direct)".into(),
                                referrer_host: None,
                                utm_source: None,
                                utm_medium: None,
                                utm_campaign: None,
                                utm_term: None,
                                utm_content: None,
                                click_id: None,
                                screen: None,
                            }),
                            at: start + n as i64 * 60_000,
                            path: (*path).into(),
                            event: (n == 2 && day == 3).then(|| "signup".to_owned()),
                            props: None,
                            email_hash: None,
                        })
                        .await
                        .unwrap();
                }
            }
        }
        writer.flush().await.unwrap();
        let days = Days::resolve(Period::Days30, None, None, date("2026-11-20")).unwrap();
        let raw = store
            .site_facts(query(site, &settings, days, Interval::Day, 10))
            .await
            .unwrap();
        let cold = period_facts(&store, site, &settings, days, Interval::Day, 10, now)
            .await
            .unwrap();
        // No visit spans a midnight and every visitor hash is in one day only: the sum of the
        // days is the period.
        assert_eq!(cold.totals, raw.totals);
        assert_eq!(cold.series, raw.series);
        assert_eq!(cold.pages, raw.pages);
        assert_eq!(cold.entries, raw.entries);
        assert_eq!(cold.channels, raw.channels);
        assert_eq!(cold.goals, raw.goals);
        assert_eq!(raw.totals.visits, 55);
        // Kept: the 28 closed days; today and yesterday are still open.
        let kept = store
            .kept_days(site, &variant(&settings), "2026-10-01", "2026-12-31")
            .await
            .unwrap();
        assert_eq!(kept.len(), 28);
        assert!(kept.iter().all(|(day, _)| day.as_str() < "2026-11-19"));
        let warm = period_facts(&store, site, &settings, days, Interval::Day, 10, now)
            .await
            .unwrap();
        assert_eq!(warm, cold);
        let weeks = period_facts(&store, site, &settings, days, Interval::Week, 10, now)
            .await
            .unwrap();
        let raw_weeks = store
            .site_facts(query(site, &settings, days, Interval::Week, 10))
            .await
            .unwrap();
        assert_eq!(
            weeks
                .series
                .iter()
                .map(|p| (p.0.clone(), p.1, p.3))
                .collect::<Vec<_>>(),
            raw_weeks
                .series
                .iter()
                .map(|p| (p.0.clone(), p.1, p.3))
                .collect::<Vec<_>>(),
            "visits and pageviews per week"
        );

        // New goals: the kept days are cleared with the change and counted again.
        let mut changed = settings.clone();
        changed.goals = serde_json::from_value(serde_json::json!([{"event": "signup"}])).unwrap();
        store
            .update_site(
                "cust_t",
                site,
                "t",
                &serde_json::to_string(&changed).unwrap(),
                now,
            )
            .await
            .unwrap();
        assert!(
            store
                .kept_days(site, &variant(&settings), "2026-10-01", "2026-12-31")
                .await
                .unwrap()
                .is_empty()
        );
        let recounted = period_facts(&store, site, &changed, days, Interval::Day, 10, now)
            .await
            .unwrap();
        assert_eq!(
            recounted.goals,
            vec![1],
            "one visit signed up, three days ago"
        );
        store.delete_site("cust_t", site).await.unwrap();
        assert!(
            store
                .kept_days(site, &variant(&changed), "2026-10-01", "2026-12-31")
                .await
                .unwrap()
                .is_empty()
        );
    }
}
