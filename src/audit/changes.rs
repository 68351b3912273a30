//! What changed between two audits of the same URL.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Category, Report};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub previous_audit_id: String,
    pub previous_fetched_at: String,
    /// Overall score now minus then.
    pub overall_delta: i64,
    pub category_deltas: BTreeMap<Category, i64>,
    /// Checks that passed (or did not apply) last time and fail now.
    pub newly_failing: Vec<String>,
    /// Checks that failed last time and pass now.
    pub fixed: Vec<String>,
}

impl Changes {
    pub fn between(previous: &Report, previous_id: &str, current: &Report) -> Changes {
        let failing = |r: &Report| -> BTreeSet<String> {
            r.findings
                .iter()
                .filter(|f| !f.passed)
                .map(|f| f.id.clone())
                .collect()
        };
        let passing = |r: &Report| -> BTreeSet<String> {
            r.findings
                .iter()
                .filter(|f| f.passed)
                .map(|f| f.id.clone())
                .collect()
        };
        let (then_failing, now_failing) = (failing(previous), failing(current));
        let category_deltas = current
            .scores
            .categories
            .iter()
            .map(|(category, now)| {
                let then = previous
                    .scores
                    .categories
                    .get(category)
                    .copied()
                    .unwrap_or(*now);
                (*category, i64::from(*now) - i64::from(then))
            })
            .collect();
        Changes {
            previous_audit_id: previous_id.to_owned(),
            previous_fetched_at: previous.fetched_at.clone(),
            overall_delta: i64::from(current.scores.overall) - i64::from(previous.scores.overall),
            category_deltas,
            newly_failing: now_failing.difference(&then_failing).cloned().collect(),
            fixed: then_failing
                .intersection(&passing(current))
                .cloned()
                .collect(),
        }
    }
}
