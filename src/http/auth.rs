//! Finding and checking the API key of a request.
//!
//! A key comes as `Authorization: Bearer <key>` or, for SSE clients that cannot set headers,
//! `?token=<key>`. Requests that fail authentication are counted against the pre-auth limit of
//! their IP, so keys cannot be guessed at speed.

use std::borrow::Cow;

use http::request::Parts;
use http::{Uri, header};

use super::ClientAddr;
use super::connections::Slot;
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
    from_header.or_else(|| query_param(&parts.uri, TOKEN_PARAM).map(Cow::Owned))
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
    match &result {
        Ok(_) => {
            if let Some(slot) = parts.extensions.get::<Slot>() {
                slot.authenticated();
            }
        }
        Err(Error::AuthRequired | Error::InvalidKey) => {
            app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
        }
        Err(_) => {}
    }
    result
}

/// Whether a raw `name=value` pair of a query string is the key, judged by its name as
/// [`query_param`] decodes it: `tok%65n=` and `token` with no `=` are the key too.
fn is_credential(pair: &str) -> bool {
    let name = pair.split_once('=').map_or(pair, |(name, _)| name);
    url::form_urlencoded::parse(name.as_bytes())
        .next()
        .is_some_and(|(decoded, _)| decoded == TOKEN_PARAM)
}

/// The query parameter that may carry the key.
const TOKEN_PARAM: &str = "token";

/// Removes the credentials from a request that is handed on (to rmcp), so that no later layer
/// can log them: the `Authorization` header and every query parameter that decodes to `token`.
pub fn strip_credentials(parts: &mut Parts) {
    parts.headers.remove(header::AUTHORIZATION);
    let Some(query) = parts.uri.query() else {
        return;
    };
    if !query.split('&').any(is_credential) {
        return;
    }
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !is_credential(pair))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(uri: &str) -> (String, Option<String>) {
        let request = http::Request::get(uri)
            .header(header::AUTHORIZATION, "Bearer k")
            .body(())
            .unwrap();
        let (mut parts, ()) = request.into_parts();
        let token = token(&parts).map(Cow::into_owned);
        strip_credentials(&mut parts);
        assert!(parts.headers.get(header::AUTHORIZATION).is_none());
        let left = parts.uri.to_string();
        (left, token.filter(|t| t != "k"))
    }

    /// Every spelling of the parameter that authenticates is removed before the request goes on;
    /// `?tok%65n=` once authenticated and yet reached rmcp and its logs.
    #[test]
    fn every_spelling_of_the_token_parameter_is_stripped() {
        for uri in [
            "/mcp?token=secret&a=1",
            "/mcp?tok%65n=secret&a=1",
            "/mcp?%74%6F%6B%65%6E=secret&a=1",
            "/mcp?a=1&token=secret&token=again",
        ] {
            let (left, _) = stripped(uri);
            assert_eq!(left, "/mcp?a=1", "{uri}");
        }
        assert_eq!(stripped("/mcp?token").0, "/mcp");
        assert_eq!(stripped("/mcp?tokens=1&b=2").0, "/mcp?tokens=1&b=2");
        assert_eq!(stripped("/mcp").0, "/mcp");
    }

    #[test]
    fn the_decoded_parameter_is_the_token() {
        let request = http::Request::get("/mcp?tok%65n=secret").body(()).unwrap();
        let (parts, ()) = request.into_parts();
        assert_eq!(token(&parts).as_deref(), Some("secret"));
    }
}
