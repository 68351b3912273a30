//! `disconnect_channel`: forgets a platform's account and credentials.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::connections::Connectable;
use crate::error::Error;
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub platform: Connectable,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Output {
    pub platform: Connectable,
    pub disconnected: bool,
}

pub struct DisconnectChannel;

impl Tool for DisconnectChannel {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let gone = ctx
            .store
            .disconnect_channel(&ctx.principal.customer.id, input.platform.as_str())
            .await?;
        if !gone {
            return Err(Error::NotFound(format!(
                "{} is not connected",
                input.platform.title()
            )));
        }
        Ok(Output {
            platform: input.platform,
            disconnected: true,
        })
    }

    fn render(&self, output: &Output) -> String {
        format!("Disconnected {}.", output.platform.as_str())
    }
}
