//! A local server speaking Google's wire formats as Google documents them: the OAuth token
//! endpoint (the JWT bearer grant, its RS256 signature checked against the fixture service
//! account's public key, and the refresh-token grant), the GA4 Data API (`metadata`,
//! `runReport`, with string-typed values, `rowCount`, `metadata` and `propertyQuota`) and the
//! Search Console API (`sites.get`, `searchAnalytics.query`), each with Google's error bodies.
//! Tokens it issues carry the scope they were granted for, and the APIs check it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value, json};

use super::receiver::{Answer, Received, Receiver};

pub const SERVICE_EMAIL: &str = "heycmo-reader@brand-analytics.iam.gserviceaccount.com";
pub const CLIENT_ID: &str = "1234567890-fake.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "GOCSPX-fixture-secret";
pub const REFRESH_TOKEN: &str = "1//0fixture-refresh-token";
/// A property the service account reads.
pub const PROPERTY: &str = "123456789";
/// A property it was never added to.
pub const NO_ACCESS_PROPERTY: &str = "403403403";
/// A property whose hourly tokens are spent.
pub const SPENT_PROPERTY: &str = "429429429";
pub const SITE: &str = "sc-domain:shop.example";
pub const NO_ACCESS_SITE: &str = "https://other.example/";

const GA_SCOPE: &str = "https://www.googleapis.com/auth/analytics.readonly";
const SC_SCOPE: &str = "https://www.googleapis.com/auth/webmasters.readonly";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/google/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The service account's JSON key file, as Google's console downloads it.
pub fn key_file() -> Value {
    json!({
        "type": "service_account",
        "project_id": "brand-analytics",
        "private_key_id": "f1x7ure0000000000000000000000000000000ab",
        "private_key": fixture("test-service-account.key.pem"),
        "client_email": SERVICE_EMAIL,
        "client_id": "109876543210987654321",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
    })
}

/// A key file naming the same account, signed with a key Google does not know.
pub fn forged_key_file() -> Value {
    let mut key = key_file();
    key["private_key"] = json!(fixture("other.key.pem"));
    key
}

fn google_error(code: u16, status: &str, message: &str) -> Answer {
    Answer::json(
        code,
        json!({"error": {"code": code, "message": message, "status": status}}),
    )
}

fn token_error(error: &str, description: &str) -> Answer {
    Answer::json(
        400,
        json!({"error": error, "error_description": description}),
    )
}

/// One day of the fixture property: (date, channel, page, sessions, users, revenue).
const TRAFFIC: &[(&str, &str, &str, i64, i64, f64)] = &[
    ("20261101", "Organic Search", "/", 120, 100, 0.0),
    ("20261101", "Direct", "/", 40, 38, 59.0),
    ("20261101", "Organic Search", "/brew", 80, 70, 0.0),
    ("20261102", "Organic Search", "/", 130, 110, 29.5),
    ("20261102", "Referral", "/brew", 15, 15, 0.0),
    ("20261102", "Direct", "/pricing", 25, 22, 118.0),
];

/// (query, page, clicks, impressions, position)
const SEARCH: &[(&str, &str, i64, i64, f64)] = &[
    ("cold brew ratio", "https://shop.example/brew", 42, 900, 3.1),
    ("coffee at altitude", "https://shop.example/", 17, 400, 6.4),
    ("trail coffee", "https://shop.example/", 9, 650, 11.2),
];

pub struct FakeGoogle {
    pub receiver: Receiver,
}

/// What the fake remembers between requests: the tokens it issued and their scopes.
#[derive(Default)]
struct State {
    tokens: HashMap<String, Vec<String>>,
}

impl FakeGoogle {
    pub async fn start() -> FakeGoogle {
        let base: Arc<OnceLock<String>> = Arc::default();
        let state: Arc<Mutex<State>> = Arc::default();
        let public = jsonwebtoken::DecodingKey::from_rsa_pem(
            fixture("test-service-account.pub.pem").as_bytes(),
        )
        .unwrap();
        let seen_base = base.clone();
        let receiver = Receiver::start(move |log: &[Received]| {
            let request = log.last().unwrap();
            let base = seen_base.get().cloned().unwrap_or_default();
            let mut state = state.lock().unwrap();
            answer(request, &base, &public, &mut state)
        })
        .await;
        base.set(receiver.base.clone()).unwrap();
        FakeGoogle { receiver }
    }

