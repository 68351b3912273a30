//! The briefing's visibility part: the latest run's figures and trend, when one ran in the
//! period, so the morning briefing says whether the answer engines name the brand more or less.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::summary_of;
use crate::clock::rfc3339;
use crate::error::Error;
use crate::store::{Millis, Store};

/// The runs of a period, by their latest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Digest {
    /// Runs in the period.
    pub runs: u32,
    pub latest_run_id: String,
    pub latest_at: String,
    pub brand: String,
    pub answers: u32,
    pub visibility_rate: Option<f64>,
    pub citation_share: Option<f64>,
    pub average_first_mention_rank: Option<f64>,
    /// The latest run's visibility rate minus the run's before it.
    pub visibility_change: Option<f64>,
    /// Whether that change compares the same queries for the same brand.
    pub comparable: bool,
}

/// Most runs of a period read for the digest.
const RUNS: u32 = 50;

/// The visibility runs since `since`, or `None` when there were none.
pub async fn digest(store: &Store, customer: &str, since: Millis) -> Result<Option<Digest>, Error> {
    let in_period = store.visibility_runs(customer, Some(since), RUNS).await?;
    let Some(latest) = in_period.first() else {
        return Ok(None);
    };
    let run = summary_of(latest)?;
    Ok(Some(Digest {
        runs: in_period.len() as u32,
        latest_run_id: run.id,
        latest_at: rfc3339(latest.created_at),
        brand: run.brand,
        answers: run.overall.answers,
        visibility_rate: run.overall.visibility_rate,
        citation_share: run.overall.citation_share,
        average_first_mention_rank: run.overall.average_first_mention_rank,
        visibility_change: run.trend.as_ref().and_then(|t| t.visibility_rate),
        comparable: run.trend.as_ref().is_some_and(|t| t.comparable),
    }))
}

/// The digest as a highlight line.
pub fn highlights(digest: Option<&Digest>) -> Vec<String> {
    let Some(digest) = digest else {
        return Vec::new();
    };
    let rate = digest
        .visibility_rate
        .map_or("no answer".to_owned(), |r| format!("{:.0} %", r * 100.0));
    let change = match (digest.visibility_change, digest.comparable) {
        (Some(change), true) => format!(", {:+.0} points since the run before", change * 100.0),
        (Some(change), false) => format!(
            ", {:+.0} points since the run before (other queries: not like for like)",
            change * 100.0
        ),
        (None, _) => String::new(),
    };
    vec![format!(
        "AI answer engines named {} in {rate} of {} answers ({}){change}.",
        digest.brand, digest.answers, digest.latest_run_id
    )]
}
