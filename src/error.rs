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
    /// The record existed and is gone for good (a sign-up's key, handed over once).
    #[error("{0}")]
    Gone(String),
    /// The customer's subscription is canceled or unpaid: reads work, writes wait until
    /// billing is fixed at `billing_url`.
    #[error("{message}")]
    PaymentRequired {
        message: String,
        billing_url: String,
    },
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
    /// The legacy SSE session is gone; the text is the hosted API's (docs/hosted-api.md).
    #[error("Session not found — reconnect to /mcp/sse")]
    SessionNotFound,
    /// A URL the fetcher will not fetch (private address, wrong scheme); the text says why.
    #[error("{0}")]
    UrlRefused(String),
    /// The site could not be fetched (DNS, connection, timeout, too large).
    #[error("{0}")]
    FetchFailed(String),
    /// The language model engine failed (after retries); the text is the provider's answer.
    #[error("{0}")]
    LlmFailed(String),
    /// A connected service (Google Analytics, Search Console) refused access or failed; the
    /// text is its own words and what to grant.
    #[error("{0}")]
    ProviderFailed(String),
    /// A connected service's quota is spent until `retry_after` has passed.
    #[error("{message}")]
    QuotaExhausted {
        message: String,
        retry_after: Duration,
    },
    #[error("Database unavailable")]
    Unavailable(#[source] crate::store::StoreError),
    #[error("Internal error")]
    Internal(String),
}

/// What a kind of error is, to every client: its stable code, its HTTP status, its JSON-RPC
/// error code over MCP, and what it means. Every mapping of an [`Error`] is read from
/// [`Error::KINDS`]; the README's table, OpenAPI's error descriptions and `/index.md` are
/// generated from it, and a test checks the README against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub code: &'static str,
    pub status: u16,
    /// The JSON-RPC error code when the failure ends an MCP request rather than a tool call.
    pub jsonrpc: i32,
    pub meaning: &'static str,
}

const fn kind(code: &'static str, status: u16, jsonrpc: i32, meaning: &'static str) -> Kind {
    Kind {
        code,
        status,
        jsonrpc,
        meaning,
    }
}

/// JSON-RPC 2.0's own codes, and the implementation-defined ones MCP and heycmo use.
pub mod jsonrpc {
    pub const PARSE_ERROR: i32 = -32700;
    pub const INVALID_REQUEST: i32 = -32600;
    pub const INVALID_PARAMS: i32 = -32602;
    pub const INTERNAL_ERROR: i32 = -32603;
    /// MCP: the resource does not exist.
    pub const RESOURCE_NOT_FOUND: i32 = -32002;
    /// SEP-2575: the client did not declare a capability the request needs.
    pub const MISSING_CAPABILITY: i32 = -32021;
    /// heycmo: the customer's MCP allowance is spent (`data.retryAfter` says for how long).
    pub const RATE_LIMITED: i32 = -32029;
}

