//! Sending one delivery: the job handler behind [`crate::store::DELIVERY_JOB`].

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde::Deserialize;

use super::{secret_purpose, sign};
use crate::clock::Clock;
use crate::jobs::{Failure, Handler};
use crate::store::{Attempt, JobRecord, Store};
use crate::vault::Vault;
use crate::web::{Fetcher, Outgoing};

/// How the deliverer behaves.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPolicy {
    /// A delivery still failing this long after its event is given up.
    pub give_up_after: Duration,
    /// Failed attempts in a row (across deliveries) that disable a subscription.
    pub disable_after: u32,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            give_up_after: Duration::from_secs(24 * 3600),
            disable_after: 50,
        }
    }
}

/// Posts deliveries to their subscribers.
pub struct Deliverer {
    pub store: Store,
    pub fetcher: Fetcher,
    pub vault: Vault,
    pub clock: Arc<dyn Clock>,
    pub policy: DeliveryPolicy,
}

#[derive(Deserialize)]
struct Payload {
    delivery: String,
}

/// The part of a receiver's answer kept in the log.
const ERROR_EXCERPT: usize = 300;

impl Deliverer {
    async fn deliver(&self, job: &JobRecord) -> Result<(), String> {
        let Payload { delivery } = serde_json::from_str(&job.payload)
            .map_err(|e| format!("unreadable delivery job: {e}"))?;
        let store_error = |e: crate::store::StoreError| e.to_string();
        let Some((record, hook)) = self.store.delivery(&delivery).await.map_err(store_error)?
        else {
            return Ok(()); // the subscription was deleted, and its log with it
        };
        if record.state != "pending" {
            return Ok(());
        }
        let now = self.clock.now_millis();
        let give_up = |error: String| async {
            self.store
                .record_attempt(
                    &record.id,
                    Attempt::GaveUp { error },
                    self.policy.disable_after,
                    now,
                )
                .await
                .map_err(store_error)
        };
        if !hook.enabled {
            let why = hook.disabled_reason.unwrap_or_else(|| "disabled".into());
            return give_up(format!("not sent: the subscription is {why}")).await;
        }
        if now - record.created_at > self.policy.give_up_after.as_millis() as i64 {
            return give_up(format!(
                "given up: still failing {} h after the event",
                self.policy.give_up_after.as_secs() / 3600
            ))
            .await;
        }
        let secret = self
            .vault
            .open(&secret_purpose(&hook.id), &hook.sealed_secret)
            .map_err(|e| e.to_string())?;
        let secret =
            String::from_utf8(secret).map_err(|_| "the stored secret is not text".to_owned())?;
        let signed = sign::headers(&secret, &record.id, now / 1000, record.body.as_bytes())
            .map_err(|e| e.to_string())?;
        let url = self.fetcher.parse(&hook.url).map_err(|e| e.to_string())?;
        let mut headers = vec![(CONTENT_TYPE, "application/json".to_owned())];
        headers.extend(signed);
        let request = Outgoing {
            method: Method::POST,
            url,
            headers,
            body: Bytes::from(record.body.clone()),
        };
        let (attempt, outcome) = match self.fetcher.send(request).await {
            Ok(answer) if (200..300).contains(&answer.status) => (
                Attempt::Delivered {
                    status: answer.status,
                },
                Ok(()),
            ),
            Ok(answer) => {
                let mut error = format!("the receiver answered {}", answer.status);
                let text = answer.text();
                let text = text.trim();
                if !text.is_empty() {
                    let excerpt: String = text.chars().take(ERROR_EXCERPT).collect();
                    error.push_str(&format!(": {excerpt}"));
                }
                (
                    Attempt::Failed {
                        status: Some(answer.status),
                        error: error.clone(),
                    },
                    Err(error),
                )
            }
            Err(fetch) => {
                let error = fetch.to_string();
                (
                    Attempt::Failed {
                        status: None,
                        error: error.clone(),
                    },
                    Err(error),
                )
            }
        };
        self.store
            .record_attempt(
                &record.id,
                attempt,
                self.policy.disable_after,
                self.clock.now_millis(),
            )
            .await
            .map_err(store_error)?;
        outcome
    }
}

impl Handler for Deliverer {
    fn run<'a>(&'a self, job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move { self.deliver(job).await.map_err(Failure::from) })
    }
}
