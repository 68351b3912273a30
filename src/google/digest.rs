//! What the daily briefing says of Google, where it is connected: GA4 sessions by channel in the
//! period's whole days against as many days before, and Search Console's clicks, impressions and
//! top queries. A source that cannot be read is named with Google's reason rather than left out,
//! so a briefing never reads as if Google had measured nothing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Connection, Google, Source, connection, ga4, search_console};
use crate::error::Error;
use crate::store::{Millis, Store};
use crate::vault::Vault;

/// Channels and queries a briefing lists.
const TOP: usize = 5;

/// A channel's sessions in GA4.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSessions {
    pub channel: String,
    pub sessions: i64,
    pub previous_sessions: i64,
}

/// GA4 over the period.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    pub property_id: String,
    /// Whole days read, ending yesterday in the property's time zone.
    pub days: u32,
    pub sessions: i64,
    pub previous_sessions: i64,
    pub channels: Vec<ChannelSessions>,
}

/// A search query's performance.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SearchQuery {
    pub query: String,
    pub clicks: f64,
    pub impressions: f64,
    pub position: f64,
}

/// Search Console over the period.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Search {
    pub site_url: String,
    pub start_date: String,
    pub end_date: String,
    pub clicks: f64,
    pub impressions: f64,
    pub ctr: f64,
    pub position: f64,
    pub top_queries: Vec<SearchQuery>,
}

/// One connected source's part: what it measured, or why it could not be read.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Part<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unread: Option<String>,
}

impl<T> Part<T> {
    fn of(result: Result<T, Error>) -> Part<T> {
        match result {
            Ok(measured) => Part {
                measured: Some(measured),
                unread: None,
            },
            Err(error) => Part {
                measured: None,
                unread: Some(error.to_string()),
            },
        }
    }
}

/// Google's part of a briefing; a source not connected is absent.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Digest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analytics: Option<Part<Analytics>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<Part<Search>>,
}

/// Whole days in the period since `since`, at least one.
fn days(since: Millis, now: Millis) -> u32 {
    ((now - since) as f64 / 86_400_000.0)
        .round()
        .clamp(1.0, 90.0) as u32
}

impl Google {
    /// Google's part of the briefing of `customer` for the period since `since`.
    pub async fn digest(
        &self,
        store: &Store,
        vault: &Vault,
        customer: &str,
        since: Millis,
        now: Millis,
    ) -> Result<Digest, Error> {
        let days = days(since, now);
        let mut digest = Digest::default();
        for source in Source::ALL {
            if store.channel(customer, source.as_str()).await?.is_none() {
                continue;
            }
            let opened = connection(store, vault, customer, source).await;
            match source {
                Source::GoogleAnalytics => {
                    let read = match opened {
                        Ok(connection) => self.analytics(&connection, days, now).await,
                        Err(error) => Err(error),
                    };
                    digest.analytics = Some(Part::of(read));
                }
                Source::SearchConsole => {
                    let read = match opened {
                        Ok(connection) => self.search(&connection, days, now).await,
                        Err(error) => Err(error),
                    };
                    digest.search = Some(Part::of(read));
                }
            }
        }
        Ok(digest)
    }

    async fn analytics(
        &self,
        connection: &Connection,
        days: u32,
        now: Millis,
    ) -> Result<Analytics, Error> {
        let query: ga4::Query = serde_json::from_value(json!({
            "dateRanges": [
                {"startDate": format!("{days}daysAgo"), "endDate": "yesterday", "name": "current"},
                {"startDate": format!("{}daysAgo", 2 * days), "endDate": format!("{}daysAgo", days + 1), "name": "previous"}
            ],
            "dimensions": ["sessionDefaultChannelGroup"],
            "metrics": ["sessions"],
            "limit": 100,
        }))
        .map_err(|e| Error::Internal(format!("the briefing's GA4 query: {e}")))?;
        let report = self
            .run_report(&connection.credential, &connection.target, &query, now)
            .await?;
        let mut channels: Vec<ChannelSessions> = Vec::new();
        for row in &report.rows {
            let channel = row
                .get("sessionDefaultChannelGroup")
                .and_then(Value::as_str)
                .unwrap_or("(not set)");
            let sessions = row.get("sessions").and_then(Value::as_i64).unwrap_or(0);
            let previous = row.get("dateRange").and_then(Value::as_str) == Some("previous");
            let entry = match channels.iter_mut().find(|c| c.channel == channel) {
                Some(entry) => entry,
                None => {
                    channels.push(ChannelSessions {
                        channel: channel.to_owned(),
                        sessions: 0,
                        previous_sessions: 0,
                    });
                    channels.last_mut().expect("just pushed")
                }
            };
            if previous {
                entry.previous_sessions += sessions;
            } else {
                entry.sessions += sessions;
            }
        }
        channels.sort_by(|a, b| b.sessions.cmp(&a.sessions).then(a.channel.cmp(&b.channel)));
        Ok(Analytics {
            property_id: report.property_id,
            days,
            sessions: channels.iter().map(|c| c.sessions).sum(),
            previous_sessions: channels.iter().map(|c| c.previous_sessions).sum(),
            channels,
        })
    }

