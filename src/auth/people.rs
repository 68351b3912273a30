//! People signing in to the pages: with an API key, or with a one-time link
//! (`heycmo login-link --email E` prints one; with SMTP configured, `/login` mails one).
//!
//! A session is a random cookie whose SHA-256 is stored with the key it acts as, so the
//! session has that key's role, and revoking the key (or signing out) ends it. The cookie is
//! HttpOnly and SameSite=Lax, and Secure when the server is reached over https.

use crate::clock::Clock;
use crate::error::Error;
use crate::store::{Millis, Store};

use super::{Principal, hash_key, random_hex};

/// The cookie's name.
pub const COOKIE: &str = "heycmo_session";
/// How long a session lasts.
pub const SESSION_LIFETIME_MS: Millis = 7 * 24 * 3600 * 1000;
/// How long a sign-in link may be used.
pub const LINK_LIFETIME_MS: Millis = 15 * 60 * 1000;

/// A session just made: the cookie's value, shown to the browser only.
pub struct NewSession {
    pub secret: String,
}

/// A signed-in person: who they act as, and what their forms' CSRF tokens are bound to.
#[derive(Clone)]
pub struct Person {
    pub principal: Principal,
    /// Hex of the session's hash: the CSRF binding, never the secret itself.
    pub binding: String,
}

/// A cookie or link secret is 32 random bytes as hex; anything else is refused unread.
fn well_formed(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn start(store: &Store, clock: &dyn Clock, key_id: &str) -> Result<NewSession, Error> {
    let secret = random_hex(32);
    let now = clock.now_millis();
    store
        .create_login(hash_key(&secret), key_id, now, now + SESSION_LIFETIME_MS)
        .await?;
    Ok(NewSession { secret })
}

/// Signs in with an API key.
pub async fn with_key(store: &Store, clock: &dyn Clock, key: &str) -> Result<NewSession, Error> {
    let key = key.trim();
    if !super::looks_like_key(key) {
        return Err(Error::InvalidKey);
    }
    let (record, _) = store
        .key_by_hash(hash_key(key))
        .await?
        .ok_or(Error::InvalidKey)?;
    start(store, clock, &record.id).await
}

/// Signs in with a one-time link's token.
pub async fn with_link(store: &Store, clock: &dyn Clock, token: &str) -> Result<NewSession, Error> {
    let refused = || {
        Error::Forbidden("This sign-in link is unknown, used or expired: ask for a new one".into())
    };
    if !well_formed(token) {
        return Err(refused());
    }
    let key_id = store
        .use_login_link(hash_key(token), clock.now_millis())
        .await?
        .ok_or_else(refused)?;
    start(store, clock, &key_id).await
}

/// The person a session cookie belongs to, if it is live.
pub async fn person(
    store: &Store,
    clock: &dyn Clock,
    secret: &str,
) -> Result<Option<Person>, Error> {
    if !well_formed(secret) {
        return Ok(None);
    }
    let hash = hash_key(secret);
    Ok(store
        .login(hash, clock.now_millis())
        .await?
        .map(|(key, customer)| Person {
            principal: Principal::new(customer, key.scope),
            binding: hex::encode(hash),
        }))
}

/// Ends the session of this cookie.
pub async fn sign_out(store: &Store, clock: &dyn Clock, secret: &str) -> Result<(), Error> {
    if well_formed(secret) {
        store
            .end_login(hash_key(secret), clock.now_millis())
            .await?;
    }
    Ok(())
}

/// A one-time sign-in URL for the person with this email, if one has an account.
pub async fn link(
    store: &Store,
    clock: &dyn Clock,
    public_url: &str,
    email: &str,
) -> Result<Option<String>, Error> {
    let Some(key) = store.key_for_email(email).await? else {
        return Ok(None);
    };
    let token = random_hex(32);
    let now = clock.now_millis();
    store
        .create_login_link(hash_key(&token), &key.id, now, now + LINK_LIFETIME_MS)
        .await?;
    Ok(Some(format!(
        "{}/login/{token}",
        public_url.trim_end_matches('/')
    )))
}

/// The `Set-Cookie` value of a session (`secret` empty and `max_age` 0 clear it).
pub fn cookie(secret: &str, secure: bool, max_age_seconds: i64) -> String {
    format!(
        "{COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The mail that carries a sign-in link: transactional, so no unsubscribe link.
pub fn link_message(
    from: &lettre::message::Mailbox,
    to: &str,
    url: &str,
) -> Result<lettre::Message, String> {
    let to: lettre::Address = to
        .parse()
        .map_err(|e| format!("{to:?} cannot be mailed: {e}"))?;
    lettre::Message::builder()
        .from(from.clone())
        .to(lettre::message::Mailbox::new(None, to))
        .subject("Your heycmo sign-in link")
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(format!(
            "Sign in to heycmo with this link. It works once, for 15 minutes:\n\n{url}\n\n\
             If you did not ask for it, ignore this message.\n"
        ))
        .map_err(|e| format!("the message cannot be built: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_over_https() {
        let plain = cookie("ab", false, 60);
        assert_eq!(
            plain,
            "heycmo_session=ab; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        assert!(cookie("ab", true, 60).ends_with("; Secure"));
    }
}
