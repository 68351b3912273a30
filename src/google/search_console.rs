//! Search Console's `searchAnalytics.query`: clicks, impressions, CTR and position per query,
//! page, country, device, date or search appearance, for one site.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::ga4::DATE_PATTERN;
use super::token::Credential;
use super::{Google, GoogleError, Source};
use crate::error::Error;
use crate::store::Millis;

/// Rows asked for when the query does not say (the API's own default).
pub const DEFAULT_ROWS: u32 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Dimension {
    Query,
    Page,
    Country,
    Device,
    Date,
    SearchAppearance,
}

impl Dimension {
    fn as_str(self) -> &'static str {
        match self {
            Dimension::Query => "query",
            Dimension::Page => "page",
            Dimension::Country => "country",
            Dimension::Device => "device",
            Dimension::Date => "date",
            Dimension::SearchAppearance => "searchAppearance",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum SearchType {
    Web,
    Image,
    Video,
    News,
    Discover,
    GoogleNews,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Operator {
    Equals,
    NotEquals,
    Contains,
    NotContains,
    IncludingRegex,
    ExcludingRegex,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Filter {
    pub dimension: Dimension,
    #[serde(default = "equals")]
    pub operator: Operator,
    #[schemars(length(min = 1, max = 4096))]
    pub expression: String,
}

fn equals() -> Operator {
    Operator::Equals
}

/// Filters that must all hold (the API's only group type, `and`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FilterGroup {
    #[schemars(length(min = 1, max = 20))]
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Aggregation {
    Auto,
    ByPage,
    ByProperty,
    ByNewsShowcasePanel,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataState {
    /// Finished data only (the default).
    Final,
    /// Fresh data too, which may still change.
    All,
    /// Fresh data by hour.
    HourlyAll,
}

/// A Search Analytics query, in the API's own terms.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Query {
    /// First day (default 28daysAgo); relative days are counted in Pacific time, Search
    /// Console's day.
    #[schemars(regex(pattern = DATE_PATTERN))]
    pub start_date: Option<String>,
    /// Last day (default yesterday).
    #[schemars(regex(pattern = DATE_PATTERN))]
    pub end_date: Option<String>,
    #[serde(default)]
    #[schemars(length(max = 6))]
    pub dimensions: Vec<Dimension>,
    /// The kind of result (default web).
    #[serde(rename = "type")]
    pub search_type: Option<SearchType>,
    #[serde(default)]
    #[schemars(length(max = 10))]
    pub dimension_filter_groups: Vec<FilterGroup>,
    pub aggregation_type: Option<Aggregation>,
    /// Rows to answer, 1 to 25,000 (default 1,000).
    #[schemars(range(min = 1, max = 25_000))]
    pub row_limit: Option<u32>,
    /// Rows to skip, for the next page.
    pub start_row: Option<u32>,
    pub data_state: Option<DataState>,
}

/// A query's answer.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Performance {
    pub site_url: String,
    pub start_date: String,
    pub end_date: String,
    /// One object per row: each dimension asked for, then `clicks`, `impressions`, `ctr`
    /// (0 to 1) and `position` (average, 1 is the top).
    pub rows: Vec<Map<String, Value>>,
    /// How Google aggregated: `byProperty` or `byPage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_aggregation_type: Option<String>,
    /// The `startRow` that reads the next page, when this page was full.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_start_row: Option<u32>,
    /// With fresh data: the first day or hour that may still change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
}

/// `value` as a day: `YYYY-MM-DD`, or relative to `today`.
fn day(value: &str, today: chrono::NaiveDate, field: &str) -> Result<chrono::NaiveDate, Error> {
    let invalid = || Error::InvalidInput {
        message: format!("/{field}: {value} is no date (YYYY-MM-DD, NdaysAgo, yesterday, today)"),
        pointer: format!("/{field}"),
    };
    let back = match value {
        "today" => 0,
        "yesterday" => 1,
        _ => match value.strip_suffix("daysAgo") {
            Some(n) => n.parse::<u64>().map_err(|_| invalid())?,
            None => {
                return chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| invalid());
            }
        },
    };
    today
        .checked_sub_days(chrono::Days::new(back))
        .ok_or_else(invalid)
}

/// The query's days, resolved in Pacific time and checked.
pub fn days(query: &Query, now: Millis) -> Result<(String, String), Error> {
    let today = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive();
    let start = day(
        query.start_date.as_deref().unwrap_or("28daysAgo"),
        today,
        "startDate",
    )?;
    let end = day(
        query.end_date.as_deref().unwrap_or("yesterday"),
        today,
        "endDate",
    )?;
    if end < start {
        return Err(Error::InvalidInput {
            message: format!("/endDate: the range ends ({end}) before it starts ({start})"),
            pointer: "/endDate".into(),
        });
    }
    Ok((start.to_string(), end.to_string()))
}

fn body(query: &Query, start: &str, end: &str) -> Value {
    let mut body = json!({
        "startDate": start,
        "endDate": end,
        "dimensions": query.dimensions,
        "rowLimit": query.row_limit.unwrap_or(DEFAULT_ROWS),
        "startRow": query.start_row.unwrap_or(0),
    });
    if let Some(kind) = query.search_type {
        body["type"] = json!(kind);
    }
    if !query.dimension_filter_groups.is_empty() {
        body["dimensionFilterGroups"] = query
            .dimension_filter_groups
            .iter()
            .map(|group| json!({"groupType": "and", "filters": group.filters}))
            .collect();
    }
    if let Some(aggregation) = query.aggregation_type {
        body["aggregationType"] = json!(aggregation);
    }
    if let Some(state) = query.data_state {
        body["dataState"] = json!(state);
    }
    body
}

fn performance(
    site: &str,
    query: &Query,
    (start, end): (String, String),
    answer: &Value,
) -> Performance {
    let rows: Vec<Map<String, Value>> = answer["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    let mut object = Map::new();
                    let keys = row["keys"].as_array().cloned().unwrap_or_default();
                    for (dimension, key) in query.dimensions.iter().zip(keys) {
                        object.insert(dimension.as_str().to_owned(), key);
                    }
                    for metric in ["clicks", "impressions", "ctr", "position"] {
                        object.insert(metric.to_owned(), row[metric].clone());
                    }
                    object
                })
                .collect()
        })
        .unwrap_or_default();
    let limit = query.row_limit.unwrap_or(DEFAULT_ROWS);
    let start_row = query.start_row.unwrap_or(0);
    Performance {
        site_url: site.to_owned(),
        start_date: start,
        end_date: end,
        next_start_row: (rows.len() as u32 == limit).then(|| start_row + limit),
        rows,
        response_aggregation_type: answer["responseAggregationType"]
            .as_str()
            .map(str::to_owned),
        metadata: answer.get("metadata").cloned(),
    }
}