    async fn search(
        &self,
        connection: &Connection,
        days: u32,
        now: Millis,
    ) -> Result<Search, Error> {
        let query = |dimensions: Value, rows: u32| -> Result<search_console::Query, Error> {
            serde_json::from_value(json!({
                "startDate": format!("{days}daysAgo"),
                "endDate": "yesterday",
                "dimensions": dimensions,
                "rowLimit": rows,
                "dataState": "all",
            }))
            .map_err(|e| Error::Internal(format!("the briefing's Search Console query: {e}")))
        };
        let (site, credential) = (&connection.target, &connection.credential);
        let totals = self
            .search_analytics(credential, site, &query(json!([]), 1)?, now)
            .await?;
        let top = self
            .search_analytics(credential, site, &query(json!(["query"]), TOP as u32)?, now)
            .await?;
        let number = |row: &serde_json::Map<String, Value>, name: &str| {
            row.get(name).and_then(Value::as_f64).unwrap_or(0.0)
        };
        let total = totals.rows.first().cloned().unwrap_or_default();
        Ok(Search {
            site_url: totals.site_url,
            start_date: totals.start_date,
            end_date: totals.end_date,
            clicks: number(&total, "clicks"),
            impressions: number(&total, "impressions"),
            ctr: number(&total, "ctr"),
            position: number(&total, "position"),
            top_queries: top
                .rows
                .iter()
                .map(|row| SearchQuery {
                    query: row
                        .get("query")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    clicks: number(row, "clicks"),
                    impressions: number(row, "impressions"),
                    position: number(row, "position"),
                })
                .collect(),
        })
    }
}

/// The briefing's lines about Google.
pub fn highlights(digest: &Digest) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(part) = &digest.analytics {
        if let Some(unread) = &part.unread {
            lines.push(format!("GA4 could not be read: {unread}"));
        }
        if let Some(ga) = &part.measured {
            let change = if ga.previous_sessions > 0 {
                let pct = (ga.sessions - ga.previous_sessions) as f64 * 100.0
                    / ga.previous_sessions as f64;
                format!(" ({pct:+.0} % on the {} days before)", ga.days)
            } else {
                String::new()
            };
            let top: Vec<String> = ga
                .channels
                .iter()
                .take(TOP)
                .filter(|c| c.sessions > 0)
                .map(|c| format!("{} {}", c.channel, c.sessions))
                .collect();
            let top = if top.is_empty() {
                String::new()
            } else {
                format!(": {}", top.join(", "))
            };
            lines.push(format!(
                "GA4 measured {} sessions in {} day(s){change}{top}.",
                ga.sessions, ga.days
            ));
        }
    }
    if let Some(part) = &digest.search {
        if let Some(unread) = &part.unread {
            lines.push(format!("Search Console could not be read: {unread}"));
        }
        if let Some(search) = &part.measured {
            let top = search
                .top_queries
                .first()
                .map(|q| {
                    format!(
                        "; top query \"{}\" ({} clicks, position {:.1})",
                        q.query, q.clicks, q.position
                    )
                })
                .unwrap_or_default();
            lines.push(format!(
                "Search Console, {} to {}: {} clicks from {} impressions (CTR {:.1} %, average \
                 position {:.1}){top}.",
                search.start_date,
                search.end_date,
                search.clicks,
                search.impressions,
                search.ctr * 100.0,
                search.position
            ));
        }
    }
    lines
}
