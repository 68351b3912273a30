//! The collector's HTTP side: `GET /js/heycmo.js` (the tracking script) and `POST /api/collect`
//! (no key: the site id is in the body; the browser's origin must be one of the site's
//! domains). The script sends with `navigator.sendBeacon`, a `text/plain` body that needs no
//! CORS preflight; a preflight from another client is answered all the same.

use std::sync::Arc;
use std::sync::LazyLock;

use ::http::request::Parts;
use ::http::{HeaderValue, Response, StatusCode, header};
use hyper::body::Incoming;
use serde_json::json;

use super::auth::client_ip;
use super::body;
use super::response::{self, Body};
use crate::analytics::collector::{MAX_BODY, Outcome, Request};
use crate::app::App;
use crate::error::Error;
use crate::ratelimit::Bucket;

const SCRIPT: &str = include_str!("assets/heycmo.js");

/// The script's ETag: a hash of its text, so a new release is fetched again.
static ETAG: LazyLock<String> = LazyLock::new(|| {
    use sha2::{Digest, Sha256};
    format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(SCRIPT.as_bytes())[..8])
    )
});

/// `GET /js/heycmo.js`: cached for a day by browsers and CDNs, revalidated by its ETag.
pub fn script(parts: &Parts) -> Response<Body> {
    let fresh = parts
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == ETAG.as_str() || t.trim() == "*")
        });
    let mut response = if fresh {
        response::with_body(StatusCode::NOT_MODIFIED, "text/javascript", "")
    } else {
        response::with_body(StatusCode::OK, "text/javascript", SCRIPT)
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400, stale-while-revalidate=604800"),
    );
    if let Ok(tag) = HeaderValue::from_str(&ETAG) {
        headers.insert(header::ETAG, tag);
    }
    headers.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// The host of the request's `Origin`, when it has one (`null` and garbage are no host).
pub(super) fn origin_host(parts: &Parts) -> Option<String> {
    let origin = parts.headers.get(header::ORIGIN)?.to_str().ok()?;
    url::Url::parse(origin).ok()?.host_str().map(str::to_owned)
}

/// Lets the browser on `parts`' origin read the answer.
pub(super) fn allow_origin(parts: &Parts, response: &mut Response<Body>) {
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = parts.headers.get(header::ORIGIN).cloned() {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
}

/// `OPTIONS /api/collect`: the preflight carries no site id, so it is allowed for any origin;
/// the hit itself is checked against its site's domains.
pub fn preflight(parts: &Parts) -> Response<Body> {
    let mut response = response::with_body(StatusCode::NO_CONTENT, "text/plain", "");
    allow_origin(parts, &mut response);
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    response
}

/// `POST /api/collect`: 202 whether the hit was counted or dropped (a bot, an opt-out), so a
/// page learns nothing it could use to evade; bad hits answer in the error format.
pub async fn collect(
    app: &Arc<App>,
    parts: &Parts,
    body: Incoming,
) -> Result<Response<Body>, Error> {
    let ip = client_ip(parts);
    app.limiters.check(Bucket::Collect, &ip)?;
    let bytes = body::read(body, MAX_BODY).await?;
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let origin = origin_host(parts);
    let request = Request {
        ip: ip.parse().ok(),
        user_agent: header("user-agent"),
        origin_host: origin.as_deref(),
        opted_out: header("dnt") == "1" || header("sec-gpc") == "1",
    };
    let outcome = app.collector().await?.collect(&bytes, &request).await?;
    let answer = match outcome {
        Outcome::Counted(visitor) => json!({"counted": true, "dropped": null, "visitor": visitor}),
        Outcome::Bot => json!({"counted": false, "dropped": "bot"}),
        Outcome::OptedOut => json!({"counted": false, "dropped": "do-not-track"}),
    };
    let mut response = response::json(StatusCode::ACCEPTED, &answer);
    allow_origin(parts, &mut response);
    Ok(response)
}
