//! Onboarding a customer: the site read into a brand profile (a durable job, retried), a
//! brand interview (voice, audience, competitors, offers, the ideal customer), then the
//! connections to publish and measure with.
//!
//! The interview's answers are what the site cannot say: they join the brand profile every
//! writing tool reads (`brand::latest` carries them), name the competitors visibility runs
//! compare with, and set the ideal customer profile leads are scored on.

mod answers;

pub use answers::{Answers, QUESTIONS, Question};

use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use crate::brand;
use crate::clock::{Clock, rfc3339};
use crate::error::Error;
use crate::jobs::{Failure, Handler};
use crate::store::{JobRecord, NewEvent, NewJob, OnboardingRecord, Store};
use crate::web::Fetcher;

/// The job that reads the site into a brand profile.
pub const JOB: &str = "onboarding.profile";
/// Attempts at reading the site before the step fails (a site that is down for a while).
const ATTEMPTS: u32 = 5;

/// One step and where it stands.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// `profile`, `interview` or `connections`.
    pub step: String,
    /// `queued`, `running`, `done`, `failed`, `skipped` or `waiting`.
    pub state: String,
    pub detail: String,
}

/// An interview question as clients see it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Asked {
    /// The answer's field.
    pub id: String,
    pub question: String,
    pub hint: String,
    /// Answered with a list.
    pub list: bool,
    pub answered: bool,
}

/// Onboarding as every surface shows it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Onboarding {
    /// `not_started`, `onboarding_started` or `completed`.
    pub status: String,
    pub url: Option<String>,
    pub steps: Vec<Step>,
    pub answers: Answers,
    pub questions: Vec<Asked>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
}

/// The stored answers of a record; an unreadable value reads as none rather than failing
/// every page that shows onboarding.
pub fn answers_of(record: &OnboardingRecord) -> Answers {
    serde_json::from_str(&record.answers).unwrap_or_default()
}

fn questions(answers: &Answers) -> Vec<Asked> {
    QUESTIONS
        .iter()
        .map(|q| Asked {
            id: q.id.into(),
            question: q.question.into(),
            hint: q.hint.into(),
            list: q.list,
            answered: answers.answered(q.id),
        })
        .collect()
}

fn profile_detail(record: &OnboardingRecord) -> String {
    let site = record.url.as_deref().unwrap_or("the site");
    match (record.profile_state.as_str(), &record.profile_error) {
        ("skipped", _) => "No site was given: start again with a URL to read it.".to_owned(),
        ("done", _) => format!(
            "Brand profile v{} read from {site}.",
            record.profile_version.unwrap_or_default()
        ),
        ("failed", Some(error)) => {
            format!("Reading the site failed: {error}. Start again to retry.")
        }
        (_, Some(error)) => format!("Reading {site} again after: {error}"),
        (state, None) => format!("Reading {site} ({state})."),
    }
}

/// How onboarding stands: the record (if started) and the platforms connected now.
pub fn view(record: Option<&OnboardingRecord>, connected: &[String]) -> Onboarding {
    let answers = record.map(answers_of).unwrap_or_default();
    let asked = questions(&answers);
    let Some(record) = record else {
        return Onboarding {
            status: "not_started".into(),
            url: None,
            steps: Vec::new(),
            answers,
            questions: asked,
            started_at: None,
            completed_at: None,
        };
    };
    let answered = asked.iter().filter(|q| q.answered).count();
    let connections = Step {
        step: "connections".into(),
        state: if connected.is_empty() {
            "waiting"
        } else {
            "done"
        }
        .into(),
        detail: if connected.is_empty() {
            "No account connected yet: connect_channel links Mastodon, Bluesky, LinkedIn, X or a webhook."
                .into()
        } else {
            format!("Connected: {}.", connected.join(", "))
        },
    };
    Onboarding {
        status: if record.completed_at.is_some() {
            "completed"
        } else {
            "onboarding_started"
        }
        .into(),
        url: record.url.clone(),
        steps: vec![
            Step {
                step: "profile".into(),
                state: record.profile_state.clone(),
                detail: profile_detail(record),
            },
            Step {
                step: "interview".into(),
                state: if answers.complete() {
                    "done"
                } else {
                    "waiting"
                }
                .into(),
                detail: format!("{answered} of {} questions answered.", QUESTIONS.len()),
            },
            connections,
        ],
        answers,
        questions: asked,
        started_at: Some(rfc3339(record.started_at)),
        completed_at: record.completed_at.map(rfc3339),
    }
}

