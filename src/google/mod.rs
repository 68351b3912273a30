//! Google Analytics 4 and Search Console: what Google measured about a customer's sites, read
//! with the customer's own credentials (a service-account key or an OAuth refresh token) from
//! the Data API and the Search Console API.
//!
//! The token endpoint and both APIs are the operator's configuration (`--google-token-url`,
//! `--ga4-base-url`, `--search-console-base-url`), like the language model's base URL, so they
//! are called with a plain client rather than through the SSRF guard that customers' URLs meet.

pub mod digest;
pub mod ga4;
pub mod search_console;
pub mod token;

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::store::{Millis, Store};
use crate::vault::{Vault, connection_purpose};
use token::Credential;

/// A Google product heycmo reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    GoogleAnalytics,
    SearchConsole,
}

impl Source {
    pub const ALL: [Source; 2] = [Source::GoogleAnalytics, Source::SearchConsole];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::GoogleAnalytics => "google_analytics",
            Source::SearchConsole => "search_console",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Source::GoogleAnalytics => "Google Analytics",
            Source::SearchConsole => "Search Console",
        }
    }

    pub fn parse(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The read-only OAuth scope the source's API needs.
    pub fn scope(self) -> &'static str {
        match self {
            Source::GoogleAnalytics => "https://www.googleapis.com/auth/analytics.readonly",
            Source::SearchConsole => "https://www.googleapis.com/auth/webmasters.readonly",
        }
    }
}

/// Where Google is reached; the defaults are Google's public endpoints.
#[derive(Debug, Clone)]
pub struct GoogleConfig {
    pub token_url: String,
    pub ga4_base_url: String,
    pub search_console_base_url: String,
    /// Deadline of one call.
    pub timeout: Duration,
}

