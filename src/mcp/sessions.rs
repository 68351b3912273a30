//! Streamable HTTP sessions, kept lean: an idle session is its routing table and one unbounded
//! queue that allocates nothing until a message arrives.
//!
//! rmcp's `LocalSessionManager` gives each session a worker task and four bounded channels, and
//! tokio allocates a bounded channel's first block (32 message slots, ~12 KB) when the channel
//! is made, used or not; that is most of an idle session's memory (BENCHMARKS.md). Here the
//! session's messages to the service go through a `futures` unbounded queue (one node per
//! message), replies are routed to the HTTP stream of the request they answer from the thread
//! that sends them, and the streams themselves exist only while a request is in flight.
//!
//! Routing follows the spec and rmcp's own manager: a response ends its request's stream;
//! progress goes to the stream of the request that gave the token; server requests made while
//! handling a request (sampling, elicitation: SEP-2260) ride that request's stream; everything
//! else goes to the standalone GET stream. Request streams start with a priming event (SEP-1699)
//! whose id lets a client that lost the connection resume the stream with `Last-Event-ID`.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use std::time::{Duration, Instant};

use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use futures::{Stream, StreamExt};
use rmcp::RoleServer;
use rmcp::model::{
    ClientJsonRpcMessage, ClientNotification, GetExtensions, GetMeta, ProgressToken, RequestId,
    ServerJsonRpcMessage, ServerNotification,
};
use rmcp::service::OriginatingRequestId;
use rmcp::transport::Transport;
use rmcp::transport::streamable_http_server::session::{
    ServerSseMessage, SessionId, SessionManager,
};
use tokio::sync::oneshot;

/// How long a session with no request and no open stream lives.
pub const IDLE: Duration = Duration::from_secs(300);
/// The reconnection delay suggested in priming events.
const RETRY: Duration = Duration::from_secs(3);

/// Why a session operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("session {0} not found")]
    NotFound(SessionId),
    #[error("session {0} is closed")]
    Closed(SessionId),
}

/// An HTTP stream's sender; dropped when the stream is done.
type Outbound = UnboundedSender<ServerSseMessage>;

/// One request in flight and where its messages go.
struct InFlight {
    /// Names the request's stream in event ids (`r<n>`), for resumption.
    stream: u64,
    sender: Outbound,
}

#[derive(Default)]
struct Routes {
    requests: HashMap<RequestId, InFlight>,
    progress: HashMap<ProgressToken, RequestId>,
    standalone: Option<Outbound>,
    /// The `initialize` request waiting for its answer.
    initializing: Option<(RequestId, oneshot::Sender<ServerJsonRpcMessage>)>,
    next_stream: u64,
    last_active: Option<Instant>,
}

struct Session {
    id: SessionId,
    to_service: UnboundedSender<ClientJsonRpcMessage>,
    routes: Mutex<Routes>,
}

impl Session {
    fn routes(&self) -> parking_lot::MutexGuard<'_, Routes> {
        self.routes.lock()
    }

    fn push(&self, message: ClientJsonRpcMessage) -> Result<(), SessionError> {
        self.to_service
            .unbounded_send(message)
            .map_err(|_| SessionError::Closed(self.id.clone()))
    }

    /// Sends a message from the service to the HTTP stream it belongs to.
    fn route(&self, message: ServerJsonRpcMessage) {
        let mut routes = self.routes();
        let request = match &message {
            ServerJsonRpcMessage::Response(response) => Some((response.id.clone(), true)),
            ServerJsonRpcMessage::Error(error) => error.id.clone().map(|id| (id, true)),
            ServerJsonRpcMessage::Request(request) => request
                .request
                .extensions()
                .get::<OriginatingRequestId>()
                .map(|origin| (origin.0.clone(), false)),
            ServerJsonRpcMessage::Notification(notification) => match &notification.notification {
                ServerNotification::ProgressNotification(progress) => routes
                    .progress
                    .get(&progress.params.progress_token)
                    .map(|id| (id.clone(), false)),
                ServerNotification::CancelledNotification(cancelled) => {
                    cancelled.params.request_id.clone().map(|id| (id, false))
                }
                _ => None,
            },
        };
        if let Some((id, ends)) = &request
            && *ends
            && let Some((waiting, _)) = &routes.initializing
            && waiting == id
        {
            let (_, answer) = routes.initializing.take().expect("checked");
            let _ = answer.send(message);
            return;
        }
        let target = request.and_then(|(id, ends)| {
            let sender = routes.requests.get(&id).map(|r| r.sender.clone());
            if ends {
                routes.requests.remove(&id);
                routes.progress.retain(|_, request| *request != id);
            }
            sender
        });
        let sent = ServerSseMessage::from_message(message);
        match target.or_else(|| routes.standalone.clone()) {
            // A stream whose client went away: the message has nowhere to go, as with no stream.
            Some(sender) => {
                let _ = sender.unbounded_send(sent);
            }
            None => tracing::debug!(session = %self.id, "a message for no open stream was dropped"),
        }
    }

    fn touch(&self) {
        self.routes().last_active = Some(Instant::now());
    }

    /// True when no stream is open and nothing happened for `idle`. A request whose client has
    /// hung up does not keep the session: nobody is left to read its answer.
    fn is_idle(&self, idle: Duration) -> bool {
        let routes = self.routes();
        routes.requests.values().all(|r| r.sender.is_closed())
            && routes.standalone.as_ref().is_none_or(|s| s.is_closed())
            && routes.last_active.is_none_or(|at| at.elapsed() >= idle)
    }
}

