//! Signing up, without a key: `POST /api/checkout`, Stripe's webhook
//! (`POST /api/webhooks/stripe`), the one hand-over of the key (`GET /api/session/{id}`), and
//! the pages a person meets on the way: `/signup/{id}` (the local trial's one click) and
//! `/welcome?session_id=` (where Stripe sends them back, and where the key can be shown once).

use std::sync::Arc;

use ::http::request::Parts;
use ::http::{HeaderValue, StatusCode, header};
use hyper::body::Incoming;
use serde::Deserialize;

use super::auth::{client_ip, query_param};
use super::response::{self, Body};
use super::{body, forms};
use crate::app::App;
use crate::auth::csrf;
use crate::billing::Session;
use crate::error::Error;
use crate::pages::notice::{self, Button};
use crate::ratelimit::Bucket;

type Response = hyper::Response<Body>;

/// Stripe's events are small; its documentation caps payloads well under this.
const MAX_EVENT: usize = 512 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckoutInput {
    email: String,
}

/// `POST /api/checkout {email}` → `{url}`: charged to the checkout limit and to the
/// pre-auth limit of the caller's address.
pub async fn checkout(app: &Arc<App>, parts: &Parts, body: Incoming) -> Result<Response, Error> {
    let ip = client_ip(parts);
    app.limiters.check(Bucket::Preauth, &ip)?;
    app.limiters.check(Bucket::Checkout, &ip)?;
    let value = body::read_json(body, 4096)
        .await?
        .ok_or_else(|| Error::invalid("", "send {\"email\": \"…\"}"))?;
    let input: CheckoutInput =
        serde_json::from_value(value).map_err(|e| Error::invalid("", e.to_string()))?;
    let url = app.billing.checkout(&input.email).await?;
    Ok(response::json(
        StatusCode::OK,
        &serde_json::json!({ "url": url }),
    ))
}

/// `POST /api/webhooks/stripe`: the signature is checked on the raw bytes, before parsing.
pub async fn stripe_webhook(
    app: &Arc<App>,
    parts: &Parts,
    body: Incoming,
) -> Result<Response, Error> {
    app.limiters.check(Bucket::Webhooks, &client_ip(parts))?;
    let bytes = body::read(body, MAX_EVENT).await?;
    let signature = parts
        .headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let received = app.billing.webhook(signature, &bytes).await?;
    Ok(response::json(StatusCode::OK, &received))
}

/// Seconds an agent is told to wait before asking for a session again.
const RETRY_SECONDS: &str = "3";

/// `GET /api/session/{id}`: the key once (200), not yet (202 with `Retry-After`), handed
/// over already (410), unknown (404).
pub async fn session(app: &Arc<App>, parts: &Parts, id: &str) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let mut answer = match app.billing.claim(id).await? {
        Session::Ready(handover) => response::json(StatusCode::OK, &handover),
        Session::Pending => {
            let mut answer = response::json(
                StatusCode::ACCEPTED,
                &serde_json::json!({"status": "pending", "retryAfter": 3}),
            );
            answer
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_SECONDS));
            answer
        }
    };
    answer
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(answer)
}

fn binding(id: &str) -> String {
    format!("signup:{id}")
}

fn not_found() -> Response {
    forms::page_with(
        StatusCode::NOT_FOUND,
        notice::page(
            "Sign-up not found",
            "This sign-up link is unknown or has expired. Start again from the sign-up form.",
            None,
        ),
    )
}

/// `GET /signup/{id}`: the local trial's page, one button.
pub async fn trial_page(app: &Arc<App>, parts: &Parts, id: &str) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let Some(signup) = app.billing.store.signup(id).await? else {
        return Ok(not_found());
    };
    if signup.provider != "local" || signup.expires_at < app.clock.now_millis() {
        return Ok(not_found());
    }
    if signup.customer_id.is_some() {
        return Ok(forms::see_other(&format!("/welcome?session_id={id}")));
    }
    let token = csrf::token(&app.vault, &binding(id));
    let action = format!("/signup/{id}");
    Ok(response::page(notice::page(
        "Start your 30-day trial",
        &format!(
            "Your account will be {}. This server has no billing set up: the trial needs no card, and it is never cut off.",
            signup.email
        ),
        Some(Button {
            label: "Start my trial",
            action: &action,
            fields: &[("csrf", &token)],
        }),
    )))
}

/// `POST /signup/{id}`: makes the customer, then sends the person to the welcome page.
pub async fn finish_trial(
    app: &Arc<App>,
    parts: &Parts,
    id: &str,
    body: Incoming,
) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let form = forms::read(body).await?;
    forms::check_csrf(&app.vault, &binding(id), &form)?;
    app.billing.finish_local(id).await?;
    Ok(forms::see_other(&format!("/welcome?session_id={id}")))
}

fn welcome_binding(id: &str) -> String {
    format!("welcome:{id}")
}

/// `GET /welcome?session_id=`: finished or not yet, and the button that shows the key once.
pub async fn welcome(app: &Arc<App>, parts: &Parts) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let Some(id) = query_param(&parts.uri, "session_id") else {
        return Ok(not_found());
    };
    let Some(signup) = app.billing.store.signup(&id).await? else {
        return Ok(not_found());
    };
    let token = csrf::token(&app.vault, &welcome_binding(&id));
    let action = format!("/welcome?session_id={id}");
    let page = match (&signup.customer_id, &signup.failure, signup.claimed_at) {
        (_, Some(failure), _) => notice::page("Sign-up not finished", failure, None),
        (None, None, _) => notice::page(
            "Finishing your sign-up",
            "Stripe has not told us about your payment yet; this takes a few seconds. Reload this page in a moment.",
            None,
        ),
        (Some(_), None, Some(_)) => notice::page(
            "You are signed up",
            "Your API key was handed over already (keys are shown once). Sign in at /login with it, or with a one-time link.",
            None,
        ),
        (Some(_), None, None) => notice::page(
            "You are signed up",
            &format!(
                "Your account {} is ready. Your API key is shown once: to whoever asks first, this page or an agent calling GET /api/session/{id}.",
                signup.email
            ),
            Some(Button {
                label: "Show my API key",
                action: &action,
                fields: &[("csrf", &token)],
            }),
        ),
    };
    Ok(response::page(page))
}

/// `POST /welcome?session_id=`: hands the key over to the person, once.
pub async fn reveal(app: &Arc<App>, parts: &Parts, body: Incoming) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let id = query_param(&parts.uri, "session_id")
        .ok_or_else(|| Error::BadRequest("session_id is missing".into()))?;
    let form = forms::read(body).await?;
    forms::check_csrf(&app.vault, &welcome_binding(&id), &form)?;
    let page = match app.billing.claim(&id).await? {
        Session::Ready(handover) => notice::page(
            "Your API key",
            &format!(
                "{} — copy it now, it is not shown again. MCP endpoint: {}. Sign in to the dashboard at /login with this key.",
                handover.api_key, handover.mcp_endpoint
            ),
            None,
        ),
        Session::Pending => notice::page(
            "Finishing your sign-up",
            "Not finished yet; go back and reload in a moment.",
            None,
        ),
    };
    Ok(response::page(page))
}
