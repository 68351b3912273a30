//! Email sequences: a few steps mailed to a lead over days, each in the lead's own working
//! hours, stopped by a reply, a bounce, an unsubscribe or a goal reached on the site.
//!
//! Each step to each lead is a send row and a durable job ([`send`]). The send is claimed
//! (`sending`, with its Message-ID and unsubscribe token committed) before the SMTP exchange
//! and recorded after it, so a SIGKILL at any point and a restart send the step once. The one
//! moment no ordering closes is after the SMTP server accepted the message and before the
//! commit: the restart then sends the step again *with the same Message-ID*, which mail
//! systems use to recognise copies of one message, and the send's `attempts` says so.

pub mod inbound;
pub mod mailer;
pub mod message;
pub mod send;
pub mod tracking;
pub mod unsubscribe;
pub mod window;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::error::Error;
use crate::store::{EnrollmentCounts, SequenceRecord};

/// Most steps in a sequence.
pub const MAX_STEPS: usize = 10;
/// Most leads enrolled by one call.
pub const MAX_ENROLL: usize = 1000;

/// One email of a sequence, sent `delayDays` after the previous one (after enrollment, for the
/// first), in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// May use the lead's fields: `{{ firstName }}`, `{{ name }}`, `{{ company }}`,
    /// `{{ title }}`, `{{ email }}`, `{{ domain }}`, `{{ country }}`, `{{ industry }}`,
    /// `{{ custom.<column> }}`, and defaults: `{{ firstName | default("there") }}`.
    pub subject: String,
    /// Plain text, personalised like the subject; an unsubscribe link is added below it.
    pub body: String,
    pub delay_days: u32,
    /// The approved email content item the text was taken from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_id: Option<String>,
}

/// The hours of the recipient's day in which steps go out (by default 09:00 to 17:00 on
/// weekdays, in UTC for leads without a time zone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Window {
    /// `HH:MM`, 24-hour; the end may be `24:00`.
    pub start: String,
    pub end: String,
    pub skip_weekends: bool,
    /// For leads without a `timezone` field of their own (IANA name).
    pub time_zone: String,
}

impl Default for Window {
    fn default() -> Window {
        Window {
            start: "09:00".into(),
            end: "17:00".into(),
            skip_weekends: true,
            time_zone: "UTC".into(),
        }
    }
}

/// What ends a lead's sequence early. An unsubscribe always does, and a suppressed address is
/// never mailed; those are not rules one can turn off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct StopRules {
    pub on_reply: bool,
    pub on_bounce: bool,
    /// A path on the customer's sites (`/signup`): once the collector sees the lead's
    /// identified visit reach it, the sequence stops.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal_path: Option<String>,
}

impl Default for StopRules {
    fn default() -> StopRules {
        StopRules {
            on_reply: true,
            on_bounce: true,
            goal_path: None,
        }
    }
}

/// Whether messages report their reading: off unless asked (privacy).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Tracking {
    /// Links go through signed redirects on this server, which count the click.
    pub clicks: bool,
    /// An HTML part carries a one-pixel image from this server, which counts the open (mail
    /// clients that block images, or fetch them all, make opens a rough figure).
    pub opens: bool,
}

/// What a sequence does, stored as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    pub steps: Vec<Step>,
    pub window: Window,
    pub stop: StopRules,
    /// The sender (`Name <address>`); the server's `--mail-from` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(default)]
    pub tracking: Tracking,
}

impl Definition {
    /// Checks what a caller gave: the window, the time zone, each step's personalisation, the
    /// addresses. Errors point at the field.
    pub fn check(&self) -> Result<(), Error> {
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(Error::invalid(
                "/steps",
                format!("give 1 to {MAX_STEPS} steps"),
            ));
        }
        self.hours()?;
        crate::jobs::cron::time_zone(&self.window.time_zone)
            .map_err(|e| Error::invalid("/window/timeZone", e.to_string()))?;
        for (i, step) in self.steps.iter().enumerate() {
            if step.subject.trim().is_empty() || step.body.trim().is_empty() {
                return Err(Error::invalid(
                    &format!("/steps/{i}"),
                    "a step needs a subject and a body (or an approved email's contentId)",
                ));
            }
            message::check_template(&step.subject)
                .map_err(|e| Error::invalid(&format!("/steps/{i}/subject"), e))?;
            message::check_template(&step.body)
                .map_err(|e| Error::invalid(&format!("/steps/{i}/body"), e))?;
            if step.delay_days > 365 {
                return Err(Error::invalid(
                    &format!("/steps/{i}/delayDays"),
                    "at most 365 days",
                ));
            }
        }
        for (pointer, address) in [("/from", &self.from), ("/replyTo", &self.reply_to)] {
            if let Some(address) = address {
                message::mailbox(address).map_err(|e| Error::invalid(pointer, e))?;
            }
        }
        if let Some(path) = &self.stop.goal_path
            && !path.starts_with('/')
        {
            return Err(Error::invalid(
                "/stop/goalPath",
                "a path on the site, starting with /",
            ));
        }
        Ok(())
    }

    /// The window's hours, or why they are not a window.
    pub fn hours(&self) -> Result<window::Hours, Error> {
        let start = window::parse_time(&self.window.start)
            .map_err(|e| Error::invalid("/window/start", e))?;
        let end =
            window::parse_time(&self.window.end).map_err(|e| Error::invalid("/window/end", e))?;
        if start >= end {
            return Err(Error::invalid(
                "/window",
                "the window must open before it closes on the same day",
            ));
        }
        Ok(window::Hours {
            start,
            end,
            skip_weekends: self.window.skip_weekends,
        })
    }
}

