//! The `Tool` trait a handler implements, and its type-erased form the registry holds.

use std::future::Future;

use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::context::ToolContext;
use crate::error::Error;

/// A typed tool. Input and output schemas are generated from the types, never written by hand.
pub trait Tool: Send + Sync + 'static {
    type Input: DeserializeOwned + JsonSchema + Send;
    type Output: Serialize + JsonSchema + Send;

    /// Runs the tool for `ctx.principal`. Input has already been validated against its schema.
    fn call(
        &self,
        ctx: &ToolContext,
        input: Self::Input,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send;

    /// The readable text that travels beside the structured output. The default is the output as
    /// indented JSON; tools whose results read better as prose override it.
    fn render(&self, output: &Self::Output) -> String {
        serde_json::to_string_pretty(output).unwrap_or_default()
    }

    /// What MCP clients display: by default the rendered text; tools that produce media (an image
    /// for a post, a document) add it here.
    fn content(&self, output: &Self::Output) -> Vec<Content> {
        vec![Content::Text(self.render(output))]
    }
}

/// One piece of displayable content in a tool result (MCP content blocks, independent of rmcp).
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text(String),
    /// Base64 image data and its media type.
    Image {
        data: String,
        mime_type: String,
    },
    /// Base64 audio data and its media type.
    Audio {
        data: String,
        mime_type: String,
    },
    /// A text document embedded by URI.
    Resource {
        uri: String,
        mime_type: String,
        text: String,
    },
}

/// A tool's result in both forms MCP carries.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    pub structured: Value,
    pub content: Vec<Content>,
}

/// [`Tool`] with its types erased, so tools of different types share one registry.
pub trait DynTool: Send + Sync {
    fn input_schema(&self) -> Value;
    fn output_schema(&self) -> Value;
    fn call_json<'a>(
        &'a self,
        ctx: &'a ToolContext,
        input: Value,
    ) -> BoxFuture<'a, Result<ToolOutput, Error>>;
}

impl<T: Tool> DynTool for T {
    fn input_schema(&self) -> Value {
        super::schema::generate::<T::Input>()
    }

    fn output_schema(&self) -> Value {
        super::schema::generate::<T::Output>()
    }

    fn call_json<'a>(
        &'a self,
        ctx: &'a ToolContext,
        input: Value,
    ) -> BoxFuture<'a, Result<ToolOutput, Error>> {
        Box::pin(async move {
            // Schema validation ran first; this catches what a schema cannot say.
            let input: T::Input =
                serde_json::from_value(input).map_err(|e| Error::InvalidInput {
                    message: e.to_string(),
                    pointer: String::new(),
                })?;
            let output = self.call(ctx, input).await?;
            let content = self.content(&output);
            let structured = serde_json::to_value(&output)
                .map_err(|e| Error::Internal(format!("serializing the output: {e}")))?;
            Ok(ToolOutput {
                structured,
                content,
            })
        })
    }
}
