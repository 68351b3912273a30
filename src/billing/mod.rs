//! Sign-up and billing: `POST /api/checkout` starts a sign-up by email, Stripe (or, on a
//! server without Stripe, one click on a local trial page) finishes it, and
//! `GET /api/session/{id}` hands the new key over once.
//!
//! With Stripe configured, the customer is made by the signed `checkout.session.completed`
//! webhook, never by the browser coming back, so a forged return URL makes nothing; later
//! `customer.subscription.*` and `invoice.*` events keep the customer's status in step. A
//! customer whose subscription is canceled or unpaid keeps reading but may not write.
//! Self-hosted servers without Stripe never limit anyone.

pub mod events;
pub mod signature;
pub mod stripe;

use std::sync::Arc;

use serde::Serialize;

use crate::auth;
use crate::clock::Clock;
use crate::error::Error;
use crate::store::{
    Applied, BillingChange, Customer, KeyScope, Millis, NewCustomer, NewSignup, SignupClaim,
    SignupCustomer, Store,
};
use crate::vault::Vault;

pub use stripe::{Stripe, StripeConfig, TRIAL_DAYS};

/// How long a started sign-up may be finished.
const SIGNUP_LIFETIME_MS: Millis = 24 * 3600 * 1000;
const DAY_MS: Millis = 24 * 3600 * 1000;

/// Statuses that stop writes: what a customer must fix billing to leave.
const BLOCKED: &[&str] = &["canceled", "unpaid", "incomplete_expired", "paused"];

/// True when the customer's subscription no longer allows writes.
pub fn writes_blocked(customer: &Customer) -> bool {
    BLOCKED.contains(&customer.status.as_str())
}

/// What the vault binds a sign-up's sealed key to.
fn key_purpose(signup: &str) -> String {
    format!("signup:{signup}")
}

/// The key of a finished sign-up, answered once (the seed's shape).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handover {
    pub customer_id: String,
    pub email: String,
    pub api_key: String,
    pub mcp_endpoint: String,
}

/// What `GET /api/session/{id}` found.
pub enum Session {
    Ready(Handover),
    Pending,
}

/// What a verified Stripe webhook did, as its answer says.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub received: bool,
    /// `applied`, `duplicate`, `stale` (a newer event had set the state), `ignored` (a type
    /// heycmo does not act on) or `email_taken`.
    pub outcome: &'static str,
}

/// Sign-ups and billing for one server.
pub struct Billing {
    pub store: Store,
    pub vault: Vault,
    pub clock: Arc<dyn Clock>,
    pub public_url: Arc<str>,
    pub stripe: Option<Stripe>,
}

/// A plain check of an address: something@something.something, no spaces, at most 254.
fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

impl Billing {
    fn base(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }

    /// `POST /api/checkout`: the URL the person opens to finish signing up.
    pub async fn checkout(&self, email: &str) -> Result<String, Error> {
        let email = email.trim();
        if !valid_email(email) {
            return Err(Error::invalid("/email", "is not an email address"));
        }
        if self.store.customer_by_email(email).await?.is_some() {
            return Err(Error::Conflict(
                "An account with this email exists already: sign in at /login".into(),
            ));
        }
        let now = self.clock.now_millis();
        let (id, provider, url) = match &self.stripe {
            Some(stripe) => {
                let idempotency = format!("heycmo-checkout-{}", auth::random_hex(16));
                let session = stripe
                    .create_checkout(
                        email,
                        &format!("{}/welcome?session_id={{CHECKOUT_SESSION_ID}}", self.base()),
                        &format!("{}/login", self.base()),
                        &idempotency,
                    )
                    .await?;
                (session.id, "stripe", session.url)
            }
            None => {
                let id = format!("cs_local_{}", auth::random_hex(24));
                let url = format!("{}/signup/{id}", self.base());
                (id, "local", url)
            }
        };
        self.store
            .create_signup(NewSignup {
                id,
                email: email.to_owned(),
                provider: provider.into(),
                created_at: now,
                expires_at: now + SIGNUP_LIFETIME_MS,
            })
            .await?;
        Ok(url)
    }

    /// A customer with an owner key whose secret is sealed to the sign-up.
    fn new_customer(&self, signup: &str, email: &str, status: &str) -> SignupCustomer {
        let now = self.clock.now_millis();
        let key = auth::mint_key(KeyScope::Owner, "owner", self.clock.as_ref());
        SignupCustomer {
            customer: NewCustomer {
                id: format!("cust_{}", auth::random_hex(8)),
                email: email.to_owned(),
                plan: if self.stripe.is_some() {
                    "pro"
                } else {
                    "trial"
                }
                .into(),
                created_at: now,
            },
            sealed_key: self.vault.seal(&key_purpose(signup), key.secret.as_bytes()),
            key: key.record,
            status: status.into(),
            trial_ends_at: Some(now + Millis::from(TRIAL_DAYS) * DAY_MS),
        }
    }

