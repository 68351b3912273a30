//! Sign-ups and billing: a checkout started by email, finished by Stripe's webhook or by one
//! click on a local trial, and the subscription state Stripe reports afterwards.
//!
//! The new customer's key is handed over once, by `GET /api/session/{id}`: until then it is
//! kept sealed with the server key on the sign-up row, and claiming it clears it in the same
//! transaction, so a second claim finds nothing to hand over.

use async_trait::async_trait;

use super::{Millis, NewCustomer, NewKey, StoreResult};

/// A sign-up as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupRecord {
    /// Stripe's Checkout Session id (`cs_…`), or `cs_local_…` for a local trial.
    pub id: String,
    pub email: String,
    /// `stripe` or `local`.
    pub provider: String,
    /// Set once the sign-up has made its customer.
    pub customer_id: Option<String>,
    /// Why the sign-up made no customer (an email already registered), when it failed.
    pub failure: Option<String>,
    pub created_at: Millis,
    pub expires_at: Millis,
    /// When the key was handed over.
    pub claimed_at: Option<Millis>,
}

/// A sign-up to record when a checkout starts.
#[derive(Debug, Clone)]
pub struct NewSignup {
    pub id: String,
    pub email: String,
    pub provider: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

/// The customer a finished sign-up makes.
#[derive(Debug, Clone)]
pub struct SignupCustomer {
    pub customer: NewCustomer,
    pub key: NewKey,
    /// The key's secret sealed with the server key, for the one hand-over.
    pub sealed_key: String,
    /// `trialing` or `active`, until Stripe says otherwise.
    pub status: String,
    pub trial_ends_at: Option<Millis>,
}

/// What claiming a sign-up's key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupClaim {
    Unknown,
    /// The checkout is not finished yet (or its webhook has not arrived).
    Pending,
    /// It made no customer; the text says why.
    Failed(String),
    /// The key was handed over before.
    Claimed,
    /// Handed over now: the sealed key, cleared from the store.
    Ready {
        customer_id: String,
        email: String,
        sealed_key: String,
    },
}

/// A change Stripe reported, keyed by Stripe's customer id (`cus_…`).
#[derive(Debug, Clone)]
pub enum BillingChange {
    /// `checkout.session.completed`: the sign-up `signup_id` makes its customer.
    CheckoutCompleted {
        signup_id: String,
        email: String,
        stripe_customer: String,
        subscription: Option<String>,
        customer: Box<SignupCustomer>,
    },
    /// `customer.subscription.*`: the subscription's status (trialing, active, past_due,
    /// unpaid, canceled, …), plan and trial end.
    Subscription {
        stripe_customer: String,
        subscription: String,
        status: String,
        plan: Option<String>,
        trial_ends_at: Option<Millis>,
    },
    /// `invoice.paid` (`active`) and `invoice.payment_failed` (`past_due`): a status only,
    /// never reviving a canceled subscription.
    Invoice {
        stripe_customer: String,
        status: String,
    },
    /// An event that changes nothing but is told to the customer's event log
    /// (`customer.subscription.trial_will_end`).
    Notice { stripe_customer: String },
}

/// What applying a Stripe event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The event id was seen before: nothing changed.
    Duplicate,
    /// Recorded; `changed` is false when a newer event had already set the state.
    Recorded { changed: bool },
    /// The checkout's email belongs to a customer already: the sign-up failed.
    EmailTaken,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_signup(&self, signup: NewSignup) -> StoreResult<()>;

    async fn signup(&self, id: &str) -> StoreResult<Option<SignupRecord>>;

    /// Finishes a local trial: makes its customer and key, once. A second call, or a sign-up
    /// that is not local, unknown or expired, is `NotFound` / `Conflict`.
    async fn finish_local_signup(
        &self,
        signup_id: &str,
        customer: SignupCustomer,
        at: Millis,
    ) -> StoreResult<()>;

    /// Hands over the sign-up's key once.
    async fn claim_signup(&self, id: &str, at: Millis) -> StoreResult<SignupClaim>;

    /// Applies one Stripe event, once per event id; `created` (Stripe's event time) orders
    /// events that arrive out of order, so an older state never overwrites a newer one.
    async fn apply_stripe_event(
        &self,
        event_id: &str,
        event_type: &str,
        created: Millis,
        change: BillingChange,
        at: Millis,
    ) -> StoreResult<Applied>;
}