/// The `onboarding.completed` event, when the record is ready to complete and has not: the
/// interview is done and the site's step has ended, one way or the other.
fn completion(record: &OnboardingRecord, answers: &Answers, now: i64) -> Option<NewEvent> {
    let settled = matches!(record.profile_state.as_str(), "done" | "failed" | "skipped");
    (record.completed_at.is_none() && answers.complete() && settled).then(|| {
        NewEvent::new(
            record.customer_id.clone(),
            "onboarding.completed",
            &json!({"url": record.url, "profileVersion": record.profile_version}),
            now,
        )
    })
}

/// The platforms a customer has connected.
pub async fn connected(store: &Store, customer: &str) -> Result<Vec<String>, Error> {
    Ok(store
        .channels(customer)
        .await?
        .into_iter()
        .map(|channel| channel.platform)
        .collect())
}

/// Starts onboarding: the site (given, else the one the latest profile was read from) is read
/// by a durable job; without one the step is skipped.
pub async fn start(
    store: &Store,
    fetcher: &Fetcher,
    clock: &dyn Clock,
    customer: &str,
    url: Option<&str>,
) -> Result<OnboardingRecord, Error> {
    let url = match url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => Some(fetcher.parse(url)?),
        None => match brand::latest(store, customer).await? {
            Some(profile) => Url::parse(&profile.url).ok(),
            None => None,
        },
    };
    let now = clock.now_millis();
    let job = url.as_ref().map(|url| NewJob {
        customer_id: Some(customer.to_owned()),
        kind: JOB.into(),
        payload: json!({"customer": customer, "url": url.as_str()}).to_string(),
        run_at: now,
        max_attempts: ATTEMPTS,
        idempotency_key: None,
    });
    let state = if url.is_some() { "queued" } else { "skipped" };
    let record = store
        .start_onboarding(customer, url.as_ref().map(Url::as_str), state, job, now)
        .await?;
    settle(store, record, now).await
}

/// Completes the record when it is ready.
async fn settle(
    store: &Store,
    record: OnboardingRecord,
    now: i64,
) -> Result<OnboardingRecord, Error> {
    let answers = answers_of(&record);
    match completion(&record, &answers, now) {
        Some(event) => Ok(store
            .save_onboarding_answers(&record.customer_id, &record.answers, Some(event), now)
            .await?),
        None => Ok(record),
    }
}

/// Saves answers (merged with the earlier ones); the ideal-customer answers become the
/// customer's ideal customer profile, and its leads are scored again, before the answers are
/// saved.
pub async fn answer(
    store: &Store,
    clock: &dyn Clock,
    customer: &str,
    newer: Answers,
) -> Result<OnboardingRecord, Error> {
    let record = store.onboarding(customer).await?.ok_or_else(|| {
        Error::Conflict("Onboarding has not started: start_onboarding first".into())
    })?;
    let before = answers_of(&record);
    let icp_before = before.icp();
    let answers = before.merged(newer);
    let now = clock.now_millis();
    let text = serde_json::to_string(&answers).map_err(|e| Error::Internal(e.to_string()))?;
    // The profile first: should scoring fail, the answers are not saved either, and the
    // same answers sent again apply it then (the comparison is with the saved answers).
    if let Some(icp) = answers.icp()
        && Some(&icp) != icp_before.as_ref()
    {
        crate::leads::score::apply_icp(store, customer, &icp, now).await?;
    }
    let event = completion(&record, &answers, now);
    let saved = store
        .save_onboarding_answers(customer, &text, event, now)
        .await?;
    Ok(saved)
}