    /// The flags that point heycmo here.
    pub fn args(&self) -> Vec<String> {
        vec![
            "--google-token-url".into(),
            self.receiver.url("/token"),
            "--ga4-base-url".into(),
            self.receiver.base.clone(),
            "--search-console-base-url".into(),
            self.receiver.base.clone(),
        ]
    }

    /// Requests to `path_part` so far.
    pub fn requests(&self, path_part: &str) -> Vec<Received> {
        self.receiver
            .received()
            .into_iter()
            .filter(|r| r.path.contains(path_part))
            .collect()
    }
}

fn answer(
    request: &Received,
    base: &str,
    public: &jsonwebtoken::DecodingKey,
    state: &mut State,
) -> Answer {
    if request.path == "/token" {
        return grant(request, base, public, state);
    }
    let bearer = request
        .header("authorization")
        .strip_prefix("Bearer ")
        .unwrap_or("");
    let Some(scopes) = state.tokens.get(bearer).cloned() else {
        return google_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        );
    };
    let path = request.path.split('?').next().unwrap_or("");
    if let Some(rest) = path.strip_prefix("/v1beta/properties/") {
        if !scopes.iter().any(|s| s == GA_SCOPE) {
            return google_error(
                403,
                "PERMISSION_DENIED",
                "Request had insufficient authentication scopes.",
            );
        }
        let (property, method) = match rest.split_once(':') {
            Some((property, method)) => (property, method),
            None => (rest.trim_end_matches("/metadata"), "metadata"),
        };
        if property == NO_ACCESS_PROPERTY {
            return google_error(
                403,
                "PERMISSION_DENIED",
                "User does not have sufficient permissions for this property. To learn more about Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.",
            );
        }
        return match (request.method.as_str(), method) {
            ("GET", "metadata") => Answer::json(
                200,
                json!({
                    "name": format!("properties/{property}/metadata"),
                    "dimensions": [{"apiName": "date", "uiName": "Date"}, {"apiName": "sessionDefaultChannelGroup", "uiName": "Session default channel group"}, {"apiName": "pagePath", "uiName": "Page path"}],
                    "metrics": [{"apiName": "sessions", "type": "TYPE_INTEGER"}, {"apiName": "totalUsers", "type": "TYPE_INTEGER"}, {"apiName": "purchaseRevenue", "type": "TYPE_CURRENCY"}],
                }),
            ),
            ("POST", "runReport") if property == SPENT_PROPERTY => google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "Exhausted property tokens per hour for a property. Please try again in the next hour.",
            ),
            ("POST", "runReport") => run_report(&request.json()),
            _ => google_error(404, "NOT_FOUND", "Method not found."),
        };
    }
    if let Some(rest) = path.strip_prefix("/webmasters/v3/sites/") {
        if !scopes.iter().any(|s| s == SC_SCOPE) {
            return google_error(
                403,
                "PERMISSION_DENIED",
                "Request had insufficient authentication scopes.",
            );
        }
        let (encoded, method) = rest.split_once('/').unwrap_or((rest, ""));
        let site: String = url::form_urlencoded::parse(format!("s={encoded}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if site != SITE {
            return google_error(
                403,
                "PERMISSION_DENIED",
                &format!(
                    "User does not have sufficient permission for site '{site}'. See also: https://support.google.com/webmasters/answer/2451999."
                ),
            );
        }
        return match (request.method.as_str(), method) {
            ("GET", "") => Answer::json(
                200,
                json!({"siteUrl": site, "permissionLevel": "siteFullUser"}),
            ),
            ("POST", "searchAnalytics/query") => search_analytics(&request.json()),
            _ => google_error(404, "NOT_FOUND", "Not Found"),
        };
    }
    google_error(404, "NOT_FOUND", "Not Found")
}

