//! Email sequences, the leads enrolled in them, each step's send, and what replies, bounces and
//! unsubscribes did to them.
//!
//! A send's row is written before its mail: its Message-ID is known before the SMTP exchange,
//! `sending` is committed before it starts and `sent` after the server accepted the message,
//! so a crash anywhere leaves a row that says how far the send got.

use async_trait::async_trait;

use super::{LeadAction, LeadRecord, Millis, NewEvent, StoreResult};

/// The job kind that sends one step to one lead.
pub const SEND_JOB: &str = "sequence.send";
/// Attempts of a send before it is given up (transient SMTP failures).
pub const SEND_ATTEMPTS: u32 = 8;

/// A sequence as stored; `definition` is its steps, window, stop rules and sender, as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceRecord {
    pub id: String,
    pub name: String,
    pub definition: String,
    /// `active` or `paused`.
    pub state: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// How many of a sequence's enrollments are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EnrollmentCounts {
    pub active: u32,
    pub completed: u32,
    pub stopped: u32,
}

/// A lead in a sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentRecord {
    pub id: String,
    pub sequence_id: String,
    pub lead_id: String,
    /// `active`, `completed` or `stopped`.
    pub state: String,
    /// Why it stopped: `replied`, `unsubscribed`, `bounced`, `goal`, `unenrolled`, `suppressed`.
    pub stop_reason: Option<String>,
    /// The step sent next (or last sent, once completed).
    pub step: u32,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// One step's mail to one lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRecord {
    pub id: String,
    pub customer_id: String,
    pub enrollment_id: String,
    pub step: u32,
    /// Without angle brackets.
    pub message_id: String,
    /// `scheduled`, `sending` (an SMTP exchange began), `sent`, `skipped` or `failed`.
    pub state: String,
    pub due_at: Millis,
    pub sent_at: Option<Millis>,
    /// SMTP exchanges begun: more than one means an earlier one was interrupted.
    pub attempts: u32,
    pub detail: Option<String>,
}

/// A send to schedule, with the job that will make it.
#[derive(Debug, Clone)]
pub struct NewSend {
    pub id: String,
    pub step: u32,
    pub message_id: String,
    pub due_at: Millis,
}

/// A lead to enroll and its first send.
#[derive(Debug, Clone)]
pub struct NewEnrollment {
    pub id: String,
    pub lead_id: String,
    pub first: NewSend,
}

/// Everything a send job reads: the send, its enrollment, sequence and lead.
#[derive(Debug, Clone)]
pub struct SendContext {
    pub send: SendRecord,
    pub enrollment: EnrollmentRecord,
    pub sequence: SequenceRecord,
    pub lead: LeadRecord,
}

/// What claiming a send found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    Claimed(SendRecord),
    /// Another worker claimed it at this time and may be in the SMTP exchange.
    InFlight(Millis),
    /// Sent, skipped or failed already.
    Settled,
}

/// How a send ended, written in one transaction.
#[derive(Debug, Clone)]
pub struct SendOutcome {
    /// `sent`, `skipped` or `failed`.
    pub state: &'static str,
    pub detail: Option<String>,
    /// The next step's send and job (the enrollment moves on to it).
    pub next: Option<NewSend>,
    /// The enrollment is done: every step was sent.
    pub completed: bool,
    /// The enrollment stops for this reason; its other unsent sends are skipped.
    pub stop: Option<String>,
    pub events: Vec<NewEvent>,
    /// The lead moves from `new` to this stage.
    pub stage_from_new: Option<&'static str>,
}

/// What a reply, a bounce, an unsubscribe or an unenrollment does, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    /// An inbound message's key: a message seen before changes nothing.
    pub inbound_key: Option<String>,
    /// Stops these of the lead's enrollments, when active (with `reason`).
    pub enrollments: Vec<String>,
    pub reason: String,
    pub action: Option<LeadAction>,
    /// The lead's new stage.
    pub stage: Option<&'static str>,
    /// Puts this hash on the customer's suppression list.
    pub suppress: Option<String>,
    pub events: Vec<NewEvent>,
}

