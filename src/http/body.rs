//! Reading request bodies: bounded, and JSON errors in the documented format.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use serde_json::Value;

use crate::error::Error;

/// The whole body, refused past `limit` bytes whatever `Content-Length` claims.
pub async fn read(body: Incoming, limit: usize) -> Result<Bytes, Error> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error)
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(Error::PayloadTooLarge { limit })
        }
        Err(error) => Err(Error::BadRequest(format!(
            "reading the request body: {error}"
        ))),
    }
}

/// The body as JSON; `None` for an empty body (no input at all, which is not JSON `null`).
pub async fn read_json(body: Incoming, limit: usize) -> Result<Option<Value>, Error> {
    let bytes = read(body, limit).await?;
    // JSON's own whitespace only (RFC 8259): a form feed, which `is_ascii_whitespace` counts,
    // is not an empty body but a malformed one.
    if bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Ok(None);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| Error::BadRequest(format!("Malformed JSON body: {e}")))
}
