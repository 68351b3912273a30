//! The customer account as clients see it (`GET /api/customer/:id`, `get_account`).

use schemars::JsonSchema;
use serde::Serialize;

use crate::clock::rfc3339;
use crate::store::Customer;

/// A customer record, in the hosted HeyCMO API's shape.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The customer id (`cust_…`).
    pub id: String,
    pub email: String,
    pub plan: String,
    /// `active` while the customer may use the service.
    pub status: String,
    /// The legacy-SSE MCP endpoint; pass the key as `?token=` or an `Authorization: Bearer` header.
    pub mcp_endpoint: String,
    /// The brand name, once onboarding has found one.
    pub brand_name: Option<String>,
    /// Who writes by default when a call says `auto`: `auto`, `sampling`, `server` or
    /// `offline` (set with set_engine).
    pub engine: String,
    /// When the customer was created (RFC 3339, UTC).
    pub created_at: String,
}

impl Account {
    pub fn new(customer: &Customer, public_url: &str) -> Account {
        Account {
            id: customer.id.clone(),
            email: customer.email.clone(),
            plan: customer.plan.clone(),
            status: customer.status.clone(),
            mcp_endpoint: sse_endpoint(public_url, None),
            brand_name: customer.brand_name.clone(),
            engine: customer.engine.clone().unwrap_or_else(|| "auto".into()),
            created_at: rfc3339(customer.created_at),
        }
    }
}

/// The legacy-SSE endpoint URL, with the key as `?token=` when it is known (only when minted).
pub fn sse_endpoint(public_url: &str, key: Option<&str>) -> String {
    let base = public_url.trim_end_matches('/');
    match key {
        Some(key) => format!("{base}/mcp/sse?token={key}"),
        None => format!("{base}/mcp/sse"),
    }
}

/// A key as its owner sees it: never the secret, only the prefix people tell keys apart by.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamKey {
    /// `key_` and 16 hex digits.
    pub id: String,
    /// The key's first characters, as shown when it was issued.
    pub prefix: String,
    /// `owner`, `member` or `read-only`.
    pub role: String,
    /// Who holds it: the teammate's email for invited keys.
    pub label: String,
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

impl TeamKey {
    pub fn new(record: &crate::store::ApiKeyRecord) -> TeamKey {
        TeamKey {
            id: record.id.clone(),
            prefix: record.prefix.clone(),
            role: record.scope.as_str().to_owned(),
            label: record.label.clone(),
            created_at: rfc3339(record.created_at),
            revoked_at: record.revoked_at.map(rfc3339),
        }
    }
}
