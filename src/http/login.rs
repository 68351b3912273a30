//! People signing in and out: `/login` (a key, or a one-time link), `/login/{token}` and
//! `/logout`; the dashboard they land on is [`super::dashboard`].
//!
//! Before there is a session, the sign-in forms' CSRF token is bound to a random cookie of
//! their own (double submit), so another site cannot sign a browser in as someone else.

use std::sync::Arc;

use ::http::request::Parts;
use hyper::body::Incoming;

use super::auth::client_ip;
use super::forms;
use super::response::{self, Body};
use crate::app::App;
use crate::auth::csrf;
use crate::auth::people::{self, Person};
use crate::error::Error;
use crate::pages::notice::{self, Button};
use crate::ratelimit::Bucket;

type Response = hyper::Response<Body>;

/// The cookie the sign-in forms' token is bound to.
const FORM_COOKIE: &str = "heycmo_form";

fn secure(app: &App) -> bool {
    app.public_url.starts_with("https://")
}

fn form_binding(value: &str) -> String {
    format!("login:{value}")
}

fn check_form_token(
    app: &App,
    parts: &Parts,
    form: &std::collections::HashMap<String, String>,
) -> Result<(), Error> {
    let bound = forms::cookie(parts, FORM_COOKIE)
        .filter(|bound| !bound.is_empty())
        .ok_or_else(|| {
            Error::Forbidden(
                "The sign-in form's cookie is missing: reload the sign-in page and try again"
                    .into(),
            )
        })?;
    forms::check_csrf(&app.vault, &form_binding(bound), form)
}

/// The person signed in on this request, if any.
pub async fn person(app: &App, parts: &Parts) -> Result<Option<Person>, Error> {
    match forms::cookie(parts, people::COOKIE) {
        Some(secret) => people::person(&app.store, app.clock.as_ref(), secret).await,
        None => Ok(None),
    }
}

/// `GET /login`.
pub async fn page(app: &Arc<App>, parts: &Parts, message: Option<&str>) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let bound = match forms::cookie(parts, FORM_COOKIE) {
        Some(value) if value.len() == 32 => value.to_owned(),
        _ => crate::auth::random_hex(16),
    };
    let token = csrf::token(&app.vault, &form_binding(&bound));
    let mut answer = response::page(crate::pages::account::login(
        &token,
        message,
        app.mailer.is_some(),
    ));
    forms::set_cookie(
        &mut answer,
        &format!(
            "{FORM_COOKIE}={bound}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600{}",
            if secure(app) { "; Secure" } else { "" }
        ),
    );
    Ok(answer)
}

fn signed_in(app: &App, session: people::NewSession) -> Response {
    let mut answer = forms::see_other("/dashboard");
    let max_age = people::SESSION_LIFETIME_MS / 1000;
    forms::set_cookie(
        &mut answer,
        &people::cookie(&session.secret, secure(app), max_age),
    );
    answer
}

/// `POST /login`: a key.
pub async fn with_key(app: &Arc<App>, parts: &Parts, body: Incoming) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let form = forms::read(body).await?;
    check_form_token(app, parts, &form)?;
    let session =
        people::with_key(&app.store, app.clock.as_ref(), forms::field(&form, "key")?).await?;
    Ok(signed_in(app, session))
}

/// `POST /login/link`: mails a link when the address has an account; the answer is the
/// same either way, so the form tells nobody who has one.
pub async fn mail_link(app: &Arc<App>, parts: &Parts, body: Incoming) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let form = forms::read(body).await?;
    check_form_token(app, parts, &form)?;
    let mailer = app
        .mailer
        .as_ref()
        .ok_or_else(|| Error::Unsupported("This server sends no email (no --smtp-url)".into()))?;
    let email = forms::field(&form, "email")?.trim().to_owned();
    if let Some(url) = people::link(&app.store, app.clock.as_ref(), &app.public_url, &email).await?
    {
        let message = people::link_message(&mailer.from, &email, &url)
            .map_err(|e| Error::invalid("/email", e))?;
        if let Err(error) = mailer.send(message).await {
            tracing::warn!(error = %error.message, "the sign-in link could not be mailed");
        }
    }
    page(
        app,
        parts,
        Some("If that address has an account, a sign-in link is on its way. It works once, for 15 minutes."),
    )
    .await
}

fn link_binding(token: &str) -> String {
    format!("link:{token}")
}

/// `GET /login/{token}`: a button, so that a mail scanner following the link does not use it up.
pub async fn link_page(app: &Arc<App>, parts: &Parts, token: &str) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let csrf = csrf::token(&app.vault, &link_binding(token));
    let action = format!("/login/{token}");
    Ok(response::page(notice::page(
        "Sign in to heycmo",
        "This link signs you in once.",
        Some(Button {
            label: "Sign in",
            action: &action,
            fields: &[("csrf", &csrf)],
        }),
    )))
}

/// `POST /login/{token}`.
pub async fn with_link(
    app: &Arc<App>,
    parts: &Parts,
    token: &str,
    body: Incoming,
) -> Result<Response, Error> {
    app.limiters.check(Bucket::Preauth, &client_ip(parts))?;
    let form = forms::read(body).await?;
    forms::check_csrf(&app.vault, &link_binding(token), &form)?;
    let session = people::with_link(&app.store, app.clock.as_ref(), token).await?;
    Ok(signed_in(app, session))
}

/// `POST /logout`.
pub async fn logout(app: &Arc<App>, parts: &Parts, body: Incoming) -> Result<Response, Error> {
    let form = forms::read(body).await?;
    let Some(person) = person(app, parts).await? else {
        return Ok(forms::see_other("/login"));
    };
    forms::check_csrf(&app.vault, &person.binding, &form)?;
    if let Some(secret) = forms::cookie(parts, people::COOKIE) {
        people::sign_out(&app.store, app.clock.as_ref(), secret).await?;
    }
    let mut answer = forms::see_other("/login");
    forms::set_cookie(&mut answer, &people::cookie("", secure(app), 0));
    Ok(answer)
}
