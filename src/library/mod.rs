//! heycmo's MCP library ([`Heycmo`]): its documentation, the customer's own records (the brand
//! profile and content items) and the marketing prompts, behind the handler's
//! [`Library`] seam. Everything here knows the product; `crate::mcp` knows none of it.

mod docs;
mod prompts;
mod records;

use std::collections::BTreeMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use rmcp::ErrorData as McpError;
use rmcp::model::{
    JsonObject, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult,
    ReadResourceResult, Resource,
};
use serde_json::Value;

use crate::app::App;
use crate::changes::Record;
use crate::clock::Clock;
use crate::mcp::library::{Library, PromptOutcome};
use crate::mcp::server::Shared;
use crate::registry::Registry;
use crate::store::Store;

pub use docs::Docs;

/// heycmo's MCP surface: the registry's tools with this library.
pub fn surface(app: Arc<App>) -> Arc<Shared> {
    let library = Heycmo::new(
        &app.registry,
        &app.public_url,
        app.store.clone(),
        app.clock.clone(),
    );
    Shared::new(app, Arc::new(library))
}

/// The library heycmo serves: documents built from `registry`, records read from `store`;
/// "the last 30 days" of a stats resource end at `clock`'s now, the server's one clock.
pub struct Heycmo {
    docs: Docs,
    store: Store,
    clock: Arc<dyn Clock>,
}

impl Heycmo {
    pub fn new(
        registry: &Registry,
        public_url: &str,
        store: Store,
        clock: Arc<dyn Clock>,
    ) -> Heycmo {
        Heycmo {
            docs: Docs::new(registry, public_url),
            store,
            clock,
        }
    }
}

impl Library for Heycmo {
    fn resources(&self) -> ListResourcesResult {
        self.docs.resources()
    }

    fn templates(&self) -> ListResourceTemplatesResult {
        let mut templates = self.docs.templates();
        templates.resource_templates.extend(records::templates());
        templates
    }

    fn read(&self, uri: &str) -> Result<ReadResourceResult, McpError> {
        self.docs.read(uri)
    }

    fn prompts(&self) -> ListPromptsResult {
        prompts::list()
    }

    fn prompt(
        &self,
        name: &str,
        arguments: &JsonObject,
        _answered: &BTreeMap<String, Value>,
    ) -> Result<PromptOutcome, McpError> {
        prompts::build(name, arguments, self.docs.tool_names())
    }

    fn is_record(&self, uri: &str) -> bool {
        records::owns(uri)
    }

    fn records<'a>(&'a self, customer: &'a str) -> BoxFuture<'a, Result<Vec<Resource>, McpError>> {
        Box::pin(records::list(&self.store, customer))
    }

    fn read_record<'a>(
        &'a self,
        customer: &'a str,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<ReadResourceResult, McpError>> {
        Box::pin(records::read(
            &self.store,
            customer,
            uri,
            self.clock.now_millis(),
        ))
    }

    fn ensure_watchable<'a>(
        &'a self,
        customer: &'a str,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<(), McpError>> {
        Box::pin(records::ensure_watchable(
            &self.store,
            customer,
            uri,
            self.clock.now_millis(),
        ))
    }

    fn record_uri(&self, record: &Record) -> Option<String> {
        Some(records::uri(record))
    }
}
