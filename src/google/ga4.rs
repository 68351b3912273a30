//! The GA4 Data API's `properties/{id}:runReport`: the query checked against the API's limits
//! before it is sent, and the answer's rows with each metric as a number of its header's type.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::token::Credential;
use super::{Google, GoogleError, Source};
use crate::error::Error;
use crate::store::Millis;

/// A dimension or metric's API name: `sessions`, `sessionDefaultChannelGroup`,
/// `customEvent:plan`.
pub const NAME_PATTERN: &str = r"^[A-Za-z][A-Za-z0-9_]*(:[A-Za-z0-9_]+)?$";
/// A date as the Data API takes it: `YYYY-MM-DD`, `NdaysAgo`, `yesterday` or `today`.
pub const DATE_PATTERN: &str = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,4}daysAgo|yesterday|today)$";
/// Rows asked for when the query does not say.
pub const DEFAULT_LIMIT: u32 = 10_000;

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DateRange {
    #[schemars(regex(pattern = DATE_PATTERN))]
    pub start_date: String,
    #[schemars(regex(pattern = DATE_PATTERN))]
    pub end_date: String,
    /// Names the range in the rows' `dateRange` dimension (default `date_range_0`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 50))]
    pub name: Option<String>,
}

/// A report query, in the Data API's own terms.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Query {
    /// Up to 4 date ranges (default: the 28 days up to yesterday). With more than one, rows
    /// carry a `dateRange` dimension.
    #[serde(default)]
    #[schemars(length(max = 4))]
    pub date_ranges: Vec<DateRange>,
    /// Up to 9 dimensions, such as `date`, `sessionDefaultChannelGroup`, `pagePath`.
    #[serde(default)]
    #[schemars(length(max = 9), inner(length(max = 100), regex(pattern = NAME_PATTERN)))]
    pub dimensions: Vec<String>,
    /// 1 to 10 metrics, such as `sessions`, `totalUsers`, `conversions`, `purchaseRevenue`.
    #[schemars(length(min = 1, max = 10), inner(length(max = 100), regex(pattern = NAME_PATTERN)))]
    pub metrics: Vec<String>,
    /// A FilterExpression on dimensions, as the Data API takes it.
    pub dimension_filter: Option<Map<String, Value>>,
    /// A FilterExpression on metrics, as the Data API takes it.
    pub metric_filter: Option<Map<String, Value>>,
    /// OrderBy objects, as the Data API takes them (`{"metric": {"metricName": "sessions"},
    /// "desc": true}`).
    #[serde(default)]
    #[schemars(length(max = 20))]
    pub order_bys: Vec<Map<String, Value>>,
    /// Rows to answer, 1 to 250,000 (default 10,000).
    #[schemars(range(min = 1, max = 250_000))]
    pub limit: Option<u32>,
    /// Rows to skip, for the next page.
    pub offset: Option<u32>,
    /// Also answer the property's quota state.
    #[serde(default)]
    pub return_property_quota: bool,
}

/// A metric column.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MetricHeader {
    pub name: String,
    /// The Data API's type: `TYPE_INTEGER`, `TYPE_FLOAT`, `TYPE_SECONDS`, `TYPE_CURRENCY`, …
    #[serde(rename = "type")]
    pub kind: String,
}

/// What the report says about its own data.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Whether GA4 sampled events to answer; `sampling` says how much it read.
    pub sampled: bool,
    /// Per date range: events read and the events there were (`samplesReadCount`,
    /// `samplingSpaceSize`).
    pub sampling: Vec<Value>,
    /// Whether thresholds (Google signals, small counts) withheld rows.
    pub subject_to_thresholding: bool,
    /// Whether rows past the cardinality limit were folded into "(other)".
    pub data_loss_from_other_row: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub empty_reason: Option<String>,
}

/// A report's answer.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub property_id: String,
    pub dimension_headers: Vec<String>,
    pub metric_headers: Vec<MetricHeader>,
    /// One object per row: each dimension's value as a string, each metric's as a number
    /// (integer for `TYPE_INTEGER`); a value GA4 sent that is no number stays as sent.
    pub rows: Vec<Map<String, Value>>,
    /// Rows the query matched in all, whatever `limit` let through.
    pub row_count: u64,
    /// The `offset` that reads the next page, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u64>,
    pub metadata: Metadata,
    /// The property's quota (tokens per day and hour, concurrent requests, …), when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property_quota: Option<Value>,
}

