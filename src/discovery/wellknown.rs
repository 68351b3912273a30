//! `/.well-known/agent.json` (and `/?mode=agent`), the RFC 9727 API catalog and the RFC 9728
//! protected-resource metadata.

use serde_json::{Value, json};

use crate::registry::Registry;

/// The agent capability descriptor: what the service does and how to reach it.
pub fn agent(registry: &Registry, base: &str) -> Value {
    let skills: Vec<Value> = registry
        .tools()
        .iter()
        .map(|spec| {
            json!({
                "id": spec.entry.name,
                "name": spec.entry.title,
                "description": spec.entry.description,
                "endpoint": format!("{base}/api/tools/{}", spec.entry.name),
            })
        })
        .collect();
    json!({
        "name": "HeyCMO",
        "description": env!("CARGO_PKG_DESCRIPTION"),
        "version": env!("CARGO_PKG_VERSION"),
        "url": base,
        "documentationUrl": format!("{base}/index.md"),
        "authentication": {"schemes": ["bearer"], "keyFormat": "hcmo_live_<64 hex>"},
        "interfaces": {
            "openapi": format!("{base}/openapi.json"),
            "mcp": {
                "streamableHttp": format!("{base}/mcp"),
                "sse": format!("{base}/mcp/sse"),
                "serverCard": format!("{base}/.well-known/mcp/server-card.json"),
            },
        },
        "rateLimits": {"rest": "60/min per customer", "mcp": "30/min per customer", "preauth": "20/min per IP"},
        "errorFormat": {"error": "string", "code": "E_*", "requestId": "string"},
        "skills": skills,
    })
}

/// RFC 9727 linkset: where the API's description, docs and status live.
pub fn api_catalog(base: &str) -> Value {
    json!({
        "linkset": [{
            "anchor": format!("{base}/api"),
            "service-desc": [{"href": format!("{base}/openapi.json"), "type": "application/openapi+json"}],
            "service-doc": [{"href": format!("{base}/index.md"), "type": "text/markdown"}],
            "status": [{"href": format!("{base}/api/health"), "type": "application/json"}],
            "service-meta": [{"href": format!("{base}/.well-known/mcp/server-card.json"), "type": "application/json"}],
        }]
    })
}

/// RFC 9728 metadata: bearer keys in a header, no OAuth authorization server yet.
pub fn protected_resource(base: &str) -> Value {
    json!({
        "resource": base,
        "authorization_servers": [],
        "bearer_methods_supported": ["header"],
        "resource_name": "HeyCMO",
        "resource_documentation": format!("{base}/index.md"),
    })
}
