//! The customer's own records as MCP resources: the brand profile (`heycmo://brand`) and each
//! content item (`heycmo://content/{id}`). Unlike the documentation they are private, change
//! often, and subscribers hear of each change (`notifications/resources/updated`).

use rmcp::ErrorData as McpError;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use serde_json::json;

use crate::changes::Record;
use crate::content::{ContentItem, lifecycle};
use crate::error::Error;
use crate::mcp::library::not_found;
use crate::store::Store;

pub const BRAND_URI: &str = "heycmo://brand";
pub const CONTENT_PREFIX: &str = "heycmo://content/";
const CONTENT_TEMPLATE: &str = "heycmo://content/{id}";
/// Content items listed as resources (the newest); older ones are read by id.
const LISTED: u32 = 50;

/// The URI of a content item.
pub fn content_uri(id: &str) -> String {
    format!("{CONTENT_PREFIX}{id}")
}

/// The resource URI of a changed record, which its subscribers subscribed to.
pub fn uri(record: &Record) -> String {
    match record {
        Record::Brand => BRAND_URI.to_owned(),
        Record::Content(id) => content_uri(id),
    }
}

/// Whether a URI names one of these records.
pub fn owns(uri: &str) -> bool {
    uri == BRAND_URI || uri.starts_with(CONTENT_PREFIX)
}

pub fn template() -> ResourceTemplate {
    let mut template = ResourceTemplate::new(CONTENT_TEMPLATE, "content");
    template.title = Some("A content item".into());
    template.description =
        Some("One content item as JSON: body, state, checks (see get_content)".into());
    template.mime_type = Some("application/json".into());
    template
}

fn internal(error: Error) -> McpError {
    McpError::internal_error(error.to_string(), Some(json!({"code": error.code()})))
}

/// The brand profile and the newest content items of `customer`.
pub async fn list(store: &Store, customer: &str) -> Result<Vec<Resource>, McpError> {
    let mut resources = Vec::new();
    if let Some(brand) = crate::brand::latest(store, customer)
        .await
        .map_err(internal)?
    {
        let mut resource = Resource::new(BRAND_URI, "brand");
        resource.title = Some(format!(
            "Brand profile v{} of {}",
            brand.version.unwrap_or(0),
            brand.name.as_deref().unwrap_or(&brand.final_url)
        ));
        resource.mime_type = Some("application/json".into());
        resources.push(resource);
    }
    let rows = store
        .list_content(customer, None, None, LISTED)
        .await
        .map_err(|e| internal(e.into()))?;
    for row in rows {
        let Ok(item) = serde_json::from_str::<ContentItem>(&row.item) else {
            continue;
        };
        let mut resource = Resource::new(content_uri(&item.id), item.id.clone());
        resource.title = Some(format!(
            "{} ({}, {})",
            item.title,
            item.format.as_str(),
            item.state.as_str()
        ));
        resource.mime_type = Some("application/json".into());
        resources.push(resource);
    }
    Ok(resources)
}

/// Refuses, as not found, a subscription to a record `customer` does not have. The brand
/// profile may be watched before its first version exists: onboarding makes it.
pub async fn ensure_watchable(store: &Store, customer: &str, uri: &str) -> Result<(), McpError> {
    if uri == BRAND_URI {
        return Ok(());
    }
    read(store, customer, uri).await.map(drop)
}

/// Reads one record of `customer`.
pub async fn read(
    store: &Store,
    customer: &str,
    uri: &str,
) -> Result<ReadResourceResult, McpError> {
    let missing = || not_found(uri);
    let json = if uri == BRAND_URI {
        let brand = crate::brand::latest(store, customer)
            .await
            .map_err(internal)?
            .ok_or_else(missing)?;
        serde_json::to_string_pretty(&brand)
    } else {
        let id = uri.strip_prefix(CONTENT_PREFIX).ok_or_else(missing)?;
        let item = match lifecycle::get(store, customer, id).await {
            Ok(item) => item,
            Err(Error::NotFound(_)) => return Err(missing()),
            Err(other) => return Err(internal(other)),
        };
        serde_json::to_string_pretty(&item)
    }
    .map_err(|e| McpError::internal_error(e.to_string(), None))?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(json, uri).with_mime_type("application/json"),
    ]))
}
