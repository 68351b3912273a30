//! The rmcp `ServerHandler` over the registry.

// `logging/setLevel` and `notifications/message` are deprecated by SEP-2577 for the 2026-07-28
// generation, but clients of the handshake generation use them and we serve both.
#![allow(deprecated)]

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use parking_lot::Mutex;

use futures::future::BoxFuture;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, GetPromptRequestParams, GetPromptResponse,
    Implementation, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ListToolsResult, LoggingLevel, LoggingMessageNotificationParam, PaginatedRequestParams,
    ProgressNotificationParam, ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities,
    ServerConfig, SetLevelRequestParams, Tool, ToolAnnotations,
};
use rmcp::model::{
    CompleteRequestMethod, CompleteRequestParams, CompleteResult, ResourceUpdatedNotificationParam,
    SubscribeRequestParams, SubscriptionFilter, UnsubscribeRequestParams,
};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{Value, json};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::call::{self, ToolCall};
use super::errors;
use super::library::{self, Library, PromptOutcome};
use super::state::StateSigner;
use crate::app::App;
use crate::auth::Principal;
use crate::changes::Change;
use crate::error::Error;
use crate::registry::{
    Ask, Capability, ClientLink, Gathered, LogLevel, Registry, RequestId, Surface, new_request_id,
};

/// How long a client may cache `tools/list`: the list only changes with a new binary.
const TOOLS_TTL_MS: u64 = 5 * 60 * 1000;

/// Rounds of client input a prompt may ask for on the handshake generation.
const MAX_PROMPT_ROUNDS: usize = 5;

/// The registry's tools in MCP's shape, built once per process.
pub fn mcp_tools(registry: &Registry) -> Vec<Tool> {
    registry
        .tools()
        .iter()
        .map(|spec| {
            let a = spec.entry.annotations;
            Tool::new_with_raw(
                spec.entry.name.clone(),
                Some(spec.entry.description.clone().into()),
                spec.input_schema.clone(),
            )
            .with_title(spec.entry.title.clone())
            .with_raw_output_schema(spec.output_schema.clone())
            .with_annotations(
                ToolAnnotations::with_title(spec.entry.title.clone())
                    .read_only(a.read_only_hint)
                    .destructive(a.destructive_hint)
                    .idempotent(a.idempotent_hint)
                    .open_world(a.open_world_hint),
            )
        })
        .collect()
}

/// What every session of a process shares.
pub struct Shared {
    pub app: Arc<App>,
    pub tools: Vec<Tool>,
    /// The tools whose input schema maps parameters to `Mcp-Param-*` headers.
    header_tools: Vec<Tool>,
    /// Signs the request state of 2026-07-28 round trips.
    pub(super) states: StateSigner,
    pub library: Arc<dyn Library>,
}

impl Shared {
    /// The registry's tools with `library`'s resources and prompts.
    pub fn new(app: Arc<App>, library: Arc<dyn Library>) -> Arc<Shared> {
        let tools = mcp_tools(&app.registry);
        let header_tools = tools
            .iter()
            .filter(|tool| {
                tool.input_schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|props| props.values().any(|p| p.get("x-mcp-header").is_some()))
            })
            .cloned()
            .collect();
        Arc::new(Shared {
            app,
            tools,
            header_tools,
            states: StateSigner::new(),
            library,
        })
    }

    /// `tool`, when it maps parameters to `Mcp-Param-*` headers (SEP-2243), which rmcp checks.
    pub(super) fn header_tool(&self, tool: &str) -> Option<&Tool> {
        self.header_tools.iter().find(|t| t.name == tool)
    }
}

/// One MCP session's server. Cheap to create: the transports make one per session (and rmcp's
/// Streamable HTTP service one per request for schema look-ups).
#[derive(Clone)]
pub struct McpServer {
    shared: Arc<Shared>,
    surface: Surface,
    /// Pinned for stdio and legacy SSE, which authenticate once per session; `None` for
    /// Streamable HTTP, where each request brings its own.
    principal: Option<Principal>,
    session: Arc<SessionState>,
}

/// What a session remembers between requests. One allocation: rmcp makes a server for every
/// stateless request too.
#[derive(Default)]
struct SessionState {
    /// The level the client asked for with `logging/setLevel`; nothing is sent before it asks.
    log_level: Mutex<Option<LoggingLevel>>,
    /// Resource URIs this session subscribed to.
    subscriptions: Mutex<HashSet<String>>,
    /// Stops the task that forwards this session's record changes: there is one from the first
    /// subscription until the last unsubscription or the end of the session.
    forwarder: Mutex<Option<CancellationToken>>,
}

