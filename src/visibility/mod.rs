//! AI visibility: whether the answer engines people ask (ChatGPT search, Perplexity, Claude, …)
//! name the brand, where among its competitors, and whether they cite its site.
//!
//! Nothing here is estimated. Each query is put to each configured engine as a person would put
//! it, each answer is read for mentions ([`mentions`]) and citations, and the figures
//! ([`summary`]) count those answers and nothing else. With no engine configured nothing is
//! measured and the caller is told so. A run is stored whole, in one transaction with its
//! `visibility.completed` event, once every answer is in: a crash loses the run, never half of
//! it. Tokens go to the customer's usage whatever the outcome.

pub mod digest;
pub mod engines;
pub mod mentions;
pub mod queries;
pub mod summary;

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::StreamExt;
use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, rfc3339};
use crate::error::Error;
use crate::jobs::{Failure, Handler};
use crate::llm::{LlmError, Usage};
use crate::store::{JobRecord, NewEvent, Store, VisibilityRecord};
pub use engines::{AnswerEngine, Answered, EngineKind, EngineSpec};
pub use summary::{Summary, Trend};

/// The workflow's name in schedules and events.
pub const WORKFLOW: &str = "ai_visibility";
/// The job kind its schedule queues.
pub const JOB: &str = "workflow.ai_visibility";
/// Mondays at 07:00 in the customer's time zone, once the customer enables it: a run spends
/// the operator's tokens, so the schedule starts disabled.
pub const DEFAULT_CRON: &str = "0 7 * * 1";
/// Most times one query is put to one engine in a run.
pub const MAX_REPEATS: u32 = 5;
/// Asks in flight at once across the engines.
const CONCURRENCY: usize = 4;
/// How the figures are made, said in every run.
const METHOD: &str = "Each query was asked as written, with no system prompt, and each answer \
read for the brand's name and aliases (case- and accent-insensitive, whole words) and for the \
competitors'. Rates count answers; failed asks are left out of them.";

/// The configured engines and how much one run may ask of them.
pub struct Engines {
    pub list: Vec<AnswerEngine>,
    /// Most asks (queries × repeats × engines) in one run: `--visibility-max-asks`.
    pub max_asks: u32,
}

impl Engines {
    /// The engines of `specs`, their keys read through `key` (the environment, in the server).
    pub fn new(
        specs: &[EngineSpec],
        key: &dyn Fn(&str) -> Option<String>,
        timeout: std::time::Duration,
        attempts: u32,
        max_asks: u32,
    ) -> Result<Engines, Error> {
        let client = crate::web::client()
            .timeout(timeout)
            .build()
            .map_err(|e| Error::Internal(format!("building the answer engines' client: {e}")))?;
        let mut list: Vec<AnswerEngine> = Vec::new();
        for spec in specs {
            if list.iter().any(|e| e.name == spec.name) {
                return Err(Error::BadRequest(format!(
                    "two answer engines are named {:?}",
                    spec.name
                )));
            }
            let secret = match &spec.key_env {
                Some(var) => Some(key(var).filter(|k| !k.is_empty()).ok_or_else(|| {
                    Error::BadRequest(format!(
                        "answer engine {:?}: the environment variable {var} (key_env) is not set",
                        spec.name
                    ))
                })?),
                None => None,
            };
            list.push(AnswerEngine::new(
                spec,
                secret,
                client.clone(),
                timeout,
                attempts,
            ));
        }
        Ok(Engines { list, max_asks })
    }

    fn find(&self, name: &str) -> Option<&AnswerEngine> {
        self.list.iter().find(|e| e.name == name)
    }
}

/// An engine a run asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EngineUsed {
    pub name: String,
    /// openai-responses, perplexity, openai-chat, anthropic or sampling (the connected client's
    /// own model, whichever it is).
    pub kind: String,
    pub model: String,
    /// Whether its answers can cite sources; citation share counts only these.
    pub cites: bool,
}

