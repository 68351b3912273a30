//! `GET /live?url=...`: watch the audits work on any URL, without an API key.
//!
//! The SEO and conversion audits run one after the other and every finding is sent as an
//! `event: finding` the moment it is made, then one `event: summary` (or `event: error`, in the error format with the request's id). Nothing
//! is stored: there is no customer. Each request counts against the pre-auth limit of its IP, and
//! the URL passes the same SSRF guard as every fetch.

use std::sync::Arc;
use std::time::Instant;

use ::http::Response;
use ::http::request::Parts;
use futures::StreamExt;
use serde_json::json;
use tokio_stream::wrappers::ReceiverStream;

use super::auth::client_ip;
use super::response::{self, Body, sse_event};
use super::{query_param, request_id};
use crate::app::App;
use crate::audit::{self, AuditKind};
use crate::error::Error;
use crate::ratelimit::Bucket;

/// The audits a viewer watches, in this order.
const KINDS: [AuditKind; 2] = [AuditKind::Seo, AuditKind::Cro];

/// Events buffered for a slow reader before the audit waits for it.
const BUFFER: usize = 64;

pub async fn live(app: &Arc<App>, parts: &Parts) -> Result<Response<Body>, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let raw = query_param(&parts.uri, "url").ok_or_else(|| {
        Error::BadRequest("Add the page to audit: /live?url=https://example.com".into())
    })?;
    // Refused URLs answer a plain error before any stream starts.
    let url = app.fetcher.parse(&raw)?;
    let request_id = request_id(parts);
    let (sender, receiver) = tokio::sync::mpsc::channel(BUFFER);
    let fetcher = app.fetcher.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let _ = sender
            .send(sse_event(
                "start",
                &json!({"url": url.as_str()}).to_string(),
            ))
            .await;
        let audits = audit::in_turn(&fetcher, &KINDS, &url, |finding| {
            let sender = sender.clone();
            async move {
                let data = serde_json::to_string(&finding).unwrap_or_default();
                let _ = sender.send(sse_event("finding", &data)).await;
            }
        });
        // A viewer who hangs up stops the audits: nobody is left to fetch for.
        let result = tokio::select! {
            result = audits => result,
            () = sender.closed() => return,
        };
        let event = match result {
            Ok(reports) => {
                let mut summary = json!({"url": url.as_str()});
                for report in reports {
                    summary["finalUrl"] = json!(report.final_url);
                    summary[report.kind.as_str()] = json!({
                        "scores": report.scores,
                        "passed": report.passed,
                        "failed": report.failed,
                    });
                }
                summary["durationMs"] = json!(started.elapsed().as_millis() as u64);
                sse_event("summary", &summary.to_string())
            }
            Err(error) => {
                let error = Error::from(error);
                let body = json!({
                    "error": error.to_string(),
                    "code": error.code(),
                    "requestId": request_id,
                });
                sse_event("error", &body.to_string())
            }
        };
        let _ = sender.send(event).await;
    });
    Ok(response::event_stream(
        ReceiverStream::new(receiver).map(Ok),
    ))
}
