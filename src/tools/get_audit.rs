//! `get_audit`: one stored audit report with all its findings.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::audit::{AuditKind, Report};
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

/// An audit by its id, or the latest of a URL: one of the two is needed.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("anyOf" = [
    {"required": ["auditId"], "properties": {"auditId": {"type": "string"}}},
    {"required": ["url"], "properties": {"url": {"type": "string"}}},
]))]
pub struct Input {
    /// The `auditId` an audit answered or `list_audits` lists.
    #[schemars(regex(pattern = r"^aud_[0-9a-f]{16}$"))]
    pub audit_id: Option<String>,
    /// Instead of an id: the latest audit of this URL (as it was audited).
    #[schemars(length(min = 1, max = 2048))]
    pub url: Option<String>,
    /// With `url`: only an audit of this kind.
    pub kind: Option<AuditKind>,
}

pub struct GetAudit;

impl Tool for GetAudit {
    type Input = Input;
    type Output = Report;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Report, Error> {
        let customer = &ctx.principal.customer.id;
        let record = match (&input.audit_id, &input.url) {
            (Some(id), _) => ctx.store.audit(customer, id).await?,
            (None, Some(url)) => ctx
                .store
                .audits(customer, input.kind.map(AuditKind::as_str), Some(url), 1)
                .await?
                .pop(),
            (None, None) => {
                return Err(Error::InvalidInput {
                    message: "Give auditId, or url for the latest audit of that URL".into(),
                    pointer: String::new(),
                });
            }
        };
        let record = record.ok_or_else(|| match (&input.audit_id, &input.url) {
            (Some(id), _) => Error::NotFound(format!("No audit {id}")),
            (_, url) => {
                Error::NotFound(format!("No audit of {} yet", url.as_deref().unwrap_or("")))
            }
        })?;
        serde_json::from_str(&record.report)
            .map_err(|e| Error::Internal(format!("stored audit {} is unreadable: {e}", record.id)))
    }

    fn render(&self, report: &Report) -> String {
        report.render()
    }
}
