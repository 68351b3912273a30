//! Discovery documents, all generated from the registry: OpenAPI, the MCP server cards, agent
//! and API catalogues, RFC 9728 metadata, llms.txt, index.md, the sitemap and the home page.
//!
//! They are rendered once at start (they depend only on the registry and the public URL) and
//! served from memory.

mod card;
mod openapi;
mod text;
mod wellknown;

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use serde_json::Value;

use crate::app::App;
use crate::http::response::{Body, with_body};
use crate::registry::Registry;

pub use card::{protocol_versions, sep2127_card, server_card};
pub use openapi::openapi;
pub use text::{index_md, llms_txt};
pub use wellknown::{agent, api_catalog};

/// What an MCP client is told at `initialize`.
pub const INSTRUCTIONS: &str = "HeyCMO acts as the marketing department of one brand. Start with \
get_account to learn the customer id. Every tool returns structured JSON; errors carry a stable \
`code` (E_*). Tool calls are recorded in the event log (list_events).";

/// The RFC 8288 `Link` header on `/`, exactly as the hosted API sends it (docs/hosted-api.md).
pub const HOME_LINKS: &str = concat!(
    "</sitemap.xml>; rel=\"sitemap\", ",
    "</index.md>; rel=\"alternate\"; type=\"text/markdown\", ",
    "</openapi.json>; rel=\"service-desc\"; type=\"application/openapi+json\", ",
    "</.well-known/api-catalog>; rel=\"api-catalog\"; type=\"application/linkset+json\", ",
    "</.well-known/agent.json>; rel=\"describedby\"; type=\"application/json\", ",
    "</.well-known/mcp/server-card.json>; rel=\"related\"; title=\"MCP server card\", ",
    "</llms.txt>; rel=\"alternate\"; type=\"text/plain\"; title=\"llms.txt\"",
);

struct Document {
    content_type: &'static str,
    body: Bytes,
}

/// The rendered documents, by path.
pub struct Documents {
    by_path: HashMap<&'static str, Document>,
    agent: Bytes,
    home: Bytes,
}

fn pretty(value: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec_pretty(value).expect("documents serialize"))
}

impl Documents {
    pub fn build(app: &App) -> Documents {
        let registry = &app.registry;
        let base = app.public_url.as_ref();
        let agent = pretty(&wellknown::agent(registry, base));
        let mut by_path = HashMap::new();
        let mut add = |path, content_type, body| {
            by_path.insert(path, Document { content_type, body });
        };
        add(
            "/openapi.json",
            "application/openapi+json",
            pretty(&openapi(registry, base)),
        );
        add(
            "/.well-known/mcp/server-card.json",
            "application/json",
            pretty(&server_card(registry, base)),
        );
        add(
            "/mcp/server-card",
            "application/mcp-server-card+json",
            pretty(&sep2127_card(base)),
        );
        add("/.well-known/agent.json", "application/json", agent.clone());
        add(
            "/.well-known/api-catalog",
            "application/linkset+json",
            pretty(&wellknown::api_catalog(base)),
        );
        add(
            "/.well-known/oauth-protected-resource",
            "application/json",
            pretty(&wellknown::protected_resource(base)),
        );
        add(
            "/llms.txt",
            "text/plain; charset=utf-8",
            text::llms_txt(registry, base).into(),
        );
        add(
            "/index.md",
            "text/markdown; charset=utf-8",
            text::index_md(registry, base).into(),
        );
        add(
            "/sitemap.xml",
            "application/xml",
            text::sitemap(base).into(),
        );
        Documents {
            by_path,
            agent,
            home: text::home_html(registry).into(),
        }
    }

    /// Whether a document is served at `path` (by GET).
    pub fn serves(&self, path: &str) -> bool {
        path == "/" || self.by_path.contains_key(path)
    }

    /// The document at `path`, if there is one.
    pub fn get(&self, path: &str) -> Option<Response<Body>> {
        let doc = self.by_path.get(path)?;
        let mut response = with_body(StatusCode::OK, doc.content_type, doc.body.clone());
        // Public, the same for everyone, and changed only by a new release.
        response.headers_mut().insert(
            "cache-control",
            HeaderValue::from_static("public, max-age=300"),
        );
        response
            .headers_mut()
            .insert("access-control-allow-origin", HeaderValue::from_static("*"));
        Some(response)
    }

    /// `/`: the home page with the `Link` header, or the agent descriptor for `?mode=agent`.
    pub fn home(&self, mode: Option<&str>) -> Response<Body> {
        let mut response = if mode == Some("agent") {
            with_body(StatusCode::OK, "application/json", self.agent.clone())
        } else {
            with_body(
                StatusCode::OK,
                "text/html; charset=utf-8",
                self.home.clone(),
            )
        };
        response
            .headers_mut()
            .insert("link", HeaderValue::from_static(HOME_LINKS));
        response
    }
}

/// Every document `heycmo export` writes, by relative path.
pub fn exported(registry: &Registry, base: &str) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for spec in registry.tools() {
        let input = Value::Object((*spec.input_schema).clone());
        let output = Value::Object((*spec.output_schema).clone());
        files.push((
            format!("schemas/{}.input.json", spec.name()),
            pretty(&input).to_vec(),
        ));
        files.push((
            format!("schemas/{}.output.json", spec.name()),
            pretty(&output).to_vec(),
        ));
    }
    files.push((
        "server-card/server-card.json".into(),
        pretty(&server_card(registry, base)).to_vec(),
    ));
    files.push((
        "server-card/openapi.json".into(),
        pretty(&openapi(registry, base)).to_vec(),
    ));
    for (_, bytes) in &mut files {
        bytes.push(b'\n');
    }
    files
}