impl Default for GoogleConfig {
    fn default() -> Self {
        GoogleConfig {
            token_url: "https://oauth2.googleapis.com/token".into(),
            ga4_base_url: "https://analyticsdata.googleapis.com".into(),
            search_console_base_url: "https://searchconsole.googleapis.com".into(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// Why a call to Google did not answer what was asked.
#[derive(Debug, thiserror::Error)]
pub enum GoogleError {
    /// The credentials themselves are wrong: an unreadable key, or the token endpoint refused
    /// them (`invalid_grant`, `invalid_client`).
    #[error("{0}")]
    Credentials(String),
    /// The request was refused as malformed (Google's `INVALID_ARGUMENT`: an unknown metric,
    /// an incompatible dimension): the caller's input is wrong.
    #[error("{0}")]
    Invalid(String),
    /// The credentials lack access to the property or site.
    #[error("{0}")]
    Permission(String),
    /// A quota is spent; `retry_after` is when it comes back.
    #[error("{message}")]
    Quota {
        message: String,
        retry_after: Duration,
    },
    /// Google could not be reached or failed (5xx, a body that is not Google's format).
    #[error("{0}")]
    Failed(String),
}

impl From<GoogleError> for Error {
    fn from(error: GoogleError) -> Self {
        match error {
            GoogleError::Credentials(message) | GoogleError::Invalid(message) => {
                Error::BadRequest(message)
            }
            GoogleError::Permission(message) | GoogleError::Failed(message) => {
                Error::ProviderFailed(message)
            }
            GoogleError::Quota {
                message,
                retry_after,
            } => Error::QuotaExhausted {
                message,
                retry_after,
            },
        }
    }
}

/// The calls to Google one server makes, and the access tokens it holds.
pub struct Google {
    client: reqwest::Client,
    pub config: GoogleConfig,
    tokens: token::Tokens,
}

impl Google {
    pub fn new(config: GoogleConfig) -> Result<Google, Error> {
        let client = crate::web::client()
            .timeout(config.timeout)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("heycmo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("building the Google client: {e}")))?;
        Ok(Google {
            client,
            config,
            tokens: token::Tokens::default(),
        })
    }

    /// Sends a JSON request with `token` and answers the JSON of a 2xx; an error status
    /// becomes a [`GoogleError`] in Google's own words, `what` naming what was asked for.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        token: &str,
        what: &str,
        now: Millis,
    ) -> Result<Value, GoogleError> {
        let request = request
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT, "application/json");
        let Answer {
            status,
            retry_after,
            text,
            body,
        } = exchange(request, what).await?;
        if (200..300).contains(&status) {
            if body.is_object() {
                return Ok(body);
            }
            return Err(GoogleError::Failed(format!(
                "{what}: Google answered {status} without a JSON object"
            )));
        }
        Err(api_error(what, status, &body, &text, retry_after, now))
    }
}

/// A Google product connected and checked: who reads, what, and the settings to store (the
/// credential itself is sealed apart).
pub struct Connected {
    pub account: String,
    pub config: Value,
}

/// What a stored connection reads with and from.
pub struct Connection {
    pub credential: Credential,
    /// The GA4 property id, or the Search Console site.
    pub target: String,
}

impl Google {
    /// Checks that `credential` can read `target` (a GA4 property id, a Search Console site)
    /// before anything is stored: a grant, then a read that costs no report quota.
    pub async fn connect(
        &self,
        source: Source,
        target: &str,
        credential: &Credential,
        now: Millis,
    ) -> Result<Connected, GoogleError> {
        let mut config = serde_json::json!({
            "auth": credential.kind(),
            "readsAs": credential.who(),
        });
        match source {
            Source::GoogleAnalytics => {
                self.check_property(credential, target, now).await?;
                config["propertyId"] = target.into();
                Ok(Connected {
                    account: format!("properties/{target}"),
                    config,
                })
            }
            Source::SearchConsole => {
                let level = self.check_site(credential, target, now).await?;
                config["siteUrl"] = target.into();
                config["permissionLevel"] = level.into();
                Ok(Connected {
                    account: target.to_owned(),
                    config,
                })
            }
        }
    }
}

/// The customer's connection to `source`, its credential opened.
pub async fn connection(
    store: &Store,
    vault: &Vault,
    customer: &str,
    source: Source,
) -> Result<Connection, Error> {
    let record = store
        .channel(customer, source.as_str())
        .await?
        .ok_or_else(|| {
            Error::Conflict(format!(
                "{} is not connected; connect_channel with platform {} first",
                source.title(),
                source.as_str()
            ))
        })?;
    let sealed = vault
        .open(
            &connection_purpose(customer, source.as_str()),
            &record.sealed_secret,
        )
        .map_err(|e| Error::Internal(format!("opening the {} credentials: {e}", source.title())))?;
    let credential: Credential = serde_json::from_slice(&sealed)
        .map_err(|e| Error::Internal(format!("the stored {} credentials: {e}", source.title())))?;
    let config: Value = serde_json::from_str(&record.config).unwrap_or(Value::Null);
    let field = match source {
        Source::GoogleAnalytics => "propertyId",
        Source::SearchConsole => "siteUrl",
    };
    let target = config[field]
        .as_str()
        .ok_or_else(|| {
            Error::Internal(format!("the {} connection has no {field}", source.title()))
        })?
        .to_owned();
    Ok(Connection { credential, target })
}

/// An answer as read: its status, the wait it asked for, its text, and that text as JSON
/// (`Null` when it is none).
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    text: String,
    body: Value,
}

/// Sends `request` and reads its whole answer; `what` names the call in failures.
async fn exchange(request: reqwest::RequestBuilder, what: &str) -> Result<Answer, GoogleError> {
    let response = request
        .send()
        .await
        .map_err(|e| GoogleError::Failed(format!("{what}: Google could not be reached: {e}")))?;
    let status = response.status().as_u16();
    let retry_after = crate::llm::retry::retry_after(response.headers());
    let text = response
        .text()
        .await
        .map_err(|e| GoogleError::Failed(format!("{what}: the answer broke off: {e}")))?;
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(Answer {
        status,
        retry_after,
        text,
        body,
    })
}

/// A Google API error body (`{"error": {"code", "message", "status"}}`) as a [`GoogleError`].
fn api_error(
    what: &str,
    status: u16,
    body: &Value,
    text: &str,
    retry_after: Option<Duration>,
    now: Millis,
) -> GoogleError {
    let message = body
        .pointer("/error/message")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| crate::audit::finding::clip(text.trim(), 200));
    let reason = body
        .pointer("/error/status")
        .and_then(Value::as_str)
        .unwrap_or("");
    match status {
        // Some Google APIs answer a spent quota with 403 and the same reason.
        429 | 403 if status == 429 || reason == "RESOURCE_EXHAUSTED" => GoogleError::Quota {
            retry_after: retry_after.unwrap_or_else(|| quota_reset(&message, now)),
            message: format!("{what}: a Google quota is spent ({message})"),
        },
        401 | 403 => GoogleError::Permission(format!("{what}: Google refused access: {message}")),
        400 | 404 => GoogleError::Invalid(format!("{what}: Google refused the request: {message}")),
        _ => GoogleError::Failed(format!("{what}: Google answered {status}: {message}")),
    }
}

/// When a spent quota comes back, read from the words of Google's message: the Data API's
/// hourly token quotas refill on the hour and its daily ones at midnight Pacific time; for
/// any other (concurrent requests, per-minute quotas) a minute.
fn quota_reset(message: &str, now: Millis) -> Duration {
    let message = message.to_ascii_lowercase();
    let now_at = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
    let until = |next: chrono::DateTime<chrono::Utc>| {
        Duration::from_millis((next.timestamp_millis() - now).max(1000) as u64)
    };
    if message.contains("per day") {
        use chrono::TimeZone;
        let pacific = now_at.with_timezone(&chrono_tz::America::Los_Angeles);
        let tomorrow = pacific
            .date_naive()
            .succ_opt()
            .unwrap_or(pacific.date_naive());
        let midnight = chrono_tz::America::Los_Angeles
            .from_local_datetime(&tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest();
        if let Some(midnight) = midnight {
            return until(midnight.with_timezone(&chrono::Utc));
        }
    }
    if message.contains("per hour") {
        let hour = now.div_euclid(3_600_000) + 1;
        return until(
            chrono::DateTime::from_timestamp_millis(hour * 3_600_000).unwrap_or_default(),
        );
    }
    Duration::from_secs(60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spent_quota_comes_back_when_google_refills_it() {
        // 2026-12-03 17:20:00 UTC = 09:20 in Los Angeles (PST, UTC-8).
        let now = 1_796_318_400_000;
        let hourly = quota_reset("Exhausted property tokens per hour for a property.", now);
        assert_eq!(hourly, Duration::from_secs(40 * 60));
        let daily = quota_reset("Exhausted property tokens per day for a property.", now);
        assert_eq!(daily, Duration::from_secs((14 * 60 + 40) * 60));
        assert_eq!(
            quota_reset("Too many concurrent requests", now),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn google_error_bodies_become_typed_errors() {
        let body = serde_json::json!({"error": {"code": 403, "message": "User does not have sufficient permissions for this property.", "status": "PERMISSION_DENIED"}});
        let error = api_error("GA4 property 1", 403, &body, "", None, 0);
        assert!(
            matches!(&error, GoogleError::Permission(m) if m.contains("sufficient permissions")),
            "{error:?}"
        );
        let body = serde_json::json!({"error": {"code": 429, "message": "Exhausted concurrent requests quota.", "status": "RESOURCE_EXHAUSTED"}});
        let error = api_error("GA4", 429, &body, "", Some(Duration::from_secs(7)), 0);
        assert!(
            matches!(error, GoogleError::Quota { retry_after, .. } if retry_after == Duration::from_secs(7))
        );
        let error = api_error(
            "GA4",
            502,
            &Value::Null,
            "<html>Bad gateway</html>",
            None,
            0,
        );
        assert!(matches!(&error, GoogleError::Failed(m) if m.contains("Bad gateway")));
        let body = serde_json::json!({"error": {"code": 400, "message": "Field foo is not a valid metric.", "status": "INVALID_ARGUMENT"}});
        assert!(matches!(
            api_error("GA4", 400, &body, "", None, 0),
            GoogleError::Invalid(_)
        ));
    }
}
