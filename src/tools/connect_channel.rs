//! `connect_channel`: verifies an account's credentials with its platform and stores them sealed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::connections::Connectable;
use crate::error::Error;
use crate::google::Source;
use crate::google::token::Credential;
use crate::registry::{Tool, ToolContext};
use crate::social::{self, Credentials, Platform};
use crate::store::ChannelRecord;
use crate::vault::connection_purpose;

/// A GA4 property: its number, with or without `properties/`.
const PROPERTY_PATTERN: &str = r"^(properties/)?[0-9]{1,20}$";
/// A Search Console property: `sc-domain:example.com`, or a URL prefix.
const SITE_PATTERN: &str = r"^(sc-domain:[A-Za-z0-9.-]+|https?://[^\s]+)$";

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Input {
    pub platform: Connectable,
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
    /// Google Analytics: the GA4 property id (Admin → Property details), such as 123456789.
    #[schemars(regex(pattern = PROPERTY_PATTERN))]
    pub property_id: Option<String>,
    /// Search Console: the property, `sc-domain:example.com` or a URL prefix such as
    /// `https://www.example.com/`.
    #[schemars(length(max = 2048), regex(pattern = SITE_PATTERN))]
    pub site_url: Option<String>,
    /// Google: a service account's JSON key (the downloaded file, as an object or its text);
    /// add the account's address to the property first.
    pub service_account_key: Option<serde_json::Value>,
    /// Google, instead of a service account: an OAuth refresh token with the product's
    /// read-only scope, and the client it was granted to.
    pub refresh_token: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// A connected account as its owner sees it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Channel {
    pub platform: Connectable,
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
            platform: Connectable::parse(&record.platform).ok_or_else(|| {
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

fn required(value: Option<String>, platform: Connectable, field: &str) -> Result<String, Error> {
    value
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| Error::InvalidInput {
            message: format!("/{field}: {} needs {field}", platform.title()),
            pointer: format!("/{field}"),
        })
}

/// What connecting takes, once the fields are sorted: a social account's credentials, or a
/// Google product's target and credential.
enum Connecting {
    Social(Credentials),
    Google(Source, String, Credential),
}

impl Input {
    /// The credentials this platform takes; a field it needs and lacks, or one it does not
    /// take, is named.
    fn credentials(self) -> Result<Connecting, Error> {
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
            ("propertyId", self.property_id.is_some()),
            ("siteUrl", self.site_url.is_some()),
            ("serviceAccountKey", self.service_account_key.is_some()),
            ("refreshToken", self.refresh_token.is_some()),
            ("clientId", self.client_id.is_some()),
            ("clientSecret", self.client_secret.is_some()),
        ];
        let takes: &[&str] = match platform {
            Connectable::Social(Platform::Mastodon) => &["accessToken", "instanceUrl"],
            Connectable::Social(Platform::Bluesky) => &["handle", "appPassword", "serviceUrl"],
            Connectable::Social(Platform::Linkedin) => {
                &["accessToken", "author", "apiVersion", "baseUrl"]
            }
            Connectable::Social(Platform::X) => &["accessToken", "baseUrl"],
            Connectable::Social(Platform::Webhook) => &["url"],
            Connectable::Google(Source::GoogleAnalytics) => &[
                "propertyId",
                "serviceAccountKey",
                "refreshToken",
                "clientId",
                "clientSecret",
            ],
            Connectable::Google(Source::SearchConsole) => &[
                "siteUrl",
                "serviceAccountKey",
                "refreshToken",
                "clientId",
                "clientSecret",
            ],
        };
        if let Some((field, _)) = given.iter().find(|(f, set)| *set && !takes.contains(f)) {
            return Err(Error::InvalidInput {
                message: format!("/{field}: {} does not take {field}", platform.title()),
                pointer: format!("/{field}"),
            });
        }
        let social = match platform {
            Connectable::Google(source) => return self.google(source),
            Connectable::Social(social) => social,
        };
        Ok(Connecting::Social(match social {
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
        }))
    }

    /// A Google product's target and credential: a service-account key, or a refresh token
    /// with its client, not both.
    fn google(self, source: Source) -> Result<Connecting, Error> {
        let platform = Connectable::Google(source);
        let target = match source {
            Source::GoogleAnalytics => required(self.property_id, platform, "propertyId")?
                .trim_start_matches("properties/")
                .to_owned(),
            Source::SearchConsole => required(self.site_url, platform, "siteUrl")?,
        };
        let credential = match (self.service_account_key, self.refresh_token) {
            (Some(key), None) => {
                if let Some(field) = [
                    ("clientId", &self.client_id),
                    ("clientSecret", &self.client_secret),
                ]
                .iter()
                .find_map(|(name, value)| value.is_some().then_some(*name))
                {
                    return Err(Error::InvalidInput {
                        message: format!("/{field}: a service-account key needs no {field}"),
                        pointer: format!("/{field}"),
                    });
                }
                Credential::from_key_file(&key).map_err(|e| Error::InvalidInput {
                    message: format!("/serviceAccountKey: {e}"),
                    pointer: "/serviceAccountKey".into(),
                })?
            }
            (None, Some(refresh_token)) => Credential::RefreshToken {
                client_id: required(self.client_id, platform, "clientId")?,
                client_secret: required(self.client_secret, platform, "clientSecret")?,
                refresh_token,
            },
            (Some(_), Some(_)) => {
                return Err(Error::InvalidInput {
                    message:
                        "/refreshToken: give a service-account key or a refresh token, not both"
                            .into(),
                    pointer: "/refreshToken".into(),
                });
            }
            (None, None) => {
                return Err(Error::InvalidInput {
                    message: format!(
                        "/serviceAccountKey: {} needs serviceAccountKey, or refreshToken with \
                         clientId and clientSecret",
                        source.title()
                    ),
                    pointer: "/serviceAccountKey".into(),
                });
            }
        };
        Ok(Connecting::Google(source, target, credential))
    }
}

pub struct ConnectChannel;

impl Tool for ConnectChannel {
    type Input = Input;
    type Output = Channel;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Channel, Error> {
        let platform = input.platform;
        let customer = &ctx.principal.customer.id;
        let now = ctx.clock.now_millis();
        let (account, config, secret, shown_once) = match input.credentials()? {
            Connecting::Social(credentials) => {
                let connected = social::connect(&ctx.fetcher, credentials, now).await?;
                (
                    connected.account,
                    connected.config,
                    connected.secret,
                    connected.shown_once,
                )
            }
            Connecting::Google(source, target, credential) => {
                let connected = ctx
                    .google
                    .connect(source, &target, &credential, now)
                    .await?;
                let secret = serde_json::to_string(&credential)
                    .map_err(|e| Error::Internal(format!("serializing a credential: {e}")))?;
                (connected.account, connected.config, secret, None)
            }
        };
        let record = ctx
            .store
            .connect_channel(ChannelRecord {
                customer_id: customer.clone(),
                platform: platform.as_str().to_owned(),
                account,
                config: config.to_string(),
                sealed_secret: ctx.vault.seal(
                    &connection_purpose(customer, platform.as_str()),
                    secret.as_bytes(),
                ),
                connected_at: now,
            })
            .await?;
        Channel::from_record(record, shown_once)
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
