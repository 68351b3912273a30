//! Findings and scores: the shape every audit reports in.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a check is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Seo,
    Geo,
    Performance,
    Accessibility,
    Conversion,
}

impl Category {
    /// A check of this category.
    pub const fn check(self, id: &'static str, severity: Severity, title: &'static str) -> Check {
        Check {
            id,
            category: self,
            severity,
            title,
        }
    }
}

/// How much a failure costs; also the check's weight in the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    /// Weight in the score: a critical check counts ten times a low one.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Critical => 10,
            Severity::High => 6,
            Severity::Medium => 3,
            Severity::Low => 1,
        }
    }
}

/// The result of one check on one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable identifier (`seo.title`, `geo.llms-txt`, ...); compare audits by it.
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub passed: bool,
    /// What was checked.
    pub title: String,
    /// What was seen: a value, a selector or a snippet.
    pub evidence: String,
    /// What to change; present when the check failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A check's definition; `pass` and `fail` make its findings.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    pub title: &'static str,
}

impl Check {
    pub fn pass(&self, evidence: impl Into<String>) -> Finding {
        self.finding(true, evidence.into(), None)
    }

    pub fn fail(&self, evidence: impl Into<String>, fix: impl Into<String>) -> Finding {
        self.finding(false, evidence.into(), Some(fix.into()))
    }

    /// `pass` when `ok`, else `fail` with the fix.
    pub fn judge(&self, ok: bool, evidence: impl Into<String>, fix: impl Into<String>) -> Finding {
        if ok {
            self.pass(evidence)
        } else {
            self.fail(evidence, fix)
        }
    }

    fn finding(&self, passed: bool, evidence: String, fix: Option<String>) -> Finding {
        Finding {
            id: self.id.to_owned(),
            category: self.category,
            severity: self.severity,
            passed,
            title: self.title.to_owned(),
            evidence: clip(&evidence, 300),
            fix,
        }
    }
}

/// Scores 0–100: overall and per category.
///
/// Each applicable check weighs by its severity (critical 10, high 6, medium 3, low 1); a
/// category's score is the weight of its passed checks over the weight of all its checks,
/// rounded; `overall` is the same ratio over every check of the audit. A category with no
/// applicable check has no score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Scores {
    pub overall: u32,
    pub categories: BTreeMap<Category, u32>,
}

impl Scores {
    pub fn of(findings: &[Finding]) -> Scores {
        let mut totals: BTreeMap<Category, (u32, u32)> = BTreeMap::new();
        for finding in findings {
            let entry = totals.entry(finding.category).or_default();
            entry.1 += finding.severity.weight();
            if finding.passed {
                entry.0 += finding.severity.weight();
            }
        }
        let ratio = |(passed, all): (u32, u32)| {
            if all == 0 {
                100
            } else {
                (f64::from(passed) * 100.0 / f64::from(all)).round() as u32
            }
        };
        let all = totals
            .values()
            .fold((0, 0), |acc, t| (acc.0 + t.0, acc.1 + t.1));
        Scores {
            overall: ratio(all),
            categories: totals.into_iter().map(|(c, t)| (c, ratio(t))).collect(),
        }
    }
}

/// At most `max` characters, with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Check = Check {
        id: "seo.a",
        category: Category::Seo,
        severity: Severity::Critical,
        title: "a",
    };
    const B: Check = Check {
        id: "geo.b",
        category: Category::Geo,
        severity: Severity::Low,
        title: "b",
    };

    #[test]
    fn scores_weigh_by_severity() {
        let scores = Scores::of(&[A.pass("ok"), B.fail("no", "fix it")]);
        assert_eq!(scores.categories[&Category::Seo], 100);
        assert_eq!(scores.categories[&Category::Geo], 0);
        assert_eq!(scores.overall, 91); // 10 of 11
        assert_eq!(Scores::of(&[]).overall, 100);
    }

    #[test]
    fn evidence_is_clipped() {
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("hi", 5), "hi");
    }
}