/// What rmcp's service reads from and writes to for one session.
pub struct SessionTransport {
    session: Arc<Session>,
    from_clients: UnboundedReceiver<ClientJsonRpcMessage>,
}

impl Transport<RoleServer> for SessionTransport {
    type Error = SessionError;

    fn send(
        &mut self,
        item: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), SessionError>> + Send + 'static {
        self.session.route(item);
        std::future::ready(Ok(()))
    }

    fn receive(&mut self) -> impl Future<Output = Option<ClientJsonRpcMessage>> + Send {
        self.from_clients.next()
    }

    async fn close(&mut self) -> Result<(), SessionError> {
        self.from_clients.close();
        Ok(())
    }
}

/// The sessions of one server.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<SessionId, Arc<Session>>>,
}

impl Sessions {
    /// A live session. One whose service has stopped (the MCP server ended it) is forgotten
    /// here, so its client gets 404 and starts a new one.
    fn get(&self, id: &SessionId) -> Result<Arc<Session>, SessionError> {
        let mut map = self.map.lock();
        match map.get(id) {
            Some(session) if session.to_service.is_closed() => {
                map.remove(id);
                Err(SessionError::NotFound(id.clone()))
            }
            Some(session) => Ok(session.clone()),
            None => Err(SessionError::NotFound(id.clone())),
        }
    }

    /// The ids of the open sessions.
    pub fn ids(&self) -> Vec<String> {
        self.map.lock().keys().map(|id| id.to_string()).collect()
    }

    /// Closes the sessions idle for `idle`; answers how many.
    pub fn expire(&self, idle: Duration) -> usize {
        let expired: Vec<Arc<Session>> = {
            let mut map = self.map.lock();
            let ids: Vec<SessionId> = map
                .iter()
                .filter(|(_, session)| session.is_idle(idle))
                .map(|(id, _)| id.clone())
                .collect();
            ids.iter().filter_map(|id| map.remove(id)).collect()
        };
        for session in &expired {
            session.to_service.close_channel();
        }
        expired.len()
    }

    /// A stream of `receiver`, started with a priming event when `primed`.
    fn stream(
        receiver: UnboundedReceiver<ServerSseMessage>,
        priming: Option<String>,
    ) -> impl Stream<Item = ServerSseMessage> + Send + Sync + 'static {
        let first = priming.map(|id| ServerSseMessage::priming(id, RETRY));
        futures::stream::iter(first).chain(receiver)
    }
}

impl SessionManager for Sessions {
    type Error = SessionError;
    type Transport = SessionTransport;

    async fn create_session(&self) -> Result<(SessionId, SessionTransport), SessionError> {
        let id: SessionId = uuid::Uuid::new_v4().simple().to_string().into();
        let (to_service, from_clients) = unbounded();
        let session = Arc::new(Session {
            id: id.clone(),
            to_service,
            routes: Mutex::default(),
        });
        session.touch();
        self.map.lock().insert(id.clone(), session.clone());
        Ok((
            id,
            SessionTransport {
                session,
                from_clients,
            },
        ))
    }

