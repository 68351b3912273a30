//! `list_channels`: which platforms are connected (`GET /api/connections/:customerId`, the
//! hosted API's shape, docs/hosted-api.md).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::clock::rfc3339;
use crate::connections::Connectable;
use crate::error::Error;
use crate::google::Source;
use crate::registry::{Tool, ToolContext};
use crate::social::Platform;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {}

/// One platform's state.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    pub connected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<String>,
}

/// Every platform, connected or not.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Connections {
    pub mastodon: Connection,
    pub bluesky: Connection,
    pub linkedin: Connection,
    pub x: Connection,
    pub webhook: Connection,
    pub google_analytics: Connection,
    pub search_console: Connection,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub customer_id: String,
    pub connections: Connections,
}

pub struct ListChannels;

impl Tool for ListChannels {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, _input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let channels = ctx.store.channels(customer).await?;
        let state = |platform: Connectable| {
            channels
                .iter()
                .find(|c| c.platform == platform.as_str())
                .map_or(
                    Connection {
                        connected: false,
                        account: None,
                        connected_at: None,
                    },
                    |c| Connection {
                        connected: true,
                        account: Some(c.account.clone()),
                        connected_at: Some(rfc3339(c.connected_at)),
                    },
                )
        };
        Ok(Output {
            customer_id: customer.clone(),
            connections: Connections {
                mastodon: state(Connectable::Social(Platform::Mastodon)),
                bluesky: state(Connectable::Social(Platform::Bluesky)),
                linkedin: state(Connectable::Social(Platform::Linkedin)),
                x: state(Connectable::Social(Platform::X)),
                webhook: state(Connectable::Social(Platform::Webhook)),
                google_analytics: state(Connectable::Google(Source::GoogleAnalytics)),
                search_console: state(Connectable::Google(Source::SearchConsole)),
            },
        })
    }

    fn render(&self, output: &Output) -> String {
        let c = &output.connections;
        [
            ("mastodon", &c.mastodon),
            ("bluesky", &c.bluesky),
            ("linkedin", &c.linkedin),
            ("x", &c.x),
            ("webhook", &c.webhook),
            ("google_analytics", &c.google_analytics),
            ("search_console", &c.search_console),
        ]
        .iter()
        .map(|(name, state)| match &state.account {
            Some(account) => format!("{name}: connected as {account}"),
            None => format!("{name}: not connected"),
        })
        .collect::<Vec<_>>()
        .join("\n")
    }
}
