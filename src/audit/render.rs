//! How an audit report reads in a tool's text answer.

use super::Report;

impl Report {
    /// The readable summary the audit tools answer with next to the structured report.
    pub fn render(&self) -> String {
        let report = self;
        let categories: Vec<String> = report
            .scores
            .categories
            .iter()
            .map(|(c, s)| {
                format!(
                    "{} {s}",
                    serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                )
            })
            .collect();
        let mut text = format!(
            "{} audit of {} (HTTP {}): {}/100 overall ({}). {} passed, {} failed.",
            report.kind.as_str().to_uppercase(),
            report.final_url,
            report.status,
            report.scores.overall,
            categories.join(", "),
            report.passed,
            report.failed
        );
        if let Some(reason) = &report.not_audited {
            text.push_str(&format!("\nNOT AUDITED AS A PAGE: {reason}."));
        }
        if let Some(changes) = &report.changes {
            text.push_str(&format!(
                "\nSince the previous audit: {:+} overall; newly failing: {}; fixed: {}.",
                changes.overall_delta,
                if changes.newly_failing.is_empty() {
                    "none".to_owned()
                } else {
                    changes.newly_failing.join(", ")
                },
                if changes.fixed.is_empty() {
                    "none".to_owned()
                } else {
                    changes.fixed.join(", ")
                },
            ));
        }
        for finding in report.findings.iter().filter(|f| !f.passed) {
            text.push_str(&format!(
                "\n- [{:?}] Not met: {} — seen: {}. Fix: {}",
                finding.severity,
                finding.title,
                finding.evidence,
                finding.fix.as_deref().unwrap_or("")
            ));
        }
        text
    }
}