impl Google {
    fn site_url(&self, site: &str) -> String {
        format!(
            "{}/webmasters/v3/sites/{}",
            self.config.search_console_base_url.trim_end_matches('/'),
            url::form_urlencoded::byte_serialize(site.as_bytes()).collect::<String>()
        )
    }

    /// Runs `query` on the site with `credential`.
    pub async fn search_analytics(
        &self,
        credential: &Credential,
        site: &str,
        query: &Query,
        now: Millis,
    ) -> Result<Performance, GoogleError> {
        let days = days(query, now).map_err(|e| GoogleError::Invalid(e.to_string()))?;
        let token = self.token(credential, Source::SearchConsole, now).await?;
        let url = format!("{}/searchAnalytics/query", self.site_url(site));
        let what = format!("Search Console site {site}");
        let answer = self
            .send(
                self.client.post(url).json(&body(query, &days.0, &days.1)),
                &token,
                &what,
                now,
            )
            .await
            .map_err(|error| permission_hint(error, credential, site))?;
        Ok(performance(site, query, days, &answer))
    }

    /// Checks that `credential` can read the site (`sites.get`), and that it is more than an
    /// unverified user of it.
    pub async fn check_site(
        &self,
        credential: &Credential,
        site: &str,
        now: Millis,
    ) -> Result<String, GoogleError> {
        let token = self.token(credential, Source::SearchConsole, now).await?;
        let what = format!("Search Console site {site}");
        let answer = self
            .send(self.client.get(self.site_url(site)), &token, &what, now)
            .await
            .map_err(|error| permission_hint(error, credential, site))?;
        let level = answer["permissionLevel"].as_str().unwrap_or("").to_owned();
        if level == "siteUnverifiedUser" || level.is_empty() {
            return Err(GoogleError::Permission(format!(
                "{what}: {} is not a user of this property (permission {}) — add it under \
                 Search Console → Settings → Users and permissions",
                credential.who(),
                if level.is_empty() { "none" } else { &level }
            )));
        }
        Ok(level)
    }
}

fn permission_hint(error: GoogleError, credential: &Credential, site: &str) -> GoogleError {
    match error {
        GoogleError::Permission(message) => GoogleError::Permission(format!(
            "{message} — add {} to {site} under Search Console → Settings → Users and \
             permissions (Restricted is enough)",
            credential.who()
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_days_are_counted_in_pacific_time_and_rows_are_named() {
        // 2026-12-03 05:00 UTC is still 2 December in California.
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-03T05:00:00Z")
            .unwrap()
            .timestamp_millis();
        let q: Query =
            serde_json::from_value(json!({"dimensions": ["query", "page"], "rowLimit": 2}))
                .unwrap();
        let days = days(&q, now).unwrap();
        assert_eq!(days, ("2026-11-04".to_owned(), "2026-12-01".to_owned()));
        let answer = json!({"rows": [
            {"keys": ["cold brew", "https://shop.example/brew"], "clicks": 12, "impressions": 340, "ctr": 0.0353, "position": 4.2},
            {"keys": ["coffee at altitude", "https://shop.example/"], "clicks": 3, "impressions": 90, "ctr": 0.0333, "position": 8.9}
        ], "responseAggregationType": "byPage"});
        let p = performance("sc-domain:shop.example", &q, days, &answer);
        assert_eq!(
            Value::Object(p.rows[0].clone()),
            json!({"query": "cold brew", "page": "https://shop.example/brew", "clicks": 12, "impressions": 340, "ctr": 0.0353, "position": 4.2})
        );
        assert_eq!(p.next_start_row, Some(2));
        let reversed: Query =
            serde_json::from_value(json!({"startDate": "today", "endDate": "yesterday"})).unwrap();
        assert!(super::days(&reversed, now).is_err());
        let body = body(&q, "2026-11-04", "2026-12-01");
        assert_eq!(body["dimensions"], json!(["query", "page"]));
    }
}
