//! heycmo's documentation as resources, so an agent can read the API guide and each tool's
//! contract without leaving MCP. Built once from the registry; every list carries caching
//! hints, since it only changes with a new release.

use rmcp::ErrorData as McpError;
use rmcp::model::{
    CacheScope, ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate,
};
use serde_json::json;

use crate::discovery;
use crate::mcp::library::not_found;
use crate::registry::Registry;

/// How long clients may cache the lists and documents.
const TTL_MS: u64 = 5 * 60 * 1000;

const TOOL_TEMPLATE: &str = "heycmo://tools/{name}";

struct Document {
    uri: &'static str,
    name: &'static str,
    title: &'static str,
    mime: &'static str,
    text: String,
}

/// heycmo's documents and the per-tool pages.
pub struct Docs {
    documents: Vec<Document>,
    /// Tool name to its page (catalogue entry and schemas as JSON).
    tools: Vec<(String, String)>,
}

impl Docs {
    pub fn new(registry: &Registry, base: &str) -> Docs {
        let pretty =
            |value: &serde_json::Value| serde_json::to_string_pretty(value).unwrap_or_default();
        let documents = vec![
            Document {
                uri: "heycmo://docs/index.md",
                name: "index.md",
                title: "HeyCMO API guide",
                mime: "text/markdown",
                text: discovery::index_md(registry, base),
            },
            Document {
                uri: "heycmo://docs/llms.txt",
                name: "llms.txt",
                title: "HeyCMO for LLMs",
                mime: "text/plain",
                text: discovery::llms_txt(registry, base),
            },
            Document {
                uri: "heycmo://docs/openapi.json",
                name: "openapi.json",
                title: "OpenAPI description of the REST API",
                mime: "application/json",
                text: pretty(&discovery::openapi(registry, base)),
            },
        ];
        let tools = registry
            .tools()
            .iter()
            .map(|spec| {
                let mut page = spec.describe();
                page["examples"] = json!(
                    spec.entry
                        .examples
                        .iter()
                        .map(|e| {
                            let mut example = json!({"title": e.title, "input": e.input});
                            if !e.given.is_empty() {
                                example["given"] = json!(e.given);
                            }
                            example
                        })
                        .collect::<Vec<_>>()
                );
                (spec.entry.name.clone(), pretty(&page))
            })
            .collect();
        Docs { documents, tools }
    }
}

impl Docs {
    pub fn resources(&self) -> ListResourcesResult {
        let resources = self
            .documents
            .iter()
            .map(|doc| {
                let mut resource = Resource::new(doc.uri, doc.name);
                resource.title = Some(doc.title.into());
                resource.mime_type = Some(doc.mime.into());
                resource.size = Some(doc.text.len() as u64);
                resource
            })
            .collect();
        ListResourcesResult::with_all_items(resources)
            .with_ttl_ms(TTL_MS)
            .with_cache_scope(CacheScope::Public)
    }

    pub fn templates(&self) -> ListResourceTemplatesResult {
        let mut template = ResourceTemplate::new(TOOL_TEMPLATE, "tool");
        template.title = Some("A tool's contract".into());
        template.description =
            Some("Description, scope, annotations, schemas and examples of one tool".into());
        template.mime_type = Some("application/json".into());
        ListResourceTemplatesResult::with_all_items(vec![template])
            .with_ttl_ms(TTL_MS)
            .with_cache_scope(CacheScope::Public)
    }

    pub fn read(&self, uri: &str) -> Result<ReadResourceResult, McpError> {
        let found = self
            .documents
            .iter()
            .find(|doc| doc.uri == uri)
            .map(|doc| (doc.text.clone(), doc.mime))
            .or_else(|| {
                let name = uri.strip_prefix("heycmo://tools/")?;
                self.tools
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, page)| (page.clone(), "application/json"))
            });
        let Some((text, mime)) = found else {
            return Err(not_found(uri));
        };
        Ok(
            ReadResourceResult::new(vec![ResourceContents::text(text, uri).with_mime_type(mime)])
                .with_ttl_ms(TTL_MS)
                .with_cache_scope(CacheScope::Public),
        )
    }

    /// The names of the tools that have a page.
    pub fn tool_names(&self) -> impl Iterator<Item = &str> {
        self.tools.iter().map(|(name, _)| name.as_str())
    }
}
