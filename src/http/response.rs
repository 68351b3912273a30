//! Building responses: JSON bodies, the error format, and the body type every route returns.

use std::convert::Infallible;

use bytes::Bytes;
use futures::Stream;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use serde::Serialize;

use crate::error::Error;

/// The one response body type: rmcp's Streamable HTTP service answers with it too.
pub type Body = BoxBody<Bytes, Infallible>;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

/// A response with the given status, content type and body.
pub fn with_body(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// One server-sent event. Each line of `data` gets its own `data:` field: the SSE format ends a
/// field at any line break (CRLF, LF or CR), so a break inside one field would cut the event
/// short and turn the rest into stray fields. A client joins the lines again with `\n`.
pub fn sse_event(name: &str, data: &str) -> Frame<Bytes> {
    let mut frame = String::with_capacity(name.len() + data.len() + 16);
    frame.push_str("event: ");
    frame.push_str(name);
    frame.push('\n');
    for line in data.split("\r\n").flat_map(|line| line.split(['\r', '\n'])) {
        frame.push_str("data: ");
        frame.push_str(line);
        frame.push('\n');
    }
    frame.push('\n');
    Frame::data(Bytes::from(frame))
}

/// A `text/event-stream` response carrying these frames as they come.
pub fn event_stream<S>(frames: S) -> Response<Body>
where
    S: Stream<Item = Result<Frame<Bytes>, Infallible>> + Send + Sync + 'static,
{
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Tells nginx and friends not to buffer the stream.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// Adds `charset=utf-8` to a `text/*` content type that names no charset, whoever built the
/// response (rmcp's transport included): without it a browser decodes the body as
/// windows-1252 and every dash becomes "â€”".
pub fn declare_charset(headers: &mut http::HeaderMap) {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return;
    };
    let Ok(media) = value.to_str() else {
        return;
    };
    let lower = media.to_ascii_lowercase();
    if lower.starts_with("text/")
        && !lower.contains("charset=")
        && let Ok(value) = HeaderValue::from_str(&format!("{media}; charset=utf-8"))
    {
        headers.insert(header::CONTENT_TYPE, value);
    }
}

/// A server-rendered page, under its Content-Security-Policy; never cached, never framed,
/// never sniffed as something else.
pub fn page(page: crate::pages::Page) -> Response<Body> {
    let mut response = with_body(StatusCode::OK, "text/html; charset=utf-8", page.html);
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&page.csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `value` as JSON.
pub fn json(status: StatusCode, value: &impl Serialize) -> Response<Body> {
    json_as(status, "application/json", value)
}

/// `value` as JSON under a specific media type (`application/linkset+json`, ...).
pub fn json_as(
    status: StatusCode,
    content_type: &'static str,
    value: &impl Serialize,
) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(bytes) => with_body(status, content_type, bytes),
        Err(e) => error(&Error::Internal(format!("serializing a response: {e}")), ""),
    }
}

/// The documented error body, `{"error","code","requestId"}`, with its status; 429 gets
/// `Retry-After`. `X-Request-ID` is added to every response by the router.
pub fn error(error: &Error, request_id: &str) -> Response<Body> {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = json(status, &error.body(request_id));
    if let Some(wait) = error.retry_after() {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(crate::error::seconds(wait)),
        );
    }
    if let Error::MethodNotAllowed { allowed } = error
        && let Ok(value) = HeaderValue::from_str(allowed)
    {
        response.headers_mut().insert(header::ALLOW, value);
    }
    if matches!(error, Error::AuthRequired | Error::InvalidKey) {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"heycmo\""),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{declare_charset, sse_event};
    use http::{HeaderMap, HeaderValue, header};

    fn declared(content_type: &'static str) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        declare_charset(&mut headers);
        headers[header::CONTENT_TYPE].to_str().unwrap().to_owned()
    }

    #[test]
    fn text_types_declare_utf_8_once() {
        assert_eq!(
            declared("text/event-stream"),
            "text/event-stream; charset=utf-8"
        );
        assert_eq!(declared("text/html"), "text/html; charset=utf-8");
        assert_eq!(
            declared("text/plain; charset=utf-8"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            declared("Text/Plain; Charset=UTF-8"),
            "Text/Plain; Charset=UTF-8"
        );
        // JSON is UTF-8 by definition and takes no charset parameter.
        assert_eq!(declared("application/json"), "application/json");
    }

    fn text(name: &str, data: &str) -> String {
        let frame = sse_event(name, data).into_data().expect("a data frame");
        String::from_utf8(frame.to_vec()).expect("utf-8")
    }

    #[test]
    fn one_line_data_is_one_field() {
        assert_eq!(
            text("finding", "{\"a\":1}"),
            "event: finding\ndata: {\"a\":1}\n\n"
        );
        assert_eq!(text("ping", ""), "event: ping\ndata: \n\n");
    }

    #[test]
    fn every_kind_of_line_break_starts_a_new_data_field() {
        assert_eq!(
            text("message", "one\ntwo\r\nthree\rfour"),
            "event: message\ndata: one\ndata: two\ndata: three\ndata: four\n\n"
        );
        // No line of the frame but the last is empty, so the event cannot end early.
        let framed = text("message", "a\n\nb\n");
        assert_eq!(
            framed,
            "event: message\ndata: a\ndata: \ndata: b\ndata: \n\n"
        );
        assert!(!framed.trim_end_matches('\n').contains("\n\n"));
    }
}
