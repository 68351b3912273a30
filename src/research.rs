//! `run_research`, the daily marketing briefing: the customer's site audited again and compared
//! with the last audit, the content pipeline (drafts waiting, posts scheduled, published and
//! failed), traffic and revenue from heycmo's own analytics, GA4 and Search Console where
//! connected, the AI visibility runs of the period and their trend, the leads whose grade changed
//! (the briefing scores them again, so intent decays daily), the notable events since the last
//! briefing, and a written summary — by a language
//! model where one is available, otherwise assembled from the facts and labelled offline.
//!
//! It runs on each customer's cron schedule (08:00 in their time zone unless changed) and on
//! demand; each briefing is stored and appends `workflow.completed`.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit;
use crate::clock::{Clock, rfc3339};
use crate::error::Error;
use crate::jobs::{Failure, Handler};
use crate::llm::{Completion, Llm, Message, Usage};
use crate::store::{BriefingRecord, JobRecord, Millis, NewEvent, Store};
use crate::web::Fetcher;

/// The workflow's name in schedules and events.
pub const WORKFLOW: &str = "research";
/// The job kind a schedule queues.
pub const JOB: &str = "workflow.research";
/// When a customer's briefing runs unless they change it: 08:00 every day, their time.
pub const DEFAULT_CRON: &str = "0 8 * * *";
/// How far back the first briefing looks.
const FIRST_PERIOD: Millis = 24 * 3600 * 1000;

/// What fired a briefing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    /// The customer's schedule.
    Cron,
    /// `run_research`.
    Tool,
}

/// The site part of a briefing.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteReport {
    pub url: String,
    /// The audit this briefing ran, when it could.
    pub audit_id: Option<String>,
    pub overall: Option<u32>,
    /// Overall score now minus at the previous audit.
    pub overall_delta: Option<i64>,
    pub failing: Vec<String>,
    pub newly_failing: Vec<String>,
    pub fixed: Vec<String>,
    /// Why the site could not be audited.
    pub error: Option<String>,
}

/// A content item waiting on someone (a draft on its reviewer, a brief on its writer): its id
/// and title (a brief's title is its topic).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Draft {
    pub id: String,
    pub title: String,
}

/// A post that failed.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FailedPost {
    pub id: String,
    pub channel: String,
    pub error: String,
}

/// The content pipeline.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// Content items per state.
    pub content: BTreeMap<String, u32>,
    pub drafts_waiting: Vec<Draft>,
    /// Briefs whose text an agent has yet to write and hand back with `submit_draft`.
    pub briefs_waiting: Vec<Draft>,
    /// Posts per state (queued ones are scheduled).
    pub posts: BTreeMap<String, u32>,
    pub published_in_period: u32,
    pub failed_posts: Vec<FailedPost>,
}

/// A briefing.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Briefing {
    /// `brf_` and 16 hex digits.
    pub id: String,
    pub trigger: Trigger,
    pub created_at: String,
    /// The period reported: since the previous briefing (or a day).
    pub since: String,
    /// `None` when no site is known yet (run analyze_brand_url or ai_seo_audit first).
    pub site: Option<SiteReport>,
    pub pipeline: Pipeline,
    /// Each analytics site's traffic in the period against the period before.
    #[serde(default)]
    pub traffic: Vec<crate::analytics::digest::Traffic>,
    /// Revenue of the period per currency, credited last-non-direct by channel.
    #[serde(default)]
    pub revenue: Vec<crate::analytics::digest::Revenue>,
    /// What GA4 and Search Console measured, where they are connected.
    #[serde(default)]
    pub google: crate::google::digest::Digest,
    /// The AI visibility runs of the period, by their latest.
    #[serde(default)]
    pub visibility: Option<crate::visibility::digest::Digest>,
    /// Leads whose grade changed when the briefing scored them again (intent decays daily).
    #[serde(default)]
    pub leads: Vec<crate::leads::score::Regraded>,
    /// Events in the period per type (tool calls left out).
    pub events: BTreeMap<String, u32>,
    /// The facts worth acting on, one line each.
    pub highlights: Vec<String>,
    pub summary: String,
    /// `offline`, or the engine and model that wrote the summary.
    pub engine: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

/// What a briefing needs.
pub struct Research {
    pub store: Store,
    pub fetcher: Fetcher,
    pub clock: Arc<dyn Clock>,
    pub google: Arc<crate::google::Google>,
    pub vault: crate::vault::Vault,
}

const ROLE: &str = "You are the chief marketing officer of the brand below. Write this morning's \
briefing for its team from the facts given: three to six short sentences, most important first \
(site problems that appeared, work waiting on people, posts that failed, traffic and revenue \
that moved), then what to do today. \
Use only the facts given.";

