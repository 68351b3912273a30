//! What every session's transport gets before rmcp sees its messages.

use rmcp::RoleServer;
use rmcp::model::JsonRpcMessage;
use rmcp::service::{RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;

/// Drops the notifications a client sends before its first request. JSON-RPC says a
/// notification gets no answer and a receiver ignores one it does not know; rmcp instead ends a
/// session whose first message is not `initialize`, so a client that announces something early
/// (a cancellation of nothing, a custom notification) would lose the whole session, and on stdio
/// the process.
pub struct LenientStart<T> {
    inner: T,
    started: bool,
}

impl<T> LenientStart<T> {
    pub fn new(inner: T) -> LenientStart<T> {
        LenientStart {
            inner,
            started: false,
        }
    }
}

impl<T: Transport<RoleServer>> Transport<RoleServer> for LenientStart<T> {
    type Error = T::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleServer>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleServer>> {
        loop {
            let message = self.inner.receive().await?;
            if !self.started && matches!(message, JsonRpcMessage::Notification(_)) {
                tracing::debug!("a notification before the first request was ignored");
                continue;
            }
            self.started = true;
            return Some(message);
        }
    }

    fn close(&mut self) -> impl Future<Output = Result<(), Self::Error>> + Send {
        self.inner.close()
    }
}
