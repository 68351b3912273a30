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
        audit::for_customer(ctx, AuditKind::Seo, &input.url).await
    }

    fn render(&self, report: &Report) -> String {
        report.render()
    }
}
