//! `list_audits`: the caller's stored audits, newest first.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::audit::AuditKind;
use crate::clock::rfc3339;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Only audits of this URL, exactly as it was given to the audit.
    #[schemars(length(min = 1, max = 2048))]
    pub url: Option<String>,
    /// Only SEO (`ai_seo_audit`) or conversion (`cro_audit`) audits.
    pub kind: Option<AuditKind>,
    /// How many, 1 to 100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    pub limit: Option<u32>,
}

/// One stored audit, without its findings (`get_audit` has them).
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditSummary {
    pub audit_id: String,
    pub kind: String,
    pub url: String,
    /// The overall score, 0 to 100.
    pub overall: u32,
    /// When it ran (RFC 3339).
    pub created_at: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub audits: Vec<AuditSummary>,
}

pub struct ListAudits;

impl Tool for ListAudits {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let records = ctx
            .store
            .audits(
                &ctx.principal.customer.id,
                input.kind.map(AuditKind::as_str),
                input.url.as_deref(),
                input.limit.unwrap_or(20),
            )
            .await?;
        Ok(Output {
            audits: records
                .into_iter()
                .map(|r| AuditSummary {
                    audit_id: r.id,
                    kind: r.kind,
                    url: r.url,
                    overall: r.score,
                    created_at: rfc3339(r.created_at),
                })
                .collect(),
        })
    }

    fn render(&self, output: &Output) -> String {
        if output.audits.is_empty() {
            return "No audits yet: run ai_seo_audit or cro_audit on a URL.".into();
        }
        output
            .audits
            .iter()
            .map(|a| {
                format!(
                    "{} {} {} {}/100 at {}",
                    a.audit_id, a.kind, a.url, a.overall, a.created_at
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
