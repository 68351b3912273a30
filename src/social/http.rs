//! Talking to the platforms: one request helper over the guarded fetcher, and how a platform's
//! answer becomes a job outcome (published, retry later, retry at the platform's reset time, or
//! refused for good with the platform's own message).

use bytes::Bytes;
use chrono::DateTime;
use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderName};
use serde_json::Value;

use super::Platform;
use crate::jobs::{Failure, Retry};
use crate::store::Millis;
use crate::web::{FetchError, Fetched, Fetcher, Outgoing};

/// The longest a platform's requested wait is honoured; past it the usual backoff applies.
const MAX_WAIT_MILLIS: Millis = 24 * 3600 * 1000;

/// One request to a platform's API.
pub struct Request {
    pub method: Method,
    pub url: String,
    pub bearer: Option<String>,
    pub headers: Vec<(HeaderName, String)>,
    /// A JSON body, as the bytes sent (a signature may cover them).
    pub json: Option<String>,
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            bearer: None,
            headers: Vec::new(),
            json: None,
        }
    }

    pub fn bearer(mut self, token: &str) -> Request {
        self.bearer = Some(token.to_owned());
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Request {
        self.headers
            .push((HeaderName::from_static(name), value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Request {
        self.json = Some(body.to_string());
        self
    }

    /// A JSON body already serialized.
    pub fn json_text(mut self, body: String) -> Request {
        self.json = Some(body);
        self
    }
}

/// Why a call to a platform did not succeed.
#[derive(Debug, Clone)]
pub struct CallError {
    pub failure: Failure,
    /// The platform's HTTP status, when it answered.
    pub status: Option<u16>,
    /// The platform's URL was refused by the SSRF guard, or is no http(s) URL: the caller's
    /// input is wrong, and nothing was sent.
    pub url_refused: bool,
}

impl CallError {
    /// A failure that retrying cannot mend (a setting missing).
    pub fn permanent(message: impl Into<String>) -> CallError {
        CallError {
            failure: Failure::permanent(message.into()),
            status: None,
            url_refused: false,
        }
    }

    /// The URL may not be called (see [`CallError::url_refused`]).
    fn refused_url(platform: Platform, error: &FetchError) -> CallError {
        CallError {
            url_refused: true,
            ..CallError::permanent(format!("{}: {error}", platform.title()))
        }
    }
}

/// Sends `request`; a 2xx answer is returned, anything else becomes a [`CallError`] that says
/// whether and when to try again.
pub async fn call(
    fetcher: &Fetcher,
    platform: Platform,
    request: Request,
    now: Millis,
) -> Result<Fetched, CallError> {
    let url = fetcher
        .parse(&request.url)
        .map_err(|e| CallError::refused_url(platform, &e))?;
    let mut headers = request.headers;
    if let Some(token) = request.bearer {
        headers.push((AUTHORIZATION, format!("Bearer {token}")));
    }
    let body = match request.json {
        Some(json) => {
            headers.push((CONTENT_TYPE, "application/json".into()));
            Bytes::from(json)
        }
        None => Bytes::new(),
    };
    let sent = fetcher
        .send(Outgoing {
            method: request.method,
            url,
            headers,
            body,
        })
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(error @ (FetchError::Refused { .. } | FetchError::BadUrl(_))) => {
            return Err(CallError::refused_url(platform, &error));
        }
        Err(error) => {
            return Err(CallError {
                failure: Failure::from(format!("{}: {error}", platform.title())),
                status: None,
                url_refused: false,
            });
        }
    };
    if answer.is_success() {
        return Ok(answer);
    }
    Err(refusal(platform, &answer, now))
}

/// The outcome of a non-2xx answer.
fn refusal(platform: Platform, answer: &Fetched, now: Millis) -> CallError {
    let status = answer.status;
    let message = format!(
        "{} answered {status}: {}",
        platform.title(),
        message(answer)
    );
    let retry = match status {
        429 => reset_time(answer, now)
            .filter(|at| *at - now <= MAX_WAIT_MILLIS)
            .map_or(Retry::Backoff, Retry::NotBefore),
        408 | 425 | 500..=599 => Retry::Backoff,
        _ => Retry::Never,
    };
    CallError {
        failure: Failure { message, retry },
        status: Some(status),
        url_refused: false,
    }
}

/// The platform's own words for a failure: the fields Mastodon (`error`), Bluesky (`error`,
/// `message`), LinkedIn (`message`) and X (`detail`, `title`, `errors[].message`) use.
pub fn message(answer: &Fetched) -> String {
    let text = answer.text();
    let Ok(json) = serde_json::from_str::<Value>(&text) else {
        let text = text.trim();
        return if text.is_empty() {
            "(no body)".into()
        } else {
            text.chars().take(300).collect()
        };
    };
    let field = |name: &str| json.get(name).and_then(Value::as_str).map(str::to_owned);
    let parts: Vec<String> = [
        field("error"),
        field("title"),
        field("message"),
        field("detail"),
        field("error_description"),
        json.pointer("/errors/0/message")
            .and_then(Value::as_str)
            .map(str::to_owned),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        json.to_string().chars().take(300).collect()
    } else {
        let mut unique: Vec<String> = Vec::new();
        for part in parts {
            if !unique.contains(&part) {
                unique.push(part);
            }
        }
        unique.join(": ")
    }
}

/// When a rate limit resets, from whichever header the platform sends: `Retry-After` (seconds
/// or an HTTP date), `x-rate-limit-reset` (X, Unix seconds), `ratelimit-reset` (Bluesky, Unix
/// seconds) or `x-ratelimit-reset` (Mastodon, an ISO 8601 time).
fn reset_time(answer: &Fetched, now: Millis) -> Option<Millis> {
    if let Some(value) = answer.header("retry-after") {
        if let Ok(seconds) = value.trim().parse::<i64>() {
            return Some(now + seconds.max(0) * 1000);
        }
        if let Ok(date) = DateTime::parse_from_rfc2822(value.trim()) {
            return Some(date.timestamp_millis());
        }
    }
    for name in ["x-rate-limit-reset", "ratelimit-reset"] {
        if let Some(seconds) = answer
            .header(name)
            .and_then(|v| v.trim().parse::<i64>().ok())
        {
            return Some(seconds * 1000);
        }
    }
    answer
        .header("x-ratelimit-reset")
        .and_then(|v| DateTime::parse_from_rfc3339(v.trim()).ok())
        .map(|date| date.timestamp_millis())
}

/// The JSON body of a 2xx answer.
pub fn json(platform: Platform, answer: &Fetched) -> Result<Value, CallError> {
    serde_json::from_slice(&answer.body).map_err(|e| CallError {
        failure: Failure::from(format!(
            "{} answered {} with a body that is not JSON: {e}",
            platform.title(),
            answer.status
        )),
        status: Some(answer.status),
        url_refused: false,
    })
}

/// A string at `pointer` in a 2xx answer, or an error naming what was missing.
pub fn field(platform: Platform, body: &Value, pointer: &str) -> Result<String, CallError> {
    body.pointer(pointer)
        .and_then(|v| {
            v.as_str()
                .map(str::to_owned)
                .or_else(|| v.as_i64().map(|n| n.to_string()))
        })
        .ok_or_else(|| CallError {
            failure: Failure::from(format!(
                "{} answered without {pointer}: {}",
                platform.title(),
                body.to_string().chars().take(200).collect::<String>()
            )),
            status: None,
            url_refused: false,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

    fn answer(status: u16, headers: &[(&'static str, &str)], body: &str) -> Fetched {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        Fetched {
            url: url::Url::parse("https://api.example/").unwrap(),
            status,
            headers: map,
            body: Bytes::from(body.to_owned()),
            wire_bytes: body.len(),
            encoding: None,
            ttfb: std::time::Duration::ZERO,
            elapsed: std::time::Duration::ZERO,
            redirects: Vec::new(),
        }
    }

    const NOW: Millis = 1_795_000_000_000;

    #[test]
    fn each_platforms_rate_limit_reset_is_read() {
        let cases = [
            (
                Platform::Linkedin,
                answer(429, &[("retry-after", "30")], "{}"),
                NOW + 30_000,
            ),
            (
                Platform::X,
                answer(429, &[("x-rate-limit-reset", "1795000120")], "{}"),
                1_795_000_120_000,
            ),
            (
                Platform::Bluesky,
                answer(429, &[("ratelimit-reset", "1795000060")], "{}"),
                1_795_000_060_000,
            ),
            (
                Platform::Mastodon,
                answer(
                    429,
                    &[("x-ratelimit-reset", "2026-11-18T08:15:00.000Z")],
                    "{}",
                ),
                DateTime::parse_from_rfc3339("2026-11-18T08:15:00Z")
                    .unwrap()
                    .timestamp_millis(),
            ),
        ];
        for (platform, fetched, reset) in cases {
            let error = refusal(platform, &fetched, NOW);
            assert_eq!(error.failure.retry, Retry::NotBefore(reset), "{platform:?}");
            assert_eq!(error.status, Some(429));
        }
        let no_header = refusal(Platform::X, &answer(429, &[], "{}"), NOW);
        assert_eq!(no_header.failure.retry, Retry::Backoff);
        let far = refusal(
            Platform::X,
            &answer(429, &[("retry-after", "999999")], "{}"),
            NOW,
        );
        assert_eq!(
            far.failure.retry,
            Retry::Backoff,
            "an absurd wait is not honoured"
        );
    }

    #[test]
    fn refusals_are_final_and_outages_retried_with_the_platforms_words() {
        let refused = refusal(
            Platform::X,
            &answer(
                403,
                &[],
                r#"{"detail":"You are not allowed to create a Tweet with duplicate content.","title":"Forbidden","status":403}"#,
            ),
            NOW,
        );
        assert_eq!(refused.failure.retry, Retry::Never);
        assert_eq!(
            refused.failure.message,
            "X answered 403: Forbidden: You are not allowed to create a Tweet with duplicate content."
        );
        let bluesky = refusal(
            Platform::Bluesky,
            &answer(
                400,
                &[],
                r#"{"error":"InvalidRequest","message":"Record/text must not be longer than 300 graphemes"}"#,
            ),
            NOW,
        );
        assert_eq!(
            bluesky.failure.message,
            "Bluesky answered 400: InvalidRequest: Record/text must not be longer than 300 graphemes"
        );
        for status in [500, 502, 503, 504, 408] {
            assert_eq!(
                refusal(Platform::Mastodon, &answer(status, &[], ""), NOW)
                    .failure
                    .retry,
                Retry::Backoff
            );
        }
        assert!(
            refusal(Platform::Mastodon, &answer(503, &[], ""), NOW)
                .failure
                .message
                .ends_with("(no body)")
        );
    }
}
