//! `GET /live?url=...`: watch the audits work on any URL, without an API key.
//!
//! The SEO and conversion audits run one after the other and every finding is sent as an
//! `event: finding` the moment it is made, then one `event: summary` (or `event: error`). Nothing
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
use super::query_param;
use super::response::{self, Body, sse_event};
use crate::app::App;
use crate::audit::{self, AuditKind};
use crate::error::Error;
use crate::ratelimit::Bucket;

/// Events buffered for a slow reader before the audit waits for it.
const BUFFER: usize = 64;

pub async fn live(app: &Arc<App>, parts: &Parts) -> Result<Response<Body>, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let raw = query_param(&parts.uri, "url").ok_or_else(|| {
        Error::BadRequest("Add the page to audit: /live?url=https://example.com".into())
    })?;
    // Refused URLs answer a plain error before any stream starts.
    let url = app.fetcher.parse(&raw)?;
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
        let mut summary = json!({"url": url.as_str()});
        for kind in [AuditKind::Seo, AuditKind::Cro] {
            let audit = audit::run_streaming(&fetcher, kind, &url, |finding| {
                let sender = sender.clone();
                async move {
                    let data = serde_json::to_string(&finding).unwrap_or_default();
                    let _ = sender.send(sse_event("finding", &data)).await;
                }
            });
            // A viewer who hangs up stops the audit: nobody is left to fetch for.
            let result = tokio::select! {
                result = audit => result,
                () = sender.closed() => return,
            };
            match result {
                Ok(report) => {
                    summary["finalUrl"] = json!(report.final_url);
                    summary[kind.as_str()] = json!({
                        "scores": report.scores,
                        "passed": report.passed,
                        "failed": report.failed,
                    });
                }
                Err(error) => {
                    let error = Error::from(error);
                    let body = json!({"error": error.to_string(), "code": error.code()});
                    let _ = sender.send(sse_event("error", &body.to_string())).await;
                    return;
                }
            }
        }
        summary["durationMs"] = json!(started.elapsed().as_millis() as u64);
        let _ = sender
            .send(sse_event("summary", &summary.to_string()))
            .await;
    });
    Ok(response::event_stream(
        ReceiverStream::new(receiver).map(Ok),
    ))
}