/// The answers that join a customer's brand profile, if onboarding has any.
pub async fn stated(store: &Store, customer: &str) -> Result<Option<Answers>, Error> {
    Ok(store
        .onboarding(customer)
        .await?
        .map(|record| answers_of(&record))
        .filter(|answers| *answers != Answers::default()))
}

/// Reads the site into a brand profile for onboarding.
pub struct ProfileJob {
    pub store: Store,
    pub fetcher: Fetcher,
    pub clock: std::sync::Arc<dyn Clock>,
    pub changes: crate::changes::Changes,
}

#[derive(Deserialize)]
struct Payload {
    customer: String,
    url: String,
}

impl ProfileJob {
    async fn read(&self, customer: &str, url: &Url) -> Result<brand::BrandProfile, Error> {
        let profile = brand::read_and_store(
            &self.store,
            &self.fetcher,
            customer,
            url,
            brand::DEFAULT_PAGES,
            self.clock.now_millis(),
        )
        .await?;
        crate::changes::announce(&self.changes, customer, crate::changes::Record::Brand);
        Ok(profile)
    }

    /// Records the step's outcome and completes onboarding when that was the last thing
    /// missing.
    async fn record(
        &self,
        customer: &str,
        state: &str,
        error: Option<&str>,
        version: Option<i64>,
    ) -> Result<(), Error> {
        let now = self.clock.now_millis();
        self.store
            .set_onboarding_profile(customer, state, error, version, now)
            .await?;
        if let Some(record) = self.store.onboarding(customer).await? {
            settle(&self.store, record, now).await?;
        }
        Ok(())
    }
}

impl Handler for ProfileJob {
    fn run<'a>(&'a self, job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let Payload { customer, url } = serde_json::from_str(&job.payload)
                .map_err(|e| Failure::permanent(format!("unreadable onboarding job: {e}")))?;
            let url = Url::parse(&url).map_err(|e| Failure::permanent(format!("{url}: {e}")))?;
            let failed = |e: Error| Failure::from(e.to_string());
            self.record(&customer, "running", None, None)
                .await
                .map_err(failed)?;
            match self.read(&customer, &url).await {
                Ok(profile) => self
                    .record(&customer, "done", None, profile.version)
                    .await
                    .map_err(failed),
                Err(error) => {
                    // Attempts are counted when a job is claimed: this one was the last.
                    let last = job.attempts >= job.max_attempts;
                    let message = error.to_string();
                    let state = if last { "failed" } else { "queued" };
                    self.record(&customer, state, Some(&message), None)
                        .await
                        .map_err(failed)?;
                    Err(Failure::from(message))
                }
            }
        })
    }
}

/// Onboarding as a tool's text answer: the status, each step, and the questions left.
pub fn render(onboarding: &Onboarding) -> String {
    let mut lines = vec![format!("Onboarding: {}.", onboarding.status)];
    lines.extend(
        onboarding
            .steps
            .iter()
            .map(|s| format!("- {} ({}): {}", s.step, s.state, s.detail)),
    );
    let open: Vec<&str> = onboarding
        .questions
        .iter()
        .filter(|q| !q.answered)
        .map(|q| q.question.as_str())
        .collect();
    if !open.is_empty() {
        lines.push(format!(
            "Still to answer (answer_onboarding): {}",
            open.join(" ")
        ));
    }
    lines.join("\n")
}

/// The interview as a numbered list, each question with the field its answer goes in.
pub fn interview_text() -> String {
    QUESTIONS
        .iter()
        .enumerate()
        .map(|(index, q)| format!("{}. {} {} [{}]", index + 1, q.question, q.hint, q.id))
        .collect::<Vec<_>>()
        .join("\n")
}