/// The session is over (its transport closed, or the server shut down and closed it): its
/// forwarding task, which holds only a weak reference to it, stops with it.
impl Drop for SessionState {
    fn drop(&mut self) {
        if let Some(forwarder) = self.forwarder.get_mut().take() {
            forwarder.cancel();
        }
    }
}

impl McpServer {
    pub fn new(shared: Arc<Shared>, surface: Surface, principal: Option<Principal>) -> McpServer {
        McpServer {
            shared,
            surface,
            principal,
            session: Arc::default(),
        }
    }

    /// Forwards changes of this customer's subscribed records to the client, from the first
    /// subscription (a second call while one forwards does nothing) until the last
    /// unsubscription or the end of the session.
    fn listen(&self, peer: rmcp::Peer<RoleServer>, customer: String) {
        let mut forwarder = self.session.forwarder.lock();
        if forwarder.is_some() {
            return;
        }
        let stop = CancellationToken::new();
        *forwarder = Some(stop.clone());
        drop(forwarder);
        let session = Arc::downgrade(&self.session);
        tokio::spawn(forward_changes(
            self.shared.app.changes.subscribe(),
            self.shared.library.clone(),
            customer,
            stop.cancelled_owned(),
            move |uri| {
                session
                    .upgrade()
                    .is_some_and(|session| session.subscriptions.lock().contains(uri))
            },
            move |uri| {
                let peer = peer.clone();
                async move {
                    peer.notify_resource_updated(ResourceUpdatedNotificationParam::new(uri))
                        .await
                        .is_ok()
                }
            },
        ));
    }

    /// The principal of this request: the session's, or the one the HTTP layer authenticated.
    fn principal(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<(Principal, String), McpError> {
        let parts = context.extensions.get::<::http::request::Parts>();
        let request_id = parts
            .and_then(|p| p.extensions.get::<RequestId>())
            .map_or_else(new_request_id, |r| r.0.clone());
        let principal = self
            .principal
            .clone()
            .or_else(|| parts.and_then(|p| p.extensions.get::<Principal>()).cloned())
            .ok_or_else(|| errors::jsonrpc(&Error::AuthRequired, &request_id))?;
        Ok((principal, request_id))
    }

    fn link(
        &self,
        context: RequestContext<RoleServer>,
        rounds: Option<BTreeMap<String, Value>>,
    ) -> PeerLink {
        PeerLink {
            context,
            rounds,
            session: self.session.clone(),
        }
    }

    /// `tools/call` through rmcp's service: the principal of the session or request, and this
    /// request's peer for progress, logs and asks.
    async fn run_tool(
        &self,
        params: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let (principal, request_id) = self.principal(&context)?;
        let call = ToolCall {
            params,
            principal,
            request_id,
            surface: self.surface,
            cancel: context.ct.clone(),
            per_request: per_request(&context),
        };
        self.shared
            .call_tool(call, |rounds| Arc::new(self.link(context, rounds)))
            .await
    }
}

/// Whether a request is of the 2026-07-28 generation, which brings its replies with it.
fn per_request(context: &RequestContext<RoleServer>) -> bool {
    context
        .protocol_version()
        .is_some_and(|v| !v.has_initialize())
}

/// Forwards to one listener the changes of `customer`'s records whose resource URI `wanted`
/// accepts, until `ended` completes, the change feed closes, or `send` reports the listener
/// gone. Both generations' subscriptions are served by it: the handshake's per-session task and
/// 2026-07-28's `subscriptions/listen` request.
async fn forward_changes<F>(
    mut changes: broadcast::Receiver<Change>,
    library: Arc<dyn Library>,
    customer: String,
    ended: impl Future<Output = ()>,
    wanted: impl Fn(&str) -> bool,
    mut send: impl FnMut(String) -> F,
) where
    F: Future<Output = bool>,
{
    let mut ended = std::pin::pin!(ended);
    loop {
        let change = tokio::select! {
            () = &mut ended => return,
            change = changes.recv() => change,
        };
        let change = match change {
            Ok(change) => change,
            // A burst this listener was too slow for: the later changes still count.
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        if change.customer != customer {
            continue;
        }
        let Some(uri) = library.record_uri(&change.record) else {
            continue;
        };
        if wanted(&uri) && !send(uri).await {
            return;
        }
    }
}

/// Where `ToolContext` progress and log messages go: this request's peer.
struct PeerLink {
    /// The request's context: its peer, and its metadata (progress token, and on 2026-07-28 the
    /// client's capabilities), read only when a tool asks.
    context: RequestContext<RoleServer>,
    /// On the 2026-07-28 generation, the replies of this and earlier rounds; `None` on the
    /// handshake generation, where the client is asked directly.
    rounds: Option<BTreeMap<String, Value>>,
    session: Arc<SessionState>,
}

/// Severity rank of an MCP level, for comparing with the level the client asked for.
fn rank(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

fn mcp_level(level: LogLevel) -> LoggingLevel {
    match level {
        LogLevel::Debug => LoggingLevel::Debug,
        LogLevel::Info => LoggingLevel::Info,
        LogLevel::Warning => LoggingLevel::Warning,
        LogLevel::Error => LoggingLevel::Error,
    }
}

impl ClientLink for PeerLink {
    fn progress(
        &self,
        done: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let Some(token) = self.context.meta.get_progress_token() else {
                return;
            };
            let mut param = ProgressNotificationParam::new(token, done);
            param.total = total;
            param.message = message;
            if let Err(error) = self.context.peer.notify_progress(param).await {
                tracing::debug!(%error, "progress notification not delivered");
            }
        })
    }

    fn log(&self, level: LogLevel, message: String) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let wanted = *self.session.log_level.lock();
            let level = mcp_level(level);
            if wanted.is_none_or(|wanted| rank(level) < rank(wanted)) {
                return;
            }
            let param =
                LoggingMessageNotificationParam::new(level, json!(message)).with_logger("heycmo");
            if let Err(error) = self.context.peer.notify_logging_message(param).await {
                tracing::debug!(%error, "log notification not delivered");
            }
        })
    }

    fn gather(&self, asks: Vec<(String, Ask)>) -> BoxFuture<'_, Result<Gathered, Error>> {
        Box::pin(async move {
            match &self.rounds {
                // 2026-07-28: no requests to the client; answer from this round's replies or
                // end the call with what is still missing.
                Some(answered) => Ok(call::gather_from(answered, asks)),
                None => {
                    let mut replies = BTreeMap::new();
                    for (key, ask) in asks {
                        replies.insert(key, self.ask_live(ask).await?);
                    }
                    Ok(Gathered::Replies(replies))
                }
            }
        })
    }

    fn supports(&self, capability: Capability) -> bool {
        call::declares(self.context.client_capabilities().as_ref(), capability)
    }
}

