//! `ask_cmo`: a marketing answer grounded in what heycmo knows about the brand.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::knowledge::{Knowledge, Source};
use crate::llm::{self, Completion, EngineChoice, Message, Usage};
use crate::registry::{Tool, ToolContext};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The question, in plain words.
    #[schemars(length(min = 1, max = 4000))]
    pub question: String,
    /// Who writes the answer: `auto` (the client's model when it offers sampling, else the
    /// server's, else offline: the stored records that answer the question, and a brief to
    /// reason over), `sampling`, `server` or `offline`.
    #[serde(default)]
    pub engine: EngineChoice,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Output {
    pub answer: String,
    /// `offline`, or the engine and model that wrote it (`openai/gpt-4o-mini`,
    /// `anthropic/…`, `sampling/<client model>`).
    pub engine: String,
    /// The stored records the answer was given (brand profile, audits).
    pub sources: Vec<Source>,
    /// Offline only: everything stored, each item under its citable id, for the calling agent
    /// to reason over itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brief: Option<String>,
    /// Tokens used, when the engine reports them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

const ROLE: &str = "You are the chief marketing officer of the brand below, advising its team. Answer \
the question concretely and briefly, grounded in the context given (brand profile and site audits). \
Cite the context items you used by their id in square brackets, such as [brand-v1] or [aud_…]. If the \
context does not cover the question, say what data is missing.";

pub struct AskCmo;

impl Tool for AskCmo {
    type Input = Input;
    type Output = Output;

    async fn call(&self, ctx: &ToolContext, input: Input) -> Result<Output, Error> {
        let customer = &ctx.principal.customer.id;
        let knowledge = Knowledge::load(&ctx.store, customer).await?;
        let sources = knowledge.sources();
        let Some(engine) = llm::choose(input.engine, ctx, "answer").await? else {
            return Ok(Output {
                answer: knowledge.offline_answer(&input.question),
                engine: "offline".into(),
                sources,
                brief: Some(knowledge.context()),
                usage: None,
            });
        };
        let completion = Completion {
            system: llm::prompt::system_prompt(ROLE, knowledge.brand.as_ref()),
            messages: vec![Message::user(format!(
                "Context:\n{}\nQuestion: {}",
                knowledge.context(),
                input.question
            ))],
            max_tokens: 1200,
            temperature: Some(0.4),
        };
        let completed = engine.complete(&completion).await?;
        let usage = completed.reported_usage();
        if let Some(usage) = usage {
            ctx.store
                .record_usage(
                    customer,
                    ctx.clock.now_millis(),
                    &completed.engine,
                    usage.input_tokens,
                    usage.output_tokens,
                )
                .await?;
        }
        Ok(Output {
            answer: completed.text,
            engine: completed.engine,
            sources,
            brief: None,
            usage,
        })
    }

    fn render(&self, output: &Output) -> String {
        let cited: Vec<&str> = output.sources.iter().map(|s| s.id.as_str()).collect();
        format!(
            "{}\n\n(engine: {}; context: {})",
            output.answer,
            output.engine,
            if cited.is_empty() {
                "none stored".to_owned()
            } else {
                cited.join(", ")
            }
        )
    }
}