    /// The local trial's one click.
    pub async fn finish_local(&self, signup: &str) -> Result<(), Error> {
        let record = self
            .store
            .signup(signup)
            .await?
            .ok_or_else(|| Error::NotFound("No such sign-up".into()))?;
        let customer = self.new_customer(signup, &record.email, "trialing");
        self.store
            .finish_local_signup(signup, customer, self.clock.now_millis())
            .await?;
        Ok(())
    }

    /// `GET /api/session/{id}`: the key once, 202 before the sign-up is finished, 410 after
    /// it was handed over.
    pub async fn claim(&self, signup: &str) -> Result<Session, Error> {
        match self
            .store
            .claim_signup(signup, self.clock.now_millis())
            .await?
        {
            SignupClaim::Unknown => Err(Error::NotFound("No such checkout session".into())),
            SignupClaim::Pending => Ok(Session::Pending),
            SignupClaim::Failed(why) => Err(Error::Conflict(why)),
            SignupClaim::Claimed => Err(Error::Gone(
                "This session's key was handed over already; keys are shown once. Sign in at \
                 /login and make a new one on /team."
                    .into(),
            )),
            SignupClaim::Ready {
                customer_id,
                email,
                sealed_key,
            } => {
                let key = self
                    .vault
                    .open(&key_purpose(signup), &sealed_key)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                let api_key = String::from_utf8(key)
                    .map_err(|_| Error::Internal("a sealed key is not text".into()))?;
                Ok(Session::Ready(Handover {
                    mcp_endpoint: crate::account::sse_endpoint(&self.public_url, Some(&api_key)),
                    customer_id,
                    email,
                    api_key,
                }))
            }
        }
    }

    /// `POST /api/webhooks/stripe`: verifies the signature on the raw body, then applies the
    /// event once.
    pub async fn webhook(&self, signature: Option<&str>, body: &[u8]) -> Result<Received, Error> {
        let stripe = self
            .stripe
            .as_ref()
            .ok_or_else(|| Error::Disabled("Stripe is not configured on this server".into()))?;
        let header = signature
            .ok_or_else(|| Error::Forbidden("The Stripe-Signature header is missing".into()))?;
        let now = self.clock.now_millis();
        signature::verify(&stripe.config.webhook_secret, header, body, now / 1000)
            .map_err(|e| Error::Forbidden(format!("Stripe-Signature does not verify: {e}")))?;
        let event: events::Envelope = serde_json::from_slice(body)
            .map_err(|e| Error::BadRequest(format!("not a Stripe event: {e}")))?;
        let reading = events::read(&event).map_err(|e| Error::invalid("", e))?;
        let change = match reading {
            events::Reading::Ignored => {
                return Ok(Received {
                    received: true,
                    outcome: "ignored",
                });
            }
            events::Reading::CheckoutCompleted {
                session,
                email,
                stripe_customer,
                subscription,
            } => BillingChange::CheckoutCompleted {
                customer: Box::new(self.new_customer(&session, &email, "trialing")),
                signup_id: session,
                email,
                stripe_customer,
                subscription,
            },
            events::Reading::Subscription {
                stripe_customer,
                subscription,
                status,
                plan,
                trial_ends_at,
            } => BillingChange::Subscription {
                stripe_customer,
                subscription,
                status,
                plan,
                trial_ends_at,
            },
            events::Reading::Invoice {
                stripe_customer,
                status,
            } => BillingChange::Invoice {
                stripe_customer,
                status: status.into(),
            },
            events::Reading::Notice { stripe_customer } => {
                BillingChange::Notice { stripe_customer }
            }
        };
        let applied = self
            .store
            .apply_stripe_event(&event.id, &event.kind, event.created * 1000, change, now)
            .await?;
        Ok(Received {
            received: true,
            outcome: match applied {
                Applied::Duplicate => "duplicate",
                Applied::Recorded { changed: true } => "applied",
                Applied::Recorded { changed: false } => "stale",
                Applied::EmailTaken => "email_taken",
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_checked_plainly() {
        for good in ["a@example.com", "first.last+tag@sub.example.co"] {
            assert!(valid_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@example.com",
            "a@.com",
            "a b@example.com",
            "a@b.c@d.e",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }
}
