//! What the pages people use need of HTTP: form bodies, cookies, redirects after a post.

use std::collections::HashMap;

use ::http::{HeaderValue, StatusCode, header};
use hyper::body::Incoming;

use super::body;
use super::response::{self, Body};
use crate::error::Error;

/// Largest form a page posts: a content draft edited in the browser is the biggest.
const MAX_FORM: usize = 256 * 1024;

/// An `application/x-www-form-urlencoded` body; a repeated name keeps its last value.
pub async fn read(body: Incoming) -> Result<HashMap<String, String>, Error> {
    let bytes = body::read(body, MAX_FORM).await?;
    Ok(url::form_urlencoded::parse(&bytes).into_owned().collect())
}

/// A named field of a form, or a clear error naming it.
pub fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> Result<&'a str, Error> {
    form.get(name)
        .map(String::as_str)
        .ok_or_else(|| Error::BadRequest(format!("The form has no {name} field")))
}

/// `303 See Other` to a path on this server: where a form post lands, so a reload does not
/// post again.
pub fn see_other(location: &str) -> Response {
    let mut answer = response::with_body(
        StatusCode::SEE_OTHER,
        "text/plain; charset=utf-8",
        String::new(),
    );
    if let Ok(value) = HeaderValue::from_str(location) {
        answer.headers_mut().insert(header::LOCATION, value);
    }
    answer
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    answer
}

type Response = hyper::Response<Body>;

/// A page with another status than 200 (a refused form, a link not found).
pub fn page_with(status: StatusCode, page: crate::pages::Page) -> Response {
    let mut answer = response::page(page);
    *answer.status_mut() = status;
    answer
}
