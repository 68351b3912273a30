//! Mail's own endpoints, which no API key reaches: `POST /api/inbound/{customerId}`, where a
//! relay posts replies and bounces signed with the customer's inbound secret, and
//! `/u/{token}`, the unsubscribe link of every sequence message (`GET` shows one button,
//! `POST` — the button, or a mailbox provider's RFC 8058 one-click — unsubscribes at once).

use std::sync::Arc;

use ::http::StatusCode;
use ::http::request::Parts;
use hyper::body::Incoming;

use super::auth::client_ip;
use super::body;
use super::response::{self, Body};
use crate::app::App;
use crate::error::Error;
use crate::ratelimit::Bucket;
use crate::sequences::{inbound, unsubscribe};

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
                Some(("Unsubscribe", &format!("/u/{token}"))),
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
