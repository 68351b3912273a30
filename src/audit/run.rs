//! Running audits for someone. One orchestration serves the audit tools (each finding reported
//! as progress, the report stored for the customer) and `/live` (several audits in turn, each
//! finding streamed to a viewer, nothing stored).

use std::future::Future;

use url::Url;

use super::{AuditKind, Finding, Progress, Report, cro, seo};
use crate::error::Error;
use crate::registry::ToolContext;
use crate::web::{FetchError, Fetcher};

/// Runs an audit, handing each finding to `on_finding` as soon as it is made.
async fn run_streaming<F, Fut>(
    fetcher: &Fetcher,
    kind: AuditKind,
    url: &Url,
    mut on_finding: F,
) -> Result<Report, FetchError>
where
    F: FnMut(Finding) -> Fut,
    Fut: Future<Output = ()>,
{
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let progress = Progress::to(sender);
    // The audit owns the only sender: when it finishes, the forwarding loop drains and ends.
    let audit = async move {
        match kind {
            AuditKind::Seo => seo(fetcher, url, progress).await,
            AuditKind::Cro => cro(fetcher, url, progress).await,
        }
    };
    let forward = async {
        while let Some(finding) = receiver.recv().await {
            on_finding(finding).await;
        }
    };
    let (report, ()) = tokio::join!(audit, forward);
    report
}

/// Runs `kinds` on `url` one after the other, handing every finding to `on_finding` as it is
/// made; the first audit that fails ends the run.
pub async fn in_turn<F, Fut>(
    fetcher: &Fetcher,
    kinds: &[AuditKind],
    url: &Url,
    mut on_finding: F,
) -> Result<Vec<Report>, FetchError>
where
    F: FnMut(Finding) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut reports = Vec::with_capacity(kinds.len());
    for &kind in kinds {
        reports.push(run_streaming(fetcher, kind, url, &mut on_finding).await?);
    }
    Ok(reports)
}

/// Runs an audit for a caller, reporting each finding as progress, and stores it with what
/// changed since their previous audit of the URL.
pub async fn for_customer(ctx: &ToolContext, kind: AuditKind, url: &str) -> Result<Report, Error> {
    let url = ctx.fetcher.parse(url)?;
    let mut done = 0.0;
    let mut report = run_streaming(&ctx.fetcher, kind, &url, |finding| {
        done += 1.0;
        let mark = if finding.passed { "pass" } else { "FAIL" };
        let message = format!("{mark} {}: {}", finding.id, finding.evidence);
        async move { ctx.progress(done, None, message).await }
    })
    .await?;
    super::record(
        &ctx.store,
        &ctx.principal.customer.id,
        &mut report,
        ctx.clock.now_millis(),
    )
    .await?;
    Ok(report)
}