/// An engine a run did not ask, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    pub engine: String,
    pub reason: String,
}

/// One answer, as read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    pub engine: String,
    pub query: String,
    /// 1 for the first time this query was put to this engine in the run.
    pub repeat: u32,
    /// The model that answered, as the engine named it.
    pub model: String,
    /// The answer; absent when the ask failed.
    pub text: Option<String>,
    /// Why the ask got no answer.
    pub error: Option<String>,
    /// Times the brand is named.
    pub mentions: u32,
    /// The brand's rank among the brands named, by first mention (1 = named first).
    pub first_mention_rank: Option<u32>,
    /// The character offset of the brand's first mention in `text`.
    pub first_mention_offset: Option<usize>,
    /// The text around the first mention.
    pub excerpt: Option<String>,
    /// Competitors named, with how many times.
    pub competitors: BTreeMap<String, u32>,
    /// The URLs the engine cited, each once.
    pub citations: Vec<String>,
    /// Whether a cited URL is on the brand's domain.
    pub cites_brand_domain: bool,
}

/// A run without its answers: what lists and trends read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    /// `vis_` and 16 hex digits.
    pub id: String,
    /// `tool` or `cron`.
    pub trigger: String,
    pub created_at: String,
    pub brand: String,
    pub aliases: Vec<String>,
    /// The brand's domain, for citations.
    pub domain: Option<String>,
    pub competitors: Vec<String>,
    pub queries: Vec<String>,
    pub repeats: u32,
    pub engines: Vec<EngineUsed>,
    pub skipped: Vec<Skipped>,
    pub overall: Summary,
    pub by_engine: BTreeMap<String, Summary>,
    /// Against the customer's previous run; absent for the first.
    pub trend: Option<Trend>,
    /// Tokens the engines reported (sampling reports none).
    pub usage: Usage,
    pub method: String,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub answers: Vec<Answer>,
}

/// What to measure; `None` and empty lists take the defaults.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub brand: Option<String>,
    pub aliases: Vec<String>,
    pub domain: Option<String>,
    pub competitors: Vec<String>,
    pub queries: Vec<String>,
    pub engines: Vec<String>,
    pub repeats: Option<u32>,
}

/// Whether the run can ask the connected client's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientModel {
    /// Over MCP with a client that declared sampling.
    Available,
    /// Over MCP without sampling, or over REST and the CLI.
    Missing,
    /// A scheduled run: no client at all.
    Scheduled,
}

/// A run resolved and checked, before anything is asked.
pub struct Plan {
    brand: String,
    aliases: Vec<String>,
    domain: Option<String>,
    competitors: Vec<String>,
    queries: Vec<String>,
    repeats: u32,
    engines: Vec<String>,
    skipped: Vec<Skipped>,
    trigger: &'static str,
}

impl Plan {
    /// The prompts for the client's model, in order: each query `repeats` times, when a
    /// sampling engine is planned.
    pub fn sampling_prompts(&self, engines: &Engines) -> Vec<String> {
        let sampled = self
            .engines
            .iter()
            .filter(|name| {
                engines
                    .find(name)
                    .is_some_and(|e| e.kind == EngineKind::Sampling)
            })
            .count();
        (0..sampled)
            .flat_map(|_| self.asks())
            .map(|(query, _)| query)
            .collect()
    }

    fn asks(&self) -> Vec<(String, u32)> {
        self.queries
            .iter()
            .flat_map(|q| (1..=self.repeats).map(move |r| (q.clone(), r)))
            .collect()
    }
}

/// Reports how far a run has got.
pub trait Progress: Send + Sync {
    fn answered(&self, done: u32, total: u32) -> BoxFuture<'_, ()>;
}

/// No one to report to (a scheduled run).
pub struct Quiet;

