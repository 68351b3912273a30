//! `GET /live?url=...`: watch the audits work on any URL, without an API key.
//!
//! A client that asks for `text/event-stream` gets the stream: the SEO and conversion audits run
//! one after the other and every finding is sent as an `event: finding` the moment it is made,
//! then one `event: summary`, or an `event: error` in the error format with the request's id —
//! a missing or refused URL included, so a stream reader has one way to learn what went wrong.
//! Anyone else (a browser) gets the page, whose script reads that same stream. Nothing is
//! stored: there is no customer. Each stream counts against the pre-auth limit of its IP, and
//! fetches go through a fetcher whose SSRF guard stays on whatever the tools may reach.

use std::sync::Arc;
use std::time::Instant;

use ::http::request::Parts;
use ::http::{Response, header};
use bytes::Bytes;
use futures::StreamExt;
use hyper::body::Frame;
use serde_json::json;
use tokio::sync::mpsc::Sender;
use tokio_stream::wrappers::ReceiverStream;

use super::auth::client_ip;
use super::response::{self, Body, sse_event};
use super::{query_param, request_id};
use crate::app::App;
use crate::audit::{self, AuditKind};
use crate::error::Error;
use crate::ratelimit::Bucket;
use crate::web::Fetcher;

/// The audits a viewer watches, in this order.
const KINDS: [AuditKind; 2] = [AuditKind::Seo, AuditKind::Cro];

/// Events buffered for a slow reader before the audit waits for it.
const BUFFER: usize = 64;

pub async fn live(app: &Arc<App>, parts: &Parts) -> Result<Response<Body>, Error> {
    let raw = query_param(&parts.uri, "url");
    if !wants_stream(parts) {
        return Ok(response::page(crate::pages::live::page(
            raw.as_deref().unwrap_or(""),
        )));
    }
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let request_id = request_id(parts);
    let (sender, receiver) = tokio::sync::mpsc::channel(BUFFER);
    let checked = raw
        .ok_or_else(|| {
            Error::BadRequest("Add the page to audit: /live?url=https://example.com".into())
        })
        .and_then(|raw| app.live_fetcher.parse(&raw).map_err(Error::from));
    match checked {
        Ok(url) => {
            tokio::spawn(watch(app.live_fetcher.clone(), url, sender, request_id));
        }
        Err(error) => {
            let _ = sender.try_send(error_event(&error, &request_id));
        }
    }
    Ok(response::event_stream(
        ReceiverStream::new(receiver).map(Ok),
    ))
}

/// Whether the request asks for the event stream rather than the page.
fn wants_stream(parts: &Parts) -> bool {
    parts
        .headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|range| {
            range
                .split(';')
                .next()
                .is_some_and(|media| media.trim().eq_ignore_ascii_case("text/event-stream"))
        })
}

fn error_event(error: &Error, request_id: &str) -> Frame<Bytes> {
    sse_event("error", &error.body(request_id).to_string())
}

/// Runs the audits of `url`, sending what they find to `sender` until done or hung up on.
async fn watch(fetcher: Fetcher, url: url::Url, sender: Sender<Frame<Bytes>>, request_id: String) {
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
                if let Some(reason) = report.not_audited {
                    summary["notAudited"] = json!(reason);
                }
            }
            summary["durationMs"] = json!(started.elapsed().as_millis() as u64);
            sse_event("summary", &summary.to_string())
        }
        Err(error) => error_event(&Error::from(error), &request_id),
    };
    let _ = sender.send(event).await;
}
