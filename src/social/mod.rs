//! Social publishing: connected accounts (channels) on Mastodon, Bluesky, LinkedIn, X and a
//! generic webhook, each spoken to over the platform's real HTTP API, and the job that
//! publishes a post.
//!
//! Every platform gets a configurable base URL (self-hosted instances, regional endpoints,
//! tests). Credentials are sealed by the vault and opened only to publish.

pub mod bluesky;
pub mod http;
pub mod length;
pub mod linkedin;
pub mod mastodon;
pub mod posts;
pub mod publish;
pub mod queue;
pub mod webhook;
pub mod x;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::content::{ContentItem, Format};

use crate::store::{Millis, PostRecord, RemotePost};
use crate::web::Fetcher;
use http::CallError;

/// A platform heycmo publishes to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Mastodon,
    Bluesky,
    Linkedin,
    X,
    /// Any HTTPS endpoint: each post is POSTed as signed JSON (Standard Webhooks).
    Webhook,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::Mastodon,
        Platform::Bluesky,
        Platform::Linkedin,
        Platform::X,
        Platform::Webhook,
    ];

    /// The social networks, without the generic webhook.
    pub const NETWORKS: [Platform; 4] = [
        Platform::Mastodon,
        Platform::Bluesky,
        Platform::Linkedin,
        Platform::X,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Mastodon => "mastodon",
            Platform::Bluesky => "bluesky",
            Platform::Linkedin => "linkedin",
            Platform::X => "x",
            Platform::Webhook => "webhook",
        }
    }

    /// The name people know it by, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Platform::Mastodon => "Mastodon",
            Platform::Bluesky => "Bluesky",
            Platform::Linkedin => "LinkedIn",
            Platform::X => "X",
            Platform::Webhook => "The webhook channel",
        }
    }

    pub fn parse(name: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

/// What connecting an account takes, per platform.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// An access token with the `write:statuses` and `read:accounts` scopes.
    Mastodon {
        instance_url: String,
        access_token: String,
    },
    /// An app password.
    Bluesky {
        handle: String,
        app_password: String,
        service_url: Option<String>,
    },
    /// An OAuth access token with `w_member_social` (or `w_organization_social`); the author
    /// defaults to the token's member.
    Linkedin {
        access_token: String,
        author: Option<String>,
        base_url: Option<String>,
        api_version: Option<String>,
    },
    /// An OAuth 2.0 user access token with `tweet.write`, `tweet.read` and `users.read`.
    X {
        access_token: String,
        base_url: Option<String>,
    },
    /// Posts are POSTed to this URL, signed with a secret shown once when connecting.
    Webhook { url: String },
}

/// A verified connection, ready to store.
#[derive(Debug, Clone)]
pub struct Connected {
    /// Who posts, for people: `@brand@mastodon.social`.
    pub account: String,
    /// Settings that are not secret, stored as they are.
    pub config: serde_json::Value,
    /// What is sealed: a token, an app password, a signing secret.
    pub secret: String,
    /// A secret to show the customer once (the webhook channel's signing secret).
    pub shown_once: Option<String>,
}

/// Why connecting failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Invalid(String),
    /// The platform refused the credentials.
    #[error("{0}")]
    Refused(String),
    /// The platform could not be reached or failed.
    #[error("{0}")]
    Unreachable(String),
    /// The URL points where the server may not fetch.
    #[error("{0}")]
    UrlRefused(String),
}

impl From<CallError> for ConnectError {
    fn from(error: CallError) -> ConnectError {
        match error.status {
            _ if error.url_refused => ConnectError::UrlRefused(error.failure.message),
            Some(400..=499) => ConnectError::Refused(error.failure.message),
            _ => ConnectError::Unreachable(error.failure.message),
        }
    }
}

