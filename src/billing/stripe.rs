//! Stripe's REST API, the one call heycmo makes: create a Checkout Session.
//!
//! Stripe takes form-encoded bodies with bracketed keys (`line_items[0][price]`), a secret key
//! as Bearer token, and an `Idempotency-Key` that makes a retried request return the first
//! one's session instead of making a second. Its errors are
//! `{"error": {"type", "code", "message", "param"}}`, whose message is passed on.

use std::time::Duration;

use serde::Deserialize;

use crate::error::Error;

/// The operator's Stripe settings (`--stripe-*`).
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `sk_live_…` / `sk_test_…` (or a restricted key that may write Checkout Sessions).
    pub secret_key: String,
    /// The recurring price customers subscribe to (`price_…`).
    pub price: String,
    /// The webhook endpoint's signing secret (`whsec_…`).
    pub webhook_secret: String,
    /// Default https://api.stripe.com; tests point it at a local server.
    pub base_url: String,
}

/// A Checkout Session as far as heycmo reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    pub url: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: StripeError,
}

#[derive(Deserialize)]
struct StripeError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
}

/// Days of trial every subscription starts with.
pub const TRIAL_DAYS: u32 = 30;

pub struct Stripe {
    client: reqwest::Client,
    pub config: StripeConfig,
}

impl Stripe {
    pub fn new(config: StripeConfig) -> Result<Stripe, Error> {
        let client = crate::web::client()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("heycmo/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Internal(format!("building the Stripe client: {e}")))?;
        Ok(Stripe { client, config })
    }

    /// Creates a subscription checkout for `email` with a 30-day trial; Stripe sends the
    /// person back to `success_url` with the session id in place of `{CHECKOUT_SESSION_ID}`.
    pub async fn create_checkout(
        &self,
        email: &str,
        success_url: &str,
        cancel_url: &str,
        idempotency_key: &str,
    ) -> Result<CheckoutSession, Error> {
        let trial = TRIAL_DAYS.to_string();
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("mode", "subscription")
            .append_pair("line_items[0][price]", &self.config.price)
            .append_pair("line_items[0][quantity]", "1")
            .append_pair("customer_email", email)
            .append_pair("subscription_data[trial_period_days]", &trial)
            .append_pair("success_url", success_url)
            .append_pair("cancel_url", cancel_url)
            .finish();
        let url = format!(
            "{}/v1/checkout/sessions",
            self.config.base_url.trim_end_matches('/')
        );
        let answer = self
            .client
            .post(url)
            .bearer_auth(&self.config.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| Error::ProviderFailed(format!("Stripe could not be reached: {e}")))?;
        let status = answer.status();
        let text = answer
            .text()
            .await
            .map_err(|e| Error::ProviderFailed(format!("reading Stripe's answer: {e}")))?;
        if status.is_success() {
            return serde_json::from_str(&text).map_err(|e| {
                Error::ProviderFailed(format!("Stripe answered a session heycmo cannot read: {e}"))
            });
        }
        let said = serde_json::from_str::<ErrorBody>(&text)
            .ok()
            .map(|body| {
                format!(
                    "{} ({})",
                    body.error.message.unwrap_or_default(),
                    body.error.kind.unwrap_or_else(|| "error".into())
                )
            })
            .unwrap_or_else(|| text.chars().take(200).collect());
        Err(Error::ProviderFailed(format!(
            "Stripe refused the checkout ({status}): {said}"
        )))
    }
}
