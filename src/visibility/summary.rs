//! Aggregates of a run's answers (per engine and overall), and the trend against the run
//! before. A rate is given only over answers that exist: no answers, no rate.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Answer;

/// One brand's part of what the answers said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Voice {
    pub name: String,
    /// True for the customer's brand, false for a competitor.
    pub brand: bool,
    /// Answers that name it.
    pub answers: u32,
    /// Times it is named, over all answers.
    pub mentions: u32,
    /// Its mentions over the mentions of the brand and every competitor (0 to 1); absent when
    /// no one was named.
    pub share: Option<f64>,
}

/// What a set of answers says of the brand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Answers received.
    pub answers: u32,
    /// Asks that got no answer (the engine failed after retries); left out of every rate.
    pub failed: u32,
    /// Answers naming the brand.
    pub mentioned: u32,
    /// `mentioned / answers`, 0 to 1.
    pub visibility_rate: Option<f64>,
    /// The mean rank of the brand's first mention among the brands named, over the answers
    /// naming it (1 = named first).
    pub average_first_mention_rank: Option<f64>,
    /// Answers citing a page on the brand's domain, over the answers of engines that cite;
    /// absent when no engine here cites sources.
    pub citation_share: Option<f64>,
    /// The brand first, then each competitor.
    pub share_of_voice: Vec<Voice>,
}

fn rate(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// The summary of `answers`; `cites` says which engines can cite at all.
pub fn summarise(
    answers: &[&Answer],
    brand: &str,
    competitors: &[String],
    cites: &dyn Fn(&str) -> bool,
) -> Summary {
    let answered: Vec<&&Answer> = answers.iter().filter(|a| a.error.is_none()).collect();
    let mentioned: Vec<&&&Answer> = answered.iter().filter(|a| a.mentions > 0).collect();
    let ranks: Vec<u32> = mentioned
        .iter()
        .filter_map(|a| a.first_mention_rank)
        .collect();
    let citing: Vec<&&&Answer> = answered.iter().filter(|a| cites(&a.engine)).collect();
    let mut voices = vec![Voice {
        name: brand.to_owned(),
        brand: true,
        answers: mentioned.len() as u32,
        mentions: answered.iter().map(|a| a.mentions).sum(),
        share: None,
    }];
    for competitor in competitors {
        let counts: Vec<u32> = answered
            .iter()
            .filter_map(|a| a.competitors.get(competitor).copied())
            .collect();
        voices.push(Voice {
            name: competitor.clone(),
            brand: false,
            answers: counts.len() as u32,
            mentions: counts.iter().sum(),
            share: None,
        });
    }
    let total: u32 = voices.iter().map(|v| v.mentions).sum();
    for voice in &mut voices {
        voice.share = rate(voice.mentions, total);
    }
    Summary {
        answers: answered.len() as u32,
        failed: (answers.len() - answered.len()) as u32,
        mentioned: mentioned.len() as u32,
        visibility_rate: rate(mentioned.len() as u32, answered.len() as u32),
        average_first_mention_rank: (!ranks.is_empty())
            .then(|| f64::from(ranks.iter().sum::<u32>()) / ranks.len() as f64),
        citation_share: rate(
            citing.iter().filter(|a| a.cites_brand_domain).count() as u32,
            citing.len() as u32,
        ),
        share_of_voice: voices,
    }
}

/// How a run compares with the one before it: differences of this run's figures minus the
/// previous run's (rates in fractions, so +0.1 is ten points more).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Trend {
    pub previous_run_id: String,
    pub previous_at: String,
    /// False when the two runs asked different queries or measured a different brand: the
    /// differences then mix a change of question with a change of answer.
    pub comparable: bool,
    pub visibility_rate: Option<f64>,
    pub average_first_mention_rank: Option<f64>,
    pub citation_share: Option<f64>,
    /// The visibility rate's difference per engine present in both runs.
    pub by_engine: BTreeMap<String, f64>,
}

/// `now - before`, rounded to four decimals: the figures are exact fractions, and a difference
/// of 2/3 and 1/3 should read 0.3333, not 0.33333333333333337.
fn difference(now: Option<f64>, before: Option<f64>) -> Option<f64> {
    Some(((now? - before?) * 10_000.0).round() / 10_000.0)
}

/// The trend from `previous` to `current`.
pub fn trend(current: &super::RunSummary, previous: &super::RunSummary) -> Trend {
    Trend {
        previous_run_id: previous.id.clone(),
        previous_at: previous.created_at.clone(),
        comparable: current.brand == previous.brand && current.queries == previous.queries,
        visibility_rate: difference(
            current.overall.visibility_rate,
            previous.overall.visibility_rate,
        ),
        average_first_mention_rank: difference(
            current.overall.average_first_mention_rank,
            previous.overall.average_first_mention_rank,
        ),
        citation_share: difference(
            current.overall.citation_share,
            previous.overall.citation_share,
        ),
        by_engine: current
            .by_engine
            .iter()
            .filter_map(|(name, now)| {
                let before = previous.by_engine.get(name)?;
                Some((
                    name.clone(),
                    difference(now.visibility_rate, before.visibility_rate)?,
                ))
            })
            .collect(),
    }
}