impl From<crate::web::FetchError> for ConnectError {
    fn from(error: crate::web::FetchError) -> ConnectError {
        match error {
            crate::web::FetchError::Refused { .. } => ConnectError::UrlRefused(error.to_string()),
            _ => ConnectError::Invalid(error.to_string()),
        }
    }
}

impl From<ConnectError> for crate::error::Error {
    fn from(error: ConnectError) -> Self {
        match error {
            ConnectError::Invalid(message) | ConnectError::Refused(message) => {
                crate::error::Error::BadRequest(message)
            }
            ConnectError::Unreachable(message) => crate::error::Error::FetchFailed(message),
            ConnectError::UrlRefused(message) => crate::error::Error::UrlRefused(message),
        }
    }
}

/// What a connector needs to publish one post.
pub struct Outbound<'a> {
    pub fetcher: &'a Fetcher,
    pub post: &'a PostRecord,
    /// The stored, non-secret settings.
    pub config: &'a serde_json::Value,
    pub secret: &'a str,
    /// Attempts so far, this one included.
    pub attempt: u32,
    pub now: Millis,
}

impl Outbound<'_> {
    /// A stored setting.
    pub fn setting(&self, name: &str) -> Result<&str, CallError> {
        self.config
            .get(name)
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| {
                CallError::permanent(format!(
                    "the channel's settings lack {name}; connect it again"
                ))
            })
    }
}

/// A base URL without its trailing slash, checked like any URL the server fetches (http(s),
/// not private unless allowed).
fn base(fetcher: &Fetcher, raw: Option<&str>, default: &str) -> Result<String, ConnectError> {
    let raw = raw.unwrap_or(default).trim().trim_end_matches('/');
    fetcher.parse(raw)?;
    Ok(raw.to_owned())
}

/// Verifies credentials with the platform and answers what to store.
pub async fn connect(
    fetcher: &Fetcher,
    credentials: Credentials,
    now: Millis,
) -> Result<Connected, ConnectError> {
    match credentials {
        Credentials::Mastodon {
            instance_url,
            access_token,
        } => {
            let instance = base(fetcher, Some(&instance_url), "")?;
            mastodon::connect(fetcher, &instance, access_token, now).await
        }
        Credentials::Bluesky {
            handle,
            app_password,
            service_url,
        } => {
            let service = base(fetcher, service_url.as_deref(), bluesky::DEFAULT_SERVICE)?;
            bluesky::connect(fetcher, &service, handle, app_password, now).await
        }
        Credentials::Linkedin {
            access_token,
            author,
            base_url,
            api_version,
        } => {
            let api = base(fetcher, base_url.as_deref(), linkedin::DEFAULT_BASE)?;
            linkedin::connect(fetcher, &api, access_token, author, api_version, now).await
        }
        Credentials::X {
            access_token,
            base_url,
        } => {
            x::connect(
                fetcher,
                &base(fetcher, base_url.as_deref(), x::DEFAULT_BASE)?,
                access_token,
                now,
            )
            .await
        }
        Credentials::Webhook { url } => webhook::connect(fetcher, &url).await,
    }
}

/// Publishes one post on its platform.
pub async fn publish(
    platform: Platform,
    outbound: &Outbound<'_>,
    sessions: &bluesky::Sessions,
) -> Result<RemotePost, CallError> {
    match platform {
        Platform::Mastodon => mastodon::publish(outbound).await,
        Platform::Bluesky => bluesky::publish(outbound, sessions).await,
        Platform::Linkedin => linkedin::publish(outbound).await,
        Platform::X => x::publish(outbound).await,
        Platform::Webhook => webhook::publish(outbound).await,
    }
}

/// What a post says for a content item: a social post's text as written, otherwise the title
/// and the description, so the post announces the piece.
pub fn text_of(item: &ContentItem) -> String {
    match item.format {
        Format::Social => crate::content::plain_text(&item.body),
        _ => format!("{}\n\n{}", item.title, item.meta_description)
            .trim()
            .to_owned(),
    }
}
