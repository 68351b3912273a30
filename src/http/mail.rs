//! Mail's own endpoints, which no API key reaches: `POST /api/inbound/{customerId}`, where a
//! relay posts replies and bounces signed with the customer's inbound secret, and
//! `/u/{token}`, the unsubscribe link of every sequence message (`GET` shows one button,
//! `POST` — the button, or a mailbox provider's RFC 8058 one-click — unsubscribes at once),
//! and, for sequences that turn tracking on, `/c/{token}` (a signed click redirect) and
//! `/o/{token}` (the open pixel).

use std::sync::Arc;

use ::http::StatusCode;
use ::http::request::Parts;
use hyper::body::Incoming;

use super::auth::client_ip;
use super::body;
use super::response::{self, Body};
use crate::app::App;
use crate::error::Error;
use crate::leads::intent::Action;
use crate::ratelimit::Bucket;
use crate::sequences::{inbound, tracking, unsubscribe};

/// Largest inbound message taken: a reply or a bounce with the returned message, not a
/// mailbox of attachments.
const MAX_INBOUND: usize = 10 * 1024 * 1024;

fn header<'a>(parts: &'a Parts, name: &str) -> Result<&'a str, Error> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::Forbidden(format!("Sign inbound mail: the {name} header is missing")))
}

pub async fn inbound(
    app: &Arc<App>,
    parts: &Parts,
    customer: &str,
    body: Incoming,
) -> Result<hyper::Response<Body>, Error> {
    app.limiters.check(Bucket::Webhooks, &client_ip(parts))?;
    let bytes = body::read(body, MAX_INBOUND).await?;
    let (id, timestamp, signature) = (
        header(parts, "webhook-id")?,
        header(parts, "webhook-timestamp")?,
        header(parts, "webhook-signature")?,
    );
    let refused = || {
        Error::Forbidden(
            "The signature does not verify with this customer's inbound secret \
             (rotate_inbound_secret makes one)"
                .into(),
        )
    };
    let sealed = app
        .store
        .inbound_secret(customer)
        .await?
        .ok_or_else(refused)?;
    let secret = app
        .vault
        .open(&inbound::secret_purpose(customer), &sealed)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let secret = String::from_utf8(secret)
        .map_err(|_| Error::Internal("the inbound secret is not text".into()))?;
    let now = app.clock.now_millis();
    crate::webhooks::sign::verify(&secret, id, timestamp, signature, &bytes, now / 1000)
        .map_err(|e| Error::Forbidden(format!("The signature does not verify: {e}")))?;
    let read = inbound::read(&bytes).map_err(|e| Error::invalid("", e))?;
    let applied = inbound::apply(&app.store, customer, read, id, now).await?;
    app.jobs.wake();
    Ok(response::json(StatusCode::OK, &applied))
}

/// `/u/{token}`: the page with the button, or the unsubscribe itself.
pub async fn unsubscribe_link(
    app: &Arc<App>,
    parts: &Parts,
    token: &str,
    post: bool,
) -> Result<hyper::Response<Body>, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let well_formed = token.len() == 48 && token.bytes().all(|b| b.is_ascii_hexdigit());
    let unknown = || {
        crate::pages::notice::page(
            "Link not recognised",
            "This unsubscribe link is not one we sent. If you keep receiving email you did not \
             ask for, reply to it and ask to be removed.",
            None,
        )
    };
    let page = if !well_formed {
        None
    } else if post {
        unsubscribe::unsubscribe(&app.store, token, app.clock.now_millis())
            .await?
            .then(|| {
                crate::pages::notice::page(
                    "You are unsubscribed",
                    "You will not receive these emails again.",
                    None,
                )
            })
    } else {
        unsubscribe::recipient(&app.store, token).await?.map(|_| {
            crate::pages::notice::page(
                "Unsubscribe",
                "Stop receiving these emails? One click and it is done.",
                Some(crate::pages::notice::Button {
                    label: "Unsubscribe",
                    action: &format!("/u/{token}"),
                    fields: &[("List-Unsubscribe", "One-Click")],
                }),
            )
        })
    };
    Ok(match page {
        Some(page) => response::page(page),
        None => {
            let mut answer = response::page(unknown());
            *answer.status_mut() = StatusCode::NOT_FOUND;
            answer
        }
    })
}

/// A GIF of one transparent pixel.
const PIXEL: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

fn not_ours() -> hyper::Response<Body> {
    let mut answer = response::page(crate::pages::notice::page(
        "Link not recognised",
        "This link was not written by this server, or was changed on the way.",
        None,
    ));
    *answer.status_mut() = StatusCode::NOT_FOUND;
    answer
}

/// `GET /c/{token}`: counts the click and sends the browser on to the URL the message had.
pub async fn click(
    app: &Arc<App>,
    parts: &Parts,
    token: &str,
) -> Result<hyper::Response<Body>, Error> {
    app.limiters.check(Bucket::Collect, &client_ip(parts))?;
    let Some((send, url)) = tracking::read_click(&app.vault, token) else {
        return Ok(not_ours());
    };
    let detail = format!("{url} ({send})");
    tracking::record(
        &app.store,
        &send,
        Action::EmailClick,
        detail,
        app.clock.now_millis(),
    )
    .await?;
    let mut answer = response::with_body(
        StatusCode::SEE_OTHER,
        "text/plain; charset=utf-8",
        String::new(),
    );
    let location = ::http::HeaderValue::from_str(&url)
        .map_err(|_| Error::BadRequest("unusable URL".into()))?;
    answer
        .headers_mut()
        .insert(::http::header::LOCATION, location);
    answer.headers_mut().insert(
        ::http::header::CACHE_CONTROL,
        ::http::HeaderValue::from_static("no-store"),
    );
    Ok(answer)
}

/// `GET /o/{token}`: counts the message's first open and answers the pixel.
pub async fn open(
    app: &Arc<App>,
    parts: &Parts,
    token: &str,
) -> Result<hyper::Response<Body>, Error> {
    app.limiters.check(Bucket::Collect, &client_ip(parts))?;
    let Some(send) = tracking::read_open(&app.vault, token) else {
        return Ok(not_ours());
    };
    tracking::record(
        &app.store,
        &send,
        Action::EmailOpen,
        send.clone(),
        app.clock.now_millis(),
    )
    .await?;
    let mut answer = response::with_body(StatusCode::OK, "image/gif", PIXEL);
    answer.headers_mut().insert(
        ::http::header::CACHE_CONTROL,
        ::http::HeaderValue::from_static("no-store"),
    );
    Ok(answer)
}