impl Error {
    /// Every kind, in the order the documentation lists them.
    pub const KINDS: &'static [Kind] = &[
        kind(
            "E_AUTH_REQUIRED",
            401,
            jsonrpc::INVALID_REQUEST,
            "No API key was presented.",
        ),
        kind(
            "E_INVALID_KEY",
            401,
            jsonrpc::INVALID_REQUEST,
            "The API key is unknown or revoked.",
        ),
        kind(
            "E_FORBIDDEN",
            403,
            jsonrpc::INVALID_REQUEST,
            "The key may not reach this customer, needs a wider scope, or the Host/Origin is refused.",
        ),
        kind(
            "E_NOT_FOUND",
            404,
            jsonrpc::INVALID_PARAMS,
            "No such route, tool or record.",
        ),
        kind(
            "E_BAD_REQUEST",
            400,
            jsonrpc::INVALID_REQUEST,
            "The body is not valid JSON or the request is malformed (over MCP: JSON-RPC -32700 for JSON that does not parse, -32600 for what is not one JSON-RPC message).",
        ),
        kind(
            "E_INVALID_INPUT",
            422,
            jsonrpc::INVALID_PARAMS,
            "The input violates the tool's JSON Schema; `pointer` is the JSON pointer of the violation.",
        ),
        kind(
            "E_PAYLOAD_TOO_LARGE",
            413,
            jsonrpc::INVALID_REQUEST,
            "The request body is over the configured limit.",
        ),
        kind(
            "E_RATE_LIMITED",
            429,
            jsonrpc::RATE_LIMITED,
            "Too many requests; wait `Retry-After` seconds (over MCP: JSON-RPC -32029 with `data.retryAfter`).",
        ),
        kind(
            "E_CONFLICT",
            409,
            jsonrpc::INVALID_REQUEST,
            "The record exists already (an email in use) or is in a state the change does not apply to; the message names the state.",
        ),
        kind(
            "E_GONE",
            410,
            jsonrpc::INVALID_REQUEST,
            "The record was there and is gone for good: a checkout session's key is handed over once.",
        ),
        kind(
            "E_PAYMENT_REQUIRED",
            402,
            jsonrpc::INVALID_REQUEST,
            "The customer's subscription is canceled or unpaid: reads still work, writes wait until billing is fixed at `billingUrl`.",
        ),
        kind(
            "E_DISABLED",
            404,
            jsonrpc::INVALID_REQUEST,
            "The endpoint is switched off here (provisioning without an admin secret).",
        ),
        kind(
            "E_UNSUPPORTED",
            409,
            jsonrpc::INVALID_REQUEST,
            "The request needs what this server, surface or client cannot do: the server model without `--llm`, sampling outside MCP, a client without that capability.",
        ),
        kind(
            "E_MISSING_CAPABILITY",
            400,
            jsonrpc::MISSING_CAPABILITY,
            "MCP only: the client did not declare the capability the request needs (sampling, elicitation, roots); over MCP this is JSON-RPC error -32021 with data.requiredCapabilities.",
        ),
        kind(
            "E_METHOD_NOT_ALLOWED",
            405,
            jsonrpc::INVALID_REQUEST,
            "The route exists for other methods (see `Allow`).",
        ),
        kind(
            "E_SESSION_NOT_FOUND",
            400,
            jsonrpc::INVALID_REQUEST,
            "The legacy SSE session is closed or unknown; reconnect to `/mcp/sse`.",
        ),
        kind(
            "E_URL_REFUSED",
            400,
            jsonrpc::INVALID_PARAMS,
            "The URL may not be fetched: not http(s), or it resolves to a loopback, private, link-local or other non-public address (the message names which, and the flag that opens a trusted network).",
        ),
        kind(
            "E_FETCH_FAILED",
            502,
            jsonrpc::INTERNAL_ERROR,
            "The site could not be fetched: DNS, connection, timeout, more than 5 redirects, or a body over the size cap.",
        ),
        kind(
            "E_LLM_FAILED",
            502,
            jsonrpc::INTERNAL_ERROR,
            "The language model (OpenAI-compatible or Anthropic) failed after retries; the message is the provider's.",
        ),
        kind(
            "E_PROVIDER_FAILED",
            502,
            jsonrpc::INTERNAL_ERROR,
            "A connected service (Google Analytics, Search Console) refused access or failed; the message is its own words and names the permission to grant.",
        ),
        kind(
            "E_QUOTA_EXHAUSTED",
            429,
            jsonrpc::INTERNAL_ERROR,
            "A connected service's quota is spent (Google's `RESOURCE_EXHAUSTED`); wait `Retry-After` seconds (`retryAfter` in the body), when the quota refills.",
        ),
        kind(
            "E_UNAVAILABLE",
            503,
            jsonrpc::INTERNAL_ERROR,
            "The database cannot be reached.",
        ),
        kind(
            "E_INTERNAL",
            500,
            jsonrpc::INTERNAL_ERROR,
            "A bug on our side; quote the `requestId`.",
        ),
    ];

    /// The table of codes as Markdown (`| code | status | meaning |`), for the README and
    /// `/index.md`.
    pub fn markdown_table() -> String {
        let mut table = String::from("| code | status | meaning |\n|---|---|---|\n");
        for kind in Error::KINDS {
            table.push_str(&format!(
                "| `{}` | {} | {} |\n",
                kind.code, kind.status, kind.meaning
            ));
        }
        table
    }

    /// The kind of this error, from [`Error::KINDS`].
    pub fn kind(&self) -> &'static Kind {
        let code = match self {
            Error::AuthRequired => "E_AUTH_REQUIRED",
            Error::InvalidKey => "E_INVALID_KEY",
            Error::Forbidden(_) => "E_FORBIDDEN",
            Error::NotFound(_) => "E_NOT_FOUND",
            Error::BadRequest(_) => "E_BAD_REQUEST",
            Error::InvalidInput { .. } => "E_INVALID_INPUT",
            Error::PayloadTooLarge { .. } => "E_PAYLOAD_TOO_LARGE",
            Error::RateLimited { .. } => "E_RATE_LIMITED",
            Error::Conflict(_) => "E_CONFLICT",
            Error::Gone(_) => "E_GONE",
            Error::PaymentRequired { .. } => "E_PAYMENT_REQUIRED",
            Error::Disabled(_) => "E_DISABLED",
            Error::Unsupported(_) => "E_UNSUPPORTED",
            Error::MissingCapability(_) => "E_MISSING_CAPABILITY",
            Error::MethodNotAllowed { .. } => "E_METHOD_NOT_ALLOWED",
            Error::SessionNotFound => "E_SESSION_NOT_FOUND",
            Error::UrlRefused(_) => "E_URL_REFUSED",
            Error::FetchFailed(_) => "E_FETCH_FAILED",
            Error::LlmFailed(_) => "E_LLM_FAILED",
            Error::ProviderFailed(_) => "E_PROVIDER_FAILED",
            Error::QuotaExhausted { .. } => "E_QUOTA_EXHAUSTED",
            Error::Unavailable(_) => "E_UNAVAILABLE",
            Error::Internal(_) => "E_INTERNAL",
        };
        Error::KINDS
            .iter()
            .find(|kind| kind.code == code)
            .expect("every error's code is in Error::KINDS")
    }

    /// The stable machine-readable code, part of the public contract.
    /// Input refused at `pointer` (a JSON pointer, `""` for the whole input); the message starts
    /// with the pointer so a person sees where without reading the field.
    pub fn invalid(pointer: &str, message: impl std::fmt::Display) -> Error {
        Error::InvalidInput {
            message: if pointer.is_empty() {
                message.to_string()
            } else {
                format!("{pointer}: {message}")
            },
            pointer: pointer.to_owned(),
        }
    }

    pub fn code(&self) -> &'static str {
        self.kind().code
    }

    /// The HTTP status REST answers with.
    pub fn status(&self) -> u16 {
        self.kind().status
    }

    /// The documented body, `{"error","code","requestId"}` (plus `pointer` for invalid input):
    /// what REST answers and what an MCP `isError` result carries as its text.
    pub fn body(&self, request_id: &str) -> serde_json::Value {
        let mut body = serde_json::json!({"error": self.to_string(), "code": self.code(), "requestId": request_id});
        match self {
            Error::InvalidInput { pointer, .. } => body["pointer"] = serde_json::json!(pointer),
            Error::PaymentRequired { billing_url, .. } => {
                body["billingUrl"] = serde_json::json!(billing_url);
            }
            Error::QuotaExhausted { retry_after, .. } => {
                body["retryAfter"] = serde_json::json!(seconds(*retry_after));
            }
            _ => {}
        }
        body
    }

    /// How long the client should wait before trying again, for the kinds that say.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after } | Error::QuotaExhausted { retry_after, .. } => {
                Some(*retry_after)
            }
            _ => None,
        }
    }

    /// The `data` of this error as a JSON-RPC error: the same code and request id a REST body
    /// carries, and what the kind adds (`retryAfter`, `pointer`).
    pub fn jsonrpc_data(&self, request_id: &str) -> serde_json::Value {
        let mut data = serde_json::json!({"code": self.code(), "requestId": request_id});
        if let Some(wait) = self.retry_after() {
            data["retryAfter"] = serde_json::json!(seconds(wait));
        }
        if let Error::InvalidInput { pointer, .. } = self {
            data["pointer"] = serde_json::json!(pointer);
        }
        data
    }
}

/// A wait in whole seconds, at least one: what `Retry-After` and `retryAfter` carry.
pub fn seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
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
            crate::store::StoreError::Unavailable(_) => Error::Unavailable(error),
            other => {
                tracing::error!(error = %other, "store failure");
                Error::Internal(other.to_string())
            }
        }
    }
}
