//! `tools/call` and the 2026-07-28 round trip (SEP-2322), however the request arrived: through
//! rmcp's service ([`super::McpServer`]) or answered directly ([`super::direct`]).

// Sampling and roots are deprecated by SEP-2577 for the 2026-07-28 generation, but tools still
// ask for them through input requests and we serve them.
#![allow(deprecated)]

use std::collections::BTreeMap;
use std::sync::Arc;

use rmcp::ErrorData as McpError;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ClientCapabilities, ContentBlock,
    CreateMessageRequest, CreateMessageRequestParams, ElicitRequest, ElicitRequestParams,
    InputRequest, InputRequests, InputRequiredResult, ListRootsRequest, ResourceContents,
    SamplingMessage,
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::errors;
use super::server::Shared;
use crate::auth::Principal;
use crate::error::Error;
use crate::ratelimit::Bucket;
use crate::registry::{
    Ask, Capability, ClientLink, Content, Gathered, Outcome, Pending, Question, Sampling, Surface,
    new_request_id,
};

/// One `tools/call`: who asks, under which request id, over which surface.
pub struct ToolCall {
    pub params: CallToolRequestParams,
    pub principal: Principal,
    pub request_id: String,
    pub surface: Surface,
    /// Cancelled when the client cancels the request or goes away.
    pub cancel: CancellationToken,
    /// A request of the 2026-07-28 generation, which carries its own replies to earlier asks
    /// instead of being asked directly.
    pub per_request: bool,
}

impl Shared {
    /// The registry's call with the request's principal, rate limit and client link (made by
    /// `link` from this round's replies), and its result or error as MCP answers it.
    pub(super) async fn call_tool(
        &self,
        call: ToolCall,
        link: impl FnOnce(Option<BTreeMap<String, Value>>) -> Arc<dyn ClientLink>,
    ) -> Result<CallToolResponse, McpError> {
        let app = &self.app;
        let ToolCall {
            params,
            principal,
            request_id,
            surface,
            cancel,
            per_request,
        } = call;
        let name = params.name.as_ref();
        if app.registry.get(name).is_none() {
            let unknown = Error::NotFound(format!("Unknown tool: {name}"));
            return Err(errors::jsonrpc(&unknown, &request_id));
        }
        if let Err(error) = app.limiters.check(Bucket::Mcp, &principal.customer.id) {
            return Err(errors::jsonrpc(&error, &request_id));
        }
        let rounds = self.rounds(
            per_request,
            name,
            params.request_state.as_deref(),
            params.input_responses.clone(),
        )?;
        let ctx = app.context(
            principal,
            surface,
            request_id.clone(),
            cancel,
            Some(link(rounds)),
        );
        let input = params.arguments.map(Value::Object).unwrap_or_default();
        let result = match app.registry.call(name, &ctx, input).await {
            Ok(Outcome::Done(output)) => {
                let mut result = CallToolResult::success(
                    output.content.into_iter().map(content_block).collect(),
                );
                result.structured_content = Some(output.structured);
                result
            }
            Ok(Outcome::NeedsInput(Pending { asks, answered })) => {
                return match self.input_required(name, asks, &answered) {
                    Ok(result) => Ok(CallToolResponse::InputRequired(result)),
                    Err(error) => Ok(errors::tool_result(&error, &request_id).into()),
                };
            }
            // Nobody reads this (the client cancelled or left); rmcp sends nothing for a
            // cancelled request.
            Ok(Outcome::Cancelled) => {
                CallToolResult::error(vec![ContentBlock::text("Request cancelled")])
            }
            Err(Error::MissingCapability(capability)) => {
                let required =
                    serde_json::from_value(json!({ capability: {} })).unwrap_or_default();
                return Err(McpError::missing_required_client_capability(required));
            }
            Err(error) => errors::tool_result(&error, &request_id),
        };
        Ok(result.into())
    }

