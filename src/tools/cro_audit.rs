//! `cro_audit`: conversion heuristics for one page.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::audit::{self, AuditKind, Report};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The page to audit, usually a landing or home page: an http(s) URL or a bare domain.
    #[schemars(length(min = 1, max = 2048))]
    pub url: String,
}

pub struct CroAudit;

impl Tool for CroAudit {
    type Input = Input;
    type Output = Report;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Report, Error> {
        audit::for_customer(ctx, AuditKind::Cro, &input.url).await
    }

    fn render(&self, report: &Report) -> String {
        report.render()
    }
}
