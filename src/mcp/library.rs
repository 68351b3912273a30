//! What an MCP server serves besides tools: resources, resource templates, prompts and
//! completions, behind the [`Library`] trait so the same server code can carry heycmo's own
//! ([`Docs`]) or a test fixture's.
//!
//! heycmo's library is its documentation as resources (so an agent can read the API guide and
//! each tool's contract without leaving MCP) and a getting-started prompt, built once from the
//! registry; every list carries caching hints, since it only changes with a new release.

use std::collections::BTreeMap;

use rmcp::ErrorData as McpError;
use rmcp::model::{
    CacheScope, CompleteRequestParams, CompleteResult, GetPromptResult, JsonObject,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, Prompt, PromptArgument,
    PromptMessage, ReadResourceResult, Resource, ResourceContents, ResourceTemplate, Role,
};
use serde_json::{Value, json};

use crate::discovery;
use crate::registry::{Ask, Registry};

/// How long clients may cache the lists and documents.
const TTL_MS: u64 = 5 * 60 * 1000;

const TOOL_TEMPLATE: &str = "heycmo://tools/{name}";
const GETTING_STARTED: &str = "getting_started";
const WEEKLY_PLAN: &str = "weekly_content_plan";

struct Document {
    uri: &'static str,
    name: &'static str,
    title: &'static str,
    mime: &'static str,
    text: String,
}

/// A built prompt, or what it still needs from the client.
pub enum PromptOutcome {
    Complete(GetPromptResult),
    NeedInput(Vec<(String, Ask)>),
}

/// Resources and prompts a server offers next to its tools.
pub trait Library: Send + Sync + 'static {
    fn resources(&self) -> ListResourcesResult;
    fn templates(&self) -> ListResourceTemplatesResult;
    fn read(&self, uri: &str) -> Result<ReadResourceResult, McpError>;
    fn prompts(&self) -> ListPromptsResult;
    /// Builds a prompt. `answered` holds the client's replies to earlier asks (SEP-2322); a
    /// prompt that needs more answers [`PromptOutcome::NeedInput`].
    fn prompt(
        &self,
        name: &str,
        arguments: &JsonObject,
        answered: &BTreeMap<String, Value>,
    ) -> Result<PromptOutcome, McpError>;

    /// Whether `completion/complete` is offered (and the capability declared).
    fn completions(&self) -> bool {
        false
    }

    fn complete(&self, _request: &CompleteRequestParams) -> Result<CompleteResult, McpError> {
        Ok(CompleteResult::default())
    }

    /// Whether clients may subscribe to resource updates (handshake generation).
    fn subscriptions(&self) -> bool {
        false
    }
}

/// heycmo's documents, the per-tool pages and the prompt.
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
                        .map(|e| json!({"title": e.title, "input": e.input}))
                        .collect::<Vec<_>>()
                );
                (spec.entry.name.clone(), pretty(&page))
            })
            .collect();
        Docs { documents, tools }
    }
}

impl Library for Docs {
    fn resources(&self) -> ListResourcesResult {
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

    fn templates(&self) -> ListResourceTemplatesResult {
        let mut template = ResourceTemplate::new(TOOL_TEMPLATE, "tool");
        template.title = Some("A tool's contract".into());
        template.description =
            Some("Description, scope, annotations, schemas and examples of one tool".into());
        template.mime_type = Some("application/json".into());
        ListResourceTemplatesResult::with_all_items(vec![template])
            .with_ttl_ms(TTL_MS)
            .with_cache_scope(CacheScope::Public)
    }

    fn read(&self, uri: &str) -> Result<ReadResourceResult, McpError> {
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
            return Err(McpError::resource_not_found(
                format!("No resource {uri}"),
                Some(json!({"uri": uri})),
            ));
        };
        Ok(
            ReadResourceResult::new(vec![ResourceContents::text(text, uri).with_mime_type(mime)])
                .with_ttl_ms(TTL_MS)
                .with_cache_scope(CacheScope::Public),
        )
    }

    fn prompts(&self) -> ListPromptsResult {
        let mut argument = PromptArgument::new("website");
        argument.description = Some("The brand's website, if known".into());
        argument.required = Some(false);
        let prompt = Prompt::new(
            GETTING_STARTED,
            Some(
                "Start working with HeyCMO for a brand: check the account and see what the tools can do",
            ),
            Some(vec![argument]),
        );
        let optional = |name: &str, description: &str| {
            let mut argument = PromptArgument::new(name);
            argument.description = Some(description.into());
            argument.required = Some(false);
            argument
        };
        let plan = Prompt::new(
            WEEKLY_PLAN,
            Some(
                "Plan and draft this week's content for the brand, grounded in its profile and audits",
            ),
            Some(vec![
                optional(
                    "focus",
                    "A theme, product or campaign to centre the week on",
                ),
                optional(
                    "channels",
                    "Where it will run, such as \"blog, linkedin, email\"",
                ),
            ]),
        );
        ListPromptsResult::with_all_items(vec![prompt, plan])
            .with_ttl_ms(TTL_MS)
            .with_cache_scope(CacheScope::Public)
    }

    fn prompt(
        &self,
        name: &str,
        arguments: &JsonObject,
        _answered: &BTreeMap<String, Value>,
    ) -> Result<PromptOutcome, McpError> {
        let argument = |key: &str| {
            arguments
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        if name == WEEKLY_PLAN {
            let mut text = String::from(
                "Plan this week's content for the brand with HeyCMO. 1) Read the brand with \
                 get_brand_profile (if there is none, ask for the website and run analyze_brand_url). \
                 2) Check what is in the pipeline with list_content, and the latest audits with \
                 list_audits. 3) Propose five pieces for the week, each with a topic, format, main \
                 keyword and the reason it matters now (gaps the audits found count). 4) Once agreed, \
                 draft each with run_content_creation (or generate_lead_magnet), and report the \
                 drafts' on-page scores and what to fix before approving.",
            );
            if let Some(focus) = argument("focus") {
                text.push_str(&format!(" Centre the week on: {focus}."));
            }
            if let Some(channels) = argument("channels") {
                text.push_str(&format!(" Channels: {channels}."));
            }
            return Ok(PromptOutcome::Complete(
                GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                    .with_description("This week's content plan"),
            ));
        }
        let website = argument("website");
        if name != GETTING_STARTED {
            return Err(McpError::invalid_params(format!("No prompt {name}"), None));
        }
        let tools: Vec<&str> = self.tools.iter().map(|(n, _)| n.as_str()).collect();
        let mut text = format!(
            "You are working as this brand's marketing team through HeyCMO. First call get_account to \
             confirm the account; if it has no brand yet, run analyze_brand_url on the brand's website, \
             which every writing tool draws on. list_events shows what has happened recently. The \
             tools available are: {}. Read heycmo://tools/<name> for any tool's contract; the brand \
             profile is heycmo://brand and each content item heycmo://content/<id>.",
            tools.join(", ")
        );
        if let Some(site) = website {
            text.push_str(&format!(" The brand's website is {site}."));
        }
        Ok(PromptOutcome::Complete(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description("Getting started with HeyCMO"),
        ))
    }
}
