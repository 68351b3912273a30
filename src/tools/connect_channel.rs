//! `connect_channel`: verifies an account's credentials with its platform and stores them sealed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};
use crate::social::{self, Credentials, Platform};
use crate::store::ChannelRecord;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    pub platform: Platform,
    /// Mastodon, LinkedIn, X: the access token.
    pub access_token: Option<String>,
    /// Mastodon: the instance, such as https://mastodon.social.
    pub instance_url: Option<String>,
    /// Bluesky: the handle, such as brand.bsky.social.
    pub handle: Option<String>,
    /// Bluesky: an app password (Settings → Privacy and security → App passwords).
    pub app_password: Option<String>,
    /// Bluesky: the account's server (default https://bsky.social).
    pub service_url: Option<String>,
    /// LinkedIn: urn:li:person:… or urn:li:organization:… (default: the token's member).
    pub author: Option<String>,
    /// LinkedIn: the LinkedIn-Version header, YYYYMM (default 202610).
    pub api_version: Option<String>,
    /// LinkedIn and X: the API's base URL (default https://api.linkedin.com, https://api.x.com).
    pub base_url: Option<String>,
    /// Webhook: where posts are POSTed.
    pub url: Option<String>,
}

/// A connected account as its owner sees it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub platform: Platform,
    /// Who posts.
    pub account: String,
    /// The settings that are not secret (base URL, author, …).
    pub settings: serde_json::Value,
    pub connected_at: String,
    /// The webhook channel's signing secret, shown once: store it now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl Channel {
    pub fn from_record(record: ChannelRecord, secret: Option<String>) -> Result<Channel, Error> {
        Ok(Channel {
            platform: Platform::parse(&record.platform).ok_or_else(|| {
                Error::Internal(format!("unknown platform {} stored", record.platform))
            })?,
            account: record.account,
            settings: serde_json::from_str(&record.config)
                .map_err(|e| Error::Internal(format!("unreadable channel settings: {e}")))?,
            connected_at: rfc3339(record.connected_at),
            secret,
        })
    }
}

fn required(value: Option<String>, platform: Platform, field: &str) -> Result<String, Error> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| Error::InvalidInput {
            message: format!("/{field}: {} needs {field}", platform.title()),
            pointer: format!("/{field}"),
        })
}

impl Input {
    /// The credentials this platform takes; a field it needs and lacks, or one it does not
    /// take, is named.
    fn credentials(self) -> Result<Credentials, Error> {
        let platform = self.platform;
        let given: Vec<(&str, bool)> = vec![
            ("accessToken", self.access_token.is_some()),
            ("instanceUrl", self.instance_url.is_some()),
            ("handle", self.handle.is_some()),
            ("appPassword", self.app_password.is_some()),
            ("serviceUrl", self.service_url.is_some()),
            ("author", self.author.is_some()),
            ("apiVersion", self.api_version.is_some()),
            ("baseUrl", self.base_url.is_some()),
            ("url", self.url.is_some()),
        ];
        let takes: &[&str] = match platform {
            Platform::Mastodon => &["accessToken", "instanceUrl"],
            Platform::Bluesky => &["handle", "appPassword", "serviceUrl"],
            Platform::Linkedin => &["accessToken", "author", "apiVersion", "baseUrl"],
            Platform::X => &["accessToken", "baseUrl"],
            Platform::Webhook => &["url"],
        };
        if let Some((field, _)) = given.iter().find(|(f, set)| *set && !takes.contains(f)) {
            return Err(Error::InvalidInput {
                message: format!("/{field}: {} does not take {field}", platform.title()),
                pointer: format!("/{field}"),
            });
        }
        Ok(match platform {
            Platform::Mastodon => Credentials::Mastodon {
                instance_url: required(self.instance_url, platform, "instanceUrl")?,
                access_token: required(self.access_token, platform, "accessToken")?,
            },
            Platform::Bluesky => Credentials::Bluesky {
                handle: required(self.handle, platform, "handle")?,
                app_password: required(self.app_password, platform, "appPassword")?,
                service_url: self.service_url,
            },
            Platform::Linkedin => Credentials::Linkedin {
                access_token: required(self.access_token, platform, "accessToken")?,
                author: self.author,
                base_url: self.base_url,
                api_version: self.api_version,
            },
            Platform::X => Credentials::X {
                access_token: required(self.access_token, platform, "accessToken")?,
                base_url: self.base_url,
            },
            Platform::Webhook => Credentials::Webhook {
                url: required(self.url, platform, "url")?,
            },
        })
    }
}

pub struct ConnectChannel;

impl Tool for ConnectChannel {
    type Input = Input;
    type Output = Channel;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Channel, Error> {
        let platform = input.platform;
        let customer = &ctx.principal.customer.id;
        let connected =
            social::connect(&ctx.fetcher, input.credentials()?, ctx.clock.now_millis()).await?;
        let record = ctx
            .store
            .connect_channel(ChannelRecord {
                customer_id: customer.clone(),
                platform: platform.as_str().to_owned(),
                account: connected.account,
                config: connected.config.to_string(),
                sealed_secret: ctx.vault.seal(
                    &platform.secret_purpose(customer),
                    connected.secret.as_bytes(),
                ),
                connected_at: ctx.clock.now_millis(),
            })
            .await?;
        Channel::from_record(record, connected.shown_once)
    }

    fn render(&self, channel: &Channel) -> String {
        let mut text = format!(
            "Connected {} as {}.",
            channel.platform.as_str(),
            channel.account
        );
        if let Some(secret) = &channel.secret {
            text.push_str(&format!(
                "\nSigning secret (shown once, store it now): {secret}"
            ));
        }
        text
    }
}