/// The one check the schema cannot make: calendar dates that exist, a range that does not end
/// before it starts.
pub fn check(query: &Query) -> Result<(), Error> {
    for (n, range) in query.date_ranges.iter().enumerate() {
        let mut dates = Vec::new();
        for (field, value) in [
            ("startDate", &range.start_date),
            ("endDate", &range.end_date),
        ] {
            if value.len() == 10 {
                let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                    Error::InvalidInput {
                        message: format!("/dateRanges/{n}/{field}: {value} is no calendar date"),
                        pointer: format!("/dateRanges/{n}/{field}"),
                    }
                })?;
                dates.push(date);
            }
        }
        if let [start, end] = dates[..]
            && end < start
        {
            return Err(Error::InvalidInput {
                message: format!("/dateRanges/{n}: it ends ({end}) before it starts ({start})"),
                pointer: format!("/dateRanges/{n}"),
            });
        }
    }
    Ok(())
}

/// The request body the Data API takes.
fn body(query: &Query) -> Value {
    let names = |names: &[String]| names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>();
    let ranges = if query.date_ranges.is_empty() {
        vec![DateRange {
            start_date: "28daysAgo".into(),
            end_date: "yesterday".into(),
            name: None,
        }]
    } else {
        query.date_ranges.clone()
    };
    let mut body = json!({
        "dateRanges": ranges,
        "dimensions": names(&query.dimensions),
        "metrics": names(&query.metrics),
        "limit": query.limit.unwrap_or(DEFAULT_LIMIT).to_string(),
        "offset": query.offset.unwrap_or(0).to_string(),
        "returnPropertyQuota": query.return_property_quota,
    });
    if let Some(filter) = &query.dimension_filter {
        body["dimensionFilter"] = Value::Object(filter.clone());
    }
    if let Some(filter) = &query.metric_filter {
        body["metricFilter"] = Value::Object(filter.clone());
    }
    if !query.order_bys.is_empty() {
        body["orderBys"] = json!(query.order_bys);
    }
    body
}

/// A metric's value as a number of its type.
fn number(value: &str, kind: &str) -> Value {
    if kind == "TYPE_INTEGER"
        && let Ok(n) = value.parse::<i64>()
    {
        return json!(n);
    }
    match value.parse::<f64>() {
        Ok(n) if n.is_finite() => json!(n),
        _ => json!(value),
    }
}