fn grant(
    request: &Received,
    base: &str,
    public: &jsonwebtoken::DecodingKey,
    state: &mut State,
) -> Answer {
    if request.header("content-type") != "application/x-www-form-urlencoded" {
        return token_error("invalid_request", "Invalid content type.");
    }
    let form: HashMap<String, String> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    let scope = match field("grant_type") {
        "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
            let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
            validation.set_audience(&[format!("{base}/token")]);
            validation.set_issuer(&[SERVICE_EMAIL]);
            validation.set_required_spec_claims(&["exp", "iat", "aud", "iss"]);
            match jsonwebtoken::decode::<Value>(field("assertion"), public, &validation) {
                Ok(data) => {
                    let lifetime = data.claims["exp"].as_i64().unwrap_or(0)
                        - data.claims["iat"].as_i64().unwrap_or(0);
                    if lifetime > 3600 {
                        return token_error(
                            "invalid_grant",
                            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
                        );
                    }
                    data.claims["scope"].as_str().unwrap_or("").to_owned()
                }
                Err(error)
                    if matches!(
                        error.kind(),
                        jsonwebtoken::errors::ErrorKind::InvalidSignature
                    ) =>
                {
                    return token_error("invalid_grant", "Invalid JWT Signature.");
                }
                Err(error) => {
                    return token_error("invalid_grant", &format!("Invalid JWT: {error}"));
                }
            }
        }
        "refresh_token" => {
            if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET {
                return Answer::json(
                    401,
                    json!({"error": "invalid_client", "error_description": "Unauthorized"}),
                );
            }
            if field("refresh_token") != REFRESH_TOKEN {
                return token_error("invalid_grant", "Token has been expired or revoked.");
            }
            // The scope a person granted the client: both products.
            format!("{GA_SCOPE} {SC_SCOPE}")
        }
        _ => return token_error("unsupported_grant_type", "Invalid grant_type."),
    };
    let token = format!("ya29.fixture-{}", state.tokens.len() + 1);
    state.tokens.insert(
        token.clone(),
        scope.split_whitespace().map(str::to_owned).collect(),
    );
    Answer::json(
        200,
        json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer", "scope": scope}),
    )
}

/// A number as the Data API sends every value: a string.
fn cell(value: impl ToString) -> Value {
    json!({"value": value.to_string()})
}

