//! The job that mails one step to one lead ([`crate::store::SEND_JOB`]).
//!
//! In order: the checks that may skip the step (the enrollment stopped, the sequence paused,
//! the address suppressed, the goal reached), the window (a step outside the lead's hours
//! moves to the next opening), then the claim (`sending`, committed), the SMTP exchange, and
//! the record of the outcome with the next step's send and job in one transaction. A job that
//! finds its send `sending` is the restart after an interrupted exchange: it sends the same
//! message again, same Message-ID, and the send's `attempts` shows it.

use std::sync::Arc;

use chrono_tz::Tz;
use futures::future::BoxFuture;
use serde::Deserialize;
use serde_json::json;

use super::mailer::Mailer;
use super::message::{self, Compose, Recipient};
use super::unsubscribe::token_hash;
use super::{Definition, definition_of, window};
use crate::clock::Clock;
use crate::jobs::{Failure, Handler, Retry};
use crate::leads::{Fields, suppression_hash};
use crate::store::{Claim, JobRecord, Millis, NewEvent, NewSend, SendContext, SendOutcome, Store};

const DAY: Millis = 86_400_000;

/// Mails sequence steps.
pub struct Sender {
    pub store: Store,
    pub mailer: Option<Mailer>,
    pub clock: Arc<dyn Clock>,
    /// Where unsubscribe links point.
    pub public_url: Arc<str>,
    /// Signs click links and open pixels.
    pub vault: crate::vault::Vault,
    /// The job lease, in milliseconds: a `sending` claim older than this was a dead worker's.
    pub lease: Millis,
}

#[derive(Deserialize)]
struct Payload {
    send: String,
}

fn store_failure(error: crate::store::StoreError) -> Failure {
    Failure::from(error.to_string())
}

/// The lead's own time zone (a `timezone` field of the import), else the sequence's.
pub fn zone_of(fields: &Fields, window: &super::Window) -> Tz {
    ["timezone", "timeZone", "time_zone"]
        .iter()
        .find_map(|k| fields.custom.get(*k))
        .and_then(|name| name.trim().parse::<Tz>().ok())
        .or_else(|| window.time_zone.parse().ok())
        .unwrap_or(chrono_tz::UTC)
}

/// The domain Message-IDs are made on: the sender's.
pub fn id_domain(definition: &Definition, mailer: &Mailer) -> String {
    definition
        .from
        .as_deref()
        .and_then(|f| message::mailbox(f).ok())
        .unwrap_or_else(|| mailer.from.clone())
        .email
        .domain()
        .to_owned()
}

/// When a step is due: `delay_days` after `after`, in the lead's next window.
pub fn due_at(after: Millis, delay_days: u32, fields: &Fields, definition: &Definition) -> Millis {
    let hours = definition.hours().unwrap_or(window::Hours {
        start: chrono::NaiveTime::MIN,
        end: chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default(),
        skip_weekends: false,
    });
    window::next_slot(
        after + i64::from(delay_days) * DAY,
        zone_of(fields, &definition.window),
        hours,
    )
}

fn skipped(detail: String, stop: &str) -> SendOutcome {
    SendOutcome {
        state: "skipped",
        detail: Some(detail),
        next: None,
        completed: false,
        stop: Some(stop.to_owned()),
        events: Vec::new(),
        stage_from_new: None,
    }
}

