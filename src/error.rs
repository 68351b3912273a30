//! The one error type every boundary maps from.
//!
//! Each variant carries a stable `E_*` code that clients switch on, so codes are never renamed; the
//! message is for people. REST turns an [`Error`] into `{"error","code","requestId"}` with the status
//! from [`Error::status`]; MCP turns it into an `isError` tool result or a JSON-RPC error carrying
//! the same code in `data`.

use std::time::Duration;

/// Everything that can go wrong while serving a request, as the client should see it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Authentication required")]
    AuthRequired,
    #[error("Invalid or revoked API key")]
    InvalidKey,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{message}")]
    InvalidInput {
        message: String,
        /// JSON pointer to the offending part of the input ("" for the whole document).
        pointer: String,
    },
    #[error("Request body exceeds {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("Rate limit exceeded")]
    RateLimited { retry_after: Duration },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Disabled(String),
    /// The request needs something this surface or client cannot do (sampling over REST, say).
    #[error("{0}")]
    Unsupported(String),
    /// The MCP client did not declare a capability the request needs (SEP-2575: -32021).
    #[error("The client did not declare the {0} capability this request needs")]
    MissingCapability(&'static str),
    #[error("Method not allowed; this route accepts {allowed}")]
    MethodNotAllowed { allowed: String },
    /// The legacy SSE session is gone; the text is the seed's.
    #[error("Session not found — reconnect to /mcp/sse")]
    SessionNotFound,
    #[error("Request cancelled")]
    Cancelled,
    /// The tool needs replies from the client before it can finish (2026-07-28 round trip,
    /// SEP-2322); MCP turns this into an `InputRequiredResult`. `answered` holds the replies of
    /// earlier rounds, carried to the next one in the signed request state.
    #[error("The tool needs input from the client")]
    InputRequired {
        asks: Vec<(String, crate::registry::Ask)>,
        answered: std::collections::BTreeMap<String, serde_json::Value>,
    },
    /// A URL the fetcher will not fetch (private address, wrong scheme); the text says why.
    #[error("{0}")]
    UrlRefused(String),
    /// The site could not be fetched (DNS, connection, timeout, too large).
    #[error("{0}")]
    FetchFailed(String),
    /// The language model engine failed (after retries); the text is the provider's answer.
    #[error("{0}")]
    LlmFailed(String),
    #[error("Database unavailable")]
    Unavailable(#[source] crate::store::StoreError),
    #[error("Internal error")]
    Internal(String),
}

impl Error {
    /// The stable machine-readable code, part of the public contract.
    pub fn code(&self) -> &'static str {
        match self {
            Error::AuthRequired => "E_AUTH_REQUIRED",
            Error::InvalidKey => "E_INVALID_KEY",
            Error::Forbidden(_) => "E_FORBIDDEN",
            Error::NotFound(_) => "E_NOT_FOUND",
            Error::BadRequest(_) => "E_BAD_REQUEST",
            Error::InvalidInput { .. } => "E_INVALID_INPUT",
            Error::PayloadTooLarge { .. } => "E_PAYLOAD_TOO_LARGE",
            Error::RateLimited { .. } => "E_RATE_LIMITED",
            Error::Conflict(_) => "E_CONFLICT",
            Error::Disabled(_) => "E_DISABLED",
            Error::Unsupported(_) => "E_UNSUPPORTED",
            Error::MissingCapability(_) => "E_MISSING_CAPABILITY",
            Error::MethodNotAllowed { .. } => "E_METHOD_NOT_ALLOWED",
            Error::SessionNotFound => "E_SESSION_NOT_FOUND",
            Error::Cancelled => "E_CANCELLED",
            Error::InputRequired { .. } => "E_INPUT_REQUIRED",
            Error::UrlRefused(_) => "E_URL_REFUSED",
            Error::FetchFailed(_) => "E_FETCH_FAILED",
            Error::LlmFailed(_) => "E_LLM_FAILED",
            Error::Unavailable(_) => "E_UNAVAILABLE",
            Error::Internal(_) => "E_INTERNAL",
        }
    }

    /// The HTTP status REST answers with.
    pub fn status(&self) -> u16 {
        match self {
            Error::AuthRequired | Error::InvalidKey => 401,
            Error::Forbidden(_) => 403,
            Error::NotFound(_) | Error::Disabled(_) => 404,
            Error::BadRequest(_)
            | Error::SessionNotFound
            | Error::Unsupported(_)
            | Error::MissingCapability(_)
            | Error::UrlRefused(_) => 400,
            Error::FetchFailed(_) | Error::LlmFailed(_) => 502,
            Error::InvalidInput { .. } => 422,
            Error::PayloadTooLarge { .. } => 413,
            Error::RateLimited { .. } => 429,
            Error::Conflict(_) => 409,
            Error::MethodNotAllowed { .. } => 405,
            Error::Cancelled => 499,
            Error::InputRequired { .. } => 409,
            Error::Unavailable(_) => 503,
            Error::Internal(_) => 500,
        }
    }

    /// The documented body, `{"error","code","requestId"}` (plus `pointer` for invalid input):
    /// what REST answers and what an MCP `isError` result carries as its text.
    pub fn body(&self, request_id: &str) -> serde_json::Value {
        let mut body = serde_json::json!({"error": self.to_string(), "code": self.code(), "requestId": request_id});
        if let Error::InvalidInput { pointer, .. } = self {
            body["pointer"] = serde_json::json!(pointer);
        }
        body
    }

    /// Every code with what it means; the README table and OpenAPI are generated from this list.
    pub const CODES: &'static [(&'static str, u16, &'static str)] = &[
        ("E_AUTH_REQUIRED", 401, "No API key was presented."),
        ("E_INVALID_KEY", 401, "The API key is unknown or revoked."),
        (
            "E_FORBIDDEN",
            403,
            "The key may not reach this customer or needs a wider scope.",
        ),
        ("E_NOT_FOUND", 404, "No such route, tool or record."),
        (
            "E_BAD_REQUEST",
            400,
            "The body is not valid JSON or the request is malformed.",
        ),
        (
            "E_INVALID_INPUT",
            422,
            "The input violates the tool's JSON Schema; `error` names the JSON pointer.",
        ),
        (
            "E_PAYLOAD_TOO_LARGE",
            413,
            "The request body is over the configured limit.",
        ),
        (
            "E_RATE_LIMITED",
            429,
            "Too many requests; wait `Retry-After` seconds.",
        ),
        (
            "E_CONFLICT",
            409,
            "The record already exists (for example an email in use).",
        ),
        (
            "E_DISABLED",
            404,
            "The endpoint is switched off in this deployment (for example provisioning without an admin secret).",
        ),
        (
            "E_UNSUPPORTED",
            400,
            "The request needs what this surface or client cannot do (sampling outside MCP, a client without that capability).",
        ),
        (
            "E_MISSING_CAPABILITY",
            400,
            "MCP only: the client did not declare the capability the request needs (sampling, elicitation, roots); over MCP this is JSON-RPC error -32021 with data.requiredCapabilities.",
        ),
        (
            "E_METHOD_NOT_ALLOWED",
            405,
            "The route exists but not for this HTTP method.",
        ),
        (
            "E_SESSION_NOT_FOUND",
            400,
            "The legacy SSE session is closed or unknown; reconnect to /mcp/sse.",
        ),
        (
            "E_INPUT_REQUIRED",
            409,
            "MCP only: the tool needs replies from the client; it answers an InputRequiredResult and is called again.",
        ),
        (
            "E_URL_REFUSED",
            400,
            "The URL may not be fetched: not http(s), or it resolves to a loopback, private, link-local or other non-public address.",
        ),
        (
            "E_FETCH_FAILED",
            502,
            "The site could not be fetched: DNS, connection, timeout, too many redirects or a body over the size cap.",
        ),
        (
            "E_LLM_FAILED",
            502,
            "The language model (OpenAI-compatible or Anthropic) failed after retries; the message is the provider's.",
        ),
        ("E_CANCELLED", 499, "The client cancelled the request."),
        ("E_UNAVAILABLE", 503, "The database cannot be reached."),
        ("E_INTERNAL", 500, "A bug on our side; quote the requestId."),
    ];
}

impl From<crate::web::FetchError> for Error {
    fn from(error: crate::web::FetchError) -> Self {
        match error {
            crate::web::FetchError::Refused { .. } => Error::UrlRefused(error.to_string()),
            crate::web::FetchError::BadUrl(message) => Error::UrlRefused(message),
            other => Error::FetchFailed(other.to_string()),
        }
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(error: crate::store::StoreError) -> Self {
        match error {
            crate::store::StoreError::Conflict(message) => Error::Conflict(message),
            crate::store::StoreError::NotFound(message) => Error::NotFound(message),
            crate::store::StoreError::Pool(_) => Error::Unavailable(error),
            other => {
                tracing::error!(error = %other, "store failure");
                Error::Internal(other.to_string())
            }
        }
    }
}
