//! The customer's own records as MCP resources: the brand profile (`heycmo://brand`), each
//! content item (`heycmo://content/{id}`) and each site's statistics of the last 30 days
//! (`heycmo://sites/{id}/stats`). Unlike the documentation they are private, change often, and
//! subscribers hear of each change (`notifications/resources/updated`).

use rmcp::ErrorData as McpError;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use serde_json::json;

use crate::analytics::stats;
use crate::changes::Record;
use crate::content::{ContentItem, lifecycle};
use crate::error::Error;
use crate::mcp::library::not_found;
use crate::store::{Millis, Store};

pub const BRAND_URI: &str = "heycmo://brand";
pub const CONTENT_PREFIX: &str = "heycmo://content/";
const CONTENT_TEMPLATE: &str = "heycmo://content/{id}";
pub const SITES_PREFIX: &str = "heycmo://sites/";
const STATS_SUFFIX: &str = "/stats";
const STATS_TEMPLATE: &str = "heycmo://sites/{id}/stats";
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
        Record::SiteStats(id) => stats_uri(id),
    }
}

/// The URI of a site's statistics.
pub fn stats_uri(site: &str) -> String {
    format!("{SITES_PREFIX}{site}{STATS_SUFFIX}")
}

/// The site a statistics URI names.
fn stats_site(uri: &str) -> Option<&str> {
    uri.strip_prefix(SITES_PREFIX)?.strip_suffix(STATS_SUFFIX)
}

/// Whether a URI names one of these records.
pub fn owns(uri: &str) -> bool {
    uri == BRAND_URI || uri.starts_with(CONTENT_PREFIX) || stats_site(uri).is_some()
}

pub fn templates() -> Vec<ResourceTemplate> {
    let mut content = ResourceTemplate::new(CONTENT_TEMPLATE, "content");
    content.title = Some("A content item".into());
    content.description =
        Some("One content item as JSON: body, state, checks (see get_content)".into());
    content.mime_type = Some("application/json".into());
    let mut stats = ResourceTemplate::new(STATS_TEMPLATE, "site-stats");
    stats.title = Some("A site's statistics".into());
    stats.description = Some(
        "The last 30 days of a site as JSON, against the 30 before (site_stats' answer); \
         subscribers hear of new hits at most every few seconds"
            .into(),
    );
    stats.mime_type = Some("application/json".into());
    vec![content, stats]
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
    for site in store
        .sites(customer)
        .await
        .map_err(|e| internal(e.into()))?
    {
        let mut resource = Resource::new(stats_uri(&site.id), format!("{}-stats", site.id));
        resource.title = Some(format!("Statistics of {} (last 30 days)", site.name));
        resource.mime_type = Some("application/json".into());
        resources.push(resource);
    }
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
pub async fn ensure_watchable(
    store: &Store,
    customer: &str,
    uri: &str,
    now: Millis,
) -> Result<(), McpError> {
    if uri == BRAND_URI {
        return Ok(());
    }
    read(store, customer, uri, now).await.map(drop)
}

/// Reads one record of `customer` as of `now`.
pub async fn read(
    store: &Store,
    customer: &str,
    uri: &str,
    now: Millis,
) -> Result<ReadResourceResult, McpError> {
    let missing = || not_found(uri);
    let json = if uri == BRAND_URI {
        let brand = crate::brand::latest(store, customer)
            .await
            .map_err(internal)?
            .ok_or_else(missing)?;
        serde_json::to_string_pretty(&brand)
    } else if let Some(site) = stats_site(uri) {
        let report =
            match stats::compute(store, customer, site, now, &stats::Request::default()).await {
                Ok(report) => report,
                Err(Error::NotFound(_)) => return Err(missing()),
                Err(other) => return Err(internal(other)),
            };
        serde_json::to_string_pretty(&report)
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