    async fn initialize_session(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<ServerJsonRpcMessage, SessionError> {
        let session = self.get(id)?;
        let (answer, answered) = oneshot::channel();
        if let ClientJsonRpcMessage::Request(request) = &message {
            session.routes().initializing = Some((request.id.clone(), answer));
        }
        session.push(message)?;
        answered.await.map_err(|_| SessionError::Closed(id.clone()))
    }

    async fn has_session(&self, id: &SessionId) -> Result<bool, SessionError> {
        Ok(self.get(id).is_ok())
    }

    async fn close_session(&self, id: &SessionId) -> Result<(), SessionError> {
        if let Some(session) = self.map.lock().remove(id) {
            session.to_service.close_channel();
        }
        Ok(())
    }

    async fn create_stream(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let session = self.get(id)?;
        let (sender, receiver) = unbounded();
        let priming = {
            let mut routes = session.routes();
            routes.last_active = Some(Instant::now());
            routes.next_stream += 1;
            let stream = routes.next_stream;
            if let ClientJsonRpcMessage::Request(request) = &message {
                if let Some(token) = request.request.get_meta().get_progress_token() {
                    routes.progress.insert(token, request.id.clone());
                }
                routes
                    .requests
                    .insert(request.id.clone(), InFlight { stream, sender });
            }
            format!("r{stream}")
        };
        session.push(message)?;
        Ok(Self::stream(receiver, Some(priming)))
    }

    async fn accept_message(
        &self,
        id: &SessionId,
        message: ClientJsonRpcMessage,
    ) -> Result<(), SessionError> {
        let session = self.get(id)?;
        session.touch();
        if let ClientJsonRpcMessage::Notification(notification) = &message
            && let ClientNotification::CancelledNotification(cancelled) = &notification.notification
            && let Some(request) = &cancelled.params.request_id
        {
            // The client gave up on it: its stream ends now.
            let mut routes = session.routes();
            routes.requests.remove(request);
            routes.progress.retain(|_, id| id != request);
        }
        session.push(message)
    }

    async fn create_standalone_stream(
        &self,
        id: &SessionId,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let session = self.get(id)?;
        let (sender, receiver) = unbounded();
        let mut routes = session.routes();
        routes.last_active = Some(Instant::now());
        // One standalone stream per session: a new GET replaces the old one.
        routes.standalone = Some(sender);
        Ok(Self::stream(receiver, None))
    }

    async fn resume(
        &self,
        id: &SessionId,
        last_event_id: String,
    ) -> Result<impl Stream<Item = ServerSseMessage> + Send + Sync + 'static, SessionError> {
        let session = self.get(id)?;
        let (sender, receiver) = unbounded();
        let mut routes = session.routes();
        routes.last_active = Some(Instant::now());
        let request = last_event_id
            .strip_prefix('r')
            .and_then(|n| n.parse::<u64>().ok())
            .and_then(|stream| {
                routes
                    .requests
                    .iter()
                    .find(|(_, r)| r.stream == stream)
                    .map(|(id, _)| id.clone())
            });
        match request {
            // A request still in flight: what it sends from now on comes to the new stream.
            Some(request) => {
                if let Some(in_flight) = routes.requests.get_mut(&request) {
                    in_flight.sender = sender;
                }
            }
            // The standalone stream, or a request that has finished (its stream ends at once).
            None if !last_event_id.starts_with('r') => routes.standalone = Some(sender),
            None => drop(sender),
        }
        Ok(Self::stream(receiver, None))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn client(value: Value) -> ClientJsonRpcMessage {
        serde_json::from_value(value).expect("a client message")
    }

    fn server(value: Value) -> ServerJsonRpcMessage {
        serde_json::from_value(value).expect("a server message")
    }

    fn json_of(message: &ServerSseMessage) -> Value {
        serde_json::to_value(message.message.as_deref().expect("a message")).unwrap()
    }

    async fn next(stream: &mut (impl Stream<Item = ServerSseMessage> + Unpin)) -> ServerSseMessage {
        tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("a message in time")
            .expect("the stream is open")
    }

    fn initialize() -> ClientJsonRpcMessage {
        client(
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        )
    }

    #[tokio::test]
    async fn messages_reach_the_stream_of_the_request_they_belong_to() {
        let sessions = Sessions::default();
        let (id, mut transport) = sessions.create_session().await.unwrap();
        let answered = tokio::spawn({
            let sessions = Arc::new(sessions);
            let id = id.clone();
            let handle = sessions.clone();
            async move { (handle.initialize_session(&id, initialize()).await, sessions) }
        });
        let init = transport.receive().await.expect("the initialize request");
        assert!(matches!(init, ClientJsonRpcMessage::Request(_)));
        transport
            .send(server(json!({"jsonrpc": "2.0", "id": 1, "result": {"protocolVersion": "2025-06-18", "capabilities": {}, "serverInfo": {"name": "s", "version": "1"}}})))
            .await
            .unwrap();
        let (response, sessions) = answered.await.unwrap();
        assert!(matches!(
            response.unwrap(),
            ServerJsonRpcMessage::Response(_)
        ));

        let mut standalone = Box::pin(sessions.create_standalone_stream(&id).await.unwrap());
        let call = client(
            json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
            "name": "slow", "arguments": {}, "_meta": {"progressToken": "tok"}}}),
        );
        let mut stream = Box::pin(sessions.create_stream(&id, call).await.unwrap());
        let priming = next(&mut stream).await;
        assert_eq!(
            (priming.event_id.as_deref(), priming.message.is_none()),
            (Some("r1"), true)
        );
        assert!(matches!(
            transport.receive().await,
            Some(ClientJsonRpcMessage::Request(_))
        ));

        transport
            .send(server(json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": "tok", "progress": 1}})))
            .await
            .unwrap();
        transport
            .send(server(
                json!({"jsonrpc": "2.0", "method": "notifications/resources/list_changed"}),
            ))
            .await
            .unwrap();
        assert_eq!(
            json_of(&next(&mut stream).await)["method"],
            "notifications/progress"
        );
        assert_eq!(
            json_of(&next(&mut standalone).await)["method"],
            "notifications/resources/list_changed",
            "unrelated notifications go to the standalone stream"
        );

        // The client lost the connection; resuming from the priming id picks the request up.
        drop(stream);
        let mut resumed = Box::pin(sessions.resume(&id, "r1".into()).await.unwrap());
        transport
            .send(server(
                json!({"jsonrpc": "2.0", "id": 7, "result": {"content": []}}),
            ))
            .await
            .unwrap();
        assert_eq!(json_of(&next(&mut resumed).await)["id"], 7);
        assert!(
            resumed.next().await.is_none(),
            "the response ends the request's stream"
        );
        let mut finished = Box::pin(sessions.resume(&id, "r1".into()).await.unwrap());
        assert!(
            finished.next().await.is_none(),
            "a finished request's stream ends at once"
        );
    }

    #[tokio::test]
    async fn a_session_whose_service_stopped_is_gone() {
        let sessions = Sessions::default();
        let (id, transport) = sessions.create_session().await.unwrap();
        assert!(sessions.has_session(&id).await.unwrap());
        drop(transport);
        assert!(!sessions.has_session(&id).await.unwrap());
        assert!(sessions.ids().is_empty());
    }

    #[tokio::test]
    async fn idle_sessions_end_and_their_service_stops() {
        let sessions = Sessions::default();
        let (id, mut transport) = sessions.create_session().await.unwrap();
        let standalone = sessions.create_standalone_stream(&id).await.unwrap();
        let ping = client(json!({"jsonrpc": "2.0", "id": 9, "method": "ping"}));
        let waiting = sessions.create_stream(&id, ping).await.unwrap();
        assert_eq!(sessions.expire(Duration::ZERO), 0, "open streams keep it");
        drop(standalone);
        assert_eq!(
            sessions.expire(Duration::ZERO),
            0,
            "a request's reader keeps it"
        );
        drop(waiting);
        assert_eq!(
            sessions.expire(Duration::from_secs(60)),
            0,
            "recently active"
        );
        assert_eq!(sessions.expire(Duration::ZERO), 1);
        assert!(!sessions.has_session(&id).await.unwrap());
        assert!(
            matches!(
                transport.receive().await,
                Some(ClientJsonRpcMessage::Request(_))
            ),
            "the ping that was queued"
        );
        assert!(
            transport.receive().await.is_none(),
            "the service sees the end"
        );
        let ping = client(json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}));
        assert!(matches!(
            sessions.create_stream(&id, ping).await,
            Err(SessionError::NotFound(_))
        ));
    }
}