/// An unsubscribe link's recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub customer_id: String,
    /// Gone once the lead was erased.
    pub lead_id: Option<String>,
    pub suppression_hash: String,
}

/// What a backend stores and reads of this aggregate.
#[async_trait]
pub trait SequenceStore: Send + Sync {
    async fn create_sequence(&self, customer: &str, record: SequenceRecord) -> StoreResult<()>;

    /// The customer's sequences, oldest first, with their enrollments counted.
    async fn sequences(
        &self,
        customer: &str,
    ) -> StoreResult<Vec<(SequenceRecord, EnrollmentCounts)>>;

    async fn sequence(&self, customer: &str, id: &str) -> StoreResult<Option<SequenceRecord>>;

    /// Changes what is given. A sequence set back to `active` queues its scheduled sends'
    /// jobs again (a paused sequence's jobs end without sending).
    async fn update_sequence(
        &self,
        customer: &str,
        id: &str,
        name: Option<String>,
        definition: Option<String>,
        state: Option<&'static str>,
        now: Millis,
    ) -> StoreResult<Option<SequenceRecord>>;

    /// Enrolls each lead with its first send and that send's job, in one transaction; a lead
    /// already in the sequence is left as it is (`false`).
    async fn enroll(
        &self,
        customer: &str,
        sequence: &str,
        enrollments: Vec<NewEnrollment>,
        now: Millis,
    ) -> StoreResult<Vec<bool>>;

    async fn enrollment(
        &self,
        customer: &str,
        sequence: &str,
        lead: &str,
    ) -> StoreResult<Option<EnrollmentRecord>>;

    /// The lead's active enrollments, in any sequence.
    async fn active_enrollments(
        &self,
        customer: &str,
        lead: &str,
    ) -> StoreResult<Vec<EnrollmentRecord>>;

    async fn send_context(&self, send: &str) -> StoreResult<Option<SendContext>>;

    /// Commits `sending` (one more attempt) with the hash of the message's unsubscribe token,
    /// before the SMTP exchange. A send already `sending` is taken again only when its claim
    /// is older than `stale_before` (its worker died); a fresher one is another worker's,
    /// in flight now.
    async fn claim_send(
        &self,
        send: &str,
        token_hash: &str,
        suppression_hash: &str,
        now: Millis,
        stale_before: Millis,
    ) -> StoreResult<Claim>;

    /// Writes how a send ended, in one transaction.
    async fn finish_send(&self, send: &str, outcome: SendOutcome, now: Millis) -> StoreResult<()>;

    /// Moves a send to a later time, with a job for then.
    async fn reschedule_send(&self, send: &str, due_at: Millis, now: Millis) -> StoreResult<()>;

    /// The customer's send with one of these Message-IDs (without angle brackets).
    async fn send_by_message_id(
        &self,
        customer: &str,
        message_ids: &[String],
    ) -> StoreResult<Option<(SendRecord, EnrollmentRecord)>>;

    /// Applies a stop to the lead (gone, for an erased lead's unsubscribe); `false` when its
    /// inbound key was seen before (nothing changed).
    async fn stop(
        &self,
        customer: &str,
        lead: Option<&str>,
        stop: Stop,
        now: Millis,
    ) -> StoreResult<bool>;

    /// Who an unsubscribe token was issued to.
    async fn recipient(&self, token_hash: &str) -> StoreResult<Option<Recipient>>;

    /// Whether the customer's suppression list holds `hash`.
    async fn suppressed(&self, customer: &str, hash: &str) -> StoreResult<bool>;

    /// The customer's inbound signing secret, sealed, if one was made.
    async fn inbound_secret(&self, customer: &str) -> StoreResult<Option<String>>;

    async fn set_inbound_secret(
        &self,
        customer: &str,
        sealed: &str,
        now: Millis,
    ) -> StoreResult<()>;
}
