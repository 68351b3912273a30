//! The one mapping from [`Error`] to what an MCP client sees: a JSON-RPC error when the request
//! itself fails, an `isError` result when a tool call fails. Both carry the stable code and the
//! request id, as a REST error body does.

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResult, ContentBlock, ErrorCode};
use serde_json::{Value, json};

use crate::error::Error;

/// `error` as a JSON-RPC error: the code its kind names, its message, and `data` with `code`,
/// `requestId` and what the kind adds (`retryAfter`, `pointer`).
pub fn jsonrpc(error: &Error, request_id: &str) -> McpError {
    McpError::new(
        ErrorCode(error.kind().jsonrpc),
        error.to_string(),
        Some(error.jsonrpc_data(request_id)),
    )
}

/// A JSON-RPC error with a code of its own (parse error, resource not found) for a failure
/// whose kind is `error`'s.
pub fn jsonrpc_with_code(code: i32, error: &Error, request_id: &str) -> McpError {
    McpError {
        code: ErrorCode(code),
        ..jsonrpc(error, request_id)
    }
}

/// A whole JSON-RPC error response to a message whose id is unknown (it could not be read), as
/// the HTTP transports answer a body they cannot hand on.
pub fn response_body(error: &McpError) -> Value {
    json!({"jsonrpc": "2.0", "id": null, "error": error})
}

/// A tool failure as the MCP client should see it: an `isError` result whose text is the same
/// `{"error","code","requestId"}` body REST would answer, so agents can act on the code.
pub fn tool_result(error: &Error, request_id: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(error.body(request_id).to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::jsonrpc::{INVALID_PARAMS, RATE_LIMITED};

    #[test]
    fn every_jsonrpc_error_carries_the_code_and_request_id() {
        let limited = jsonrpc(
            &Error::RateLimited {
                retry_after: std::time::Duration::from_millis(1500),
            },
            "req1",
        );
        assert_eq!(limited.code.0, RATE_LIMITED);
        assert_eq!(
            limited.data,
            Some(json!({"code": "E_RATE_LIMITED", "requestId": "req1", "retryAfter": 2}))
        );
        let invalid = jsonrpc(
            &Error::InvalidInput {
                message: "/limit: too large".into(),
                pointer: "/limit".into(),
            },
            "req2",
        );
        assert_eq!(invalid.code.0, INVALID_PARAMS);
        assert_eq!(invalid.data.as_ref().unwrap()["pointer"], "/limit");
        for kind in Error::KINDS {
            let standard = kind.jsonrpc == -32700 || (-32603..=-32600).contains(&kind.jsonrpc);
            let server_defined = (-32099..=-32000).contains(&kind.jsonrpc);
            assert!(standard || server_defined, "{kind:?}");
        }
        let body = response_body(&jsonrpc(&Error::BadRequest("x".into()), "r"));
        assert_eq!(body["id"], Value::Null);
        assert_eq!(body["error"]["data"]["code"], "E_BAD_REQUEST");
    }
}
