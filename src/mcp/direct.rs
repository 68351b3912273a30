//! A plain 2026-07-28 `tools/call` answered without a per-request rmcp service.
//!
//! rmcp serves a request of the 2026-07-28 generation without a session by building a whole
//! service for it (a one-shot transport, a `Peer` with its channel, a task for the service
//! loop) and tearing it down after the reply: at 32 concurrent clients that was most of the
//! difference between a tool called over MCP and the same tool over REST (BENCHMARKS.md). The
//! call agents make most, a `tools/call` with nothing that needs a peer, is answered here with
//! the same handler code ([`Shared::call_tool`]) and the same post-processing rmcp applies, so
//! the client cannot tell the two apart. Everything else goes to rmcp:
//! a progress token (progress needs a stream), a tool that maps parameters to `Mcp-Param-*`
//! headers (rmcp validates those), a protocol version other than 2026-07-28, missing or
//! malformed required metadata, an unknown tool, any other method.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::model::{
    CallToolRequestMethod, CallToolRequestParams, ClientCapabilities, JsonRpcVersion2_0,
    ProtocolVersion, RequestId, ServerJsonRpcMessage, ServerResult,
};
use serde::Deserialize;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::call::{self, ToolCall};
use super::server::Shared;
use crate::auth::Principal;
use crate::error::Error;
use crate::registry::{Ask, Capability, ClientLink, Gathered, LogLevel, Surface};

/// The one protocol version answered here: the first without `initialize`.
pub const VERSION: ProtocolVersion = ProtocolVersion::V_2026_07_28;

/// The body of a `tools/call` request, read in one pass.
///
/// rmcp reads a message into its enum of every request and notification, which buffers the
/// whole body through serde's untagged and flattened machinery (about a tenth of the CPU of a
/// direct call, BENCHMARKS.md). A body of exactly this shape means the same to rmcp; anything
/// else (another method or version, a field beside these four, a `result` or `error`, a
/// repeated key, missing `params`) fails here and goes to rmcp, whose reading decides.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    #[serde(rename = "jsonrpc")]
    _version: JsonRpcVersion2_0,
    id: RequestId,
    #[serde(rename = "method")]
    _method: CallToolRequestMethod,
    params: CallToolRequestParams,
}

/// A `tools/call` this module answers.
pub struct DirectCall {
    id: RequestId,
    params: CallToolRequestParams,
    capabilities: Option<ClientCapabilities>,
}

impl DirectCall {
    pub fn tool(&self) -> &str {
        &self.params.name
    }
}

impl Shared {
    /// `message` as a call answered here, or `None` when rmcp must serve it (see the module
    /// documentation). Transport conditions (headers) are the caller's to check.
    pub fn direct_call(&self, message: Envelope) -> Option<DirectCall> {
        let Envelope { id, mut params, .. } = message;
        // rmcp hands the metadata to the handler apart from the parameters.
        let meta = params.meta.take().unwrap_or_default();
        let eligible = meta.protocol_version() == Some(VERSION)
            && meta.missing_required_keys(&VERSION).is_empty()
            && meta.get_progress_token().is_none()
            && self.app.registry.get(&params.name).is_some()
            && self.header_tool(&params.name).is_none();
        let capabilities = meta.client_capabilities();
        eligible.then_some(DirectCall {
            id,
            params,
            capabilities,
        })
    }

    /// The call's JSON-RPC reply, as rmcp's service would have sent it: the tool's result with
    /// the 2026-07-28 cache hints filled in, or its error.
    pub async fn answer_directly(
        self: Arc<Self>,
        call: DirectCall,
        principal: Principal,
        request_id: String,
        cancel: CancellationToken,
    ) -> ServerJsonRpcMessage {
        let DirectCall {
            id,
            params,
            capabilities,
        } = call;
        let call = ToolCall {
            params,
            principal,
            request_id,
            surface: Surface::McpStreamable,
            cancel,
            per_request: true,
        };
        let link = |rounds: Option<BTreeMap<String, Value>>| -> Arc<dyn ClientLink> {
            Arc::new(RequestLink {
                rounds: rounds.unwrap_or_default(),
                capabilities,
            })
        };
        match self.call_tool(call, link).await {
            Ok(response) => {
                let mut result = ServerResult::from(response);
                result.fill_missing_cache_hints();
                ServerJsonRpcMessage::response(result, id)
            }
            Err(error) => ServerJsonRpcMessage::error(error, Some(id)),
        }
    }
}

/// The client link of a request answered directly: no peer to stream to (a call with a
/// progress token does not come here, and a request has no log level of its own), asks
/// answered from the replies the request brought.
struct RequestLink {
    rounds: BTreeMap<String, Value>,
    capabilities: Option<ClientCapabilities>,
}

impl ClientLink for RequestLink {
    fn progress(&self, _: f64, _: Option<f64>, _: Option<String>) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    fn log(&self, _: LogLevel, _: String) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }

    fn gather(&self, asks: Vec<(String, Ask)>) -> BoxFuture<'_, Result<Gathered, Error>> {
        Box::pin(async move { Ok(call::gather_from(&self.rounds, asks)) })
    }

    fn supports(&self, capability: Capability) -> bool {
        call::declares(self.capabilities.as_ref(), capability)
    }
}

#[cfg(test)]
mod tests {
    use rmcp::model::{ClientJsonRpcMessage, ClientRequest, GetMeta, JsonRpcRequest};

    use super::*;

    /// What rmcp reads from `body`: the id, the parameters without their metadata, and the
    /// metadata.
    fn rmcp_reading(body: &str) -> Option<(RequestId, CallToolRequestParams, Value)> {
        let message: ClientJsonRpcMessage = serde_json::from_str(body).ok()?;
        let ClientJsonRpcMessage::Request(JsonRpcRequest {
            id, mut request, ..
        }) = message
        else {
            return None;
        };
        let meta = std::mem::take(request.get_meta_mut());
        let ClientRequest::CallToolRequest(request) = request else {
            return None;
        };
        Some((id, request.params, serde_json::to_value(meta).unwrap()))
    }

    fn envelope_reading(body: &str) -> Option<(RequestId, CallToolRequestParams, Value)> {
        let Envelope { id, mut params, .. } = serde_json::from_str(body).ok()?;
        let meta = params.meta.take().unwrap_or_default();
        Some((id, params, serde_json::to_value(meta).unwrap()))
    }

    #[test]
    fn an_envelope_reads_what_rmcp_reads_or_leaves_the_body_to_rmcp() {
        let meta = r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#;
        let same = [
            format!(
                r#"{{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{"name":"get_account","_meta":{meta}}}}}"#
            ),
            format!(
                r#"{{"params":{{"_meta":{meta},"arguments":{{"limit":3,"nested":{{"a":[1,2.5]}}}},"name":"list_events"}},"id":"abc","method":"tools/call","jsonrpc":"2.0"}}"#
            ),
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":null,"requestState":"s","unknown":1}}"#.to_owned(),
        ];
        for body in &same {
            let ours = envelope_reading(body);
            assert!(ours.is_some(), "{body}");
            assert_eq!(ours, rmcp_reading(body), "{body}");
        }
        // Bodies whose reading this shortcut does not try to match: each goes to rmcp.
        let fallback = [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#,
            r#"{"jsonrpc":"1.0","id":1,"method":"tools/call","params":{"name":"x"}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"},"result":{}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"},"extra":0}"#,
            r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/call","params":{"name":"x"}}"#,
            r#"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x"}}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"x"}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#,
            r#"[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x"}}]"#,
        ];
        for body in fallback {
            assert!(envelope_reading(body).is_none(), "{body}");
        }
    }
}