impl Research {
    /// Writes, stores and answers a briefing for `customer`.
    pub async fn run(
        &self,
        customer: &str,
        trigger: Trigger,
        engine: Option<&dyn Llm>,
    ) -> Result<Briefing, Error> {
        let now = self.clock.now_millis();
        let since = self
            .store
            .briefings(customer, 1)
            .await?
            .first()
            .map_or(now - FIRST_PERIOD, |b| b.created_at);
        let site = self.site(customer).await?;
        let facts = self.store.pipeline_facts(customer, since).await?;
        let pipeline = Pipeline {
            content: facts.content.into_iter().collect(),
            drafts_waiting: facts
                .drafts
                .into_iter()
                .map(|(id, title)| Draft { id, title })
                .collect(),
            briefs_waiting: facts
                .briefs
                .into_iter()
                .map(|(id, title)| Draft { id, title })
                .collect(),
            posts: facts.posts.into_iter().collect(),
            published_in_period: facts.published,
            failed_posts: facts
                .failed
                .into_iter()
                .map(|(id, channel, error)| FailedPost { id, channel, error })
                .collect(),
        };
        let events: BTreeMap<String, u32> = facts.events.into_iter().collect();
        let traffic = crate::analytics::digest::traffic(&self.store, customer, since, now).await?;
        let revenue = crate::analytics::digest::revenue(&self.store, customer, since, now).await?;
        let mut highlights = highlights(site.as_ref(), &pipeline, &events);
        highlights.extend(crate::analytics::digest::highlights(&traffic, &revenue));
        let google = self
            .google
            .digest(&self.store, &self.vault, customer, since, now)
            .await?;
        highlights.extend(crate::google::digest::highlights(&google));
        let visibility = crate::visibility::digest::digest(&self.store, customer, since).await?;
        highlights.extend(crate::visibility::digest::highlights(visibility.as_ref()));
        let leads = crate::leads::score::rescore(&self.store, customer, now, None)
            .await?
            .regraded;
        if !leads.is_empty() {
            let up = leads
                .iter()
                .filter(|l| {
                    l.grade.is_some() && (l.previous_grade.is_none() || l.grade < l.previous_grade)
                })
                .count();
            highlights.push(format!(
                "{} leads changed grade ({up} up); list_leads shows them.",
                leads.len()
            ));
        }
        let mut briefing = Briefing {
            id: format!("brf_{}", crate::auth::random_hex(8)),
            trigger,
            created_at: rfc3339(now),
            since: rfc3339(since),
            site,
            pipeline,
            traffic,
            revenue,
            google,
            visibility,
            leads,
            events,
            summary: String::new(),
            engine: "offline".into(),
            usage: None,
            highlights,
        };
        match engine {
            Some(engine) => {
                let brand = crate::brand::latest(&self.store, customer).await?;
                let facts = serde_json::to_string_pretty(&briefing).unwrap_or_default();
                let completion = Completion {
                    system: crate::llm::prompt::system_prompt(ROLE, brand.as_ref()),
                    messages: vec![Message::user(format!("Facts:\n{facts}"))],
                    max_tokens: 600,
                    temperature: Some(0.3),
                };
                let completed = engine.complete(&completion).await?;
                if let Some(usage) = completed.reported_usage() {
                    self.store
                        .record_usage(
                            customer,
                            now,
                            &completed.engine,
                            usage.input_tokens,
                            usage.output_tokens,
                        )
                        .await?;
                    briefing.usage = Some(usage);
                }
                briefing.summary = completed.text.trim().to_owned();
                briefing.engine = completed.engine;
            }
            None => briefing.summary = offline_summary(&briefing),
        }
        let event = NewEvent::new(
            customer.to_owned(),
            "workflow.completed",
            &json!({
                "workflow": WORKFLOW,
                "briefingId": briefing.id,
                "trigger": trigger,
                "engine": briefing.engine,
                "highlights": briefing.highlights,
            }),
            now,
        );
        let record = BriefingRecord {
            id: briefing.id.clone(),
            trigger: serde_json::to_value(trigger)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            briefing: serde_json::to_string(&briefing)
                .map_err(|e| Error::Internal(e.to_string()))?,
            created_at: now,
        };
        self.store.save_briefing(customer, record, event).await?;
        Ok(briefing)
    }