/// The answer's parts, typed.
fn report(property: &str, query: &Query, answer: &Value) -> Report {
    let strings = |pointer: &str| -> Vec<String> {
        answer
            .pointer(pointer)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|item| item["name"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let dimension_headers = strings("/dimensionHeaders");
    let metric_headers: Vec<MetricHeader> = answer
        .pointer("/metricHeaders")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|item| MetricHeader {
                    name: item["name"].as_str().unwrap_or_default().to_owned(),
                    kind: item["type"].as_str().unwrap_or("TYPE_FLOAT").to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let values = |row: &Value, field: &str| -> Vec<String> {
        row[field]
            .as_array()
            .map(|cells| {
                cells
                    .iter()
                    .map(|cell| cell["value"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let rows: Vec<Map<String, Value>> = answer["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    let mut object = Map::new();
                    for (name, value) in
                        dimension_headers.iter().zip(values(row, "dimensionValues"))
                    {
                        object.insert(name.clone(), json!(value));
                    }
                    for (header, value) in metric_headers.iter().zip(values(row, "metricValues")) {
                        object.insert(header.name.clone(), number(&value, &header.kind));
                    }
                    object
                })
                .collect()
        })
        .unwrap_or_default();
    let row_count = answer["rowCount"].as_u64().unwrap_or(0);
    let offset = u64::from(query.offset.unwrap_or(0));
    let read = offset + rows.len() as u64;
    let metadata = &answer["metadata"];
    let sampling: Vec<Value> = metadata["samplingMetadatas"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let text = |value: &Value| value.as_str().map(str::to_owned);
    Report {
        property_id: property.to_owned(),
        next_offset: (read < row_count && !rows.is_empty()).then_some(read),
        rows,
        row_count,
        metadata: Metadata {
            currency_code: text(&metadata["currencyCode"]),
            time_zone: text(&metadata["timeZone"]),
            sampled: !sampling.is_empty(),
            sampling,
            subject_to_thresholding: metadata["subjectToThresholding"].as_bool().unwrap_or(false),
            data_loss_from_other_row: metadata["dataLossFromOtherRow"].as_bool().unwrap_or(false),
            empty_reason: text(&metadata["emptyReason"]),
        },
        property_quota: answer.get("propertyQuota").cloned(),
        dimension_headers,
        metric_headers,
    }
}

impl Google {
    /// Runs `query` on the property with `credential`.
    pub async fn run_report(
        &self,
        credential: &Credential,
        property: &str,
        query: &Query,
        now: Millis,
    ) -> Result<Report, GoogleError> {
        let token = self.token(credential, Source::GoogleAnalytics, now).await?;
        let url = format!(
            "{}/v1beta/properties/{property}:runReport",
            self.config.ga4_base_url.trim_end_matches('/')
        );
        let what = format!("GA4 property {property}");
        let answer = self
            .send(self.client.post(url).json(&body(query)), &token, &what, now)
            .await
            .map_err(|error| permission_hint(error, credential, property))?;
        Ok(report(property, query, &answer))
    }

    /// Checks that `credential` can read the property by reading its metadata (the dimensions
    /// and metrics it has), which costs no report quota.
    pub async fn check_property(
        &self,
        credential: &Credential,
        property: &str,
        now: Millis,
    ) -> Result<(), GoogleError> {
        let token = self.token(credential, Source::GoogleAnalytics, now).await?;
        let url = format!(
            "{}/v1beta/properties/{property}/metadata",
            self.config.ga4_base_url.trim_end_matches('/')
        );
        let what = format!("GA4 property {property}");
        self.send(self.client.get(url), &token, &what, now)
            .await
            .map_err(|error| permission_hint(error, credential, property))?;
        Ok(())
    }
}

/// A refusal of access says what to grant, and to whom.
fn permission_hint(error: GoogleError, credential: &Credential, property: &str) -> GoogleError {
    match error {
        GoogleError::Permission(message) => GoogleError::Permission(format!(
            "{message} — {} needs the Viewer role on property {property} (GA4 Admin → Property \
             access management → add {})",
            credential.who(),
            credential.who()
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(value: Value) -> Query {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn metric_values_become_numbers_of_their_type() {
        let q = query(
            json!({"dimensions": ["sessionDefaultChannelGroup"], "metrics": ["sessions", "bounceRate"]}),
        );
        let answer = json!({
            "dimensionHeaders": [{"name": "sessionDefaultChannelGroup"}],
            "metricHeaders": [{"name": "sessions", "type": "TYPE_INTEGER"}, {"name": "bounceRate", "type": "TYPE_FLOAT"}],
            "rows": [
                {"dimensionValues": [{"value": "Organic Search"}], "metricValues": [{"value": "1204"}, {"value": "0.4375"}]},
                {"dimensionValues": [{"value": "Direct"}], "metricValues": [{"value": "310"}, {"value": "0.5"}]}
            ],
            "rowCount": 7,
            "metadata": {"currencyCode": "EUR", "timeZone": "Europe/Berlin", "subjectToThresholding": true},
            "kind": "analyticsData#runReport"
        });
        let report = report("123", &q, &answer);
        assert_eq!(
            Value::Object(report.rows[0].clone()),
            json!({"sessionDefaultChannelGroup": "Organic Search", "sessions": 1204, "bounceRate": 0.4375})
        );
        assert_eq!((report.row_count, report.next_offset), (7, Some(2)));
        assert!(report.metadata.subject_to_thresholding && !report.metadata.sampled);
        assert_eq!(report.metadata.currency_code.as_deref(), Some("EUR"));
    }

    #[test]
    fn the_body_is_the_data_apis_and_dates_are_checked() {
        let q = query(
            json!({"metrics": ["sessions"], "dimensions": ["date"], "orderBys": [{"dimension": {"dimensionName": "date"}}]}),
        );
        let body = body(&q);
        assert_eq!(
            body["dateRanges"],
            json!([{"startDate": "28daysAgo", "endDate": "yesterday"}])
        );
        assert_eq!(body["metrics"], json!([{"name": "sessions"}]));
        assert_eq!(body["limit"], "10000");
        assert!(check(&q).is_ok());
        let bad = query(
            json!({"metrics": ["sessions"], "dateRanges": [{"startDate": "2026-02-30", "endDate": "today"}]}),
        );
        assert!(
            matches!(check(&bad), Err(Error::InvalidInput { pointer, .. }) if pointer == "/dateRanges/0/startDate")
        );
        let reversed = query(
            json!({"metrics": ["sessions"], "dateRanges": [{"startDate": "2026-03-02", "endDate": "2026-03-01"}]}),
        );
        assert!(check(&reversed).is_err());
    }
}