    /// The replies a 2026-07-28 request brings: those of earlier rounds, from the signed
    /// `requestState` issued for `subject`, and this round's `inputResponses`. `None` on the
    /// handshake generation, where the client is asked directly instead.
    pub(super) fn rounds(
        &self,
        per_request: bool,
        subject: &str,
        state: Option<&str>,
        responses: Option<BTreeMap<String, Value>>,
    ) -> Result<Option<BTreeMap<String, Value>>, McpError> {
        if !per_request {
            return Ok(None);
        }
        let mut answered = match state {
            Some(state) => self.states.verify(subject, state).map_err(|e| {
                let invalid = Error::InvalidInput {
                    message: e.to_string(),
                    pointer: "/requestState".into(),
                };
                errors::jsonrpc(&invalid, &new_request_id())
            })?,
            None => BTreeMap::new(),
        };
        answered.extend(responses.unwrap_or_default());
        Ok(Some(answered))
    }

    /// The `InputRequiredResult` asking for `asks`, with the replies so far signed into the state.
    pub(super) fn input_required(
        &self,
        subject: &str,
        asks: Vec<(String, Ask)>,
        answered: &BTreeMap<String, Value>,
    ) -> Result<InputRequiredResult, Error> {
        let mut requests = InputRequests::new();
        for (key, ask) in asks {
            requests.insert(key, input_request(ask)?);
        }
        let state = self.states.sign(subject, answered);
        Ok(InputRequiredResult::new(Some(requests), Some(state)))
    }
}

/// A gather on the 2026-07-28 generation: no requests to the client; answer from the replies
/// this request brought, or end the call with what is still missing.
pub(super) fn gather_from(
    answered: &BTreeMap<String, Value>,
    asks: Vec<(String, Ask)>,
) -> Gathered {
    if asks.iter().all(|(key, _)| answered.contains_key(key)) {
        return Gathered::Replies(
            asks.iter()
                .map(|(key, _)| (key.clone(), answered[key].clone()))
                .collect(),
        );
    }
    let missing = asks
        .into_iter()
        .filter(|(key, _)| !answered.contains_key(key))
        .collect();
    Gathered::Pending(Pending {
        asks: missing,
        answered: answered.clone(),
    })
}

/// Whether the client declared `capability` in `capabilities`.
pub(super) fn declares(capabilities: Option<&ClientCapabilities>, capability: Capability) -> bool {
    capabilities.is_some_and(|caps| match capability {
        Capability::Sampling => caps.sampling.is_some(),
        Capability::Elicitation => caps.elicitation.is_some(),
        Capability::Roots => caps.roots.is_some(),
    })
}

pub(super) fn sampling_params(sampling: Sampling) -> CreateMessageRequestParams {
    let params = CreateMessageRequestParams::new(
        vec![SamplingMessage::user_text(sampling.prompt)],
        sampling.max_tokens,
    );
    match sampling.system {
        Some(system) => params.with_system_prompt(system),
        None => params,
    }
}

pub(super) fn elicit_params(question: Question) -> Result<ElicitRequestParams, Error> {
    let schema = serde_json::from_value(question.schema).map_err(|e| {
        Error::Internal(format!(
            "not an elicitation schema (an object of primitive fields): {e}"
        ))
    })?;
    Ok(ElicitRequestParams::FormElicitationParams {
        meta: None,
        message: question.message,
        requested_schema: schema,
    })
}

/// An ask as the 2026-07-28 `inputRequests` entry the client will fulfil.
fn input_request(ask: Ask) -> Result<InputRequest, Error> {
    Ok(match ask {
        Ask::Sample(sampling) => {
            InputRequest::CreateMessage(CreateMessageRequest::new(sampling_params(sampling)))
        }
        Ask::Elicit(question) => {
            InputRequest::Elicitation(ElicitRequest::new(elicit_params(question)?))
        }
        Ask::ListRoots => InputRequest::ListRoots(ListRootsRequest {
            method: Default::default(),
            extensions: Default::default(),
        }),
    })
}

fn content_block(content: Content) -> ContentBlock {
    match content {
        Content::Text(text) => ContentBlock::text(text),
        Content::Image { data, mime_type } => ContentBlock::image(data, mime_type),
        Content::Audio { data, mime_type } => ContentBlock::audio(data, mime_type),
        Content::Resource {
            uri,
            mime_type,
            text,
        } => ContentBlock::resource(ResourceContents::text(text, uri).with_mime_type(mime_type)),
    }
}
