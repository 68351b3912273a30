//! "This record of a customer changed", as the marketing side says it.
//!
//! Tools, background jobs and the collector that change a record a client may watch (the brand
//! profile, a content item, a site's statistics) announce it here, after their transaction commits; they know nothing of who
//! listens. The MCP side turns each change into `notifications/resources/updated` for the
//! sessions subscribed to the record's resource URI.

/// A record that can be watched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// The customer's brand profile (any new version).
    Brand,
    /// One content item, by id.
    Content(String),
    /// A site's statistics, by site id: the collector counted new hits.
    SiteStats(String),
}

/// A record of `customer` changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub customer: String,
    pub record: Record,
}

/// Where changes are announced: a broadcast, since any number of sessions may listen, and a
/// slow listener must not hold back the tool that made the change (it misses old ones instead).
pub type Changes = tokio::sync::broadcast::Sender<Change>;

/// A broadcast with room for a burst of changes.
pub fn channel() -> Changes {
    tokio::sync::broadcast::channel(256).0
}

/// Announces a change; no listener at all is the common case, not an error.
pub fn announce(changes: &Changes, customer: &str, record: Record) {
    let _ = changes.send(Change {
        customer: customer.to_owned(),
        record,
    });
}