impl PeerLink {
    /// Sends one ask to the client as a request (handshake generation) and answers its reply.
    async fn ask_live(&self, ask: Ask) -> Result<Value, Error> {
        let reply = match ask {
            Ask::Sample(sampling) => {
                let request = call::sampling_params(sampling);
                serde_json::to_value(
                    self.context
                        .peer
                        .create_message(request)
                        .await
                        .map_err(client_refused)?,
                )
            }
            Ask::Elicit(question) => {
                let request = call::elicit_params(question)?;
                serde_json::to_value(
                    self.context
                        .peer
                        .create_elicitation(request)
                        .await
                        .map_err(client_refused)?,
                )
            }
            Ask::ListRoots => serde_json::to_value(
                self.context
                    .peer
                    .list_roots()
                    .await
                    .map_err(client_refused)?,
            ),
        };
        reply.map_err(|e| Error::Internal(format!("reading the client's reply: {e}")))
    }
}

/// A request to the client that failed: it lacks the capability, refused, or went away.
fn client_refused(error: rmcp::service::ServiceError) -> Error {
    Error::Unsupported(format!(
        "The MCP client did not answer the request: {error}"
    ))
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let library = &self.shared.library;
        let mut capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_logging()
            .enable_resources()
            .enable_prompts()
            .build();
        if library.completions() {
            capabilities.completions = Some(Default::default());
        }
        // The customer's records (brand, content) can always be subscribed to.
        if let Some(resources) = capabilities.resources.as_mut() {
            resources.subscribe = Some(true);
        }
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("heycmo", env!("CARGO_PKG_VERSION"))
                    .with_title("HeyCMO")
                    .with_description(env!("CARGO_PKG_DESCRIPTION")),
            )
            .with_instructions(crate::discovery::INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.shared.tools.clone())
            .with_ttl_ms(TOOLS_TTL_MS)
            .with_cache_scope(CacheScope::Public))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let (principal, _) = self.principal(&context)?;
        // The documents are public and cacheable; with the customer's own records the list is
        // private and fresh.
        let mut resources = self.shared.library.resources().resources;
        resources.extend(self.shared.library.records(&principal.customer.id).await?);
        Ok(ListResourcesResult::with_all_items(resources))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(self.shared.library.templates())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        if self.shared.library.is_record(&request.uri) {
            let (principal, _) = self.principal(&context)?;
            return self
                .shared
                .library
                .read_record(&principal.customer.id, &request.uri)
                .await
                .map(Into::into);
        }
        self.shared.library.read(&request.uri).map(Into::into)
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(self.shared.library.prompts())
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        let arguments = request.arguments.unwrap_or_default();
        // Prompt states are signed for `prompt:<name>`, so a tool's state cannot be replayed here.
        let subject = format!("prompt:{}", request.name);
        let rounds = self.shared.rounds(
            per_request(&context),
            &subject,
            request.request_state.as_deref(),
            request.input_responses,
        )?;
        let inline = rounds.is_some();
        let mut answered = rounds.unwrap_or_default();
        // On the handshake generation the library's asks go to the client directly, and the
        // prompt is built again with the replies; a few rounds at most.
        for _ in 0..MAX_PROMPT_ROUNDS {
            match self
                .shared
                .library
                .prompt(&request.name, &arguments, &answered)?
            {
                PromptOutcome::Complete(result) => return Ok(result.into()),
                PromptOutcome::NeedInput(asks) if inline => {
                    return self
                        .shared
                        .input_required(&subject, asks, &answered)
                        .map(GetPromptResponse::InputRequired)
                        .map_err(|e| McpError::invalid_params(e.to_string(), None));
                }
                PromptOutcome::NeedInput(asks) => {
                    let link = self.link(context.clone(), None);
                    for (key, ask) in asks {
                        let reply = link
                            .ask_live(ask)
                            .await
                            .map_err(|e| McpError::invalid_request(e.to_string(), None))?;
                        answered.insert(key, reply);
                    }
                }
            }
        }
        Err(McpError::internal_error(
            "the prompt kept asking for input",
            None,
        ))
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        if !self.shared.library.completions() {
            return Err(McpError::method_not_found::<CompleteRequestMethod>());
        }
        self.shared.library.complete(&request)
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let uri = request.uri;
        if self.shared.library.is_record(&uri) {
            let (principal, _) = self.principal(&context)?;
            let customer = &principal.customer.id;
            self.shared.library.ensure_watchable(customer, &uri).await?;
            self.listen(context.peer.clone(), customer.clone());
        } else if !self.shared.library.subscriptions() {
            // A document exists but never changes; anything else is no resource at all.
            return Err(match self.shared.library.read(&uri) {
                Ok(_) => McpError::invalid_params(
                    format!(
                        "{uri} does not change; subscribe to one of your own records (see resources/list)"
                    ),
                    Some(json!({"code": "E_INVALID_INPUT"})),
                ),
                Err(_) => library::not_found(&uri),
            });
        }
        self.session.subscriptions.lock().insert(uri);
        Ok(())
    }

    /// 2026-07-28 subscriptions (`subscriptions/listen`): updates of the customer's own records
    /// (`heycmo://brand`, `heycmo://content/{id}`); the fixture library's resources, which never
    /// change, may be listened to as well.
    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let fixtures = self.shared.library.subscriptions();
        let uris: Vec<String> = requested
            .resource_subscriptions
            .iter()
            .flatten()
            .filter(|uri| self.shared.library.is_record(uri) || fixtures)
            .cloned()
            .collect();
        Some(
            SubscriptionFilter::builder()
                .resource_subscriptions(uris)
                .build(),
        )
    }

    /// Forwards changes of the accepted records until the client ends the subscription.
    async fn listen(&self, subscription: SubscriptionContext) -> Result<(), McpError> {
        let (principal, _) = self.principal(subscription.request_context())?;
        let accepted = |uri: &str| {
            subscription
                .accepted()
                .resource_subscriptions
                .as_ref()
                .is_some_and(|uris| uris.iter().any(|accepted| accepted == uri))
        };
        forward_changes(
            self.shared.app.changes.subscribe(),
            self.shared.library.clone(),
            principal.customer.id.clone(),
            subscription.cancelled(),
            accepted,
            |uri| async {
                subscription
                    .sink()
                    .notify_resource_updated(uri)
                    .await
                    .is_ok()
            },
        )
        .await;
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let mut subscriptions = self.session.subscriptions.lock();
        subscriptions.remove(&request.uri);
        if subscriptions.is_empty()
            && let Some(forwarder) = self.session.forwarder.lock().take()
        {
            forwarder.cancel();
        }
        Ok(())
    }

    /// rmcp asks for a tool only to validate `Mcp-Param-*` headers (SEP-2243) against the
    /// `x-mcp-header` annotations of its input schema; tools without any have nothing to check,
    /// and answering `None` for them spares a clone on every request.
    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.shared.header_tool(name).cloned()
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        *self.session.log_level.lock() = Some(request.level);
        Ok(())
    }

    fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> impl Future<Output = Result<CallToolResponse, McpError>> + Send + '_ {
        // Boxed: rmcp runs every request in a task sized for the largest handler future, and
        // copies that task's state when it starts and ends; a call's future is the large one.
        Box::pin(self.run_tool(request, context))
    }
}