impl Progress for Quiet {
    fn answered(&self, _done: u32, _total: u32) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

/// Runs measurements for customers.
#[derive(Clone)]
pub struct Visibility {
    pub store: Store,
    pub engines: Arc<Engines>,
    pub clock: Arc<dyn Clock>,
}

/// Cleans a list of names: trimmed, blanks and repeats dropped.
fn names(list: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    list.into_iter()
        .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|n| !n.is_empty() && seen.insert(n.to_lowercase()))
        .collect()
}

impl Visibility {
    /// Resolves `request` for `customer` against the brand profile and the engines, and checks
    /// the budget; nothing is asked yet.
    pub async fn plan(
        &self,
        customer: &str,
        request: Request,
        client: ClientModel,
    ) -> Result<Plan, Error> {
        if self.engines.list.is_empty() {
            return Err(Error::Unsupported(format!(
                "No answer engine is configured, so nothing was measured: start the server with \
                 --answer-engine NAME=KIND,base_url=URL,model=M,key_env=VAR (or \
                 HEYCMO_ANSWER_ENGINES; kinds {}). {}",
                EngineKind::ALL.map(|k| k.as_str()).join(", "),
                geo_pointer(&self.store, customer).await?
            )));
        }
        let profile = crate::brand::latest(&self.store, customer).await?;
        let brand = match request.brand.map(|b| b.trim().to_owned()) {
            Some(brand) if !brand.is_empty() => brand,
            _ => profile
                .as_ref()
                .and_then(|p| p.name.clone())
                .ok_or_else(|| {
                    Error::invalid(
                        "/brand",
                        "no brand was given and there is no brand profile with a name: give \
                         brand, or run analyze_brand_url first",
                    )
                })?,
        };
        let aliases = names(request.aliases);
        let mut competitors = names(request.competitors);
        // None given: the competitors the brand named in onboarding's interview.
        if competitors.is_empty()
            && let Some(interview) = crate::onboarding::stated(&self.store, customer).await?
        {
            competitors = names(interview.competitors);
        }
        let domain = request
            .domain
            .map(|d| d.trim().trim_start_matches("www.").to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .or_else(|| {
                let profile = profile.as_ref()?;
                let url = url::Url::parse(&profile.final_url).ok()?;
                Some(url.host_str()?.trim_start_matches("www.").to_owned())
            });
        let mut queries = names(request.queries);
        if queries.is_empty() {
            let profile = profile.as_ref().ok_or_else(|| {
                Error::invalid(
                    "/queries",
                    "no queries were given and there is no brand profile to build them from: \
                     give queries, or run analyze_brand_url first",
                )
            })?;
            let phrases: Vec<String> = profile
                .key_phrases
                .iter()
                .map(|k| k.phrase.clone())
                .collect();
            queries = queries::defaults(&brand, &competitors, &phrases, &profile.audience);
            if queries.is_empty() {
                return Err(Error::invalid(
                    "/queries",
                    "the brand profile has no key phrases to build queries from: give queries",
                ));
            }
        }
        if queries.len() > queries::MAX_QUERIES {
            return Err(Error::invalid(
                "/queries",
                format!("at most {} queries in a run", queries::MAX_QUERIES),
            ));
        }
        let repeats = request.repeats.unwrap_or(1);
        if !(1..=MAX_REPEATS).contains(&repeats) {
            return Err(Error::invalid(
                "/repeats",
                format!("repeats is 1 to {MAX_REPEATS}"),
            ));
        }
        let asked_for = names(request.engines);
        for name in &asked_for {
            if self.engines.find(name).is_none() {
                let known: Vec<&str> = self.engines.list.iter().map(|e| e.name.as_str()).collect();
                return Err(Error::invalid(
                    "/engines",
                    format!(
                        "no answer engine is named {name:?}; this server has {}",
                        known.join(", ")
                    ),
                ));
            }
        }
        let chosen: Vec<&AnswerEngine> = if asked_for.is_empty() {
            self.engines.list.iter().collect()
        } else {
            asked_for
                .iter()
                .filter_map(|n| self.engines.find(n))
                .collect()
        };
        let (mut engines, mut skipped) = (Vec::new(), Vec::new());
        for engine in chosen {
            if engine.kind == EngineKind::Sampling && client != ClientModel::Available {
                let reason = match client {
                    ClientModel::Scheduled => "a scheduled run has no client model to ask",
                    _ => {
                        "the client does not offer sampling (call over MCP from a client that does)"
                    }
                };
                if !asked_for.is_empty() {
                    return Err(Error::Unsupported(format!(
                        "answer engine {:?}: {reason}",
                        engine.name
                    )));
                }
                skipped.push(Skipped {
                    engine: engine.name.clone(),
                    reason: reason.into(),
                });
            } else {
                engines.push(engine.name.clone());
            }
        }
        if engines.is_empty() {
            return Err(Error::Unsupported(format!(
                "No answer engine can be asked here, so nothing was measured: {}",
                skipped
                    .iter()
                    .map(|s| format!("{}: {}", s.engine, s.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            )));
        }
        let asks = queries.len() as u32 * repeats * engines.len() as u32;
        if asks > self.engines.max_asks {
            return Err(Error::BadRequest(format!(
                "this run would ask {asks} questions ({} queries × {repeats} repeats × {} \
                     engines); a run may ask at most {} (--visibility-max-asks)",
                queries.len(),
                engines.len(),
                self.engines.max_asks
            )));
        }
        Ok(Plan {
            brand,
            aliases,
            domain,
            competitors,
            queries,
            repeats,
            engines,
            skipped,
            trigger: if client == ClientModel::Scheduled {
                "cron"
            } else {
                "tool"
            },
        })
    }

    /// Asks every engine of `plan` (the client's model answered already: `sampled`, in the
    /// order of [`Plan::sampling_prompts`]), reads the answers, stores the run and answers it.
    pub async fn measure(
        &self,
        customer: &str,
        plan: Plan,
        mut sampled: std::vec::IntoIter<Answered>,
        progress: &dyn Progress,
        cancel: &CancellationToken,
    ) -> Result<Run, Error> {
        let started = self.clock.now_millis();
        let engines: Vec<&AnswerEngine> = plan
            .engines
            .iter()
            .filter_map(|n| self.engines.find(n))
            .collect();
        // Every ask in plan order; answers fill their own slot whatever order they arrive in.
        let mut asked: Vec<Asked<'_>> = engines
            .iter()
            .flat_map(|engine| {
                plan.asks().into_iter().map(|(query, repeat)| Asked {
                    engine,
                    query,
                    repeat,
                    outcome: None,
                })
            })
            .collect();
        for ask in asked
            .iter_mut()
            .filter(|a| a.engine.kind == EngineKind::Sampling)
        {
            let answered = sampled
                .next()
                .ok_or_else(|| Error::Internal("fewer sampled answers than planned".into()))?;
            ask.outcome = Some(Ok(answered));
        }
        let total = asked.len() as u32;
        let mut done = asked.iter().filter(|a| a.outcome.is_some()).count() as u32;
        let engine_of: Vec<&AnswerEngine> = asked.iter().map(|a| a.engine).collect();
        let pending: Vec<(usize, String)> = asked
            .iter()
            .enumerate()
            .filter(|(_, a)| a.outcome.is_none())
            .map(|(slot, a)| (slot, a.query.clone()))
            .collect();
        let mut answers = futures::stream::iter(pending)
            .map(|(slot, query)| {
                let engine = engine_of[slot];
                async move { (slot, engine.ask(&query).await) }
            })
            .buffer_unordered(CONCURRENCY);
        loop {
            tokio::select! {
                next = answers.next() => match next {
                    Some((slot, outcome)) => {
                        asked[slot].outcome = Some(outcome);
                        done += 1;
                        progress.answered(done, total).await;
                    }
                    None => break,
                },
                () = cancel.cancelled() => {
                    drop(answers);
                    self.record_usage(customer, &asked).await?;
                    return Err(Error::BadRequest("The run was cancelled; nothing was stored".into()));
                }
            }
        }
        drop(answers);
        let usage = self.record_usage(customer, &asked).await?;
        if let Some(Some(Err(error))) = asked.first().map(|a| &a.outcome)
            && asked.iter().all(|a| matches!(a.outcome, Some(Err(_))))
        {
            return Err(Error::LlmFailed(format!(
                "No answer engine answered, so nothing was measured or stored: {error}"
            )));
        }
        let names = mentions::Names::new(&plan.brand, &plan.aliases, &plan.competitors);
        let answers: Vec<Answer> = asked
            .into_iter()
            .map(|ask| read(ask, &names, &plan))
            .collect();
        let cites = |name: &str| self.engines.find(name).is_some_and(AnswerEngine::cites);
        let everything: Vec<&Answer> = answers.iter().collect();
        let overall = summary::summarise(&everything, &plan.brand, &plan.competitors, &cites);
        let by_engine = engines
            .iter()
            .map(|engine| {
                let own: Vec<&Answer> =
                    answers.iter().filter(|a| a.engine == engine.name).collect();
                (
                    engine.name.clone(),
                    summary::summarise(&own, &plan.brand, &plan.competitors, &cites),
                )
            })
            .collect();
        let mut run = Run {
            summary: RunSummary {
                id: format!("vis_{}", crate::auth::random_hex(8)),
                trigger: plan.trigger.into(),
                created_at: rfc3339(started),
                brand: plan.brand,
                aliases: plan.aliases,
                domain: plan.domain,
                competitors: plan.competitors,
                queries: plan.queries,
                repeats: plan.repeats,
                engines: engines
                    .iter()
                    .map(|e| EngineUsed {
                        name: e.name.clone(),
                        kind: e.kind.as_str().into(),
                        model: e.model.clone(),
                        cites: e.cites(),
                    })
                    .collect(),
                skipped: plan.skipped,
                overall,
                by_engine,
                trend: None,
                usage,
                method: METHOD.into(),
            },
            answers,
        };
        if let Some(previous) = self.previous(customer).await? {
            run.summary.trend = Some(summary::trend(&run.summary, &previous));
        }
        let event = NewEvent::new(
            customer.to_owned(),
            "visibility.completed",
            &json!({
                "runId": run.summary.id,
                "trigger": run.summary.trigger,
                "brand": run.summary.brand,
                "answers": run.summary.overall.answers,
                "visibilityRate": run.summary.overall.visibility_rate,
                "citationShare": run.summary.overall.citation_share,
                "trend": run.summary.trend.as_ref().and_then(|t| t.visibility_rate),
            }),
            started,
        );
        let record = VisibilityRecord {
            id: run.summary.id.clone(),
            trigger: run.summary.trigger.clone(),
            run: serde_json::to_string(&run).map_err(|e| Error::Internal(e.to_string()))?,
            summary: serde_json::to_string(&run.summary)
                .map_err(|e| Error::Internal(e.to_string()))?,
            created_at: started,
        };
        self.store
            .save_visibility_run(customer, record, event)
            .await?;
        Ok(run)
    }

    /// The customer's latest run, summarised.
    pub async fn previous(&self, customer: &str) -> Result<Option<RunSummary>, Error> {
        let latest = self.store.visibility_runs(customer, None, 1).await?;
        latest.first().map(summary_of).transpose()
    }

    /// Adds the tokens of every answer to the customer's usage, per engine; answers the total.
    async fn record_usage(&self, customer: &str, asked: &[Asked<'_>]) -> Result<Usage, Error> {
        let mut per_engine: BTreeMap<String, Usage> = BTreeMap::new();
        for ask in asked {
            if let Some(Ok(answered)) = &ask.outcome {
                let used = per_engine
                    .entry(format!("{}/{}", ask.engine.kind.as_str(), answered.model))
                    .or_default();
                used.input_tokens += answered.usage.input_tokens;
                used.output_tokens += answered.usage.output_tokens;
            }
        }
        let now = self.clock.now_millis();
        let mut total = Usage::default();
        for (engine, used) in per_engine {
            if used != Usage::default() {
                self.store
                    .record_usage(
                        customer,
                        now,
                        &engine,
                        used.input_tokens,
                        used.output_tokens,
                    )
                    .await?;
            }
            total.input_tokens += used.input_tokens;
            total.output_tokens += used.output_tokens;
        }
        Ok(total)
    }
}

/// A stored run's summary.
pub fn summary_of(record: &VisibilityRecord) -> Result<RunSummary, Error> {
    serde_json::from_str(&record.summary)
        .map_err(|e| Error::Internal(format!("visibility run {} is unreadable: {e}", record.id)))
}

/// A stored run, whole.
pub fn run_of(record: &VisibilityRecord) -> Result<Run, Error> {
    serde_json::from_str(&record.run)
        .map_err(|e| Error::Internal(format!("visibility run {} is unreadable: {e}", record.id)))
}

/// One ask of a run: the engine, the query, which repeat, and what came back once it has.
struct Asked<'e> {
    engine: &'e AnswerEngine,
    query: String,
    repeat: u32,
    outcome: Option<Result<Answered, LlmError>>,
}

/// One ask's outcome read for mentions and citations.
fn read(ask: Asked<'_>, names: &mentions::Names, plan: &Plan) -> Answer {
    let Asked {
        engine,
        query,
        repeat,
        outcome,
    } = ask;
    let mut answer = Answer {
        engine: engine.name.clone(),
        query,
        repeat,
        model: engine.model.clone(),
        text: None,
        error: None,
        mentions: 0,
        first_mention_rank: None,
        first_mention_offset: None,
        excerpt: None,
        competitors: BTreeMap::new(),
        citations: Vec::new(),
        cites_brand_domain: false,
    };
    match outcome {
        None => answer.error = Some("no answer came back".into()),
        Some(Err(error)) => answer.error = Some(error.to_string()),
        Some(Ok(answered)) => {
            let found = mentions::find(&answered.text, names);
            answer.mentions = found.count;
            answer.first_mention_rank = found.rank;
            answer.first_mention_offset = found.first_offset;
            answer.excerpt = found.excerpt;
            answer.competitors = found
                .competitors
                .into_iter()
                .zip(found.competitor_counts)
                .collect();
            answer.cites_brand_domain = plan.domain.as_deref().is_some_and(|domain| {
                answered
                    .citations
                    .iter()
                    .any(|url| mentions::on_domain(url, domain))
            });
            answer.citations = answered.citations;
            answer.model = answered.model;
            answer.text = Some(answered.text);
        }
    }
    answer
}

/// Where the latest audit's GEO findings are, for a caller who cannot measure visibility yet.
async fn geo_pointer(store: &Store, customer: &str) -> Result<String, Error> {
    let latest = store.audits(customer, Some("seo"), None, 1).await?;
    let Some(record) = latest.first() else {
        return Ok(
            "Meanwhile ai_seo_audit checks what AI crawlers and answer engines can read \
                   of the site (its GEO findings)."
                .into(),
        );
    };
    let report: crate::audit::Report = serde_json::from_str(&record.report)
        .map_err(|e| Error::Internal(format!("audit {} is unreadable: {e}", record.id)))?;
    let failing: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.category == crate::audit::finding::Category::Geo && !f.passed)
        .map(|f| f.title.as_str())
        .collect();
    Ok(if failing.is_empty() {
        format!(
            "The latest SEO audit ({}, {}) passes every GEO check.",
            record.id, record.url
        )
    } else {
        format!(
            "The latest SEO audit ({}, {}) fails {} GEO checks: {}; get_audit shows their fixes.",
            record.id,
            record.url,
            failing.len(),
            failing.join("; ")
        )
    })
}

/// Runs the scheduled measurements ([`JOB`]).
pub struct VisibilityJob(pub Visibility);

#[derive(Deserialize)]
struct Payload {
    customer: String,
}

impl Handler for VisibilityJob {
    fn run<'a>(&'a self, job: &'a JobRecord) -> BoxFuture<'a, Result<(), Failure>> {
        Box::pin(async move {
            let Payload { customer } = serde_json::from_str(&job.payload)
                .map_err(|e| Failure::permanent(format!("unreadable visibility job: {e}")))?;
            // The same questions as last time, so the trend compares like with like; the
            // profile's defaults for a first run.
            let request = match self.0.previous(&customer).await {
                Ok(Some(previous)) => Request {
                    brand: Some(previous.brand),
                    aliases: previous.aliases,
                    domain: previous.domain,
                    competitors: previous.competitors,
                    queries: previous.queries,
                    engines: Vec::new(),
                    repeats: Some(previous.repeats),
                },
                Ok(None) => Request::default(),
                Err(error) => return Err(Failure::from(error.to_string())),
            };
            let plan = self
                .0
                .plan(&customer, request, ClientModel::Scheduled)
                .await
                // A run that cannot be planned (no engine, no profile) will not plan on retry.
                .map_err(|e| Failure::permanent(e.to_string()))?;
            self.0
                .measure(
                    &customer,
                    plan,
                    Vec::new().into_iter(),
                    &Quiet,
                    &CancellationToken::new(),
                )
                .await
                .map(|_| ())
                .map_err(|e| Failure::from(e.to_string()))
        })
    }
}

impl RunSummary {
    /// The run as a few lines of text.
    pub fn render(&self) -> String {
        let percent = |rate: Option<f64>| {
            rate.map_or("not measured".to_owned(), |r| format!("{:.0} %", r * 100.0))
        };
        let overall = &self.overall;
        let mut lines = vec![format!(
            "Visibility run {} ({}, {}): {} named in {} of {} answers ({}); {} queries × {} \
             repeats × {} engines.",
            self.id,
            self.trigger,
            self.created_at,
            self.brand,
            overall.mentioned,
            overall.answers,
            percent(overall.visibility_rate),
            self.queries.len(),
            self.repeats,
            self.engines.len()
        )];
        if let Some(rank) = overall.average_first_mention_rank {
            lines.push(format!("Average rank of first mention: {rank:.1}."));
        }
        lines.push(format!(
            "Citation share (answers citing {}): {}.",
            self.domain.as_deref().unwrap_or("the brand's domain"),
            percent(overall.citation_share)
        ));
        for (name, summary) in &self.by_engine {
            lines.push(format!(
                "- {name}: {} of {} answers ({}), {} failed",
                summary.mentioned,
                summary.answers,
                percent(summary.visibility_rate),
                summary.failed
            ));
        }
        for voice in overall.share_of_voice.iter().filter(|v| !v.brand) {
            lines.push(format!(
                "- vs {}: named in {} answers, share of voice {}",
                voice.name,
                voice.answers,
                percent(voice.share)
            ));
        }
        for skipped in &self.skipped {
            lines.push(format!(
                "- {} not asked: {}",
                skipped.engine, skipped.reason
            ));
        }
        if let Some(trend) = &self.trend {
            lines.push(match trend.visibility_rate {
                Some(change) => format!(
                    "Since {} ({}): visibility {:+.0} points{}.",
                    trend.previous_run_id,
                    trend.previous_at,
                    change * 100.0,
                    if trend.comparable {
                        ""
                    } else {
                        " (different queries or brand: not like for like)"
                    }
                ),
                None => format!("Since {}: no comparable rate.", trend.previous_run_id),
            });
        }
        lines.join("\n")
    }
}

impl Progress for crate::registry::ToolContext {
    fn answered(&self, done: u32, total: u32) -> BoxFuture<'_, ()> {
        Box::pin(self.progress(
            f64::from(done),
            Some(f64::from(total)),
            format!("{done} of {total} answers"),
        ))
    }
}
