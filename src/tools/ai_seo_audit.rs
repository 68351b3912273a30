//! `ai_seo_audit`: the SEO, GEO, performance and accessibility audit of one URL.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::audit::{self, AuditKind, Report};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The page to audit: an http(s) URL, or a bare domain such as `example.com`.
    #[schemars(length(min = 1, max = 2048))]
    pub url: String,
}

pub struct AiSeoAudit;

impl Tool for AiSeoAudit {
    type Input = Input;
    type Output = Report;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Report, Error> {
        audit_and_record(ctx, AuditKind::Seo, &input.url).await
    }

    fn render(&self, report: &Report) -> String {
        render(report)
    }
}

/// Runs an audit for the caller, reporting each finding as progress, and stores it.
pub(crate) async fn audit_and_record(
    ctx: &ToolContext,
    kind: AuditKind,
    url: &str,
) -> Result<Report, Error> {
    let url = ctx.fetcher.parse(url)?;
    let mut done = 0.0;
    let mut report = audit::run_streaming(&ctx.fetcher, kind, &url, |finding| {
        done += 1.0;
        let mark = if finding.passed { "pass" } else { "FAIL" };
        let message = format!("{mark} {}: {}", finding.id, finding.evidence);
        async move { ctx.progress(done, None, message).await }
    })
    .await?;
    audit::record(
        &ctx.store,
        &ctx.principal.customer.id,
        &mut report,
        ctx.clock.now_millis(),
    )
    .await?;
    Ok(report)
}

/// The readable summary both audit tools return next to the structured report.
pub(crate) fn render(report: &Report) -> String {
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
            "\n- [{:?}] {} — {}. Fix: {}",
            finding.severity,
            finding.title,
            finding.evidence,
            finding.fix.as_deref().unwrap_or("")
        ));
    }
    text
}