/// How many of a sequence's leads are where.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Enrollments {
    pub active: u32,
    pub completed: u32,
    pub stopped: u32,
}

/// A sequence as its owner sees it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Sequence {
    /// `seq_` and 16 hex digits.
    pub id: String,
    pub name: String,
    /// `active` or `paused` (a paused sequence sends nothing until it is active again).
    pub state: String,
    #[serde(flatten)]
    pub definition: Definition,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrollments: Option<Enrollments>,
    pub created_at: String,
    pub updated_at: String,
}

impl Sequence {
    pub fn of(
        record: &SequenceRecord,
        counts: Option<EnrollmentCounts>,
    ) -> Result<Sequence, Error> {
        Ok(Sequence {
            id: record.id.clone(),
            name: record.name.clone(),
            state: record.state.clone(),
            definition: definition_of(record)?,
            enrollments: counts.map(|c| Enrollments {
                active: c.active,
                completed: c.completed,
                stopped: c.stopped,
            }),
            created_at: rfc3339(record.created_at),
            updated_at: rfc3339(record.updated_at),
        })
    }

    pub fn render(&self) -> String {
        let mut text = format!(
            "{} \"{}\" ({}, {} steps, {}–{} {}{})",
            self.id,
            self.name,
            self.state,
            self.definition.steps.len(),
            self.definition.window.start,
            self.definition.window.end,
            self.definition.window.time_zone,
            if self.definition.window.skip_weekends {
                ", weekdays"
            } else {
                ""
            }
        );
        if let Some(e) = &self.enrollments {
            text.push_str(&format!(
                ": {} active, {} completed, {} stopped",
                e.active, e.completed, e.stopped
            ));
        }
        text
    }
}

/// A stored sequence's definition.
pub fn definition_of(record: &SequenceRecord) -> Result<Definition, Error> {
    serde_json::from_str(&record.definition)
        .map_err(|e| Error::Internal(format!("sequence {} is unreadable: {e}", record.id)))
}

/// A step as a caller gives it: its text, or an approved email from the content studio
/// (written in the brand's voice by `run_content_creation`), whose title is the subject.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["contentId"]}, {"required": ["subject", "body"]}]))]
pub struct StepInput {
    #[schemars(length(min = 1, max = 300))]
    pub subject: Option<String>,
    #[schemars(length(min = 1, max = 20000))]
    pub body: Option<String>,
    /// An approved (or published) email content item.
    #[schemars(regex(pattern = r"^cnt_[0-9a-f]{16}$"))]
    pub content_id: Option<String>,
    /// Days after the previous step (after enrollment, for the first).
    #[serde(default)]
    #[schemars(range(max = 365))]
    pub delay_days: u32,
}

/// The steps, with the text of those given by content item read from the studio.
pub async fn resolve_steps(
    store: &crate::store::Store,
    customer: &str,
    steps: Vec<StepInput>,
) -> Result<Vec<Step>, Error> {
    let mut resolved = Vec::with_capacity(steps.len());
    for (i, step) in steps.into_iter().enumerate() {
        let pointer = format!("/steps/{i}");
        let (subject, body) = match (&step.content_id, step.subject, step.body) {
            (Some(id), subject, body) => {
                let item = crate::content::lifecycle::get(store, customer, id).await?;
                if item.format != crate::content::Format::Email {
                    return Err(Error::invalid(
                        &format!("{pointer}/contentId"),
                        format!("{id} is {}, not an email", item.format.as_str()),
                    ));
                }
                if !matches!(
                    item.state,
                    crate::content::State::Approved
                        | crate::content::State::Scheduled
                        | crate::content::State::Published
                ) {
                    return Err(Error::Conflict(format!(
                        "{id} is {}; approve it (approve_content) before it goes out in a sequence",
                        item.state.as_str()
                    )));
                }
                (subject.unwrap_or(item.title), body.unwrap_or(item.body))
            }
            (None, Some(subject), Some(body)) => (subject, body),
            (None, _, _) => {
                return Err(Error::invalid(
                    &pointer,
                    "give a subject and a body, or the contentId of an approved email",
                ));
            }
        };
        resolved.push(Step {
            subject: subject.trim().to_owned(),
            body: body.trim().to_owned(),
            delay_days: step.delay_days,
            content_id: step.content_id,
        });
    }
    Ok(resolved)
}

/// A fresh Message-ID (without angle brackets) on the sender's domain.
pub fn message_id(send: &str, from_domain: &str) -> String {
    format!("{send}.{}@{from_domain}", crate::auth::random_hex(8))
}
