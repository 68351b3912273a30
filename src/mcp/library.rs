//! What an MCP server serves besides tools: resources, resource templates, prompts and
//! completions, behind the [`Library`] trait, so the handler carries heycmo's library
//! (`crate::library`) or a test fixture's without knowing what either is about.
//!
//! Two kinds of resource: documents, the same for every caller and cacheable, and a
//! customer's own records, which are private, change, and may be watched. The handler asks the
//! library which is which; it knows no URI scheme of its own.

use std::collections::BTreeMap;

use futures::future::BoxFuture;
use rmcp::ErrorData as McpError;
use rmcp::model::{
    CompleteRequestParams, CompleteResult, GetPromptResult, JsonObject, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource,
};
use serde_json::{Value, json};

use crate::changes::Record;
use crate::registry::Ask;

/// A built prompt, or what it still needs from the client.
pub enum PromptOutcome {
    Complete(GetPromptResult),
    NeedInput(Vec<(String, Ask)>),
}

/// The answer for a URI that names no resource of the caller (another customer's record
/// included: that it exists is not told).
pub fn not_found(uri: &str) -> McpError {
    McpError::resource_not_found(
        format!("No resource {uri}"),
        Some(json!({"uri": uri, "code": "E_NOT_FOUND"})),
    )
}

/// Resources and prompts a server offers next to its tools.
pub trait Library: Send + Sync + 'static {
    /// The documents (the same for every caller).
    fn resources(&self) -> ListResourcesResult;
    /// Templates of documents and of records.
    fn templates(&self) -> ListResourceTemplatesResult;
    /// Reads a document.
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

    /// Whether clients may subscribe to documents (which never change) as well as records.
    fn subscriptions(&self) -> bool {
        false
    }

    /// Whether `uri` names a customer's record rather than a document.
    fn is_record(&self, _uri: &str) -> bool {
        false
    }

    /// The records of `customer` worth listing.
    fn records<'a>(&'a self, _customer: &'a str) -> BoxFuture<'a, Result<Vec<Resource>, McpError>> {
        Box::pin(async { Ok(Vec::new()) })
    }

    /// Reads one record of `customer`; [`not_found`] when it has none by that URI.
    fn read_record<'a>(
        &'a self,
        _customer: &'a str,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<ReadResourceResult, McpError>> {
        Box::pin(async move { Err(not_found(uri)) })
    }

    /// Refuses, as [`not_found`], a subscription to a record `customer` cannot watch.
    fn ensure_watchable<'a>(
        &'a self,
        customer: &'a str,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<(), McpError>> {
        Box::pin(async move { self.read_record(customer, uri).await.map(drop) })
    }

    /// The URI subscribers of a changed record watch, if the record is a resource here.
    fn record_uri(&self, _record: &Record) -> Option<String> {
        None
    }
}