impl Sender {
    async fn send(&self, job: &JobRecord) -> Result<(), Failure> {
        let Payload { send } = serde_json::from_str(&job.payload)
            .map_err(|e| Failure::permanent(format!("unreadable send job: {e}")))?;
        // A send whose lead was erased went with it.
        let Some(ctx) = self
            .store
            .send_context(&send)
            .await
            .map_err(store_failure)?
        else {
            return Ok(());
        };
        if !matches!(ctx.send.state.as_str(), "scheduled" | "sending") {
            return Ok(());
        }
        let now = self.clock.now_millis();
        if ctx.enrollment.state != "active" {
            return self
                .finish(
                    &send,
                    skipped("the lead left the sequence".into(), "left"),
                    now,
                )
                .await;
        }
        if ctx.sequence.state != "active" {
            // Held: resuming the sequence queues the send again.
            return Ok(());
        }
        let definition =
            definition_of(&ctx.sequence).map_err(|e| Failure::permanent(e.to_string()))?;
        let mailer = self.mailer.as_ref().ok_or_else(|| {
            Failure::permanent(
                "no mail server is configured: start heycmo with --smtp-url and --mail-from",
            )
        })?;
        let fields = crate::leads::score::fields_of(&ctx.lead)
            .map_err(|e| Failure::permanent(e.to_string()))?;
        let customer = ctx.send.customer_id.clone();
        if ctx.send.state == "scheduled" {
            if ctx.send.due_at > now + 1000 {
                // An older job of a send moved later; the send's own job comes then.
                return Ok(());
            }
            let slot = due_at(now, 0, &fields, &definition);
            if slot > now + 60_000 {
                return self
                    .store
                    .reschedule_send(&send, slot, now)
                    .await
                    .map_err(store_failure);
            }
        }
        let suppression = suppression_hash(&customer, &ctx.lead.email);
        if self
            .store
            .suppressed(&customer, &suppression)
            .await
            .map_err(store_failure)?
        {
            return self
                .finish(
                    &send,
                    skipped(
                        "the address is on the suppression list".into(),
                        "suppressed",
                    ),
                    now,
                )
                .await;
        }
        if let Some(goal) = &definition.stop.goal_path
            && self.reached(&ctx, goal).await.map_err(store_failure)?
        {
            return self
                .finish(
                    &send,
                    skipped(format!("the lead reached {goal}"), "goal"),
                    now,
                )
                .await;
        }
        let Some(step) = definition.steps.get(ctx.send.step as usize) else {
            // The sequence was cut shorter since this send was planned: the lead is done.
            let mut outcome = skipped("the sequence has fewer steps now".into(), "");
            (outcome.stop, outcome.completed) = (None, true);
            return self.finish(&send, outcome, now).await;
        };
        let recipient = Recipient::of(&ctx.lead.email, &fields);
        let texts = message::personalise(&step.subject, &recipient)
            .and_then(|subject| Ok((subject, message::personalise(&step.body, &recipient)?)));
        let (subject, body) = match texts {
            Ok(texts) => texts,
            Err(error) => return self.fail(&ctx, error, now).await,
        };
        let from = match &definition.from {
            Some(from) => message::mailbox(from).map_err(Failure::permanent)?,
            None => mailer.from.clone(),
        };
        let reply_to = definition
            .reply_to
            .as_deref()
            .map(message::mailbox)
            .transpose()
            .map_err(Failure::permanent)?;
        let token = crate::auth::random_hex(24);
        let claimed = match self
            .store
            .claim_send(
                &send,
                &token_hash(&token),
                &suppression,
                now,
                now - self.lease,
            )
            .await
            .map_err(store_failure)?
        {
            Claim::Claimed(claimed) => claimed,
            Claim::Settled => return Ok(()),
            // Another worker is sending it (a second job of one send, after a resume): if
            // that worker dies, its claim goes stale after a lease and this job takes over.
            Claim::InFlight(since) => {
                return Err(Failure {
                    message: "another worker is sending this step".into(),
                    retry: Retry::NotBefore(since + self.lease + 1),
                });
            }
        };
        let base = self.public_url.trim_end_matches('/');
        let unsubscribe_url = format!("{base}/u/{token}");
        let body = if definition.tracking.clicks {
            super::tracking::rewrite(&body, &self.vault, &send, base)
        } else {
            body
        };
        let pixel = definition
            .tracking
            .opens
            .then(|| super::tracking::pixel(&self.vault, &send, base));
        let mail = message::compose(&Compose {
            from: &from,
            reply_to: reply_to.as_ref(),
            to_email: &ctx.lead.email,
            to_name: fields.name.as_deref(),
            subject: &subject,
            body: &body,
            message_id: &claimed.message_id,
            unsubscribe_url: &unsubscribe_url,
            pixel_url: pixel.as_deref(),
        });
        let mail = match mail {
            Ok(mail) => mail,
            Err(error) => return self.fail(&ctx, error, now).await,
        };
        match mailer.send(mail).await {
            Ok(()) => {
                let sent_at = self.clock.now_millis();
                let outcome = self.sent(
                    &ctx,
                    &definition,
                    mailer,
                    &fields,
                    claimed.attempts,
                    sent_at,
                );
                self.finish(&send, outcome, sent_at).await
            }
            Err(error) if error.permanent => {
                let stop = if definition.stop.on_bounce {
                    "bounced"
                } else {
                    "failed"
                };
                let outcome = SendOutcome {
                    state: "failed",
                    detail: Some(error.message.clone()),
                    next: None,
                    completed: false,
                    stop: Some(stop.into()),
                    events: vec![self.bounced(&ctx, &error.message, now)],
                    stage_from_new: None,
                };
                self.finish(&send, outcome, now).await?;
                Err(Failure::permanent(error.message))
            }
            Err(error) => {
                if job.attempts >= job.max_attempts {
                    self.fail(&ctx, error.message.clone(), now).await?;
                }
                Err(Failure::from(error.message))
            }
        }
    }

