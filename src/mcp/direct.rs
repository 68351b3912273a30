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
    CallToolRequestParams, ClientCapabilities, ClientJsonRpcMessage, ClientRequest, GetMeta,
    JsonRpcRequest, ProtocolVersion, RequestId, ServerJsonRpcMessage, ServerResult,
};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::call::{self, ToolCall};
use super::server::Shared;
use crate::auth::Principal;
use crate::error::Error;
use crate::registry::{Ask, Capability, ClientLink, Gathered, LogLevel, Surface};

/// The one protocol version answered here: the first without `initialize`.
pub const VERSION: ProtocolVersion = ProtocolVersion::V_2026_07_28;

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
    pub fn direct_call(&self, message: ClientJsonRpcMessage) -> Option<DirectCall> {
        let ClientJsonRpcMessage::Request(JsonRpcRequest {
            id, mut request, ..
        }) = message
        else {
            return None;
        };
        // The metadata travels beside the parameters; rmcp hands it to the handler apart.
        let meta = std::mem::take(request.get_meta_mut());
        let ClientRequest::CallToolRequest(request) = request else {
            return None;
        };
        let eligible = meta.protocol_version() == Some(VERSION)
            && meta.missing_required_keys(&VERSION).is_empty()
            && meta.get_progress_token().is_none()
            && self.app.registry.get(&request.params.name).is_some()
            && self.header_tool(&request.params.name).is_none();
        let capabilities = meta.client_capabilities();
        eligible.then_some(DirectCall {
            id,
            params: request.params,
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
