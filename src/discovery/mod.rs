//! Discovery documents, all generated from the registry: OpenAPI, the MCP server cards, agent
//! and API catalogues, RFC 9728 metadata, llms.txt, index.md, the sitemap and the home page.
//!
//! Each is rendered on its first request (they depend only on the registry and the public URL)
//! and then served from memory.

mod card;
mod openapi;
mod text;
mod wellknown;

use std::sync::{Arc, OnceLock};

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

fn pretty(value: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec_pretty(value).expect("documents serialize"))
}

/// A document: its path, media type and how it is rendered.
struct Kind {
    path: &'static str,
    content_type: &'static str,
    render: fn(&Registry, &str) -> Bytes,
}

/// Every document but the home page, by path.
const KINDS: &[Kind] = &[
    Kind {
        path: "/openapi.json",
        content_type: "application/openapi+json",
        render: |registry, base| pretty(&openapi(registry, base)),
    },
    Kind {
        path: "/.well-known/mcp/server-card.json",
        content_type: "application/json",
        render: |registry, base| pretty(&server_card(registry, base)),
    },
    Kind {
        path: "/mcp/server-card",
        content_type: "application/mcp-server-card+json",
        render: |_, base| pretty(&sep2127_card(base)),
    },
    Kind {
        path: AGENT,
        content_type: "application/json",
        render: |registry, base| pretty(&wellknown::agent(registry, base)),
    },
    Kind {
        path: "/.well-known/api-catalog",
        content_type: "application/linkset+json",
        render: |_, base| pretty(&wellknown::api_catalog(base)),
    },
    Kind {
        path: "/.well-known/oauth-protected-resource",
        content_type: "application/json",
        render: |_, base| pretty(&wellknown::protected_resource(base)),
    },
    Kind {
        path: "/llms.txt",
        content_type: "text/plain; charset=utf-8",
        render: |registry, base| text::llms_txt(registry, base).into(),
    },
    Kind {
        path: "/index.md",
        content_type: "text/markdown; charset=utf-8",
        render: |registry, base| text::index_md(registry, base).into(),
    },
    Kind {
        path: "/sitemap.xml",
        content_type: "application/xml",
        render: |_, base| text::sitemap(base).into(),
    },
];

/// The agent descriptor's path, which `/?mode=agent` serves too.
const AGENT: &str = "/.well-known/agent.json";

/// The documents, each rendered on its first request and then served from memory: they
/// depend only on the registry and the public URL, and together weigh about 2 MB that an idle
/// server need not hold.
pub struct Documents {
    app: Arc<App>,
    rendered: Vec<OnceLock<Bytes>>,
    home: OnceLock<Bytes>,
}

impl Documents {
    pub fn build(app: &Arc<App>) -> Documents {
        Documents {
            app: app.clone(),
            rendered: KINDS.iter().map(|_| OnceLock::new()).collect(),
            home: OnceLock::new(),
        }
    }

    /// The media type and body of the document at `path`, rendered on first use.
    fn document(&self, path: &str) -> Option<(&'static str, Bytes)> {
        let index = KINDS.iter().position(|kind| kind.path == path)?;
        let kind = &KINDS[index];
        let body = self.rendered[index]
            .get_or_init(|| (kind.render)(&self.app.registry, &self.app.public_url))
            .clone();
        Some((kind.content_type, body))
    }

    /// Whether a document is served at `path` (by GET).
    pub fn serves(&self, path: &str) -> bool {
        path == "/" || KINDS.iter().any(|kind| kind.path == path)
    }

    /// The document at `path`, if there is one.
    pub fn get(&self, path: &str) -> Option<Response<Body>> {
        let (content_type, body) = self.document(path)?;
        let mut response = with_body(StatusCode::OK, content_type, body);
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
            let (content_type, agent) = self
                .document(AGENT)
                .expect("the agent descriptor is a document");
            with_body(StatusCode::OK, content_type, agent)
        } else {
            let home = self
                .home
                .get_or_init(|| text::home_html(&self.app.registry).into())
                .clone();
            with_body(StatusCode::OK, "text/html; charset=utf-8", home)
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