    /// Audits the customer's site again: the brand profile's URL, else the last audited one.
    async fn site(&self, customer: &str) -> Result<Option<SiteReport>, Error> {
        let url = match crate::brand::latest(&self.store, customer).await? {
            Some(brand) => brand.url,
            None => match self
                .store
                .audits(customer, Some("seo"), None, 1)
                .await?
                .pop()
            {
                Some(audit) => audit.url,
                None => return Ok(None),
            },
        };
        let mut report = SiteReport {
            url: url.clone(),
            audit_id: None,
            overall: None,
            overall_delta: None,
            failing: Vec::new(),
            newly_failing: Vec::new(),
            fixed: Vec::new(),
            error: None,
        };
        let audited = match self.fetcher.parse(&url) {
            Ok(parsed) => audit::seo(&self.fetcher, &parsed, audit::Progress::default())
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match audited {
            Ok(mut audit) => {
                audit::record(&self.store, customer, &mut audit, self.clock.now_millis()).await?;
                report.audit_id = audit.audit_id.clone();
                report.overall = Some(audit.scores.overall);
                report.failing = audit
                    .findings
                    .iter()
                    .filter(|f| !f.passed)
                    .map(|f| f.id.clone())
                    .collect();
                if let Some(changes) = audit.changes {
                    report.overall_delta = Some(changes.overall_delta);
                    report.newly_failing = changes.newly_failing;
                    report.fixed = changes.fixed;
                }
            }
            Err(error) => report.error = Some(error),
        }
        Ok(Some(report))
    }
}

/// The facts worth acting on, most urgent first.
fn highlights(
    site: Option<&SiteReport>,
    pipeline: &Pipeline,
    events: &BTreeMap<String, u32>,
) -> Vec<String> {
    let mut lines = Vec::new();
    match site {
        None => lines
            .push("No site is known yet: run analyze_brand_url on the brand's website.".to_owned()),
        Some(SiteReport {
            url,
            error: Some(error),
            ..
        }) => lines.push(format!("The site {url} could not be audited: {error}")),
        Some(site) => {
            if !site.newly_failing.is_empty() {
                lines.push(format!(
                    "{} check(s) newly failing on {}: {}",
                    site.newly_failing.len(),
                    site.url,
                    site.newly_failing.join(", ")
                ));
            }
            if let Some(overall) = site.overall {
                let delta = site
                    .overall_delta
                    .map(|d| format!(" ({d:+} since the last audit)"))
                    .unwrap_or_default();
                lines.push(format!("{} scores {overall}/100{delta}.", site.url));
            }
            if !site.fixed.is_empty() {
                lines.push(format!(
                    "Fixed since the last audit: {}",
                    site.fixed.join(", ")
                ));
            }
        }
    }
    for post in &pipeline.failed_posts {
        lines.push(format!(
            "Post {} failed on {}: {}",
            post.id, post.channel, post.error
        ));
    }
    if !pipeline.drafts_waiting.is_empty() {
        lines.push(format!(
            "{} draft(s) wait for review, oldest: \"{}\"",
            pipeline.drafts_waiting.len(),
            pipeline.drafts_waiting[0].title
        ));
    }
    if let Some(oldest) = pipeline.briefs_waiting.first() {
        lines.push(format!(
            "{} brief(s) wait for their text (write it, then submit_draft), oldest: \"{}\" ({})",
            pipeline.briefs_waiting.len(),
            oldest.title,
            oldest.id
        ));
    }
    if let Some(queued) = pipeline.posts.get("queued") {
        lines.push(format!("{queued} post(s) scheduled."));
    }
    if pipeline.published_in_period > 0 {
        lines.push(format!(
            "{} post(s) published since the last briefing.",
            pipeline.published_in_period
        ));
    }
    if let Some(disabled) = events.get("webhook.disabled") {
        lines.push(format!("{disabled} webhook subscription(s) were disabled."));
    }
    lines
}

/// The summary without a model: the highlights as prose, labelled as such.
fn offline_summary(briefing: &Briefing) -> String {
    let mut text = String::from("Offline briefing (no language model configured): ");
    if briefing.highlights.is_empty() {
        text.push_str("nothing needs attention.");
    } else {
        text.push_str(&briefing.highlights.join(" "));
    }
    text
}

/// Runs the scheduled briefings ([`JOB`]).
pub struct ResearchJob {
    pub research: Research,
    /// The server's model, if any: a scheduled briefing has no client to ask.
    pub llm: Option<Arc<dyn Llm>>,
}

#[derive(Deserialize)]
struct Payload {
    customer: String,
}

impl Handler for ResearchJob {
    fn run<'a>(&'a self, job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let Payload { customer } = serde_json::from_str(&job.payload)
                .map_err(|e| Failure::permanent(format!("unreadable research job: {e}")))?;
            self.research
                .run(&customer, Trigger::Cron, self.llm.as_deref())
                .await
                .map(|_| ())
                .map_err(|e| Failure::from(e.to_string()))
        })
    }
}

impl Briefing {
    /// A briefing as text, as the research tools answer.
    pub fn render(&self) -> String {
        let briefing = self;
        let mut text = format!(
            "Briefing {} ({}, {}):\n{}",
            briefing.id, briefing.created_at, briefing.engine, briefing.summary
        );
        for line in &briefing.highlights {
            text.push_str(&format!("\n- {line}"));
        }
        text
    }
}