    /// The outcome of a send the server accepted: the next step's send, or the end.
    fn sent(
        &self,
        ctx: &SendContext,
        definition: &Definition,
        mailer: &Mailer,
        fields: &Fields,
        attempts: u32,
        now: Millis,
    ) -> SendOutcome {
        let next_step = ctx.send.step + 1;
        let next = definition.steps.get(next_step as usize).map(|step| {
            let id = format!("snd_{}", crate::auth::random_hex(8));
            NewSend {
                message_id: super::message_id(&id, &id_domain(definition, mailer)),
                id,
                step: next_step,
                due_at: due_at(now, step.delay_days, fields, definition),
            }
        });
        let completed = next.is_none();
        let events = if completed {
            vec![NewEvent::new(
                ctx.send.customer_id.clone(),
                "sequence.completed",
                &json!({
                    "sequenceId": ctx.sequence.id,
                    "leadId": ctx.lead.id,
                    "steps": definition.steps.len(),
                }),
                now,
            )]
        } else {
            Vec::new()
        };
        SendOutcome {
            state: "sent",
            detail: (attempts > 1).then(|| {
                format!(
                    "sent again after {} interrupted attempt(s), with the same Message-ID",
                    attempts - 1
                )
            }),
            next,
            completed,
            stop: None,
            events,
            stage_from_new: Some("contacted"),
        }
    }

    fn bounced(&self, ctx: &SendContext, reason: &str, now: Millis) -> NewEvent {
        NewEvent::new(
            ctx.send.customer_id.clone(),
            "email.bounced",
            &json!({
                "sequenceId": ctx.sequence.id,
                "leadId": ctx.lead.id,
                "step": ctx.send.step,
                "reason": reason,
            }),
            now,
        )
    }

    /// Whether the lead's identified visits reached `goal` since it was enrolled.
    async fn reached(
        &self,
        ctx: &SendContext,
        goal: &str,
    ) -> Result<bool, crate::store::StoreError> {
        let customer = &ctx.send.customer_id;
        let hashes: Vec<String> = self
            .store
            .sites(customer)
            .await?
            .iter()
            .map(|site| crate::analytics::collector::email_hash(&site.id, &ctx.lead.email))
            .collect();
        let goal = goal.to_lowercase();
        Ok(self
            .store
            .lead_signals(customer, &[goal.as_str()], Some(&hashes))
            .await?
            .iter()
            .any(|s| {
                s.at >= ctx.enrollment.created_at
                    && s.path
                        .as_deref()
                        .is_some_and(|p| p.to_lowercase().starts_with(&goal))
            }))
    }

    async fn fail(&self, ctx: &SendContext, error: String, now: Millis) -> Result<(), Failure> {
        let outcome = SendOutcome {
            state: "failed",
            detail: Some(error.clone()),
            next: None,
            completed: false,
            stop: Some("failed".into()),
            events: Vec::new(),
            stage_from_new: None,
        };
        self.finish(&ctx.send.id, outcome, now).await?;
        Err(Failure::permanent(error))
    }

    async fn finish(&self, send: &str, outcome: SendOutcome, now: Millis) -> Result<(), Failure> {
        self.store
            .finish_send(send, outcome, now)
            .await
            .map_err(store_failure)
    }
}

impl Handler for Sender {
    fn run<'a>(&'a self, job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(self.send(job))
    }
}
