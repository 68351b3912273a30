//! MCP over stdin/stdout, for local agents that start heycmo as a child process.
//!
//! stdout carries only JSON-RPC; logs go to stderr (set up by the CLI).

use std::sync::Arc;

use rmcp::transport::IntoTransport;
use rmcp::{RoleServer, ServiceExt};

use super::server::{McpServer, Shared};
use super::transport::LenientStart;
use crate::auth::Principal;
use crate::registry::Surface;

/// Serves one session on stdio as `principal` until the client closes stdin.
pub async fn serve(shared: Arc<Shared>, principal: Principal) -> Result<(), std::io::Error> {
    let server = McpServer::new(shared, Surface::McpStdio, Some(principal));
    let stdio = IntoTransport::<RoleServer, _, _>::into_transport(rmcp::transport::stdio());
    let running = server
        .serve(LenientStart::new(stdio))
        .await
        .map_err(|e| std::io::Error::other(format!("MCP initialisation failed: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| std::io::Error::other(format!("MCP session failed: {e}")))?;
    Ok(())
}
