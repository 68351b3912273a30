//! The connected MCP client's own model, through sampling: the server needs no API key.
//!
//! On a handshake session this sends `sampling/createMessage`; on the 2026-07-28 generation the
//! tool call answers an `InputRequiredResult` and resumes when the client calls again with the
//! reply (both handled by [`ToolContext::sample_reply`]).

use futures::future::BoxFuture;

use super::{Completed, Completion, Llm, LlmError, Usage};
use crate::registry::{Sampling, ToolContext, sampled_text};

/// Sampling through the client of one tool call; `key` names the ask across rounds.
pub struct ClientModel<'c> {
    pub ctx: &'c ToolContext,
    pub key: &'static str,
}

impl Llm for ClientModel<'_> {
    /// The client's model is there while the client is: a call's own connection is its probe.
    fn probe(&self) -> BoxFuture<'_, Result<(), LlmError>> {
        Box::pin(async { Ok(()) })
    }

    fn complete<'a>(
        &'a self,
        completion: &'a Completion,
    ) -> BoxFuture<'a, Result<Completed, LlmError>> {
        Box::pin(async move {
            let prompt = completion
                .messages
                .iter()
                .map(|m| m.content.as_str())
                .collect::<Vec<_>>()
                .join("\n\n");
            let reply = self
                .ctx
                .sample_reply(
                    self.key,
                    Sampling {
                        system: Some(completion.system.clone()),
                        prompt,
                        max_tokens: completion.max_tokens,
                    },
                )
                .await
                .map_err(LlmError::Client)?;
            Ok(Completed {
                text: sampled_text(&reply),
                // Sampling results carry no token counts.
                usage: Usage::default(),
                engine: format!("sampling/{}", reply["model"].as_str().unwrap_or("client")),
            })
        })
    }
}

/// Asks the client's model every prompt at once, as bare user prompts with no system prompt:
/// one round trip on either generation, so a call that suspends for the replies asks nothing
/// twice. `key` prefixes each ask's name across rounds.
pub async fn complete_all(
    ctx: &ToolContext,
    key: &str,
    prompts: &[String],
    max_tokens: u32,
) -> Result<Vec<Completed>, crate::error::Error> {
    let name = |i: usize| format!("{key}.{i}");
    let asks = prompts
        .iter()
        .enumerate()
        .map(|(i, prompt)| {
            (
                name(i),
                crate::registry::Ask::Sample(Sampling::prompt(prompt.clone(), max_tokens)),
            )
        })
        .collect();
    let mut replies = ctx.gather(asks).await?;
    (0..prompts.len())
        .map(|i| {
            let reply = replies.remove(&name(i)).ok_or_else(|| {
                crate::error::Error::BadRequest(format!("No reply to {}", name(i)))
            })?;
            Ok(Completed {
                text: sampled_text(&reply),
                usage: Usage::default(),
                engine: format!("sampling/{}", reply["model"].as_str().unwrap_or("client")),
            })
        })
        .collect()
}
