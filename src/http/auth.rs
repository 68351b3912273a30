//! Finding and checking the API key of a request.
//!
//! A key comes as `Authorization: Bearer <key>` or, for SSE clients that cannot set headers,
//! `?token=<key>`. Requests that fail authentication are counted against the pre-auth limit of
//! their IP, so keys cannot be guessed at speed.

use std::borrow::Cow;

use http::request::Parts;
use http::{Uri, header};

use super::ClientAddr;
use crate::app::App;
use crate::auth::{self, Principal};
use crate::error::Error;
use crate::ratelimit::Bucket;

/// The presented token, if any: borrowed from the `Authorization` header, copied only when it
/// is decoded from the query string.
pub fn token(parts: &Parts) -> Option<Cow<'_, str>> {
    let from_header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|v| Cow::Borrowed(v.trim()));
    from_header.or_else(|| query_param(&parts.uri, "token").map(Cow::Owned))
}

/// One query parameter, percent-decoded.
pub fn query_param(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// The client's IP address, the key of the per-IP limits ("" when unknown).
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ClientAddr>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// Authenticates the request; failures count against the client's pre-auth allowance.
pub async fn principal(app: &App, parts: &Parts) -> Result<Principal, Error> {
    let result = match token(parts) {
        None => Err(Error::AuthRequired),
        Some(token) => auth::authenticate(&app.store, &app.keys, &token).await,
    };
    if matches!(result, Err(Error::AuthRequired | Error::InvalidKey)) {
        app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    }
    result
}

/// Removes the credentials from a request that is handed on (to rmcp), so that no later layer
/// can log them: the `Authorization` header and the `token` query parameter.
pub fn strip_credentials(parts: &mut Parts) {
    parts.headers.remove(header::AUTHORIZATION);
    let Some(query) = parts.uri.query() else {
        return;
    };
    if !query.split('&').any(|pair| pair.starts_with("token=")) {
        return;
    }
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with("token="))
        .collect();
    let path = parts.uri.path();
    let path_and_query = if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    };
    let mut builder = Uri::builder().path_and_query(path_and_query);
    if let Some(scheme) = parts.uri.scheme() {
        builder = builder.scheme(scheme.clone());
    }
    if let Some(authority) = parts.uri.authority() {
        builder = builder.authority(authority.clone());
    }
    if let Ok(uri) = builder.build() {
        parts.uri = uri;
    }
}
