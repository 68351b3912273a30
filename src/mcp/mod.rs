//! MCP over the registry: one `ServerHandler` ([`server::McpServer`]) and three transports.
//!
//! The handler knows no tool by name: it lists the registry and calls it. Transports know nothing
//! of tools: stdio and legacy SSE authenticate once per session and pin the principal; Streamable
//! HTTP authenticates every request and hands the principal over in the request's extensions.

pub mod errors;
pub mod library;
pub mod records;
pub mod server;
pub mod sessions;
pub mod sse;
pub mod state;
pub mod stdio;
pub mod streamable;
pub mod transport;

pub use server::McpServer;