/// `runReport` over [`TRAFFIC`]: rows grouped by the dimensions asked for, metrics summed, the
/// `limit` and `offset` (int64, sent as strings) applied after ordering by the first metric.
fn run_report(body: &Value) -> Answer {
    let names = |field: &str| -> Vec<String> {
        body[field]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i["name"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (dimensions, metrics) = (names("dimensions"), names("metrics"));
    let metric_type = |name: &str| match name {
        "sessions" | "totalUsers" => Some("TYPE_INTEGER"),
        "purchaseRevenue" => Some("TYPE_CURRENCY"),
        _ => None,
    };
    for metric in &metrics {
        if metric_type(metric).is_none() {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                &format!(
                    "Field {metric} is not a valid metric. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema "
                ),
            );
        }
    }
    for dimension in &dimensions {
        if !["date", "sessionDefaultChannelGroup", "pagePath"].contains(&dimension.as_str()) {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                &format!(
                    "Field {dimension} is not a valid dimension. For a list of valid dimensions and metrics, see https://developers.google.com/analytics/devguides/reporting/data/v1/api-schema "
                ),
            );
        }
    }
    let number = |field: &str, default: i64| match &body[field] {
        Value::String(text) => text.parse().unwrap_or(default),
        Value::Number(n) => n.as_i64().unwrap_or(default),
        _ => default,
    };
    let (limit, offset) = (number("limit", 10_000), number("offset", 0));
    // With several date ranges, rows carry a `dateRange` dimension named after each; the
    // fixture's first range holds every day, the others only its first day.
    let ranges: Vec<String> = body["dateRanges"]
        .as_array()
        .map(|ranges| {
            ranges
                .iter()
                .enumerate()
                .map(|(n, r)| {
                    r["name"]
                        .as_str()
                        .map_or(format!("date_range_{n}"), str::to_owned)
                })
                .collect()
        })
        .filter(|ranges: &Vec<String>| !ranges.is_empty())
        .unwrap_or_else(|| vec!["date_range_0".into()]);
    let mut headers = dimensions.clone();
    if ranges.len() > 1 {
        headers.push("dateRange".into());
    }
    let mut groups: Vec<(Vec<String>, Vec<f64>)> = Vec::new();
    for (n, range) in ranges.iter().enumerate() {
        for (date, channel, page, sessions, users, revenue) in TRAFFIC {
            if n > 0 && *date != TRAFFIC[0].0 {
                continue;
            }
            let mut key: Vec<String> = dimensions
                .iter()
                .map(|d| match d.as_str() {
                    "date" => date.to_string(),
                    "sessionDefaultChannelGroup" => channel.to_string(),
                    _ => page.to_string(),
                })
                .collect();
            if ranges.len() > 1 {
                key.push(range.clone());
            }
            let values: Vec<f64> = metrics
                .iter()
                .map(|m| match m.as_str() {
                    "sessions" => *sessions as f64,
                    "totalUsers" => *users as f64,
                    _ => *revenue,
                })
                .collect();
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, sums)) => sums.iter_mut().zip(&values).for_each(|(s, v)| *s += v),
                None => groups.push((key, values)),
            }
        }
    }
    groups.sort_by(|a, b| b.1[0].total_cmp(&a.1[0]).then(a.0.cmp(&b.0)));
    let row_count = groups.len();
    let rows: Vec<Value> = groups
        .into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(key, values)| {
            json!({
                "dimensionValues": key.iter().map(cell).collect::<Vec<_>>(),
                "metricValues": metrics.iter().zip(values).map(|(m, v)| {
                    if metric_type(m) == Some("TYPE_INTEGER") { cell(v as i64) } else { cell(v) }
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut answer = json!({
        "dimensionHeaders": headers.iter().map(|d| json!({"name": d})).collect::<Vec<_>>(),
        "metricHeaders": metrics.iter().map(|m| json!({"name": m, "type": metric_type(m)})).collect::<Vec<_>>(),
        "rowCount": row_count,
        "metadata": {"currencyCode": "EUR", "timeZone": "Europe/Berlin"},
        "kind": "analyticsData#runReport",
    });
    if !rows.is_empty() {
        answer["rows"] = json!(rows);
    }
    if body["returnPropertyQuota"] == json!(true) {
        answer["propertyQuota"] = json!({
            "tokensPerDay": {"consumed": 12, "remaining": 199_988},
            "tokensPerHour": {"consumed": 12, "remaining": 39_988},
            "concurrentRequests": {"consumed": 0, "remaining": 10},
            "serverErrorsPerProjectPerHour": {"consumed": 0, "remaining": 10},
            "potentiallyThresholdedRequestsPerHour": {"consumed": 0, "remaining": 120},
            "tokensPerProjectPerHour": {"consumed": 12, "remaining": 13_988},
        });
    }
    Answer::json(200, answer)
}

/// `searchAnalytics.query` over [`SEARCH`]: grouped by the dimensions asked for, ordered by
/// clicks, `rowLimit` and `startRow` applied; dates are required, as the API requires them.
fn search_analytics(body: &Value) -> Answer {
    for field in ["startDate", "endDate"] {
        if body[field].as_str().is_none_or(|d| d.len() != 10) {
            return google_error(
                400,
                "INVALID_ARGUMENT",
                &format!("Required field '{field}' is missing or not a date."),
            );
        }
    }
    let dimensions: Vec<String> = body["dimensions"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|v| v.as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default();
    let filters: Vec<(String, String)> = body["dimensionFilterGroups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["filters"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["dimension"].as_str().unwrap_or("").to_owned(),
                f["expression"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let mut groups: Vec<(Vec<String>, i64, i64, f64)> = Vec::new();
    for (query, page, clicks, impressions, position) in SEARCH {
        let value = |d: &str| {
            if d == "page" {
                page.to_string()
            } else {
                query.to_string()
            }
        };
        if filters.iter().any(|(d, e)| !value(d).contains(e.as_str())) {
            continue;
        }
        let key: Vec<String> = dimensions.iter().map(|d| value(d)).collect();
        match groups.iter_mut().find(|(k, ..)| *k == key) {
            Some(group) => {
                group.3 = (group.3 * group.2 as f64 + position * *impressions as f64)
                    / (group.2 + impressions) as f64;
                group.1 += clicks;
                group.2 += impressions;
            }
            None => groups.push((key, *clicks, *impressions, *position)),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.1));
    let start = body["startRow"].as_u64().unwrap_or(0) as usize;
    let limit = body["rowLimit"].as_u64().unwrap_or(1000) as usize;
    let rows: Vec<Value> = groups
        .into_iter()
        .skip(start)
        .take(limit)
        .map(|(keys, clicks, impressions, position)| {
            let mut row = Map::new();
            if !dimensions.is_empty() {
                row.insert("keys".into(), json!(keys));
            }
            row.insert("clicks".into(), json!(clicks));
            row.insert("impressions".into(), json!(impressions));
            row.insert("ctr".into(), json!(clicks as f64 / impressions as f64));
            row.insert("position".into(), json!(position));
            Value::Object(row)
        })
        .collect();
    let aggregation = if dimensions.iter().any(|d| d == "page") {
        "byPage"
    } else {
        "byProperty"
    };
    Answer::json(
        200,
        json!({"rows": rows, "responseAggregationType": aggregation}),
    )
}
