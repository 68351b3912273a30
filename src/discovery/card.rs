//! The MCP server cards: the hosted API's `/.well-known/mcp/server-card.json` (docs/hosted-api.md) (with every tool) and
//! the SEP-2127 card at `/mcp/server-card`.

use rmcp::model::ProtocolVersion;
use serde_json::{Value, json};

use crate::registry::{Registry, ToolSpec};

/// The protocol versions this server speaks: every version rmcp knows.
pub fn protocol_versions() -> Vec<&'static str> {
    ProtocolVersion::KNOWN_VERSIONS
        .iter()
        .map(ProtocolVersion::as_str)
        .collect()
}

/// The transports, with the versions each carries: legacy SSE only has the handshake versions.
fn remotes(base: &str) -> Value {
    let all = protocol_versions();
    let handshake: Vec<&str> = all.iter().copied().filter(|v| *v < "2026-07-28").collect();
    let auth_header = json!([{
        "name": "Authorization",
        "description": "Bearer hcmo_live_… (or ?token= on the URL)",
        "isRequired": true,
        "isSecret": true,
    }]);
    json!([
        {"type": "streamable-http", "url": format!("{base}/mcp"), "supportedProtocolVersions": all, "headers": auth_header},
        {"type": "sse", "url": format!("{base}/mcp/sse"), "supportedProtocolVersions": handshake, "headers": auth_header},
    ])
}

/// The hosted API's card: identity, transports, auth, and every tool with its schemas.
pub fn server_card(registry: &Registry, base: &str) -> Value {
    let tools: Vec<Value> = registry.tools().iter().map(ToolSpec::describe).collect();
    let mut card = sep2127_card(base);
    let extra = json!({
        "protocolVersions": protocol_versions(),
        "authentication": {
            "required": true,
            "schemes": ["bearer"],
            "keyFormat": "hcmo_live_<64 hex>",
            "queryParameter": "token",
            "protectedResourceMetadata": format!("{base}/.well-known/oauth-protected-resource"),
        },
        "capabilities": {"tools": {"listChanged": false}, "logging": {}},
        "instructions": super::INSTRUCTIONS,
        "tools": tools,
    });
    if let (Some(card), Value::Object(extra)) = (card.as_object_mut(), extra) {
        card.extend(extra);
    }
    card
}

/// The SEP-2127 card: identity and where to connect.
pub fn sep2127_card(base: &str) -> Value {
    json!({
        "$schema": "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json",
        "name": "ai.heycmo/heycmo",
        "title": "HeyCMO",
        "version": env!("CARGO_PKG_VERSION"),
        "description": env!("CARGO_PKG_DESCRIPTION"),
        "websiteUrl": base,
        "remotes": remotes(base),
    })
}
