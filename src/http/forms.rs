//! What the pages people use need of HTTP: form bodies, cookies, redirects after a post.

use std::collections::HashMap;

use ::http::request::Parts;
use ::http::{HeaderValue, StatusCode, header};
use hyper::body::Incoming;

use super::body;
use super::response::{self, Body};
use crate::error::Error;

/// Largest form a page posts: a content draft edited in the browser is the biggest.
const MAX_FORM: usize = 1024 * 1024;

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

/// Refuses a form whose `csrf` field is not `binding`'s token.
pub fn check_csrf(
    vault: &crate::vault::Vault,
    binding: &str,
    form: &HashMap<String, String>,
) -> Result<(), Error> {
    if crate::auth::csrf::verify(vault, binding, field(form, "csrf")?) {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "The form's CSRF token does not match: reload the page and try again".into(),
        ))
    }
}

/// The value of cookie `name`, if the request sent it.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
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

/// Adds `Set-Cookie`.
pub fn set_cookie(answer: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        answer.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A page with another status than 200 (a refused form, a link not found).
pub fn page_with(status: StatusCode, page: crate::pages::Page) -> Response {
    let mut answer = response::page(page);
    *answer.status_mut() = status;
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_exact_name() {
        let request = ::http::Request::builder()
            .header(header::COOKIE, "a=1; heycmo_session=abc")
            .header(header::COOKIE, "other=2")
            .body(())
            .unwrap();
        let (parts, ()) = request.into_parts();
        assert_eq!(cookie(&parts, "heycmo_session"), Some("abc"));
        assert_eq!(cookie(&parts, "other"), Some("2"));
        assert_eq!(cookie(&parts, "session"), None);
    }
}
