//! `POST /api/capture/{siteId}`: a lead-capture form, posted by a page of the site with no key
//! (the site's domains and the pre-auth limit per IP guard it). A plain HTML form
//! (`application/x-www-form-urlencoded`) lands on a thank-you page; a script posting JSON gets
//! `{"captured": true}`. Both answer the same whatever became of the address, so the endpoint
//! is no oracle for who is on a list.

use std::sync::Arc;

use ::http::request::Parts;
use ::http::{StatusCode, header};
use hyper::body::Incoming;
use serde_json::{Map, Value, json};

use super::auth::client_ip;
use super::body;
use super::collect::{allow_origin, origin_host};
use super::response::{self, Body};
use crate::app::App;
use crate::error::Error;
use crate::leads::capture::{self, Captured, Form, MAX_BODY};
use crate::ratelimit::Bucket;

/// The page's host: from `Origin`, else from `Referer` (a form post from an older browser).
fn page_host(parts: &Parts) -> Option<String> {
    origin_host(parts).or_else(|| {
        let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
        url::Url::parse(referer).ok()?.host_str().map(str::to_owned)
    })
}

/// The form, from a urlencoded or JSON body.
fn read_form(parts: &Parts, bytes: &[u8]) -> Result<(Form, bool), Error> {
    let kind = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let unreadable =
        |e: serde_json::Error| Error::invalid("", format!("the form cannot be read: {e}"));
    if kind.starts_with("application/x-www-form-urlencoded") {
        let fields: Map<String, Value> = url::form_urlencoded::parse(bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        Ok((
            serde_json::from_value(Value::Object(fields)).map_err(unreadable)?,
            true,
        ))
    } else if kind.starts_with("application/json") || kind.starts_with("text/plain") {
        Ok((serde_json::from_slice(bytes).map_err(unreadable)?, false))
    } else {
        Err(Error::BadRequest(
            "Post the form as application/x-www-form-urlencoded or application/json".into(),
        ))
    }
}

/// Whether `id` has a site id's form (`site_` and 16 hex digits).
fn site_id_form(id: &str) -> bool {
    id.strip_prefix("site_")
        .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The CORS preflight of a capture: allowed for any origin (the post is checked against its
/// site), for a path that can name a site.
pub fn preflight(parts: &Parts, site_id: &str) -> Result<Response, Error> {
    if !site_id_form(site_id) {
        return Err(Error::NotFound(format!("No site {site_id}")));
    }
    Ok(super::collect::preflight(parts))
}

pub async fn capture(
    app: &Arc<App>,
    parts: &Parts,
    site_id: &str,
    body: Incoming,
) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let bytes = body::read(body, MAX_BODY).await?;
    let (form, from_page) = read_form(parts, &bytes)?;
    let site = app
        .store
        .collecting_site(site_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("No site {site_id}")))?;
    let magnet = form.magnet.clone();
    let now = app.clock.now_millis();
    let captured =
        capture::capture(&app.store, &site, page_host(parts).as_deref(), form, now).await?;
    if let Captured::Lead { id, .. } = &captured {
        let ids = [id.clone()];
        crate::leads::score::rescore(&app.store, &site.customer_id, now, Some(&ids)).await?;
    }
    let mut answer = if from_page {
        response::page(crate::pages::notice::captured(magnet.as_deref()))
    } else {
        response::json(StatusCode::ACCEPTED, &json!({"captured": true}))
    };
    allow_origin(parts, &mut answer);
    Ok(answer)
}

type Response = ::http::Response<Body>;
