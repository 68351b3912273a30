//! MCP over the registry, independent of any transport: one `ServerHandler`
//! ([`server::McpServer`]), the Streamable HTTP session store, request-state signing, error
//! mapping, and the stdio transport. The two HTTP transports are HTTP adapters in `crate::http`;
//! nothing here imports `crate::http`.
//!
//! The handler knows no tool by name: it lists the registry and calls it. It knows no resource
//! or prompt either: those come from a [`library::Library`] (heycmo's is `crate::library`).
//! stdio and legacy SSE authenticate once per session and pin the principal; Streamable HTTP
//! authenticates every request and hands the principal over in the request's extensions.

mod call;
pub mod direct;
pub mod errors;
pub mod library;
pub mod server;
pub mod sessions;
pub mod state;
pub mod stdio;
pub mod transport;

pub use server::McpServer;
